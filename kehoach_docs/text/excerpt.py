"""A value quoted in a message: short enough for one line of the clerk's screen."""

from __future__ import annotations


def excerpt(text: str, n: int = 50, collapse: bool = True) -> str:
    """``text`` in at most ``n`` characters, cut with «…»; runs of spaces and line breaks become one
    space unless ``collapse`` is False (a text whose invisible characters are the point)."""
    text = " ".join(str(text).split()) if collapse else str(text)
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"
