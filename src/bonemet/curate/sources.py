"""The source documents: where they are, their checksums, and passages in them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bonemet.project import current


def sources_dir() -> Path:
    """Folder holding the source texts (see Project.sources_dir)."""
    return current().sources_dir


@dataclass(frozen=True)
class SourceText:
    file_name: str
    text: str
    sha256: str


@cache
def load_source(file_name: str, folder: str | None = None) -> SourceText | None:
    """The text of a source file, or None when the sources are not on this machine."""
    path = Path(folder) if folder else sources_dir()
    path = path / file_name
    if not path.is_file():
        return None
    data = path.read_bytes()
    return SourceText(file_name, data.decode("utf-8"), hashlib.sha256(data).hexdigest())
