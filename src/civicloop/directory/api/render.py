"""HSDS JSON of API results, nested exactly as the directory's export nests them (hsds/export.py),
from the objects a selector loaded for one page (or one chunk of a stream)."""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import QuerySet

from civicloop.core.models import Jurisdiction
from civicloop.directory.hsds.export import HsdsGraph
from civicloop.directory.hsds.spec import format_value
from civicloop.directory.models import (
    HsdsObject,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from civicloop.directory.selectors import DirectoryObjects

T = TypeVar("T", bound=HsdsObject)


def page_graph(jurisdiction: Jurisdiction, objects: DirectoryObjects | None = None) -> PageGraph:
    """The graph of one page of jurisdiction's API: the objects given, nothing loaded."""
    graph = PageGraph.from_objects(dict(objects or {}))
    graph.jurisdiction = jurisdiction
    return graph


class PageGraph(HsdsGraph):
    """An HsdsGraph over the objects one page nests (selectors.directory_objects), plus the
    shapes of the API's list items (one-to-one fields only, as the compiled `*_list` schemas)."""

    jurisdiction: Jurisdiction

    def _own(self, obj: T | None) -> T | None:
        """obj when it is this directory's (an optional reference may name another's)."""
        return obj if obj is not None and obj.jurisdiction_id == self.jurisdiction.pk else None

    def plain(self, table: str, obj: HsdsObject) -> dict[str, Any]:
        return self._plain(table, obj)

    def service_item(self, service: Service) -> dict[str, Any]:
        """A service as in compiled/service_list.json: its fields, its organization's and program's."""
        result = self._plain("service", service)
        organization = self._own(service.organization)
        if organization is not None:
            result["organization"] = self._plain("organization", organization)
        program = self._own(service.program) if service.program_id else None
        if program is not None:
            result["program"] = self._plain("program", program)
        return result

    def service_minimal(self, service: Service) -> dict[str, Any]:
        result = {"id": str(service.pk)}
        if service.last_modified is not None:
            # Only the loaded fields (the selector defers the rest): _plain would load each.
            result["last_modified"] = format_value(service.last_modified)
        return result

    def service_at_location_item(self, sal: ServiceAtLocation) -> dict[str, Any]:
        """As in compiled/service_at_location_list.json."""
        result = self._plain("service_at_location", sal)
        location = self._own(sal.location)
        if location is not None:
            result["location"] = self._plain("location", location)
        service = self._own(sal.service)
        if service is not None:
            result["service"] = self.service_item(service)
        return result

    def service_at_location_full(self, sal: ServiceAtLocation) -> dict[str, Any]:
        return self.service_at_location_json(self.objects["service_at_location"].get(sal.pk, sal), with_service=True)

    def service_full(self, service: Service) -> dict[str, Any]:
        return self.service_json(self.objects["service"].get(service.pk, service))

    def organization_full(self, organization: Organization, *, services: list[Service] | None = None) -> dict[str, Any]:
        """As compiled/organization.json. Its services: fully nested when the graph holds them
        (loaded `with_organization_services`), else their own fields only, from services."""
        organization = self.objects["organization"].get(organization.pk, organization)  # type: ignore[assignment]
        if services is None:
            return self.organization_json(organization, with_services=True)
        result = self.organization_json(organization)
        result["services"] = [self._plain("service", service) for service in services]
        return result

    def taxonomy_term_item(self, term: TaxonomyTerm) -> dict[str, Any]:
        """As taxonomy_term.json: the term and its taxonomy (`taxonomy_detail`)."""
        result = self._plain("taxonomy_term", term)
        taxonomy = self._own(term.taxonomy_detail) if term.taxonomy_detail_id else None
        if taxonomy is not None:
            result["taxonomy_detail"] = self._plain("taxonomy", taxonomy)
        return result


# --- Pages and streams -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    total_items: int
    page_number: int
    per_page: int
    contents: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        """The standard's Page envelope, with `contents`."""
        total_pages = math.ceil(self.total_items / self.per_page)
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.contents),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.contents,
            "contents": self.contents,
        }


def page_of(
    queryset: QuerySet[T],
    *,
    page: int,
    per_page: int,
    render: Callable[[list[T]], Iterable[dict[str, Any]]],
) -> Page:
    """One page: a count, the page's rows, then whatever render loads for the whole page."""
    total = queryset.count()
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    return Page(total_items=total, page_number=page, per_page=per_page, contents=list(render(rows)) if rows else [])


#: Rows rendered together in a stream: bounds memory and makes the queries per row constant.
STREAM_CHUNK = 500


def ndjson_lines(
    queryset: QuerySet[T], *, render: Callable[[list[T]], Iterable[dict[str, Any]]], chunk_size: int | None = None
) -> Iterator[str]:
    """Every row, one compact JSON object per line, read from the database chunk by chunk."""
    chunk_size = chunk_size or STREAM_CHUNK
    batch: list[T] = []
    for row in queryset.iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) == chunk_size:
            yield _lines(render(batch))
            batch = []
    if batch:
        yield _lines(render(batch))


def _lines(objects: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n" for obj in objects)


def as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
