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
import functools
import json
import re
import time
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from django.http import HttpResponse
from django.utils import timezone

from civicloop.core.models import Agency, Translatable
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


def w3_seconds(seconds: int | None) -> str:
    """w3() of a time given as whole seconds since 1970 UTC (selectors.open311.EpochSeconds).

    Three of them for each of up to 1000 requests: the date part is formatted once per day.
    """
    if seconds is None:
        return ""
    day, second = divmod(seconds, 86_400)
    return f"{_w3_day(day)}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"


@functools.lru_cache(maxsize=4096)
def _w3_day(day: int) -> str:
    return time.strftime("%Y-%m-%dT", time.gmtime(day * 86_400))


def render(data: Any, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        return HttpResponse(body, status=status, content_type=JSON_TYPE)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _xml(parts, root, data)
    return HttpResponse("".join(parts).encode(), status=status, content_type=XML_TYPE)


def _xml(parts: list[str], name: str, value: Any) -> None:
    """Append the element `name` holding `value` as text, exactly as ElementTree writes it (an
    element without text or children is `<name />`; text escapes &, < and >): building strings
    is several times faster than building a tree of 17,000 elements for 1000 requests."""
    if isinstance(value, list):
        if not value:
            parts.append(f"<{name} />")
            return
        parts.append(f"<{name}>")
        item_name = ITEM_NAMES[name]
        for item in value:
            _xml(parts, item_name, item)
        parts.append(f"</{name}>")
    elif isinstance(value, dict):
        if not value:
            parts.append(f"<{name} />")
            return
        parts.append(f"<{name}>")
        for key, item in value.items():
            _xml(parts, key, item)
        parts.append(f"</{name}>")
    else:
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif value is None:
            text = ""
        else:
            text = XML_UNSAFE.sub("", str(value))
        if not text:
            parts.append(f"<{name} />")
        else:
            parts.append(f"<{name}>{xml_escape(text)}</{name}>")


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


class Names:
    """The localised names of the categories and agencies on one page of requests, each worked out
    once from its name and its translations as stored (JSON text): a page of 1000 requests names a
    dozen categories and agencies."""

    def __init__(self, language: str) -> None:
        self.language = language
        self._names: dict[tuple[type[Translatable], str, str], str] = {}

    def __call__(self, model: type[Translatable], name: str, translations: str | None) -> str:
        key = (model, name, translations or "")
        found = self._names.get(key)
        if found is None:
            found = model(name=name, translations=json.loads(translations) if translations else {}).localized(
                "name", self.language
            )
            self._names[key] = found
        return found


def service_request(row: dict[str, Any], *, names: Names, media_url: str, notice: str) -> dict[str, Any]:
    """One request of GET requests / requests/{id}: public fields only.

    `row` is one of selectors.open311's request rows (REQUEST_COLUMNS, times in whole seconds
    since 1970, the translations as text, `status_notes`).
    """
    closed = row["status"] in CLOSED_STATUSES
    submitted = row["submitted"]
    updated = row["closed"]  # the spec's rule for closed requests
    if not closed or updated is None:
        last_public = row["last_public_update"]
        updated = submitted if last_public is None else max(submitted, last_public)
    owner = row["owner__name"]
    return {
        "service_request_id": row["reference"],
        "status": "closed" if closed else "open",
        "status_notes": row["status_notes"] or "",
        "service_name": names(Category, row["category__name"], row["category_translations"]),
        "service_code": row["category__code"],
        "description": row["description"],
        "agency_responsible": names(Agency, owner, row["owner_translations"]) if owner is not None else "",
        "service_notice": notice,
        "requested_datetime": w3_seconds(submitted),
        "updated_datetime": w3_seconds(updated),
        "expected_datetime": w3_seconds(row["resolve_due"]),
        "address": row["address_string"] or (row["area__name"] or ""),
        "address_id": row["area__slug"] or "",
        "zipcode": "",
        "lat": row["lat"],
        "long": row["lon"],
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


def request_extensions(row: dict[str, Any], *, photo_urls: list[str]) -> dict[str, Any]:
    """`extensions=true`: the channel, the public photos (with their addresses) and the public
    timeline. `row` carries `public_photos` and `public_updates` (selectors.open311)."""
    return {
        "extended_attributes": {
            "channel": row["channel"],
            "photos": [
                {
                    "media_url": url,
                    "width": photo["width"],
                    "height": photo["height"],
                    "created_at": w3_seconds(photo["created"]),
                }
                for photo, url in zip(row["public_photos"], photo_urls, strict=True)
            ],
        },
        "notes": [
            {"datetime": w3_seconds(update["created"]), "description": update["text"], "type": update["kind"]}
            for update in row.get("public_updates", [])
        ],
    }
