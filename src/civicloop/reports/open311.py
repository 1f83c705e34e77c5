"""Open311 GeoReport v2 documents: one plain structure per response, rendered as JSON or XML.

The JSON is the Spark-convention mapping of the XML (what the specification asks), so both
formats are built from the same dict/list tree: a list becomes repeated child elements named
by ITEM_NAMES (<services><service>…), a dict becomes child elements, True/False become
"true"/"false". Codes are always strings ("001"), text fields are always strings ("" when
empty, never null), and every list is an array even with one or no element.

FixMyStreet's extensions in the service list: `groups` (every group, in both formats; `group`
is the first) and the keyword `private` on sensitive categories, so FixMyStreet-style clients
keep such reports off public pages too.

Requests (`requests`, `requests/{id}`, `tokens/{token}`): `service_request_id` is the report's
reference; `status` is open/closed; `status_notes` the text of the latest public timeline entry
that changed or explained the status; `agency_responsible` the owning agency ("" while the
report waits in the supervisor's triage queue); `service_notice` when the owner aims to resolve
an open request; `expected_datetime` the resolution due time; `address_id` the slug of the
jurisdiction's area the report lies in (the jurisdiction's own addressing system: its areas);
`zipcode` is always "" (civicloop keeps no postal codes); `lat`/`long` are numbers, or null
(an empty element in XML) for a report placed by address or area only; `media_url` is the URL an
Open311 client gave, else the first public photo's address. Datetimes are UTC with a `Z`.
Nothing about the reporter is ever in a request: no name (even a public one), e-mail, phone,
device or account.

With `extensions=true` (the "Extended Attributes" and "Update History" extensions), each request
also carries `extended_attributes` ({channel, photos: [{media_url, width, height, created_at}]})
and `notes` (the public timeline, oldest first: {datetime, description, type}). The answers to
the service's questions (`attributes` there) are left out: a free-text answer may name someone.

FixMyStreet's updates (`servicerequestupdates`): the root element is `service_request_updates`
with one `request_update` per entry (as FixMyStreet's own Open311 adapter answers), each with
`update_id`, `service_request_id`, `status` (an extended status, see EXTENDED_STATUS),
`updated_datetime`, `description`, `media_url` and `external_status_code` (civicloop's own
status, e.g. `closed_without_fix`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

from civicloop.reports.enums import CLOSED_STATUSES, CloseReason, PrivacyClass, ReportStatus
from civicloop.reports.models import Category, Report, ReportUpdate

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
MIME_TYPES = ["text/xml", "application/json"]  # as discovery lists them
PRIVATE_KEYWORD = "private"  # FixMyStreet's keyword flag: reports in this category are not public

# Characters XML 1.0 cannot carry at all (a citizen's text may hold them): dropped from XML only.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# Element name of each item of a list, by the list's name (Spark convention).
ITEM_NAMES = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "groups": "group",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "notes": "note",
    "photos": "photo",
}

# --- FixMyStreet's extended statuses ------------------------------------------------------------
#: What GET servicerequestupdates says for each civicloop status. "Acknowledged" (the agency has
#: the report and is looking at it) is FixMyStreet's INVESTIGATING; "closed without fix" is
#: NO_FURTHER_ACTION whatever the reason (it is never FIXED).
EXTENDED_STATUS = {
    ReportStatus.UNVERIFIED: "OPEN",
    ReportStatus.SUBMITTED: "OPEN",
    ReportStatus.ACKNOWLEDGED: "INVESTIGATING",
    ReportStatus.IN_PROGRESS: "IN_PROGRESS",
    ReportStatus.ACTION_SCHEDULED: "ACTION_SCHEDULED",
    ReportStatus.FIXED: "FIXED",
    ReportStatus.CLOSED_WITHOUT_FIX: "NO_FURTHER_ACTION",
    ReportStatus.DUPLICATE: "DUPLICATE",
}
#: What POST servicerequestupdates does with each extended status: the civicloop status it asks
#: for (None: "open", i.e. keep an open report's status, reopen a closed one) and, for a closing
#: without fix, the reason. CLOSED (closed, no more said) is closed without fix for no further
#: action, like NO_FURTHER_ACTION: civicloop never counts a bare "closed" as fixed.
EXTENDED_STATUS_IN: dict[str, tuple[str | None, str]] = {
    "OPEN": (None, ""),
    "REOPEN": (None, ""),
    "INVESTIGATING": (ReportStatus.ACKNOWLEDGED, ""),
    "IN_PROGRESS": (ReportStatus.IN_PROGRESS, ""),
    "ACTION_SCHEDULED": (ReportStatus.ACTION_SCHEDULED, ""),
    "FIXED": (ReportStatus.FIXED, ""),
    "NO_FURTHER_ACTION": (ReportStatus.CLOSED_WITHOUT_FIX, CloseReason.NO_FURTHER_ACTION),
    "CLOSED": (ReportStatus.CLOSED_WITHOUT_FIX, CloseReason.NO_FURTHER_ACTION),
}
#: Extended statuses that need more than an update carries: a transfer must name the agency that
#: takes the report over, a duplicate the original. They are done in the staff workspace.
EXTENDED_STATUS_REFUSED = ("DUPLICATE", "NOT_COUNCILS_RESPONSIBILITY", "INTERNAL_REFERRAL")


def changeset_text(moment: dt.datetime) -> str:
    """A sortable ISO 8601 stamp in UTC with a fixed width (so text order is time order)."""
    return timezone.localtime(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def w3(moment: dt.datetime | None) -> str:
    """A W3C datetime in UTC to the second, e.g. 2026-03-01T14:30:00Z ("" for none)."""
    if moment is None:
        return ""
    return timezone.localtime(moment, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        element.text = XML_UNSAFE.sub("", str(value))


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


def service_request(report: Report, *, language: str, media_url: str, notice: str) -> dict[str, Any]:
    """One request of GET requests / requests/{id}: public fields only.

    `report` comes from selectors.open311 (category, area and owner joined; `status_notes` and
    `last_public_update_at` annotated).
    """
    closed = report.status in CLOSED_STATUSES
    last_public = getattr(report, "last_public_update_at", None)
    if closed and report.closed_at is not None:
        updated = report.closed_at  # the spec's rule for closed requests
    else:
        updated = max(report.submitted_at, last_public or report.submitted_at)
    return {
        "service_request_id": report.reference,
        "status": "closed" if closed else "open",
        "status_notes": getattr(report, "status_notes", None) or "",
        "service_name": report.category.localized("name", language),
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.owner.localized("name", language) if report.owner else "",
        "service_notice": notice,
        "requested_datetime": w3(report.submitted_at),
        "updated_datetime": w3(updated),
        "expected_datetime": w3(report.resolve_due_at),
        "address": report.address_string or (report.area.name if report.area else ""),
        "address_id": report.area.slug if report.area else "",
        "zipcode": "",
        "lat": report.lat,
        "long": report.lon,
        "media_url": media_url,
    }


def request_created(report: Report, *, notice: str) -> dict[str, Any]:
    """POST requests' answer: the id (realtime), a token instead (batch), or neither (blackbox)."""
    created: dict[str, Any] = {}
    if report.category.type == "realtime":
        created["service_request_id"] = report.reference
    elif report.category.type == "batch":
        created["token"] = report.open311_token or ""
    created["service_notice"] = notice
    created["account_id"] = ""  # the person has no civicloop account: the request came through a client
    return created


def request_update(update: ReportUpdate, *, media_url: str) -> dict[str, Any]:
    """One entry of GET servicerequestupdates: the public timeline entry, never who wrote it."""
    return {
        "update_id": str(update.pk),
        "service_request_id": update.report.reference,
        "status": EXTENDED_STATUS.get(ReportStatus(update.status), "OPEN"),
        "updated_datetime": w3(update.created_at),
        "description": update.text,
        "media_url": media_url,
        "external_status_code": update.status,
    }


def request_extensions(report: Report, *, photo_urls: list[str]) -> dict[str, Any]:
    """`extensions=true`: the channel, the public photos (with their addresses) and the public
    timeline. `report` carries `public_photos` and `public_updates` (selectors.open311)."""
    photos = list(getattr(report, "public_photos", []))
    return {
        "extended_attributes": {
            "channel": report.channel,
            "photos": [
                {"media_url": url, "width": photo.width, "height": photo.height, "created_at": w3(photo.created_at)}
                for photo, url in zip(photos, photo_urls, strict=True)
            ],
        },
        "notes": [
            {"datetime": w3(update.created_at), "description": update.text, "type": update.kind}
            for update in getattr(report, "public_updates", [])
        ],
    }
