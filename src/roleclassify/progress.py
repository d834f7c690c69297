"""Progress on stderr for long runs: a tqdm bar while it runs, one summary line at the end."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import Any, ContextManager

__all__ = ["Progress"]


class Progress:
    """A progress bar on stderr (tqdm), on by default when stderr is a terminal and the results are not
    being written to that same terminal.

    Messages during the run go through :meth:`message`, which clears the bar, prints, and redraws it; when
    the bar is forced on while records stream to the same terminal, :meth:`writing` does the same around
    each write. The bar is removed at the end and one clean summary line is left. A ``Progress(False)``
    counts without drawing, and its messages still go to stderr.
    """

    def __init__(self, enabled: bool | None = False, what: str = "items", *, output_on_terminal: bool = False) -> None:
        if enabled is None:
            enabled = sys.stderr.isatty() and not output_on_terminal
        self.enabled = enabled
        self.shared = enabled and output_on_terminal
        self.what = what
        self.n = 0
        self.t0 = time.perf_counter()
        self.bar: Any = None
        if enabled:  # tqdm is imported only when a bar is drawn (it adds 90 ms to start-up)
            from tqdm import tqdm

            self.bar = tqdm(desc="tagged", unit=f" {what}", file=sys.stderr, leave=False, mininterval=0.5,
                            dynamic_ncols=True)

    def tick(self, k: int = 1) -> None:
        self.n += k
        if self.bar is not None:
            self.bar.update(k)

    def message(self, msg: str) -> None:
        if self.bar is not None:
            self.bar.write(msg, file=sys.stderr)
        else:
            print(msg, file=sys.stderr, flush=True)

    def writing(self) -> ContextManager[Any]:
        """A context for writing a record to a terminal the bar is drawn on."""
        if self.shared and self.bar is not None:
            return self.bar.external_write_mode(file=sys.stderr)
        return contextlib.nullcontext()

    def close(self) -> None:
        """Remove the bar (also when the run stops on an error, so the message starts a clean line)."""
        if self.bar is not None:
            self.bar.close()

    def done(self) -> None:
        self.close()
        if self.enabled:
            dt = time.perf_counter() - self.t0
            print(f"tagged {self.n:,} {self.what} in {dt:.1f}s ({self.n / max(dt, 1e-9):,.0f}/s)", file=sys.stderr)
