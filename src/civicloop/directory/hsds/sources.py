"""Reading an HSDS source into rows: a tabular data package, or HSDS JSON (nested objects).

Both become the same thing — rows per table, each remembering where it came from — so one
validator checks them. HSDS JSON nests related objects instead of naming them by id; the
reference a nesting implies is filled in (a phone inside a service gets `service_id`). An
object that appears in several places (the same phone under a service and its contact) is
one row; its appearances must agree.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from civicloop.directory.hsds.spec import tables


@dataclass(frozen=True)
class Problem:
    """Something wrong in a source: where (file, row, field) and what is expected."""

    file: str
    row: str
    field: str
    message: str
    warning: bool = False

    def __str__(self) -> str:
        row = _("row %(row)s") % {"row": self.row} if self.row else ""
        where = ", ".join(part for part in (self.file, row, self.field) if part)
        return f"{where}: {self.message}"


@dataclass
class SourceRow:
    table: str
    file: str
    row: str
    values: dict[str, Any]


@dataclass
class Source:
    rows: list[SourceRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class SourceError(Exception):
    """The path is not an HSDS source at all."""


def read_source(path: Path) -> Source:
    """A data package (its datapackage.json or the directory holding it) or an HSDS JSON file."""
    if path.is_dir():
        path = path / "datapackage.json"
    if not path.exists():
        raise SourceError(_("%(path)s does not exist.") % {"path": path})
    if path.name == "datapackage.json":
        return read_datapackage(path)
    if path.suffix.lower() == ".json":
        return read_json(path)
    raise SourceError(
        _("%(path)s is neither a datapackage.json, a directory holding one, nor an HSDS .json file.") % {"path": path}
    )


def read_datapackage(path: Path) -> Source:
    source = Source()
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SourceError(_("%(path)s is not readable JSON: %(error)s") % {"path": path, "error": exc}) from exc
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        raise SourceError(_("%(path)s has no list of resources.") % {"path": path})
    known = tables()
    for index, resource in enumerate(resources):
        name = resource.get("name") if isinstance(resource, dict) else None
        if name not in known:
            source.problems.append(
                Problem(
                    path.name,
                    "",
                    f"resources[{index}]",
                    _("unknown resource %(name)r; HSDS 3.0 tables are: %(tables)s")
                    % {"name": name, "tables": ", ".join(known)},
                )
            )
            continue
        csv_path = path.parent / str(resource.get("path") or known[name].path)
        if not csv_path.exists():
            source.problems.append(Problem(csv_path.name, "", "", _("file missing (the package lists it)")))
            continue
        _read_csv(source, name, csv_path)
    return source


def _read_csv(source: Source, table: str, path: Path) -> None:
    spec = tables()[table]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            source.problems.append(Problem(path.name, "1", "", _("empty file: expected a header row")))
            return
        for column in header:
            if spec.field(column) is None:
                source.problems.append(
                    Problem(
                        path.name,
                        "1",
                        column,
                        _("not a field of %(table)s; expected: %(fields)s")
                        % {"table": table, "fields": ", ".join(spec.field_names)},
                    )
                )
        for required in (f.name for f in spec.fields if f.required):
            if required not in header:
                source.problems.append(Problem(path.name, "1", required, _("required column missing")))
        for line, cells in enumerate(reader, start=2):
            if not any(cells):
                continue
            if len(cells) != len(header):
                source.problems.append(
                    Problem(
                        path.name,
                        str(line),
                        "",
                        _("expected %(expected)d cells, found %(found)d")
                        % {"expected": len(header), "found": len(cells)},
                    )
                )
                continue
            values = {column: cell for column, cell in zip(header, cells, strict=True) if spec.field(column)}
            source.rows.append(SourceRow(table, path.name, str(line), values))


#: HSDS JSON nesting. Arrays of children that point at their parent: key -> (table, column).
_CHILDREN: dict[str, dict[str, tuple[str, str]]] = {
    "service": {
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "funding": ("funding", "service_id"),
        "cost_options": ("cost_option", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "organization": {
        "funding": ("funding", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "phones": ("phone", "organization_id"),
        "locations": ("location", "organization_id"),
        "programs": ("program", "organization_id"),
        "organization_identifiers": ("organization_identifier", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "contacts": ("contact", "location_id"),
        "accessibility": ("accessibility", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
    },
    "service_at_location": {
        "contacts": ("contact", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "schedules": ("schedule", "service_at_location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
    "program": {"services": ("service", "program_id")},
}

#: Single nested objects the parent points at: key -> (table, the parent's column).
_PARENTS: dict[str, dict[str, tuple[str, str]]] = {
    "service": {"organization": ("organization", "organization_id"), "program": ("program", "program_id")},
    "service_at_location": {"location": ("location", "location_id"), "service": ("service", "service_id")},
    "attribute": {"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
    "taxonomy_term": {"taxonomy_detail": ("taxonomy", "taxonomy_id")},
}


def read_json(path: Path) -> Source:
    source = Source()
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise SourceError(_("%(path)s is not readable JSON: %(error)s") % {"path": path, "error": exc}) from exc
    reader = _JsonReader(path.name, source)
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items, prefix = document["contents"], "/contents"  # an HSDS API page
    elif isinstance(document, list):
        items, prefix = document, ""
    else:
        items, prefix = [document], None
    for index, item in enumerate(items):
        pointer = "" if prefix is None else f"{prefix}/{index}"
        if not isinstance(item, dict):
            source.problems.append(Problem(path.name, pointer or "/", "", _("expected an HSDS object")))
            continue
        table = _guess_table(item)
        reader.read(table, item, pointer or "/")
    source.rows = list(reader.rows.values())
    return source


def _guess_table(item: dict[str, Any]) -> str:
    """Which HSDS object a top-level JSON object is, by the fields only it has."""
    keys = set(item)
    if "status" in keys or "service_at_locations" in keys:
        return "service"
    if "location_type" in keys:
        return "location"
    if keys & {"service", "location"}:
        return "service_at_location"
    if keys & {"taxonomy_detail", "parent_id", "term_uri", "code", "taxonomy", "language"}:
        return "taxonomy_term"
    if "version" in keys and not keys & {"website", "services", "email"}:
        return "taxonomy"
    return "organization"


class _JsonReader:
    def __init__(self, file: str, source: Source) -> None:
        self.file = file
        self.source = source
        self.rows: dict[tuple[str, str], SourceRow] = {}
        self.conflicts: set[tuple[str, str, str]] = set()  # reported once, not at every appearance

    def read(self, table: str, item: dict[str, Any], pointer: str, implied: dict[str, Any] | None = None) -> Any:
        """Flatten item (and what it nests) into rows; returns its id."""
        spec = tables()[table]
        values: dict[str, Any] = {}
        nested: list[tuple[str, Any]] = []
        for key, value in item.items():
            if spec.field(key) is not None:
                values[key] = value
            elif key in _CHILDREN.get(table, {}) or key in _PARENTS.get(table, {}) or key in ("attributes", "metadata"):
                nested.append((key, value))
            else:
                self.source.problems.append(
                    Problem(self.file, pointer, key, _("not a field of %(table)s") % {"table": table})
                )
        for column, value in (implied or {}).items():
            values.setdefault(column, value)
        object_id = values.get("id")
        for key, value in nested:
            where = f"{pointer.rstrip('/')}/{key}"
            if key in _PARENTS.get(table, {}):
                self._read_parent(table, key, value, where, item=item, values=values)
            else:
                self._read_children(table, key, value, where, object_id)
        self._add(table, values, pointer)
        return object_id

    def _read_parent(
        self, table: str, key: str, value: Any, where: str, *, item: dict[str, Any], values: dict[str, Any]
    ) -> None:
        """A nested object the item points at (a service's organization): the item gets its id."""
        child_table, column = _PARENTS[table][key]
        if not isinstance(value, dict):
            self.source.problems.append(Problem(self.file, where, "", _("expected an object")))
            return
        implied: dict[str, Any] = {}
        if (table, key) == ("service", "program"):
            # A service's program belongs to the service's organization.
            organization = item.get("organization")
            if values.get("organization_id"):
                implied["organization_id"] = values["organization_id"]
            elif isinstance(organization, dict) and organization.get("id"):
                implied["organization_id"] = organization["id"]
        child_id = self.read(child_table, value, where, implied)
        if child_id is not None:
            values.setdefault(column, child_id)

    def _read_children(self, table: str, key: str, value: Any, where: str, object_id: Any) -> None:
        """A nested list of objects that point at the item (a service's phones)."""
        if not isinstance(value, list):
            self.source.problems.append(Problem(self.file, where, "", _("expected a list")))
            return
        if key == "attributes":
            child_table, implied = "attribute", {"link_id": object_id, "link_entity": table}
        elif key == "metadata":
            child_table, implied = "metadata", {"resource_id": object_id, "resource_type": table}
        else:
            child_table, column = _CHILDREN[table][key]
            implied = {column: object_id}
        for index, child in enumerate(value):
            if not isinstance(child, dict):
                self.source.problems.append(Problem(self.file, f"{where}/{index}", "", _("expected an object")))
                continue
            self.read(child_table, child, f"{where}/{index}", implied if object_id is not None else {})

    def _add(self, table: str, values: dict[str, Any], pointer: str) -> None:
        object_id = values.get("id")
        key = (table, str(object_id) if object_id is not None else f"#{pointer}")
        existing = self.rows.get(key)
        if existing is None:
            self.rows[key] = SourceRow(table, self.file, pointer, values)
            return
        for column, value in values.items():
            if column not in existing.values or existing.values[column] in (None, ""):
                existing.values[column] = value
            elif value not in (None, "") and existing.values[column] != value and (*key, column) not in self.conflicts:
                self.conflicts.add((*key, column))
                self.source.problems.append(
                    Problem(
                        self.file,
                        pointer,
                        column,
                        _("%(table)s %(id)s appears at %(other)s with %(column)s = %(value)s; the two must agree")
                        % {
                            "table": table,
                            "id": object_id,
                            "other": existing.row,
                            "column": column,
                            "value": json.dumps(existing.values[column]),
                        },
                    )
                )
