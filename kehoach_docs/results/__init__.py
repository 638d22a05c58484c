"""Results reported by agencies: stored as data beside the plan, evaluated against targets."""
