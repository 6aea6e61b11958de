"""The command line, run as a user would run it."""

import subprocess
import sys

from conftest import ROOT


def bonemet(*args, **kw):
    return subprocess.run([sys.executable, "-m", "bonemet.cli", *args], capture_output=True, text=True, **kw)


def test_version_and_help():
    assert bonemet("--version").stdout.startswith("bonemet, version ")
    out = bonemet("--help").stdout
    for command in ("build", "check", "query", "serve"):
        assert command in out


def test_check_reports_all_tables_clean():
    proc = bonemet("check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().endswith("0 problems")


def test_check_flags_a_bad_file(tmp_path):
    bad = ROOT / "mappings" / "statements" / "000.tsv"
    proc = bonemet("check", str(bad))
    assert proc.returncode == 0
    assert "problems" in proc.stdout


def test_query_prints_tsv(built, tmp_path):
    query = ROOT / "queries" / "cq01-cancers-to-spine.rq"
    proc = bonemet("query", str(query), "--dist", str(built.out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "?cancer"
    assert "bme:BreastCancer" in proc.stdout


def test_query_errors_are_one_line(built, tmp_path):
    broken = tmp_path / "broken.rq"
    broken.write_text("SELECT ?x WHERE { ?x ")
    proc = bonemet("query", str(broken), "--dist", str(built.out))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("bonemet query: error: ")
    proc = bonemet("query", str(broken), "--dist", str(tmp_path / "nowhere"))
    assert proc.returncode == 2 and "run `bonemet build` first" in proc.stderr
