"""Writing the directory out as HSDS: the tabular data package and HSDS JSON.

The whole directory (or one jurisdiction's) is loaded with one query per table and nested
in memory, so a full export costs 21 queries however many services there are.

Editors' names in the change log are civicloop users' names: personal data, never published.
Unless `include_editors` is set, `updated_by` of an entry a civicloop user made is replaced
by the jurisdiction's name.
"""

from __future__ import annotations

import csv
import json
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Self

from civicloop.core.models import Jurisdiction
from civicloop.directory.hsds.spec import datapackage, format_cell, format_value, tables
from civicloop.directory.models import HSDS_MODELS, HsdsObject, Metadata

#: Columns a nested HSDS JSON object leaves out: the nesting says what they would.
_NESTING_COLUMNS = {
    "attribute": {"link_id", "taxonomy_term_id"},
    "metadata": {"resource_id"},
    "taxonomy_term": {"taxonomy_id"},
}


class HsdsGraph:
    """Every HSDS object of a directory, by table and id, with reverse indexes for nesting."""

    def __init__(self, *, jurisdiction: Jurisdiction | None = None, include_editors: bool = False) -> None:
        objects: dict[str, dict[uuid.UUID, HsdsObject]] = {}
        for model in HSDS_MODELS:
            queryset = model.objects.order_by("id")
            if jurisdiction is not None:
                queryset = queryset.filter(jurisdiction=jurisdiction)
            if model is Metadata:
                queryset = queryset.select_related("jurisdiction")
            objects[model.hsds_name] = {obj.pk: obj for obj in queryset}
        self._setup(objects, include_editors=include_editors)

    def _setup(self, objects: dict[str, dict[uuid.UUID, HsdsObject]], *, include_editors: bool) -> None:
        self.objects: dict[str, dict[uuid.UUID, HsdsObject]] = {model.hsds_name: {} for model in HSDS_MODELS} | objects
        self._children: dict[tuple[str, str], dict[Any, list[HsdsObject]]] = {}
        self.include_editors = include_editors

    @classmethod
    def from_objects(cls, objects: dict[str, dict[uuid.UUID, HsdsObject]], *, include_editors: bool = False) -> Self:
        """A graph over objects already loaded (by table name, then id), not the whole directory:
        what one API page nests. Tables not given are empty."""
        graph = cls.__new__(cls)
        graph._setup(objects, include_editors=include_editors)
        return graph

    def rows(self, table: str) -> list[dict[str, Any]]:
        """The table's rows as HSDS values (None when empty), in id order."""
        columns = type_columns(table)
        return [self._values(obj, columns) for obj in self.objects[table].values()]

    def _values(self, obj: HsdsObject, columns: dict[str, str]) -> dict[str, Any]:
        values = {column: getattr(obj, attname) for column, attname in columns.items()}
        if isinstance(obj, Metadata) and obj.recorded_by_id is not None and not self.include_editors:
            values["updated_by"] = obj.jurisdiction.name
        return values

    def children(self, table: str, column: str, parent_id: uuid.UUID) -> list[HsdsObject]:
        key = (table, column)
        if key not in self._children:
            index: dict[Any, list[HsdsObject]] = defaultdict(list)
            attname = type_columns(table)[column]
            for obj in self.objects[table].values():
                index[getattr(obj, attname)].append(obj)
            self._children[key] = index
        return self._children[key].get(parent_id, [])

    def get(self, table: str, object_id: uuid.UUID | None) -> HsdsObject | None:
        return self.objects[table].get(object_id) if object_id is not None else None

    # HSDS JSON, shaped as the standard's compiled schemas and examples nest it.

    def _plain(self, table: str, obj: HsdsObject) -> dict[str, Any]:
        spec = tables()[table]
        skip = set(spec.references) - {"parent_organization_id", "parent_id"} | _NESTING_COLUMNS.get(table, set())
        values = self._values(obj, type_columns(table))
        result: dict[str, Any] = {}
        for field_spec in spec.fields:
            if field_spec.name in skip:
                continue
            value = format_value(values[field_spec.name])
            if value is not None:
                result[field_spec.name] = value
            elif field_spec.required:
                result[field_spec.name] = ""
        return result

    def _extras(self, table: str, obj: HsdsObject, result: dict[str, Any], *, always: bool = False) -> dict[str, Any]:
        attributes = [self.attribute_json(a) for a in self.children("attribute", "link_id", obj.pk)]
        metadata = [self._plain("metadata", m) for m in self.children("metadata", "resource_id", obj.pk)]
        if attributes or always:
            result["attributes"] = attributes
        if metadata or always:
            result["metadata"] = metadata
        return result

    def _list(self, table: str, column: str, parent: HsdsObject, build: Any) -> list[dict[str, Any]]:
        return [build(child) for child in self.children(table, column, parent.pk)]

    def phone_json(self, phone: HsdsObject) -> dict[str, Any]:
        result = self._plain("phone", phone)
        result["languages"] = self._list("language", "phone_id", phone, self._simple("language"))
        return self._extras("phone", phone, result)

    def contact_json(self, contact: HsdsObject) -> dict[str, Any]:
        result = self._plain("contact", contact)
        result["phones"] = self._list("phone", "contact_id", contact, self.phone_json)
        return self._extras("contact", contact, result)

    def _simple(self, table: str) -> Any:
        return lambda obj: self._extras(table, obj, self._plain(table, obj))

    def location_json(self, location: HsdsObject) -> dict[str, Any]:
        result = self._plain("location", location)
        result["languages"] = self._list("language", "location_id", location, self._simple("language"))
        result["addresses"] = self._list("address", "location_id", location, self._simple("address"))
        result["contacts"] = self._list("contact", "location_id", location, self.contact_json)
        result["accessibility"] = self._list("accessibility", "location_id", location, self._simple("accessibility"))
        result["phones"] = self._list("phone", "location_id", location, self.phone_json)
        result["schedules"] = self._list("schedule", "location_id", location, self._simple("schedule"))
        return self._extras("location", location, result)

    def service_at_location_json(self, sal: HsdsObject, *, with_service: bool = False) -> dict[str, Any]:
        result = self._plain("service_at_location", sal)
        result["contacts"] = self._list("contact", "service_at_location_id", sal, self.contact_json)
        result["phones"] = self._list("phone", "service_at_location_id", sal, self.phone_json)
        result["schedules"] = self._list("schedule", "service_at_location_id", sal, self._simple("schedule"))
        location = self.get("location", sal.location_id)  # type: ignore[attr-defined]
        if location is not None:
            result["location"] = self.location_json(location)
        if with_service:
            service = self.get("service", sal.service_id)  # type: ignore[attr-defined]
            if service is not None:
                result["service"] = self.service_json(service, with_locations=False)
        return self._extras("service_at_location", sal, result)

    def organization_json(self, organization: HsdsObject, *, with_services: bool = False) -> dict[str, Any]:
        result = self._plain("organization", organization)
        result["funding"] = self._list("funding", "organization_id", organization, self._simple("funding"))
        result["contacts"] = self._list("contact", "organization_id", organization, self.contact_json)
        result["phones"] = self._list("phone", "organization_id", organization, self.phone_json)
        result["locations"] = self._list("location", "organization_id", organization, self.location_json)
        result["programs"] = self._list("program", "organization_id", organization, self._simple("program"))
        result["organization_identifiers"] = self._list(
            "organization_identifier", "organization_id", organization, self._simple("organization_identifier")
        )
        if with_services:
            result["services"] = self._list(
                "service", "organization_id", organization, lambda s: self.service_json(s, with_organization=False)
            )
        return self._extras("organization", organization, result)

    def attribute_json(self, attribute: HsdsObject) -> dict[str, Any]:
        result = self._plain("attribute", attribute)
        term = self.get("taxonomy_term", attribute.taxonomy_term_id)  # type: ignore[attr-defined]
        if term is not None:
            result["taxonomy_term"] = self.taxonomy_term_json(term)
        return self._extras("attribute", attribute, result)

    def taxonomy_term_json(self, term: HsdsObject) -> dict[str, Any]:
        result = self._plain("taxonomy_term", term)
        taxonomy = self.get("taxonomy", term.taxonomy_detail_id)  # type: ignore[attr-defined]
        if taxonomy is not None:
            result["taxonomy_detail"] = self._plain("taxonomy", taxonomy)
        return result

    def service_json(
        self, service: HsdsObject, *, with_organization: bool = True, with_locations: bool = True
    ) -> dict[str, Any]:
        """A service, fully nested as the standard's compiled service schema describes."""
        result = self._plain("service", service)
        result["phones"] = self._list("phone", "service_id", service, self.phone_json)
        result["schedules"] = self._list("schedule", "service_id", service, self._simple("schedule"))
        result["service_areas"] = self._list("service_area", "service_id", service, self._simple("service_area"))
        if with_locations:
            result["service_at_locations"] = self._list(
                "service_at_location", "service_id", service, self.service_at_location_json
            )
        result["languages"] = self._list("language", "service_id", service, self._simple("language"))
        if with_organization:
            organization = self.get("organization", service.organization_id)  # type: ignore[attr-defined]
            if organization is not None:
                result["organization"] = self.organization_json(organization)
        result["funding"] = self._list("funding", "service_id", service, self._simple("funding"))
        result["cost_options"] = self._list("cost_option", "service_id", service, self._simple("cost_option"))
        program = self.get("program", service.program_id)  # type: ignore[attr-defined]
        if program is not None:
            result["program"] = self._simple("program")(program)
        result["required_documents"] = self._list(
            "required_document", "service_id", service, self._simple("required_document")
        )
        result["contacts"] = self._list("contact", "service_id", service, self.contact_json)
        return self._extras("service", service, result, always=True)

    def services_json(self) -> list[dict[str, Any]]:
        return [self.service_json(service) for service in self.objects["service"].values()]


def type_columns(table: str) -> dict[str, str]:
    return next(model for model in HSDS_MODELS if model.hsds_name == table).hsds_columns()


def export_datapackage(*, out: Path, jurisdiction: Jurisdiction | None = None, include_editors: bool = False) -> int:
    """Write datapackage.json and the 21 CSV files into the directory out; returns the row count."""
    graph = HsdsGraph(jurisdiction=jurisdiction, include_editors=include_editors)
    out.mkdir(parents=True, exist_ok=True)
    (out / "datapackage.json").write_text(json.dumps(datapackage(), indent=4, ensure_ascii=False) + "\n", "utf-8")
    count = 0
    for name, spec in tables().items():
        with (out / spec.path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.field_names)
            for row in graph.rows(name):
                writer.writerow([format_cell(row[column]) for column in spec.field_names])
                count += 1
    return count


def export_json(*, out: Path, jurisdiction: Jurisdiction | None = None, include_editors: bool = False) -> int:
    """Write every service, fully nested, as a JSON list; returns the number of services."""
    services = HsdsGraph(jurisdiction=jurisdiction, include_editors=include_editors).services_json()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(services, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(services)
