"""JSON for the hot path: orjson when it can, the standard library when it cannot.

orjson is an order of magnitude faster at reading and writing JSON lines; it refuses a few things the
standard library accepts (integers beyond 64 bits, 1e400), so those fall back to ``json``.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a dependency; keep working without it
    orjson = None  # type: ignore[assignment]

__all__ = ["loads", "dumps_line", "JSONDecodeError"]

JSONDecodeError = json.JSONDecodeError


def loads(s: str) -> Any:
    """Parse one JSON text. Nesting too deep to parse (``[[[[…``) is a ``JSONDecodeError`` like any other
    malformed text, never a ``RecursionError``."""
    if orjson is not None:
        try:
            return orjson.loads(s)
        except orjson.JSONDecodeError:
            pass  # let the standard library decide, and word the error
    try:
        return json.loads(s)
    except RecursionError:
        raise JSONDecodeError("nested too deeply", s, 0) from None


def dumps_line(obj: Any) -> str:
    """One JSON line (with its newline), non-ASCII characters kept as they are."""
    if orjson is not None:
        try:
            return orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            pass
    return json.dumps(obj, ensure_ascii=False, default=str) + "\n"
