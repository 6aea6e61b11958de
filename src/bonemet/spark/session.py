"""Starting Spark, with every way it can fail turned into one line (SparkError).

pyspark is an optional extra: without it, the engine says how to install it. A standalone master
that does not answer is found by a TCP probe before Spark starts, because Spark itself keeps
retrying its registration for minutes before it gives up.
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

INSTALL_HINT = "the spark engine needs pyspark: pip install 'bonemet[spark]'"


class SparkError(Exception):
    """Spark cannot be used (not installed, no Java, master unreachable); the message says why."""


def require_pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        raise SparkError(INSTALL_HINT) from None
    return pyspark


def probe_master(master: str, timeout: float = 5.0) -> None:
    """Fail fast when a spark://host:port master (or any of a list of them) accepts no connection."""
    if master.startswith("local"):
        if not re.fullmatch(r"local(\[(\*|\d+)(,\d+)?\])?", master):
            raise SparkError(f"cannot use Spark master {master!r}: local, local[N] or local[*] expected")
        return
    m = re.fullmatch(r"spark://(.+)", master)
    if m is None:
        return   # yarn, k8s://...: left to Spark, which answers quickly for those
    errors = []
    for hostport in m.group(1).split(","):
        host, _, port = hostport.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return
        except (OSError, ValueError) as exc:
            errors.append(f"{hostport}: {getattr(exc, 'strerror', None) or exc}")
    raise SparkError(f"cannot reach Spark master {master} ({'; '.join(errors)})")


def start(master: str, app: str = "bonemet") -> Any:
    """A SparkSession on `master`; the executors run this very Python.

    The JVM's own output (its start-up warnings, Spark's log) goes to a log file rather than the
    terminal, so that a failure is one line; when Spark cannot start, that line comes from the log.
    """
    require_pyspark()
    probe_master(master)
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway
    from pyspark.sql import SparkSession

    # executors must import bonemet and pyoxigraph: the driver's interpreter has them
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    logging.getLogger("py4j").setLevel(logging.ERROR)
    if SparkContext._active_spark_context is not None:   # a session this process already runs
        return SparkSession.builder.getOrCreate()
    conf = (SparkConf().setMaster(master).setAppName(app).set("spark.ui.enabled", "false")
            .set("spark.ui.showConsoleProgress", "false"))
    log = tempfile.NamedTemporaryFile("w+", prefix="bonemet-spark-", suffix=".log", delete=False)
    atexit.register(_remove, log.name)
    try:
        gateway = launch_gateway(conf, popen_kwargs={"stdout": log, "stderr": log})
        spark = SparkSession(SparkContext(conf=conf, gateway=gateway))
    except Exception as exc:  # noqa: BLE001 - py4j, Java gateway and Spark all raise their own kinds
        raise SparkError(f"cannot start Spark on {master}: {_last_words(log.name) or one_line(exc)}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _last_words(path: str) -> str:
    """The first line of the JVM's log that says what went wrong (e.g. "/usr/lib/jvm/x/bin/java: No such
    file or directory"), without the launcher script's own "spark-class: line N:" prefix."""
    lines = [line.strip() for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines()]
    said = [line for line in lines if line and not line.startswith(("at ", "WARNING:", "Using Spark's"))
            and " WARN " not in line and " INFO " not in line]
    return re.sub(r"^\S*spark-(class|submit): line \d+: ", "", said[0])[:300] if said else ""


def _remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)


def one_line(exc: BaseException) -> str:
    """The first meaningful line of an exception from Spark (a Java or Python traceback)."""
    text = str(exc).strip()
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Traceback", "File ", "at ", "py4j.")):
            return line[:300]
    return type(exc).__name__
