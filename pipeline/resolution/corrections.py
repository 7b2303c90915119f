"""user: the analyst's corrections, a CSV with header ``type,name,entity``.

* ``PERSON,Zelenski,Volodimir Zelensky``: every mention of the name "Zelenski" (any spelling
  with its key) belongs to the entity that has the name "Volodimir Zelensky", which is then
  that entity's display name. When the archive has no "Volodimir Zelensky", the mentions of
  "Zelenski" become an entity of that name.
* ``PERSON,Kok,Kok`` (entity equals name): "Kok" is an entity of its own: no rule merges it,
  and a "Kok" an article attached to "Wim Kok" is taken back.

Names are matched by their key (case, accents, titles, possessives do not matter). Rows are
checked before a run starts; a bad row stops it with a message naming the line.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..labels import LABEL_TYPES
from ..schemas import TYPES
from .archive import own_key

HEADER = ("type", "name", "entity")


class CorrectionsError(ValueError):
    """The corrections file cannot be used: a one-line message for the analyst."""


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    type: str
    name: str
    entity: str

    @property
    def own(self) -> bool:
        return own_key(self.name, self.type) == own_key(self.entity, self.type)


@dataclass
class Corrections:
    rows: list[Row] = field(default_factory=list)
    path: str | None = None
    sha256: str | None = None
    text: str = ""

    def summary(self) -> dict:
        return {"path": self.path, "sha256": self.sha256, "rows": len(self.rows)}


def _type(value: str) -> str | None:
    value = value.strip().upper()
    if value in TYPES:
        return value
    return LABEL_TYPES.get(value)


def parse(text: str, path: str = "<corrections>") -> Corrections:
    """Rows of a corrections CSV; raises CorrectionsError naming every bad line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CorrectionsError(f"{path}: not a readable CSV ({exc})") from None
    rows = [(i, r) for i, r in enumerate(rows, 1) if any(c.strip() for c in r)]
    if not rows or tuple(c.strip().lower() for c in rows[0][1]) != HEADER:
        raise CorrectionsError(f"{path}: the first line must be the header 'type,name,entity'")
    out, errors, seen = [], [], {}
    for line, r in rows[1:]:
        if len(r) != 3:
            errors.append(f"line {line}: {len(r)} fields, expected 3 (type,name,entity)")
            continue
        type_, name, entity = _type(r[0]), " ".join(r[1].split()), " ".join(r[2].split())
        if type_ is None:
            errors.append(f"line {line}: unknown type {r[0].strip()!r} (use {', '.join(TYPES)})")
            continue
        if not name or not entity or not own_key(name, type_) or not own_key(entity, type_):
            errors.append(f"line {line}: name and entity must both be names")
            continue
        row = Row(line, type_, name, entity)
        key = (type_, own_key(name, type_))
        if key in seen and own_key(seen[key].entity, type_) != own_key(entity, type_):
            errors.append(f"line {line}: {name!r} is already given to {seen[key].entity!r} on line {seen[key].line}")
            continue
        seen[key] = row
        out.append(row)
    if errors:
        shown = "; ".join(errors[:5]) + (f"; and {len(errors) - 5} more" if len(errors) > 5 else "")
        raise CorrectionsError(f"{path}: {shown}")
    return Corrections(out, path, hashlib.sha256(text.encode("utf-8")).hexdigest(), text)


def read(path: Path) -> Corrections:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CorrectionsError(f"cannot read the corrections file {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CorrectionsError(f"{path}: not UTF-8 text; save the CSV as UTF-8") from None
    corrections = parse(text, str(path))
    corrections.sha256 = hashlib.sha256(data).hexdigest()
    return corrections
