"""What a compiled kernel costs each process before it runs: Cython's extension module against a numba function
loaded from numba's on-disk cache (the two ways of fused compiled code that need no compilation per process).

    pip install numba          # in a scratch venv; roleclassify does not depend on it
    python bench/kernel_startup.py

Each figure is the median of 5 fresh interpreters. Tagging starts a process per command and, with
``--jobs N`` under forkserver or spawn, per worker, so this cost is paid every time (bench/KERNEL.md).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

NUMBA_KERNEL = textwrap.dedent('''
    import numba

    @numba.njit(cache=True)
    def dot_rows(ip, ix, data, coef, z):
        for r in range(len(ip) - 1):
            for k in range(ip[r], ip[r + 1]):
                for j in range(coef.shape[1]):
                    z[r, j] += coef[ix[k], j] * data[k]
        return z
''')

NUMBA_RUN = textwrap.dedent('''
    import sys, time
    t = time.perf_counter()
    import numba
    t_import = time.perf_counter() - t
    sys.path.insert(0, sys.argv[1])
    import numpy as np
    t = time.perf_counter()
    import numba_kernel
    numba_kernel.dot_rows(np.array([0, 2]), np.array([0, 1]), np.ones(2, np.float32), np.ones((2, 3), np.float32),
                          np.zeros((1, 3)))
    print(t_import, time.perf_counter() - t)
''')

CYTHON_RUN = textwrap.dedent('''
    import time
    t = time.perf_counter()
    import roleclassify._kernel
    print(time.perf_counter() - t)
''')


def median_of(cmd: list[str], n: int = 5) -> list[float]:
    runs = [list(map(float, subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()))
            for _ in range(n)]
    return [statistics.median(col) for col in zip(*runs)]


def main() -> None:
    (cython_s,) = median_of([sys.executable, "-c", CYTHON_RUN])
    print(f"Cython extension (roleclassify._kernel): import {cython_s:.3f} s")
    try:
        import numba  # noqa: F401
    except ImportError:
        print("numba is not installed here: pip install numba to measure it")
        return
    with tempfile.TemporaryDirectory() as d:
        Path(d, "numba_kernel.py").write_text(NUMBA_KERNEL)
        subprocess.run([sys.executable, "-c", NUMBA_RUN, d], check=True, capture_output=True)  # fills the cache
        numba_import, numba_load = median_of([sys.executable, "-c", NUMBA_RUN, d])
    print(f"numba {numba.__version__}: import {numba_import:.3f} s, cached function loaded {numba_load:.3f} s "
          f"(one small function; the full kernel has several)")


if __name__ == "__main__":
    main()
