"""Reading FHIR R4 Bundles: size, JSON, resource type, FHIR version, the R4B models, references.

Everything wrong with a bundle raises `BundleError` with one line naming the file and the problem;
the command turns it into exit code 2. The models of `fhir.resources` (R4B, which reads R4 bundles)
validate the bundle; the mapping then reads the plain JSON, which the models have just accepted, so
that it needs no None checks for every optional level of the model tree.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 50_000_000
INSTALL_HINT = "bonemet import-fhir needs fhir.resources: pip install 'bonemet[fhir]' (or pip install fhir.resources)"

# Resource types of another FHIR version and not of R4/R4B (the R5 and STU3 models of fhir.resources 8.3
# have them, its R4B models do not): a bundle holding one is not R4. An element of another version
# inside an R4 resource type is caught by the R4B models ("extra inputs are not permitted").
OTHER_VERSION_TYPES = {"ProcedureRequest": "STU3", "ReferralRequest": "STU3", "BodySite": "STU3",
                       "ActorDefinition": "R5", "Requirements": "R5", "TestPlan": "R5", "InventoryItem": "R5",
                       "Transport": "R5", "NutritionIntake": "R5", "Permission": "R5", "RequestOrchestration": "R5"}


class BundleError(Exception):
    """A bundle that cannot be imported; the message is one line."""


class FhirUnavailable(Exception):
    """fhir.resources is not installed."""


@dataclass
class Resource:
    key: str                   # how the report names it: Type/id, or the fullUrl when there is no id
    source_iri: str            # what prov:wasDerivedFrom points to
    data: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.data.get("resourceType", ""))

    def profiles(self) -> list[str]:
        meta = self.data.get("meta") or {}
        return [str(p).split("|")[0] for p in meta.get("profile") or []]


@dataclass
class Bundle:
    path: Path
    timestamp: str | None
    resources: list[Resource] = field(default_factory=list)
    index: dict[str, Resource] = field(default_factory=dict)   # fullUrl and Type/id -> resource

    def resolve(self, reference: dict[str, Any] | None, where: Resource, element: str) -> Resource | None:
        """The bundle's resource a Reference points to; a reference outside the bundle is a BundleError."""
        if not reference or "reference" not in reference:
            return None
        target = str(reference["reference"])
        found = self.index.get(target)
        if found is None and "/" in target and not target.startswith("urn:"):
            found = self.index.get("/".join(target.rstrip("/").split("/")[-2:]))
        if found is None:
            raise BundleError(f"{self.path}: {where.key} {element} refers to {target}, which is not in the bundle")
        return found


def _models() -> Any:
    try:
        from fhir.resources.R4B.bundle import Bundle as BundleModel
    except ImportError:
        raise FhirUnavailable(INSTALL_HINT) from None
    return BundleModel


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        hint = " (an element of another FHIR version?)" if first.get("type") == "extra_forbidden" else ""
        return f"{where}: {first.get('msg', '')}{hint}"
    return " ".join(str(exc).split())[:300]


def _check_version(path: Path, data: dict[str, Any], where: str) -> None:
    kind = str(data.get("resourceType", ""))
    if kind in OTHER_VERSION_TYPES:
        raise BundleError(f"{path}: {where} is a {kind}, a resource of FHIR {OTHER_VERSION_TYPES[kind]}, not R4/R4B")


def read_bundle(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Bundle:
    """Read, check and index one bundle file."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise BundleError(f"{path}: cannot read ({exc.strerror})") from None
    if size > max_bytes:
        raise BundleError(f"{path}: {size} bytes, over the limit of {max_bytes} (--max-bytes)")
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise BundleError(f"{path}: not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        kind = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
        raise BundleError(f"{path}: not a FHIR Bundle (resourceType: {kind})")
    _check_version(path, data, "the Bundle")
    entries = data.get("entry") or []
    for n, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
            _check_version(path, entry["resource"], f"entry {n}")
    model = _models()
    try:
        model.model_validate(data)
    except Exception as exc:  # noqa: BLE001 - pydantic's ValidationError and the models' own errors
        raise BundleError(f"{path}: not a valid FHIR R4 Bundle: {_first_error(exc)}") from None
    bundle = Bundle(path, data.get("timestamp"))
    for entry in entries:
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        full_url, rid, kind = entry.get("fullUrl"), resource.get("id"), resource.get("resourceType")
        key = f"{kind}/{rid}" if rid else str(full_url or f"{kind}/entry-{len(bundle.resources)}")
        if full_url and re.match(r"^(https?:|urn:)", str(full_url)):
            source = str(full_url)
        elif rid:
            source = ""            # no absolute address: the mapping resolves Type/id against --base
        else:
            raise BundleError(f"{path}: a {kind} entry has neither an absolute fullUrl nor an id to name it by")
        res = Resource(key, source, resource)
        bundle.resources.append(res)
        for name in {str(full_url or ""), f"{kind}/{rid}" if rid else ""} - {""}:
            bundle.index[name] = res
    return bundle
