"""Atomic file writes: a reader, a crash or a concurrent writer never sees a half-written file."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from ..errors import OutputError

__all__ = ["atomic_write_bytes", "default_file_mode", "check_office_size", "OFFICE_LIMITS"]


def default_file_mode() -> int:
    """Permissions a new file would get under the current umask (mkstemp alone gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write bytes to ``target`` via a temporary file in the same directory and ``os.replace``."""
    target = Path(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise _failure(target, e) from None
    try:
        os.fchmod(fd, default_file_mode())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError):
            raise _failure(target, e) from None
        raise


def _failure(target: Path, e: OSError) -> OutputError:
    kept = "the existing file is unchanged" if target.exists() else "nothing was written"
    return OutputError(f"{target}: cannot write ({e.strerror or e}); {kept}")


#: How far an Office file (a ZIP of XML parts) may inflate when read, by kind. A 業務分掌規程 of a thousand
#: pages is about 10 MB of Word XML; a 100,000-row sheet about 60 MB of sheet XML. Reading stops at the
#: sizes the ZIP declares (Python's zipfile checks them), so a file within these limits cannot inflate
#: further. ROLECLASSIFY_MAX_OFFICE_BYTES overrides every kind.
OFFICE_LIMITS = {"docx": 64 << 20, "xlsx-full": 256 << 20, "xlsx-stream": 2 << 30}


def check_office_size(path: str | Path, kind: str) -> str | None:
    """Why ``path`` must not be read as an Office file of ``kind`` (its parts would inflate beyond the
    limit), or ``None``. A file that is no ZIP at all is left for the format library to report."""
    limit = int(os.environ.get("ROLECLASSIFY_MAX_OFFICE_BYTES") or OFFICE_LIMITS[kind])
    try:
        with zipfile.ZipFile(path) as zf:
            inflated = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if inflated <= limit:
        return None
    return (f"its XML would inflate to {_size(inflated)}, more than the {_size(limit)} allowed; not read "
            "(set ROLECLASSIFY_MAX_OFFICE_BYTES to allow more)")


def _size(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.1f} KiB"
