"""kehoach-docs: Vietnamese action plans (KH-UBND), their appendices and reports, from data."""

__version__ = "0.1.0"

#: What the command says when a Ctrl-C stops it, whenever it comes.
STOPPED = "Đã dừng."
