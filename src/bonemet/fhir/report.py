"""What an import could not carry over: every unmapped code with its system, resource and reason.

Nothing is dropped silently: a code we have no mapping for, an element our record layer has no place
for, a resource type the import does not read, each ends up here, on standard error and, with
`--report FILE`, as JSON. `--strict` turns any unmapped entry into exit code 1.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Unmapped:
    file: str
    resource: str       # Type/id (or fullUrl)
    element: str        # the FHIR element, e.g. Condition.code, Condition.bodySite
    system: str
    code: str
    display: str
    reason: str


@dataclass
class Report:
    unmapped: list[Unmapped] = field(default_factory=list)
    records: Counter = field(default_factory=Counter)      # record class -> how many were written
    ignored: Counter = field(default_factory=Counter)      # resource type the import does not read -> count
    files: list[str] = field(default_factory=list)

    def add(self, file: str, resource: str, element: str, reason: str, coding: dict | None = None) -> None:
        coding = coding or {}
        self.unmapped.append(Unmapped(file, resource, element, str(coding.get("system", "")),
                                      str(coding.get("code", "")), str(coding.get("display", "")), reason))

    def as_json(self) -> str:
        return json.dumps({"files": self.files, "records": dict(sorted(self.records.items())),
                           "ignoredResourceTypes": dict(sorted(self.ignored.items())),
                           "unmapped": [asdict(u) for u in self.unmapped]}, indent=2, ensure_ascii=False) + "\n"

    def as_text(self) -> str:
        made = ", ".join(f"{n} {name}" for name, n in sorted(self.records.items())) or "no records"
        lines = [f"bonemet import-fhir: {made}; {len(self.unmapped)} unmapped"]
        for u in self.unmapped:
            code = f" {u.system}|{u.code}" + (f" ({u.display})" if u.display else "") if u.code else ""
            lines.append(f"  unmapped: {u.resource} {u.element}{code}: {u.reason}")
        if self.ignored:
            lines.append("  not read: " + ", ".join(f"{n} {t}" for t, n in sorted(self.ignored.items())))
        return "\n".join(lines) + "\n"
