"""Text laid out in terminal cells: a full-width (East Asian wide) character takes two."""

from __future__ import annotations

import unicodedata

__all__ = ["cell_width", "pad", "fit", "clip", "clip_left", "printable"]


def _cells(c: str) -> int:
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


def cell_width(s: str) -> int:
    """How many terminal cells ``s`` takes."""
    return sum(map(_cells, s))


def pad(s: str, width: int, *, right: bool = False) -> str:
    """``s`` padded with spaces to ``width`` cells (on the left with ``right``)."""
    fill = " " * max(0, width - cell_width(s))
    return fill + s if right else s + fill


def fit(s: str, width: int) -> str:
    """``s`` cut to at most ``width`` cells."""
    while cell_width(s) > width:
        s = s[:-1]
    return s


def clip(s: str, width: int) -> str:
    """``s`` on one line (newlines shown as `` / ``) in fewer than ``width`` cells, ``…`` where it was cut."""
    out, w = [], 0
    for c in s.replace("\n", " / "):
        cw = _cells(c)
        if w + cw > width - 1:
            out.append("…")
            break
        out.append(c)
        w += cw
    return "".join(out)


def clip_left(s: str, width: int) -> str:
    """``s`` in fewer than ``width`` cells, cut in the middle where it is too long: its first cells, ``…``, its last
    ones (an id such as ``data/jobs.csv:12`` keeps the start of its file name and its line number)."""
    if cell_width(s.replace("\n", " / ")) <= width - 1:
        return clip(s, width)
    head = max(1, (width - 1) // 3)
    tail = clip(s[::-1], width - head)[::-1]  # "…" and the last width - head - 1 cells
    return fit(s, head) + tail


#: White space a terminal shows as space though Python does not call it printable (the full-width space of
#: Japanese text above all, 店頭での接客\u3000および\u3000レジ業務).
_SPACES = frozenset("\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000")


def printable(s: str) -> str:
    """Text safe for a terminal: control characters (escape sequences, carriage returns) shown as \\xNN; spaces
    (the full-width one too), line breaks and tabs as they are."""
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() or c in "\n\t" or c in _SPACES else f"\\x{ord(c):02x}" for c in s)
