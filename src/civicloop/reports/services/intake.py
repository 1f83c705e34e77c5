"""Filing a report: validation, routing, due times, idempotency and the audit event."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from civicloop.core.audit import audit_log, snapshot
from civicloop.core.calendar import WorkingCalendar
from civicloop.core.enums import Channel
from civicloop.core.geo import areas_containing
from civicloop.core.models import Area, Jurisdiction
from civicloop.reports.enums import (
    AttributeDatatype,
    ReporterVisibility,
    ReportKind,
    ReportStatus,
    ServiceType,
    TargetUnit,
)
from civicloop.reports.models import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    REPORT_DESCRIPTION_MAX,
    REPORT_TITLE_MAX,
    Category,
    CategoryAttribute,
    Report,
    ReportContact,
)
from civicloop.reports.selectors.catalogue import routing_agencies_for_area, routing_agencies_for_areas

if TYPE_CHECKING:
    from civicloop.accounts.models import User

from civicloop.reports.services._common import ReportsError

# --- Reports -------------------------------------------------------------------------------
#: What an audit event may record about a report: its public fields, never the reporter or contact.
REPORT_PUBLIC_FIELDS = [
    "reference",
    "kind",
    "category",
    "title",
    "description",
    "lon",
    "lat",
    "address_string",
    "area",
    "visibility",
    "public_name",
    "status",
    "submitted_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "owner",
    "in_triage",
    "agencies",
    "channel",
    "attributes",
    "media_url",
]
CONTACT_FIELDS = ("name", "email", "phone")
PHONE_FORMAT = re.compile(r"^\+?[0-9][0-9 ().-]{4,30}$")
ADDRESS_MAX = 300
STRING_ANSWER_MAX = 500
IDEMPOTENCY_KEY_MAX = 255
MEDIA_URL_MAX = 500


@transaction.atomic
def report_submit(
    *,
    jurisdiction: Jurisdiction,
    category_code: str,
    kind: str,
    description: str,
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    address_string: str = "",
    area_slug: str | None = None,
    attributes: dict[str, Any] | None = None,
    visibility: str = ReporterVisibility.PUBLIC,
    reporter: User | None = None,
    contact: dict[str, Any] | None = None,
    channel: Channel = Channel.WEB,
    idempotency_key: str | None = None,
    media_url: str = "",
    trusted: bool = False,
    category: Category | None = None,
) -> Report:
    """File a report: validate everything, route it, set its due times, audit it.

    Every problem is collected and raised as one ReportsError; nothing is written unless all is
    well. A report is placed by a point (lon and lat, which must lie in one of the
    jurisdiction's areas), an area (slug), an address, or several of these; a point sets the
    area to the deepest one containing it. Routing: a point uses routing_agencies_for, an area
    or an address alone routing_agencies_for_area; no agency means the supervisor's triage
    queue (`in_triage`), which then owns the report. Reporters who are not signed in start
    `unverified` (until they confirm an e-mail or phone), signed-in ones `submitted`.

    idempotency_key: a retry with the same key in the same jurisdiction returns the first
    report and writes nothing; the same key with a different payload is refused.
    trusted: the channel vouches for the report (an Open311 integration holding an API key), so
    it starts `submitted` without a signed-in reporter. media_url: a photo elsewhere (Open311).
    Categories of Open311 type "batch" get a token the client exchanges for the id (tokens/{token}).
    category: the caller's copy of the category named by category_code, when it has one (read
    with its attributes prefetched, e.g. for the form), so it is not read again.
    """
    report, _created = report_submit_in_transaction(
        jurisdiction=jurisdiction,
        category_code=category_code,
        kind=kind,
        description=description,
        title=title,
        lon=lon,
        lat=lat,
        address_string=address_string,
        area_slug=area_slug,
        attributes=attributes,
        visibility=visibility,
        reporter=reporter,
        contact=contact,
        channel=channel,
        idempotency_key=idempotency_key,
        media_url=media_url,
        trusted=trusted,
        category=category,
    )
    return report


def report_submit_in_transaction(
    *,
    jurisdiction: Jurisdiction,
    category_code: str,
    kind: str,
    description: str,
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    address_string: str = "",
    area_slug: str | None = None,
    attributes: dict[str, Any] | None = None,
    visibility: str = ReporterVisibility.PUBLIC,
    reporter: User | None = None,
    contact: dict[str, Any] | None = None,
    channel: Channel = Channel.WEB,
    idempotency_key: str | None = None,
    media_url: str = "",
    trusted: bool = False,
    category: Category | None = None,
) -> tuple[Report, bool]:
    """report_submit for a caller already inside a transaction.atomic block (no savepoint of
    its own), with whether the report was created (False: a retry got the first report back).

    category: as in report_submit.
    """
    if not transaction.get_connection().in_atomic_block:
        msg = "report_submit_in_transaction needs a transaction: call report_submit, or wrap it in transaction.atomic."
        raise RuntimeError(msg)
    if reporter is not None and not reporter.is_authenticated:
        reporter = None
    idempotency_key, digest, existing = _idempotency(
        jurisdiction=jurisdiction,
        category=category,
        key=idempotency_key,
        payload={
            "category_code": category_code,
            "kind": kind,
            "title": title,
            "description": description,
            "lon": lon,
            "lat": lat,
            "address_string": address_string,
            "area_slug": area_slug,
            "attributes": attributes,
            "visibility": visibility,
            "reporter": reporter.pk if reporter is not None else None,
            "contact": contact,
            "media_url": media_url,
        },
    )
    if existing is not None:
        return existing, False

    problems: list[str] = []
    category = _report_category(jurisdiction, category_code, problems, loaded=category)
    title, description, address_string = _report_texts(
        kind=kind,
        visibility=visibility,
        title=title,
        description=description,
        address_string=address_string,
        problems=problems,
    )
    area, containing = _report_location(
        jurisdiction=jurisdiction,
        lon=lon,
        lat=lat,
        address_string=address_string,
        area_slug=area_slug,
        problems=problems,
    )
    answers = _report_answers(category, attributes, jurisdiction, problems) if category is not None else {}
    contact_fields = _report_contact(contact, problems)
    media_url = _media_url(media_url, problems)
    if problems or category is None:
        raise ReportsError(" ".join(problems))

    submitted_at = timezone.now()
    try:
        acknowledge_due_at, resolve_due_at = _due_times(category, submitted_at)
    except ValueError as error:  # a broken working calendar: a configuration problem, said plainly
        raise ReportsError(str(error)) from error
    if lon is not None and lat is not None:
        agencies = routing_agencies_for_areas(category=category, areas=containing) if containing else []
    else:
        agencies = routing_agencies_for_area(category=category, area=area)
    public_name = ""
    if visibility == ReporterVisibility.PUBLIC:
        public_name = ((reporter.name if reporter is not None else "") or contact_fields.get("name", ""))[:200]

    report = Report(
        jurisdiction=jurisdiction,
        kind=kind,
        category=category,
        title=title,
        description=description,
        lon=lon,
        lat=lat,
        address_string=address_string,
        area=area,
        visibility=visibility,
        public_name=public_name,
        status=ReportStatus.SUBMITTED if reporter is not None or trusted else ReportStatus.UNVERIFIED,
        submitted_at=submitted_at,
        acknowledge_due_at=acknowledge_due_at,
        resolve_due_at=resolve_due_at,
        owner=agencies[0] if agencies else None,
        in_triage=not agencies,
        reporter=reporter,
        channel=Channel(channel),
        attributes=answers,
        idempotency_key=idempotency_key,
        idempotency_digest=digest,
        media_url=media_url,
        open311_token=secrets.token_urlsafe(24) if category.type == ServiceType.BATCH else None,
    )
    existing = _report_insert(report, digest)
    if existing is not None:
        return existing, False
    if agencies:
        # A new report has no links yet: insert them without agencies.set()'s read of the current ones.
        link_model = Report.agencies.through
        link_model.objects.bulk_create([link_model(report_id=report.pk, agency_id=agency.pk) for agency in agencies])
    if contact_fields:
        ReportContact.objects.create(report=report, **contact_fields)
    if report.status == ReportStatus.SUBMITTED:
        report_id = report.pk
        transaction.on_commit(lambda: _new_report_notify(report_id))
    audit_log(
        action="report.submit",
        # An anonymous reporter is hidden from everyone, audit readers included.
        actor=reporter if visibility != ReporterVisibility.ANONYMOUS else None,
        obj=report,
        agency=report.owner,
        jurisdiction=jurisdiction,
        after=_submit_snapshot(report, agencies),
        channel=channel,
    )
    return report, True


def _report_insert(report: Report, digest: str) -> Report | None:
    """Save the new report under a fresh reference; or the report a concurrent retry with the same
    idempotency key saved first (nothing is saved then)."""
    while True:
        report.reference = _new_reference()
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            # A concurrent retry with the same key won the race: answer as the retry it is.
            existing = (
                Report.objects.filter(jurisdiction=report.jurisdiction, idempotency_key=report.idempotency_key).first()
                if report.idempotency_key is not None
                else None
            )
            if existing is not None:
                return _replay(existing, digest)
            # Else the random reference clashed (1 in 10^11 per existing report): draw another.
            if not Report.objects.filter(reference=report.reference).exists():
                raise
        else:
            return None


def _submit_snapshot(report: Report, agencies: list[Any]) -> dict[str, Any]:
    """snapshot(report, REPORT_PUBLIC_FIELDS) of a report just saved with these agencies, without reading them back."""
    values = snapshot(report, [name for name in REPORT_PUBLIC_FIELDS if name != "agencies"])
    values["agencies"] = sorted(agency.pk for agency in agencies)
    return {name: values[name] for name in REPORT_PUBLIC_FIELDS}


def _due_times(category: Category, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Category.acknowledge_due(start) and resolve_due(start), reading the jurisdiction's calendar once."""
    calendar = WorkingCalendar(category.jurisdiction, start)

    def due(amount: int, unit: str) -> dt.datetime:
        return calendar.add_working_hours(amount) if unit == TargetUnit.HOURS else calendar.add_working_days(amount)

    return due(category.acknowledge_within, category.acknowledge_unit), due(
        category.resolve_within, category.resolve_unit
    )


def _report_texts(
    *, kind: str, visibility: str, title: str, description: str, address_string: str, problems: list[str]
) -> tuple[str, str, str]:
    """Kind and visibility checked; title, description and address trimmed and checked."""
    if kind not in ReportKind.values:
        problems.append(
            _("%(kind)s is not a kind of report. Choose one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(ReportKind.values)}
        )
    if visibility not in ReporterVisibility.values:
        problems.append(
            _("%(visibility)s is not a visibility. Choose one of: %(choices)s.")
            % {"visibility": visibility, "choices": ", ".join(ReporterVisibility.values)}
        )
    title = (title or "").strip()
    description = (description or "").strip()
    if len(title) > REPORT_TITLE_MAX:
        problems.append(_("The title can be at most %(max)s characters.") % {"max": REPORT_TITLE_MAX})
    if not description:
        problems.append(_("Describe the problem: the description is required."))
    elif len(description) > REPORT_DESCRIPTION_MAX:
        problems.append(
            _("The description can be at most %(max)s characters; it has %(length)s.")
            % {"max": REPORT_DESCRIPTION_MAX, "length": len(description)}
        )
    address_string = (address_string or "").strip()
    if len(address_string) > ADDRESS_MAX:
        problems.append(_("The address can be at most %(max)s characters.") % {"max": ADDRESS_MAX})
    return title, description, address_string


def _idempotency(
    *, jurisdiction: Jurisdiction, category: Category | None, key: str | None, payload: dict[str, Any]
) -> tuple[str | None, str, Report | None]:
    """The trimmed key, the payload's digest, and the report a retry with this key gets back
    (with the jurisdiction and the caller's category, when it is that one, attached)."""
    if key is None:
        return None, "", None
    key = key.strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ReportsError(
            _("An idempotency key must have 1 to %(max)s characters; send a fresh random one per report.")
            % {"max": IDEMPOTENCY_KEY_MAX}
        )
    digest = _payload_digest(payload)
    # Unordered: (jurisdiction, key) is unique.
    existing = next(iter(Report.objects.filter(jurisdiction=jurisdiction, idempotency_key=key).order_by()[:1]), None)
    if existing is not None:
        existing.jurisdiction = jurisdiction
        if category is not None and category.pk == existing.category_id:
            existing.category = category
    return key, digest, _replay(existing, digest) if existing is not None else None


def _payload_digest(payload: dict[str, Any]) -> str:
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(existing: Report, digest: str) -> Report:
    if existing.idempotency_digest != digest:
        raise ReportsError(
            _("This idempotency key was already used for a different report; send a new key for a new report.")
        )
    return existing


def _new_reference() -> str:
    """A random reference; the unique index refuses a clash, which report_submit draws again."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _i in range(REFERENCE_LENGTH))


def _report_category(
    jurisdiction: Jurisdiction, code: str, problems: list[str], *, loaded: Category | None = None
) -> Category | None:
    if (
        loaded is not None
        and loaded.jurisdiction_id == jurisdiction.pk
        and loaded.code == (code or "").strip()
        and loaded.is_active
    ):
        return loaded
    category = (
        Category.objects.filter(jurisdiction=jurisdiction, code=(code or "").strip())
        .select_related("jurisdiction")
        .first()
    )
    if category is None:
        valid = Category.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("code")
        problems.append(
            _("There is no category %(code)s in %(jurisdiction)s. Valid categories: %(valid)s.")
            % {
                "code": code,
                "jurisdiction": jurisdiction.name,
                "valid": ", ".join(f"{c.code} ({c.name})" for c in valid) or _("none yet"),
            }
        )
        return None
    if not category.is_active:
        problems.append(
            _("The category %(code)s (%(name)s) no longer takes reports; choose another one.")
            % {"code": category.code, "name": category.name}
        )
        return None
    return category


def _report_location(
    *,
    jurisdiction: Jurisdiction,
    lon: float | None,
    lat: float | None,
    address_string: str,
    area_slug: str | None,
    problems: list[str],
) -> tuple[Area | None, list[Area]]:
    """The report's area and the areas containing its point (empty without a point)."""
    area_slug = (area_slug or "").strip() or None
    named: Area | None = None
    if area_slug is not None:
        named = Area.objects.filter(jurisdiction=jurisdiction, slug=area_slug).first()
        if named is None:
            problems.append(
                _("There is no area %(slug)s in %(jurisdiction)s.")
                % {"slug": area_slug, "jurisdiction": jurisdiction.name}
            )
    if lon is None and lat is None:
        if area_slug is None and not address_string:
            problems.append(
                _("Say where the problem is: place a pin (longitude and latitude), give an address, or choose an area.")
            )
        return named, []
    if lon is None or lat is None:
        problems.append(_("Give both longitude and latitude, or neither."))
        return named, []
    try:
        containing = areas_containing(jurisdiction=jurisdiction, lon=lon, lat=lat)
    except ValueError as error:
        problems.append(str(error))
        return named, []
    if not containing:
        problems.append(
            _(
                "The location (longitude %(lon)s, latitude %(lat)s) is outside %(jurisdiction)s. "
                "Check the pin, or report to the government responsible for that place."
            )
            % {"lon": lon, "lat": lat, "jurisdiction": jurisdiction.name}
        )
        return named, []
    if named is not None and named.pk not in {area.pk for area in containing}:
        problems.append(
            _("The location is not inside the area %(area)s; move the pin or choose another area.")
            % {"area": named.name}
        )
    return containing[0], containing


def _blank(value: Any) -> bool:
    return (
        value is None
        or (isinstance(value, str) and not value.strip())
        or (isinstance(value, list | tuple) and not value)
    )


def _report_answers(
    category: Category, attributes: dict[str, Any] | None, jurisdiction: Jurisdiction, problems: list[str]
) -> dict[str, Any]:
    """The answers to the category's extra questions, checked and normalised per datatype."""
    if attributes is None:
        attributes = {}
    if not isinstance(attributes, dict):
        problems.append(_("Answers to the extra questions must be given as question code → answer."))
        return {}
    prefetched = getattr(category, "_prefetched_objects_cache", {}).get("attributes")
    # A caller's prefetched questions are used as read; `order` is unique in a category, so sorting
    # by it alone gives the database's ("order", "code") order.
    ordered = (
        sorted(prefetched, key=lambda question: question.order)
        if prefetched is not None
        else category.attributes.order_by("order", "code")
    )
    questions = [question for question in ordered if question.variable]
    codes = [question.code for question in questions]
    unknown = sorted(str(code) for code in set(attributes) - set(codes))
    if unknown:
        problems.append(
            _("The category %(category)s has no question %(unknown)s. Its questions: %(known)s.")
            % {"category": category.code, "unknown": ", ".join(unknown), "known": ", ".join(codes) or _("none")}
        )
    answers: dict[str, Any] = {}
    for question in questions:
        value = attributes.get(question.code)
        if _blank(value):
            if question.required:
                problems.append(
                    _("Answer the question %(code)s (%(question)s): it is required.")
                    % {"code": question.code, "question": question.description}
                )
            continue
        try:
            answers[question.code] = _answer(question, value, jurisdiction)
        except ValueError as error:
            problems.append(_("Question %(code)s: %(problem)s") % {"code": question.code, "problem": str(error)})
    return answers


def _answer(question: CategoryAttribute, value: Any, jurisdiction: Jurisdiction) -> Any:
    """One answer normalised for storage; ValueError with a sentence saying what is wrong."""
    datatype = question.datatype
    if datatype in (AttributeDatatype.STRING, AttributeDatatype.TEXT):
        if not isinstance(value, str):
            raise ValueError(_("give a text."))
        limit = STRING_ANSWER_MAX if datatype == AttributeDatatype.STRING else REPORT_DESCRIPTION_MAX
        if len(value.strip()) > limit:
            raise ValueError(_("the answer can be at most %(max)s characters.") % {"max": limit})
        return value.strip()
    if datatype == AttributeDatatype.NUMBER:
        return _number(value)
    if datatype == AttributeDatatype.DATETIME:
        return _datetime(value, jurisdiction)
    keys = [choice["key"] for choice in question.values or []]
    choices = ", ".join(keys)
    if datatype == AttributeDatatype.SINGLEVALUELIST:
        if not isinstance(value, str | int) or isinstance(value, bool) or str(value).strip() not in keys:
            raise ValueError(
                _("%(value)s is not one of the choices: %(choices)s.") % {"value": value, "choices": choices}
            )
        return str(value).strip()
    # multivaluelist: one key or a list of keys
    given = [value] if isinstance(value, str | int) and not isinstance(value, bool) else value
    if not isinstance(given, list | tuple):
        raise ValueError(_("give a list of choices from: %(choices)s.") % {"choices": choices})
    chosen: list[str] = []
    wrong: list[str] = []
    for item in given:
        key = str(item).strip() if isinstance(item, str | int) and not isinstance(item, bool) else None
        if key is None or key not in keys:
            wrong.append(str(item))
        elif key not in chosen:
            chosen.append(key)
    if wrong:
        raise ValueError(
            _("%(value)s is not one of the choices: %(choices)s.") % {"value": ", ".join(wrong), "choices": choices}
        )
    return chosen


def _number(value: Any) -> int | float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise ValueError(_("%(value)s is not a number; give one like 12 or 3.5.") % {"value": value})
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _datetime(value: Any, jurisdiction: Jurisdiction) -> str:
    moment: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = parse_datetime(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise ValueError(
            _("%(value)s is not a date and time; give one like 2026-03-01T14:30 (ISO 8601).") % {"value": value}
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, jurisdiction.tzinfo)
    return moment.astimezone(dt.UTC).isoformat()


def _report_contact(contact: dict[str, Any] | None, problems: list[str]) -> dict[str, str]:
    """The reporter's contact details, checked; only the non-empty ones."""
    if contact is None:
        return {}
    if not isinstance(contact, dict):
        problems.append(_("Contact details must be given as name, email and phone."))
        return {}
    unknown = sorted(str(name) for name in set(contact) - set(CONTACT_FIELDS))
    if unknown:
        problems.append(
            _("Unknown contact fields: %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(CONTACT_FIELDS)}
        )
    cleaned: dict[str, str] = {}
    for name in CONTACT_FIELDS:
        value = contact.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(_("The contact %(field)s must be a text.") % {"field": name})
            continue
        value = value.strip()
        if value:
            cleaned[name] = value
    if len(cleaned.get("name", "")) > 200:
        problems.append(_("The contact name can be at most 200 characters."))
    if "email" in cleaned:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            problems.append(
                _("%(email)s is not an e-mail address; give one like name@example.org.") % {"email": cleaned["email"]}
            )
    if "phone" in cleaned and not PHONE_FORMAT.match(cleaned["phone"]):
        problems.append(
            _("%(phone)s is not a phone number; give digits, optionally starting with +, e.g. +56 2 2345 6789.")
            % {"phone": cleaned["phone"]}
        )
    return cleaned


def _media_url(value: str, problems: list[str]) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        problems.append(
            _("media_url must be an http or https address of the photo, e.g. https://example.org/photo.jpg.")
        )
        return ""
    if len(value) > MEDIA_URL_MAX:
        problems.append(_("media_url can be at most %(max)d characters.") % {"max": MEDIA_URL_MAX})
        return ""
    return value


def _new_report_notify(report_id: int) -> None:
    from civicloop.reports.tasks import report_new_notify_task

    report_new_notify_task.enqueue(report_id=report_id)
