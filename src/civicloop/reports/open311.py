"""Open311 GeoReport v2 documents: one plain structure per response, rendered as JSON or XML.

The JSON is the Spark-convention mapping of the XML (what the specification asks), so both
formats are built from the same dict/list tree: a list becomes repeated child elements named
by ITEM_NAMES (<services><service>…), a dict becomes child elements, True/False become
"true"/"false". Codes are always strings ("001"), text fields are always strings ("" when
empty, never null), and every list is an array even with one or no element.

FixMyStreet's extensions in the service list: `groups` (every group, in both formats; `group`
is the first) and the keyword `private` on sensitive categories, so FixMyStreet-style clients
keep such reports off public pages too.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from civicloop.reports.enums import PrivacyClass
from civicloop.reports.models import Category

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
MIME_TYPES = ["text/xml", "application/json"]  # as discovery lists them
PRIVATE_KEYWORD = "private"  # FixMyStreet's keyword flag: reports in this category are not public

# Element name of each item of a list, by the list's name (Spark convention).
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "groups": "group",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def changeset_text(moment: dt.datetime) -> str:
    """A sortable ISO 8601 stamp in UTC with a fixed width (so text order is time order)."""
    return timezone.localtime(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def render(data: Any, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return HttpResponse(body, status=status, content_type=JSON_TYPE)
    element = ET.Element(root)
    _fill(element, root, data)
    body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode()
    return HttpResponse(body, status=status, content_type=XML_TYPE)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, list):
        for item in value:
            _fill(ET.SubElement(element, ITEM_NAMES[name]), ITEM_NAMES[name], item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), key, item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def errors_response(status: int, descriptions: list[str], *, fmt: str) -> HttpResponse:
    """The Open311 error body: a list of {code, description}; code is the HTTP status."""
    return render(
        [{"code": status, "description": description} for description in descriptions],
        root="errors",
        fmt=fmt,
        status=status,
    )


def service_list(categories: list[Category], *, language: str) -> list[dict[str, Any]]:
    """GET services: the categories in order. `categories` carry `has_attributes` (see the selector)."""
    return [_service(category, language=language) for category in categories]


def _service(category: Category, *, language: str) -> dict[str, Any]:
    groups = category.localized_list("groups", language)
    keywords = category.localized_list("keywords", language)
    if category.privacy == PrivacyClass.SENSITIVE and PRIVATE_KEYWORD not in keywords:
        keywords = [*keywords, PRIVATE_KEYWORD]
    return {
        "service_code": category.code,
        "service_name": category.localized("name", language),
        "description": category.localized("description", language),
        "metadata": bool(getattr(category, "has_attributes", False)),
        "type": category.type,
        "keywords": ", ".join(keywords),
        "group": groups[0] if groups else "",
        "groups": groups,  # FixMyStreet's extension: a service may sit in several groups
    }


def service_definition(category: Category, *, language: str) -> dict[str, Any]:
    """GET services/{code}: the category's attributes (prefetched, in order)."""
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": attribute.variable,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": attribute.required,
                "datatype_description": attribute.localized("datatype_description", language),
                "order": attribute.order,
                "description": attribute.localized("description", language),
                "values": attribute.localized_values(language),
            }
            for attribute in category.attributes.all()
        ],
    }


def discovery(*, changeset: dt.datetime, endpoint_url: str, contact: str, key_service: str) -> dict[str, Any]:
    stamp = changeset_text(changeset)
    return {
        "changeset": stamp,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": stamp,
                "type": "production",
                "formats": list(MIME_TYPES),
            }
        ],
    }
