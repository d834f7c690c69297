"""Exception hierarchy.

Library code raises these; only ``cli.py`` turns them into one-line messages and exit codes.
Every message says what was expected, what was found, where, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "RoleClassifyError",
    "InputError",
    "CorpusError",
    "ModelError",
    "AuditError",
    "RecordError",
    "OutputError",
]


class RoleClassifyError(Exception):
    """Base class of every error roleclassify raises on purpose."""

    exit_code = 1


class InputError(RoleClassifyError):
    """A file to tag or audit cannot be read as a whole (missing, unreadable, wrong format)."""


class RecordError(InputError):
    """One record of an input is bad; the rest of the input can still be processed.

    ``location`` is ``file:line`` (or ``file:row``) so a user can find the record.
    """

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.reason = message

    def __reduce__(self):  # picklable across worker processes
        return (type(self), (self.location, self.reason))


class CorpusError(RoleClassifyError):
    """A training / evaluation corpus violates the corpus schema."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class ModelError(RoleClassifyError):
    """A model file is missing, corrupt, foreign or incompatible. It is never executed."""


class AuditError(RoleClassifyError):
    """An organisation document has no department structure the audit can read."""


class OutputError(RoleClassifyError):
    """An output cannot be written (a full or read-only disk, no permission). A file that was there before is
    left as it was; a partial output is removed."""
