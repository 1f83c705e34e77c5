"""The HSDS 3.0 tabular profile (the standard's datapackage.json, shipped unchanged in
`directory/data/hsds/`) and how each of its field types is read and written.

Validation is driven by that file, so what an import checks is what the standard says:
required fields, enums, formats (uuid, email, uri), types (number, date, datetime, time)
and the declared foreign keys.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

DATAPACKAGE_PATH = Path(__file__).resolve().parent.parent / "data" / "hsds" / "datapackage.json"

#: References the tabular profile does not declare as foreign keys but whose meaning is one.
EXTRA_REFERENCES = {
    ("organization", "parent_organization_id"): "organization",
    ("taxonomy_term", "parent_id"): "taxonomy_term",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str  # string, number, date, datetime, time
    format: str  # uuid, email, uri or ""
    required: bool
    unique: bool
    enum: tuple[str, ...]


@dataclass(frozen=True)
class TableSpec:
    name: str
    path: str
    fields: tuple[FieldSpec, ...]
    references: dict[str, str]  # column -> referenced table

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def field(self, name: str) -> FieldSpec | None:
        return next((field for field in self.fields if field.name == name), None)


@cache
def datapackage() -> dict[str, Any]:
    """The standard's data package descriptor, as published."""
    with DATAPACKAGE_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def tables() -> dict[str, TableSpec]:
    """Every HSDS table by name, in the standard's order."""
    result: dict[str, TableSpec] = {}
    for resource in datapackage()["resources"]:
        schema = resource["schema"]
        fields = tuple(
            FieldSpec(
                name=field["name"],
                type=field["type"],
                format=field.get("format", "") if field.get("format") != "default" else "",
                required=bool(field.get("constraints", {}).get("required")),
                unique=bool(field.get("constraints", {}).get("unique")),
                enum=tuple(field.get("constraints", {}).get("enum", ())),
            )
            for field in schema["fields"]
        )
        references = {fk["fields"]: fk["reference"]["resource"] for fk in schema.get("foreignKeys") or []}
        for (table, column), target in EXTRA_REFERENCES.items():
            if table == resource["name"]:
                references[column] = target
        result[resource["name"]] = TableSpec(
            name=resource["name"], path=resource["path"], fields=fields, references=references
        )
    return result


class HsdsValueError(Exception):
    """A value that does not match its field's type; the message says what is expected."""


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")


def is_blank(value: Any) -> bool:
    return value is None or value == ""


def parse_value(field: FieldSpec, value: Any) -> Any:
    """The Python value of an HSDS value (a CSV cell or a JSON value); raises HsdsValueError."""
    if field.type == "number":
        return parse_number(value)
    if not isinstance(value, str):
        raise HsdsValueError(_("expected text, got %(value)s") % {"value": json.dumps(value)})
    if field.type == "date":
        return parse_date(value)
    if field.type == "datetime":
        return parse_datetime(value)
    if field.type == "time":
        return parse_time(value)
    if field.format == "uuid":
        if not _UUID.match(value):
            raise HsdsValueError(_("expected a UUID such as 3a19ff88-4620-4d17-9830-ac1d859eb5d5"))
        return uuid.UUID(value)
    if field.format == "email":
        try:
            validate_email(value)
        except ValidationError as exc:
            raise HsdsValueError(_("expected an e-mail address")) from exc
    if field.format == "uri" and not _URI.match(value):
        raise HsdsValueError(_("expected an absolute URI such as https://example.org/"))
    if field.enum and value not in field.enum:
        raise HsdsValueError(_("expected one of: %(values)s") % {"values": ", ".join(field.enum)})
    return value


def parse_number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise HsdsValueError(_("expected a number"))
    if isinstance(value, str) and not _NUMBER.match(value.strip()):
        raise HsdsValueError(_("expected a number"))
    number = float(value)
    if not math.isfinite(number):
        raise HsdsValueError(_("expected a number"))
    return number


def parse_date(value: str) -> dt.date:
    try:
        if not _DATE.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise HsdsValueError(_("expected a date as YYYY-MM-DD")) from exc


def parse_datetime(value: str) -> dt.datetime:
    try:
        if not _DATE.match(value[:10]) or len(value) < 16:
            raise ValueError
        parsed = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise HsdsValueError(_("expected a date and time as YYYY-MM-DDTHH:MM:SS with a UTC offset or Z")) from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def parse_time(value: str) -> tuple[dt.time, float | None]:
    """The wall-clock time and the UTC offset in hours, if the value gives one."""
    match = _TIME.match(value)
    if not match:
        raise HsdsValueError(_("expected a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00"))
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    micro = int((match[4] or ".0")[1:].ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise HsdsValueError(_("expected a time as HH:MM or HH:MM:SS, optionally with Z or an offset such as -05:00"))
    offset: float | None = None
    if match[5]:
        if match[5] == "Z":
            offset = 0.0
        else:
            digits = match[5].replace(":", "")
            sign = -1 if digits[0] == "-" else 1
            offset = sign * (int(digits[1:3]) + int(digits[3:5]) / 60)
    return dt.time(hour, minute, second, micro), offset


def parse_decimal(number: float, original: Any) -> Decimal:
    """A money amount, exactly as written (floats would turn 0.1 into 0.1000000000000000055…)."""
    try:
        amount = Decimal(str(original).strip()) if isinstance(original, str) else Decimal(str(number))
    except InvalidOperation as exc:
        raise HsdsValueError(_("expected a number")) from exc
    if amount.as_tuple().exponent < -4 or abs(amount) >= Decimal(10) ** 14:  # type: ignore[operator]
        raise HsdsValueError(_("expected an amount with at most 14 digits before and 4 after the decimal point"))
    return amount


def _format_datetime(value: dt.datetime) -> str:
    """UTC with Z, to the millisecond HSDS asks for (or the microsecond, when there is one)."""
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    micro = value.microsecond
    if micro:
        text += f".{micro // 1000:03d}" if micro % 1000 == 0 else f".{micro:06d}"
    return text + "Z"


def _format_number(value: float | Decimal) -> int | float:
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return int(value) if value.is_integer() else value


def format_value(value: Any) -> Any:
    """The JSON value of a stored field (None when empty)."""
    if value is None or value == "":
        result: Any = None
    elif isinstance(value, float | Decimal) and not isinstance(value, bool):
        result = _format_number(value)
    elif isinstance(value, uuid.UUID):
        result = str(value)
    elif isinstance(value, dt.datetime):
        result = _format_datetime(value)
    elif isinstance(value, dt.date | dt.time):
        result = value.isoformat()
    else:
        result = value
    return result


def format_cell(value: Any) -> str:
    """The CSV cell of a stored field."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    formatted = format_value(value)
    if formatted is None:
        return ""
    return formatted if isinstance(formatted, str) else str(formatted)
