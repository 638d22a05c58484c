"""The validated plan: pydantic models and the rules that tie their parts together."""
