"""The command line, run as a user would run it."""

import subprocess
import sys

import pytest

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


def test_check_flags_a_bad_file(project_copy):
    """A row whose subject is not an entity, in a copy of the project: exit 1, the file and line named."""
    table = project_copy / "mappings" / "statements" / "000.tsv"
    lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split("\t")
    fields[1] = "NoSuchEntity"
    table.write_text(lines[0] + "\t".join(fields) + "".join(lines[2:]), encoding="utf-8")
    proc = bonemet("check", "--project", str(project_copy), str(table))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"{table}:2: subject 'NoSuchEntity' is not an entity of mappings/entities.tsv" in proc.stdout
    assert proc.stdout.strip().endswith("1 problems")


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


def test_generate_bad_arguments_and_unwritable_output(tmp_path):
    proc = bonemet("generate", "--patients", "-1")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = bonemet("generate", "--patients", "3", "--output", str(tmp_path / "missing" / "x.nt"))
    assert proc.returncode == 2 and "cannot write" in proc.stderr
    proc = bonemet("generate", "--patients", "3", "--output", str(tmp_path / "ok.nt"))
    assert proc.returncode == 0 and (tmp_path / "ok.nt").read_text().count("\n") > 30


def test_serve_without_a_build_or_on_a_busy_port(tmp_path, built):
    proc = bonemet("serve", "--dist", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and "run `bonemet build` first" in proc.stderr
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = bonemet("serve", "--dist", str(built.out), "--port", str(port), timeout=120)
    assert proc.returncode == 2 and "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("option, value", [("--header-timeout", "0"), ("--header-timeout", "61"),
                                           ("--max-connections", "0"), ("--http-server", "nginx")])
def test_serve_refuses_bad_transport_options(built, option, value):
    proc = bonemet("serve", "--dist", str(built.out), option, value)
    assert proc.returncode == 2 and option in proc.stderr and "Traceback" not in proc.stderr
