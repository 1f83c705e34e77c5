"""Query parameters of the HSDS API: each parsed, or a ParamError naming it and what is expected.

An empty parameter (`?search=`) is treated like a missing one.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

#: Default and largest page sizes; `minimal` lists are tiny, so a client can get them in one page.
PER_PAGE_DEFAULT = 50
PER_PAGE_MAX = 100
MINIMAL_PER_PAGE_MAX = 10_000
#: The largest `proximity`, in metres (a quarter of the Earth's circumference).
PROXIMITY_MAX = 10_000_000

FORMATS = ("json", "ndjson")
_TRUE = ("true", "1")
_FALSE = ("false", "0")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ParamError(Exception):
    """A query parameter has a value the API cannot use; the message says what is expected."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int
    ndjson: bool


def text(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def boolean(request: HttpRequest, name: str) -> bool:
    value = text(request, name).lower()
    if not value or value in _FALSE:
        return False
    if value in _TRUE:
        return True
    raise ParamError(name, _("expected true or false, got “%(value)s”") % {"value": value})


def uuid_param(request: HttpRequest, name: str) -> uuid.UUID | None:
    value = text(request, name)
    if not value:
        return None
    if not _UUID.match(value):
        raise ParamError(
            name,
            _("expected a UUID such as 3a19ff88-4620-4d17-9830-ac1d859eb5d5, got “%(value)s”") % {"value": value},
        )
    return uuid.UUID(value)


def positive_int(request: HttpRequest, name: str, *, default: int, maximum: int | None = None) -> int:
    value = text(request, name)
    if not value:
        return default
    number = int(value) if value.isascii() and value.isdigit() else 0
    if number < 1 or (maximum is not None and number > maximum):
        if maximum is None:
            message = _("expected a whole number of 1 or more, got “%(value)s”") % {"value": value}
        else:
            message = _("expected a whole number from 1 to %(maximum)d, got “%(value)s”") % {
                "maximum": maximum,
                "value": value,
            }
        raise ParamError(name, message)
    return number


def paging(request: HttpRequest, *, minimal: bool = False) -> Paging:
    """`format`, `page` and `per_page` (checked even for NDJSON, which is not paged)."""
    fmt = text(request, "format").lower() or "json"
    if fmt not in FORMATS:
        raise ParamError("format", _("expected json or ndjson, got “%(value)s”") % {"value": fmt})
    maximum = MINIMAL_PER_PAGE_MAX if minimal else PER_PAGE_MAX
    return Paging(
        page=positive_int(request, "page", default=1),
        per_page=positive_int(
            request, "per_page", default=MINIMAL_PER_PAGE_MAX if minimal else PER_PAGE_DEFAULT, maximum=maximum
        ),
        ndjson=fmt == "ndjson",
    )


def modified_after(request: HttpRequest) -> dt.datetime | None:
    """A datetime (without an offset it is UTC) or a date (its midnight, UTC)."""
    value = text(request, "modified_after")
    if not value:
        return None
    moment: dt.datetime | None = None
    try:
        moment = parse_datetime(value.replace(" ", "+"))  # an unescaped "+" in a query string arrives as " "
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    except ValueError:
        moment = None
    if moment is None:
        raise ParamError(
            "modified_after",
            _("expected a date and time such as 2024-05-16T09:30:00Z (or a date such as 2024-05-16), got “%(value)s”")
            % {"value": value},
        )
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def proximity(request: HttpRequest) -> float | None:
    value = text(request, "proximity")
    if not value:
        return None
    try:
        metres = float(value)
    except ValueError:
        metres = math.nan
    if not math.isfinite(metres) or metres <= 0 or metres > PROXIMITY_MAX:
        raise ParamError(
            "proximity",
            _("expected a distance in metres, a number above 0 and at most %(maximum)d, got “%(value)s”")
            % {"maximum": PROXIMITY_MAX, "value": value},
        )
    if not text(request, "postcode"):
        raise ParamError("proximity", _("needs postcode: the distance is measured from the postcode's centre"))
    return metres
