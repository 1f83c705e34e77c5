"""Checking an HSDS source before anything is written.

Every problem is collected (not only the first), each with file, row, field and what is
expected. Errors stop the import; warnings do not. A required reference that points nowhere
is an error; an optional one is a warning, because HSDS extracts routinely name objects kept
elsewhere (a parent organization, a term of an external taxonomy) — `strict` makes those
errors too.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civicloop.core.models import Jurisdiction
from civicloop.directory.hsds.sources import Problem, Source, SourceRow
from civicloop.directory.hsds.spec import HsdsValueError, is_blank, parse_decimal, parse_value, tables
from civicloop.directory.models import MODEL_BY_TABLE

_WEEKDAY = "(MO|TU|WE|TH|FR|SA|SU)"
_BYDAY = re.compile(rf"^([+-]?\d{{1,2}})?{_WEEKDAY}$")
_INTEGER_LIST_LIMITS = {"byweekno": 53, "bymonthday": 31, "byyearday": 366}


@dataclass
class CleanRow:
    table: str
    file: str
    row: str
    values: dict[str, Any]  # HSDS column -> Python value; only the columns the source gives


@dataclass
class Validated:
    rows: dict[str, dict[uuid.UUID, CleanRow]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: Ids of rows with errors: references to them are not reported again.
    rejected: dict[uuid.UUID, CleanRow] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if not problem.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.warning]

    def count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def validate_source(source: Source, *, jurisdiction: Jurisdiction, strict: bool = False) -> Validated:
    result = Validated(rows={name: {} for name in tables()}, problems=list(source.problems))
    for row in source.rows:
        clean, ok = _clean_row(row, result.problems)
        if clean is None:
            continue
        if not ok:
            result.rejected[clean.values["id"]] = clean
            continue
        object_id = clean.values["id"]
        if object_id in result.rows[row.table]:
            first = result.rows[row.table][object_id]
            result.problems.append(
                Problem(row.file, row.row, "id", _("duplicate id (also at row %(row)s)") % {"row": first.row})
            )
            continue
        result.rows[row.table][object_id] = clean
    _check_unique(result)
    _check_owner_and_references(result, jurisdiction=jurisdiction, strict=strict)
    return result


def _clean_row(row: SourceRow, problems: list[Problem]) -> tuple[CleanRow | None, bool]:
    """The row's Python values (None without a usable id) and whether it has no errors."""
    spec = tables()[row.table]
    values: dict[str, Any] = {}
    bad: set[str] = set()
    for field_spec in spec.fields:
        if field_spec.name not in row.values:
            continue
        raw = row.values[field_spec.name]
        if is_blank(raw):
            values[field_spec.name] = None
            continue
        try:
            value = parse_value(field_spec, raw)
            if row.table == "cost_option" and field_spec.name == "amount":
                value = parse_decimal(value, raw)
        except HsdsValueError as exc:
            problems.append(Problem(row.file, row.row, field_spec.name, str(exc)))
            bad.add(field_spec.name)
            continue
        values[field_spec.name] = value
    for field_spec in spec.fields:
        if not field_spec.required or field_spec.name in bad:
            continue
        if field_spec.name in row.values and is_blank(values.get(field_spec.name)):
            problems.append(Problem(row.file, row.row, field_spec.name, _("required: must not be empty")))
            bad.add(field_spec.name)
        elif field_spec.name not in row.values and (row.table, field_spec.name) != ("service", "organization_id"):
            # A service given as JSON without its organization may update one already stored: checked later.
            problems.append(Problem(row.file, row.row, field_spec.name, _("required field missing")))
            bad.add(field_spec.name)
    if row.table == "schedule":
        _check_schedule(row, values, bad, problems)
    clean = CleanRow(row.table, row.file, row.row, values) if values.get("id") is not None else None
    return clean, not bad


def _check_schedule(row: SourceRow, values: dict[str, Any], errors: set[str], problems: list[Problem]) -> None:
    """RFC 5545 recurrence values, as far as HSDS uses them, and the opening hours."""

    def bad(column: str, message: str) -> None:
        errors.add(column)
        problems.append(Problem(row.file, row.row, column, message))

    for column in ("count", "interval"):
        number = values.get(column)
        if number is None:
            continue
        if not float(number).is_integer() or number < 1:
            bad(column, _("expected a whole number of 1 or more (RFC 5545 %(rule)s)") % {"rule": column.upper()})
        else:
            values[column] = int(number)
    _check_byday(values, bad)
    for column, limit in _INTEGER_LIST_LIMITS.items():
        parts = [part.strip() for part in str(values.get(column) or "").split(",") if values.get(column)]
        if any(not re.fullmatch(r"[+-]?\d+", part) or not 1 <= abs(int(part)) <= limit for part in parts):
            bad(
                column, _("expected comma-separated numbers from 1 to %(limit)d or -%(limit)d to -1") % {"limit": limit}
            )
    if values.get("interval") not in (None, 1) and "interval" not in errors and not values.get("dtstart"):
        bad("dtstart", _("required when interval is more than 1: the first occurrence the interval counts from"))
    by_rules = values.get("byday") or values.get("bymonthday") or values.get("byweekno")
    if by_rules and not values.get("freq") and "freq" not in errors:
        bad("freq", _("required when byday, bymonthday or byweekno is given: WEEKLY or MONTHLY"))
    if values.get("valid_from") and values.get("valid_to") and values["valid_from"] > values["valid_to"]:
        bad("valid_to", _("must not be before valid_from"))
    _move_time_offsets(values, bad)


def _check_byday(values: dict[str, Any], bad: Callable[[str, str], None]) -> None:
    for part in str(values.get("byday") or "").split(",") if values.get("byday") else []:
        match = _BYDAY.match(part.strip())
        if not match:
            bad("byday", _("expected comma-separated days such as MO,TU or, monthly, 2MO,-1FR"))
            return
        if match[1] and (values.get("freq") != "MONTHLY" or not 1 <= abs(int(match[1])) <= 5):
            bad("byday", _("a numbered day (2MO, -1FR) needs freq MONTHLY and a number from 1 to 5 or -5 to -1"))
            return


def _move_time_offsets(values: dict[str, Any], bad: Callable[[str, str], None]) -> None:
    """opens_at/closes_at with a UTC offset ("09:00-05:00"): the time is stored, the offset goes to timezone."""
    offsets = set()
    for column in ("opens_at", "closes_at"):
        if isinstance(values.get(column), tuple):
            wall, offset = values[column]
            values[column] = wall
            if offset is not None:
                offsets.add(offset)
    if offsets:
        given = values.get("timezone")
        if len(offsets) > 1 or (given is not None and given not in offsets):
            bad("timezone", _("opens_at, closes_at and timezone give different UTC offsets"))
        else:
            values["timezone"] = offsets.pop()


def _check_unique(result: Validated) -> None:
    for name, spec in tables().items():
        for field_spec in spec.fields:
            # program.organization_id is marked unique in the tabular profile, yet an organization's
            # JSON has a list of programs: the JSON schema wins (docs/decisions/0015).
            if (
                not field_spec.unique
                or field_spec.name == "id"
                or (name, field_spec.name)
                == (
                    "program",
                    "organization_id",
                )
            ):
                continue
            seen: dict[Any, CleanRow] = {}
            for clean in result.rows[name].values():
                value = clean.values.get(field_spec.name)
                if is_blank(value):
                    continue
                if value in seen:
                    result.problems.append(
                        Problem(
                            clean.file,
                            clean.row,
                            field_spec.name,
                            _("must be unique; row %(row)s has the same value") % {"row": seen[value].row},
                        )
                    )
                else:
                    seen[value] = clean


def _check_owner_and_references(result: Validated, *, jurisdiction: Jurisdiction, strict: bool) -> None:
    stored = _stored_owners(result)
    for name, rows in result.rows.items():
        rejected = [clean for clean in result.rejected.values() if clean.table == name]
        for clean in [*rows.values(), *rejected]:
            owner = stored[name].get(clean.values["id"])
            # Ids are the primary keys of the whole database: one owned by another directory cannot be taken over.
            if owner is not None and owner != jurisdiction.pk:
                result.problems.append(
                    Problem(clean.file, clean.row, "id", _("this id belongs to another jurisdiction's directory"))
                )
            if name == "service" and "organization_id" not in clean.values and owner is None:
                result.problems.append(Problem(clean.file, clean.row, "organization_id", _("required field missing")))
            _check_references(result, clean, stored, jurisdiction=jurisdiction, strict=strict)
            if name == "attribute":
                _check_attribute_link(result, clean, stored, jurisdiction=jurisdiction, strict=strict)


def _stored_owners(result: Validated) -> dict[str, dict[uuid.UUID, int]]:
    """For each table, the jurisdiction of every stored object the import names (by id or reference)."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for name, rows in result.rows.items():
        spec = tables()[name]
        for clean in [*rows.values(), *(c for c in result.rejected.values() if c.table == name)]:
            wanted[name].add(clean.values["id"])
            for column, target in spec.references.items():
                if clean.values.get(column) is not None:
                    wanted[target].add(clean.values[column])
            entity = clean.values.get("link_entity") if name == "attribute" else None
            if entity in MODEL_BY_TABLE and clean.values.get("link_id") is not None:
                wanted[entity].add(clean.values["link_id"])
    stored: dict[str, dict[uuid.UUID, int]] = {name: {} for name in tables()}
    for name, ids in wanted.items():
        id_list = sorted(ids)
        for start in range(0, len(id_list), 500):
            chunk = id_list[start : start + 500]
            stored[name].update(MODEL_BY_TABLE[name].objects.filter(id__in=chunk).values_list("id", "jurisdiction_id"))
    return stored


def _check_references(
    result: Validated,
    clean: CleanRow,
    stored: dict[str, dict[uuid.UUID, int]],
    *,
    jurisdiction: Jurisdiction,
    strict: bool,
) -> None:
    spec = tables()[clean.table]
    for column, target in spec.references.items():
        value = clean.values.get(column)
        if value is None or value in result.rows[target] or value in result.rejected:
            continue
        target_owner = stored[target].get(value)
        if target_owner == jurisdiction.pk:
            continue
        field_spec = spec.field(column)
        required = field_spec is not None and field_spec.required
        if target_owner is not None:
            message = _("refers to %(table)s %(id)s, which belongs to another jurisdiction's directory")
        elif (clean.table, target) == ("attribute", "taxonomy_term"):
            message = _("unknown taxonomy term %(id)s")
        else:
            message = _("refers to %(table)s %(id)s, which is neither in this import nor in the directory")
        result.problems.append(
            Problem(
                clean.file,
                clean.row,
                column,
                message % {"table": target, "id": value},
                warning=not (required or strict or target_owner is not None),
            )
        )


def _check_attribute_link(
    result: Validated,
    clean: CleanRow,
    stored: dict[str, dict[uuid.UUID, int]],
    *,
    jurisdiction: Jurisdiction,
    strict: bool,
) -> None:
    """An attribute's link_id names a row of the table link_entity names (the standard leaves that list open)."""
    entity = clean.values.get("link_entity")
    link_id = clean.values.get("link_id")
    if entity not in MODEL_BY_TABLE:
        message = _("%(value)r is not an HSDS table, so link_id cannot be checked") % {"value": entity}
        result.problems.append(Problem(clean.file, clean.row, "link_entity", message, warning=not strict))
    elif link_id is not None and link_id not in result.rows[entity] and stored[entity].get(link_id) != jurisdiction.pk:
        message = _("refers to %(table)s %(id)s, which is neither in this import nor in the directory") % {
            "table": entity,
            "id": link_id,
        }
        result.problems.append(Problem(clean.file, clean.row, "link_id", message, warning=not strict))
