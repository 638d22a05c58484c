"""``python -m kehoach_docs``: the same as the ``kehoach`` command."""

from .cli import main

main(prog_name="kehoach")
