"""Turning the validated plan into what templates print: plain strings, already formatted."""
