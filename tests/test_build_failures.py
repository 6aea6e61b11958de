"""Bad inputs fail the build with a message naming the place and the problem, and leave dist/ alone."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bonemet.build.pipeline import BuildError, build
from conftest import ROOT

CASES = yaml.safe_load((ROOT / "tests" / "data" / "broken" / "cases.yaml").read_text())


def test_case_count():
    assert len(CASES) == 19


def break_project(root: Path, case: dict) -> int:
    """Apply a case to a project copy; returns the number of the appended line."""
    path = root / case["file"]
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + case["append"] + "\n", encoding="utf-8")
    return text.count("\n") + 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_input_fails_with_clear_message(name, project_copy):
    case = CASES[name]
    line = break_project(project_copy, case)
    with pytest.raises(BuildError) as info:
        build(project_copy, project_copy / "dist")
    assert case["error"].format(line=line) in str(info.value)


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_failed_cli_build_keeps_previous_dist(project_copy, built):
    dist = project_copy / "dist"
    build(project_copy, dist)
    before = digest(dist)
    break_project(project_copy, CASES["unknown-entity"])
    proc = subprocess.run([sys.executable, "-m", "bonemet.cli", "build", "--root", str(project_copy)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "object 'Atlantis' is not an entity" in proc.stderr
    assert digest(dist) == before
    assert sorted(p.name for p in project_copy.iterdir()) == ["dist", "mappings", "ontology", "shapes"]
