"""The user's cache folder for kehoach: LibreOffice profiles and prepared workbooks kept between
runs. Everything there can be deleted at any time; it is made again when needed."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def cache_home() -> Path:
    """``$KEHOACH_CACHE``, else ``%LOCALAPPDATA%\\kehoach`` on Windows, else ``~/.cache/kehoach``."""
    override = os.environ.get("KEHOACH_CACHE")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "kehoach"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kehoach"
