"""Wheel build hook: the package carries the project's run-time files and the built release.

An installed wheel must validate, serve and query from any folder, so `build_py` copies the sources
of truth that the stages read at run time (ontology/, shapes/, queries/, mappings/) into
bonemet/data/ and runs `bonemet build` from this tree into bonemet/data/dist/. An editable
install skips this: it reads the checkout itself (bonemet.project).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RUN_TIME_FOLDERS = ("ontology", "shapes", "queries", "mappings")


class BuildPyWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "bonemet" / "data"
        if target.exists():
            shutil.rmtree(target)
        for folder in RUN_TIME_FOLDERS:
            shutil.copytree(ROOT / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__", "proposed"))
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        subprocess.run([sys.executable, "-m", "bonemet", "build", "-q", "--project", str(ROOT),
                        "--out", str(target / "dist")], check=True, env=env)


setup(cmdclass={"build_py": BuildPyWithData})
