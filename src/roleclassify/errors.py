"""Exception hierarchy, and how a message names a parameter.

Library code raises these; only ``cli.py`` turns them into one-line messages and exit codes.
Every message says what was expected, what was found, where, and how to fix it. A message that tells the
user to set a parameter names it through :func:`option`, so it reads ``pass text_column="NAME"`` from Python
and ``pass --text-column NAME`` on the command line.
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
    "ClusterError",
    "NotFittedError",
    "OptionError",
    "StrictStop",
    "MissingDependency",
    "needs",
    "option",
    "use_cli_names",
]

#: Parameters whose command-line option is not ``--`` plus the parameter name with dashes.
_CLI_SPELLING = {"fmt": "--format", "model_path": "--model", "output": "--output", "errors_path": "--errors"}
_cli_names = False


def use_cli_names(on: bool = True) -> None:
    """Name parameters in messages as command-line options (the CLI calls this once at start-up)."""
    global _cli_names
    _cli_names = on


def option(name: str, value: str | None = None) -> str:
    """Parameter ``name`` (and an example ``value``) as the interface in use spells it: ``--text-column NAME``
    on the command line, ``text_column='NAME'`` from Python; without a value ``--strict`` / ``strict``."""
    if _cli_names:
        flag = _CLI_SPELLING.get(name, "--" + name.replace("_", "-"))
        return flag if value is None else f"{flag} {value}"
    return name if value is None else f"{name}={value!r}"


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

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # picklable across worker processes
        return (type(self), (self.location, self.reason))


class StrictStop(RecordError):
    """``strict``: the first bad record ends the run (no output file is left behind)."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(location, f"{message} ({option('strict')}: stopped)")
        self.reason = message

    @classmethod
    def at(cls, err: RecordError) -> StrictStop:
        """The stop at bad record ``err``."""
        return cls(err.location, err.reason)


class CorpusError(RoleClassifyError):
    """A training / evaluation corpus violates the corpus schema."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class ModelError(RoleClassifyError):
    """A model file is missing, corrupt, foreign or incompatible. It is never executed."""


class AuditError(RoleClassifyError):
    """An organisation document has no department structure the audit can read."""


class OptionError(RoleClassifyError, ValueError):
    """A parameter value that is out of range, or parameters that do not fit together or cannot be honoured (a
    usage error: exit code 2; from Python also a ``ValueError``). ``param`` is the parameter at fault, when
    there is one."""

    exit_code = 2

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def needs(feature: str, library: str, *requirements: str) -> str:
    """The one wording of "install this first":
    ``reading Parquet needs pyarrow: pip install "roleclassify[parquet]"`` (the requirements default to the
    library's own name)."""
    shown = [f'"{r}"' if any(c in r for c in "[]<>= ,") else r for r in (requirements or (library,))]
    return f"{feature} needs {library}: pip install {' '.join(shown)}"


class MissingDependency(RoleClassifyError):
    """A library a feature needs is not installed; the message (from :func:`needs`) says what to install."""

    def __init__(self, feature: str, library: str, *requirements: str) -> None:
        super().__init__(needs(feature, library, *requirements))
        self._parts = (feature, library, *requirements)

    def __reduce__(self) -> tuple[type, tuple[str, ...]]:
        return (type(self), self._parts)


class NotFittedError(RoleClassifyError, RuntimeError):
    """A featurizer or estimator was used before it was fitted."""


class ClusterError(RoleClassifyError):
    """The Dask scheduler cannot be reached, or what answers at its address is not one."""


class OutputError(RoleClassifyError):
    """An output cannot be written (a full or read-only disk, no permission). A file that was there before is
    left as it was; a partial output is removed."""
