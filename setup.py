"""Builds shannonfit._core with CMake for `pip install .` (see pyproject.toml for the rest).

The extension is the CMake target shannonfit_python, built in SHANNONFIT_BUILD_DIR (default:
build/ in this folder, the build tools/demo.sh uses, so an existing build is reused) with the
options in SHANNONFIT_CMAKE_ARGS, and copied into the wheel. ccache, when installed, makes a fresh
build folder cheap after the first.
"""
import os
import shlex
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCE = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = Path(os.environ.get("SHANNONFIT_BUILD_DIR") or SOURCE / "build").resolve()
        configure = ["cmake", "-S", str(SOURCE), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                     "-DSHANNONFIT_PYTHON=ON", f"-DPython_EXECUTABLE={sys.executable}"]
        if not (build / "CMakeCache.txt").exists() and _have("ninja"):
            configure += ["-G", "Ninja"]
        configure += shlex.split(os.environ.get("SHANNONFIT_CMAKE_ARGS", ""))
        subprocess.run(configure, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", str(build), "--target", "shannonfit_python",
                        "-j", str(os.cpu_count() or 1)], check=True)
        built = next((build / "python" / "shannonfit").glob("_core*.so"))
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        self.copy_file(str(built), str(target))


def _have(program):
    return any((Path(d) / program).exists() for d in os.environ.get("PATH", "").split(os.pathsep))


setup(ext_modules=[CMakeExtension("shannonfit._core")], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": "build/setuptools"}})
