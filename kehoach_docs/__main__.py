"""The ``kehoach`` command (and ``python -m kehoach_docs``, the same)."""

import sys

from . import STOPPED


def run() -> None:
    """Start the command line. A Ctrl-C while the program is still loading stops it as it does at
    any later moment, with «Đã dừng.» and no traceback (click handles it once its ``main`` runs)."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write(f"\n{STOPPED}\n")
        sys.exit(1)
    main(prog_name="kehoach")


if __name__ == "__main__":
    run()
