"""kehoach-docs: Vietnamese action plans (KH-UBND), their appendices and reports, from data."""

__version__ = "0.1.0"
