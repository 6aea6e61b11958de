"""What a Spark run cost, phase by phase on the driver and partition by partition on the executors.

`--metrics FILE` writes it as JSON. The per-partition figures (triples, seconds, the Python worker's
peak resident memory) are what a cluster is sized from: docs/benchmarks.md extrapolates a 100M-triple
registry from them.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field


@dataclass
class Metrics:
    master: str = ""
    partitions: int = 0
    input_triples: int = 0
    patients: int = 0
    shared_triples: int = 0
    phases: dict[str, float] = field(default_factory=dict)   # driver: seconds per phase, in order
    parts: list[dict] = field(default_factory=list)          # one per partition, by index

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = round(time.perf_counter() - started, 3)

    def took(self, keyed, master: str, partitions: int) -> None:
        """The size of the input, once it is read (a bonemet.spark.partition.Keyed)."""
        self.master, self.partitions = master, partitions
        self.input_triples, self.patients, self.shared_triples = \
            keyed.input_triples, len(keyed.patients), len(keyed.shared)

    def add_parts(self, parts: list[dict]) -> None:
        self.parts = sorted(parts, key=lambda p: p["partition"])

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def part_metrics(index: int, patients: int, triples: int, load_s: float, run_s: float) -> dict:
    """One partition's cost, measured inside the executor's Python worker."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss   # KiB on Linux
    return {"partition": index, "patients": patients, "triples": triples, "load_s": round(load_s, 3),
            "run_s": round(run_s, 3), "worker_peak_mib": round(peak_kib / 1024)}
