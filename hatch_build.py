"""Build hook: compile the tagging kernel (src/roleclassify/_kernel.pyx) with Cython into the wheel.

Tagging works without it (the pure-Python path is the reference), so a machine without a C compiler still
installs: the hook then says why it skipped the kernel and builds a pure-Python wheel. Set
ROLECLASSIFY_BUILD_KERNEL=0 to skip it on purpose.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PYX = Path("src") / "roleclassify" / "_kernel.pyx"
NAME = "roleclassify._kernel"


def _compile(root: Path, build_dir: Path) -> Path:
    """Cythonize and compile the kernel into ``build_dir``; the path of the extension module built."""
    from Cython.Build import cythonize
    from setuptools import Distribution, Extension

    ext = Extension(NAME, [str(root / PYX)], extra_compile_args=["-O3", "-ffp-contract=off"])
    dist = Distribution({"name": "roleclassify-kernel", "ext_modules": cythonize([ext], quiet=True,
                                                                                  build_dir=str(build_dir / "c"))})
    cmd = dist.get_command_obj("build_ext")
    cmd.build_lib = str(build_dir / "lib")
    cmd.build_temp = str(build_dir / "tmp")
    cmd.ensure_finalized()
    cmd.run()
    suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
    return build_dir / "lib" / "roleclassify" / f"_kernel{suffix}"


class KernelBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("ROLECLASSIFY_BUILD_KERNEL") == "0":
            return
        root = Path(self.root)
        tmp = Path(tempfile.mkdtemp(prefix="roleclassify-kernel-"))
        try:
            built = _compile(root, tmp)
        except Exception as e:  # no compiler, no Python headers: the pure-Python path still works
            print(f"roleclassify: compiled kernel not built ({type(e).__name__}: {e}); "
                  "tagging will use the pure-Python path", file=sys.stderr)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        if version == "editable":  # the editable install imports from src/: put the module there
            target = root / "src" / "roleclassify" / built.name
            shutil.copy2(built, target)
        else:
            keep = Path(self.directory) / ".kernel"
            keep.mkdir(parents=True, exist_ok=True)
            target = keep / built.name
            shutil.copy2(built, target)
            build_data["force_include"][str(target)] = f"roleclassify/{built.name}"
        shutil.rmtree(tmp, ignore_errors=True)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True


if __name__ == "__main__":  # `python hatch_build.py`: rebuild the kernel in place (for an editable checkout)
    here = Path(__file__).resolve().parent
    out = Path(tempfile.mkdtemp(prefix="roleclassify-kernel-"))
    module = _compile(here, out)
    shutil.copy2(module, here / "src" / "roleclassify" / module.name)
    shutil.rmtree(out, ignore_errors=True)
    print(f"built src/roleclassify/{module.name}")
