"""Open311 GeoReport v2 at /open311/v2/: plain Django views (decision 9), each parse → selector → render.

Jurisdiction: the `jurisdiction_id` parameter (a Jurisdiction.domain) when given, else the one
the host name chose (decision 5); neither → 400, an unknown id → 404.

Language: names and questions come in the jurisdiction's default language (its first), which
is what the stored originals are written in, so every client sees the same list whatever its
Accept-Language. A client may ask for another of the jurisdiction's languages with the
`locale` parameter (`es`, `id`, `en-GB` → `en`); a language the jurisdiction does not offer
is a 400 that lists the ones it does. Error descriptions follow the request's language
(Accept-Language or the language cookie), as they are meant for the person using the client.

An empty parameter is treated exactly like a missing one (the specification's rule). POSTs
read their fields from the form-encoded body, and `api_key` and `jurisdiction_id` from the query
string too (some clients put them there).

POST requests (api_key required; any active key of the jurisdiction, see `civicloop open311
create-key`). It calls report_submit, the web form's service, with channel "api":
- Location: `lat` and `long`, or `address_string`, or `address_id`, which is the slug of one of
  the jurisdiction's areas (its own addressing system), or several of them together.
- `attribute[CODE]=v` answers a question; `attribute[CODE][]=v1&attribute[CODE][]=v2` a
  multivaluelist (both forms may be mixed; empty values are dropped).
- `description` is optional in Open311 but required by civicloop: when it is missing the
  service's name stands in for it.
- Contact: `first_name` + `last_name`, `email` and `phone` are kept apart as the reporter's
  contact (to tell them about progress). The report is **anonymous**: public, but the name is
  shown to nobody, staff included. Open311 has no field in which a person chooses to be named in
  public, and a client app cannot choose that for them. `device_id` and `account_id` are not
  kept (civicloop needs neither), and `account_id` is answered empty.
- An API-key integration is a trusted intake channel, so its reports are confirmed at once
  (report_confirm) and listed publicly, instead of waiting unverified for an e-mail link.
- `media_url` is kept on the report and served as the request's `media_url`.
- `Idempotency-Key` header: a retry with the same key answers exactly as the first time and
  creates nothing (report_submit compares the fields it takes; a changed media_url alone is
  not noticed, the first one stays).
- Answer: `service_request_id` for realtime services; a `token` for batch ones (then
  `tokens/{token}` gives the id); neither for blackbox ones; always `service_notice` and
  `account_id`. An unknown or inactive `service_code` is a 404, as the specification says.

GET requests: only reports the public may see (no confidential ones, no sensitive categories, no
unverified ones), newest first. `service_request_id` (comma list) overrides every other filter.
`start_date`/`end_date` (W3C datetimes with a timezone) bound `requested_datetime` and may span
at most 90 days; with neither, the last 90 days; with one, 90 days from or to it.
`extensions=true` adds `extended_attributes` and `notes` (see open311.py).
`service_code` and `status` (open, closed) take comma lists. At most 1000 requests are
answered; the paging extension `page` (from 1) and `page_size` (1 to 1000, default 1000) walks
further. Discovery does not mention paging: its format has no field for extensions.

FixMyStreet's servicerequestupdates:
- GET lists the public timeline entries of public requests, oldest first (clients apply them
  in order), with the same date window, limit and paging as GET requests. No api_key is needed
  (FixMyStreet's specification: it is public information); one that is sent is ignored.
- POST (api_key required) adds an entry: `service_request_id`, `status` (an extended status,
  see open311.EXTENDED_STATUS_IN), `updated_datetime` (checked; the entry is stamped with the
  time civicloop records it), `description`. The same status as now (OPEN on an open request) is
  a public message (report_comment); another status goes through report_status_change, so the
  life cycle's rules apply (a reopen by OPEN/REOPEN only within the reopen window, closing
  without fix needs a description). DUPLICATE, NOT_COUNCILS_RESPONSIBILITY and
  INTERNAL_REFERRAL are refused: they must name an original report or the agency responsible,
  which an update cannot carry. The integration acts in the jurisdiction's name (the key is
  issued by its administrators); the audit trail records which key did it. `update_id`,
  `first_name`, `last_name`, `email`, `account_id` and `media_url` of a posted update are not
  kept. Any request of the jurisdiction may be updated, also one the public cannot see (the
  integration may have filed it). Answer: the new entry's `update_id`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicloop.core.models import Jurisdiction
from civicloop.reports import open311
from civicloop.reports.enums import OPEN_STATUSES
from civicloop.reports.models import Open311ApiKey, Report
from civicloop.reports.selectors import (
    category_changeset,
    category_get_open311,
    category_list_open311,
    open311_key_authenticate,
)
from civicloop.reports.selectors.open311 import (
    RequestFilters,
    open311_request_row_get,
    open311_request_rows,
    open311_token_get,
    open311_update_list,
)
from civicloop.reports.services import ReportsError
from civicloop.reports.services.open311 import Open311ForbiddenError, open311_request_submit, open311_update_submit

WINDOW = dt.timedelta(days=90)  # the specification's default span and the widest one asked
LIMIT = 1000  # the specification's default number of requests, and the largest page
PAGE_MAX = 1_000_000  # far past any real list; keeps the offset a sane number
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
READ = ("GET", "HEAD")


class Open311Error(Exception):
    def __init__(self, status: int, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.status = status
        self.descriptions = list(descriptions)


def _param(request: HttpRequest, name: str) -> str:
    """A parameter, "" when missing or empty. A POST's body wins over its query string."""
    value = request.POST.get(name, "") if request.method == "POST" else ""
    return (value.strip() or request.GET.get(name, "")).strip()


def _open311_view(view: Callable[..., HttpResponse], methods: tuple[str, ...]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, fmt: str, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in methods:
                allowed = " or ".join(method for method in methods if method != "HEAD")
                raise Open311Error(
                    400,
                    _("Method %(method)s is not allowed here; use %(allowed)s.")
                    % {"method": request.method, "allowed": allowed},
                )
            return view(request, *args, fmt=fmt, **kwargs)
        except Open311Error as error:
            response = open311.errors_response(error.status, error.descriptions, fmt=fmt)
            if request.method not in methods:
                response["Allow"] = ", ".join(methods)
            return response

    # Clients authenticate with api_key, never with a session cookie, so there is no CSRF to guard.
    return csrf_exempt(wrapper)


def open311_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET (and HEAD) only; Open311Error becomes the specification's error body in the asked format."""
    return _open311_view(view, READ)


def open311_write_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """GET, HEAD and POST (the view tells them apart); errors as in open311_view."""
    return _open311_view(view, (*READ, "POST"))


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    wanted = _param(request, "jurisdiction_id")
    if wanted:
        jurisdiction = Jurisdiction.objects.filter(domain=wanted.lower()).first()
        if jurisdiction is None:
            raise Open311Error(
                404,
                _("jurisdiction_id %(id)s was not found: give the web domain of a jurisdiction served here.")
                % {"id": wanted},
            )
        return jurisdiction
    jurisdiction = getattr(request, "jurisdiction", None)
    if jurisdiction is None:
        domains = ", ".join(Jurisdiction.objects.order_by("domain").values_list("domain", flat=True))
        raise Open311Error(
            400,
            _("jurisdiction_id was not provided; this endpoint serves several jurisdictions: %(domains)s.")
            % {"domains": domains},
        )
    return jurisdiction


def _language(request: HttpRequest, jurisdiction: Jurisdiction) -> str:
    wanted = _param(request, "locale")
    if not wanted:
        return jurisdiction.default_language
    language = wanted.replace("_", "-").split("-")[0].lower()
    if language not in jurisdiction.languages:
        raise Open311Error(
            400,
            _("locale %(locale)s is not offered by %(name)s; use one of: %(languages)s.")
            % {"locale": wanted, "name": jurisdiction.name, "languages": ", ".join(jurisdiction.languages)},
        )
    return language


def _endpoint_url(request: HttpRequest) -> str:
    path = reverse("open311:discovery", kwargs={"fmt": "xml"}).rsplit("/", 1)[0]
    return request.build_absolute_uri(path)


@open311_view
def discovery(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    site = request.build_absolute_uri("/")
    name = jurisdiction.localized("name", jurisdiction.default_language)
    data = open311.discovery(
        changeset=category_changeset(jurisdiction=jurisdiction),
        endpoint_url=_endpoint_url(request),
        contact=_("Questions about this API: contact the administrators of %(name)s through %(url)s.")
        % {"name": name, "url": site},
        key_service=_(
            "Reading needs no key. To post requests, ask the administrators of %(name)s for an API key through %(url)s."
        )
        % {"name": name, "url": site},
    )
    return open311.render(data, root="discovery", fmt=fmt)


@open311_view
def services(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    categories = list(category_list_open311(jurisdiction=jurisdiction))
    return open311.render(open311.service_list(categories, language=language), root="services", fmt=fmt)


@open311_view
def service_definition(request: HttpRequest, *, code: str, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    category = category_get_open311(jurisdiction=jurisdiction, code=code)
    if category is None:
        raise Open311Error(
            404,
            _("service_code %(code)s was not found in %(name)s; GET services lists the valid codes.")
            % {"code": code, "name": jurisdiction.name},
        )
    return open311.render(open311.service_definition(category, language=language), root="service_definition", fmt=fmt)


# --- parsing -------------------------------------------------------------------------------------
def _comma_list(request: HttpRequest, name: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in _param(request, name).split(",") if part.strip()))


def _w3_datetime(request: HttpRequest, name: str) -> dt.datetime | None:
    """A W3C datetime parameter (timezone required), None when missing; a bad one is a 400 naming it."""
    text = _param(request, name)
    if not text:
        return None
    # An unencoded "+01:00" offset arrives as " 01:00": put the plus back.
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", text)
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise Open311Error(
            400,
            _("%(name)s %(value)s is not a W3C datetime with a timezone; give one like 2010-01-01T00:00:00Z.")
            % {"name": name, "value": text},
        )
    return moment


def _window(request: HttpRequest) -> tuple[dt.datetime, dt.datetime | None]:
    """start_date/end_date as the specification bounds them: at most 90 days, the last 90 by default."""
    start, end = _w3_datetime(request, "start_date"), _w3_datetime(request, "end_date")
    if start is None and end is None:
        return timezone.now() - WINDOW, None
    if start is None:
        assert end is not None  # for mypy: both None was handled above
        return end - WINDOW, end
    if end is None:
        return start, start + WINDOW
    if end < start:
        raise Open311Error(400, _("end_date is before start_date; give end_date after start_date."))
    if end - start > WINDOW:
        raise Open311Error(
            400, _("start_date and end_date may be at most %(days)d days apart.") % {"days": WINDOW.days}
        )
    return start, end


def _positive_int(request: HttpRequest, name: str, *, default: int, maximum: int) -> int:
    text = _param(request, name)
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= maximum:
        raise Open311Error(
            400, _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
    return value


def _page(request: HttpRequest) -> slice:
    """The paging extension: `page` from 1, `page_size` 1 to 1000 (default 1000, the spec's limit)."""
    size = _positive_int(request, "page_size", default=LIMIT, maximum=LIMIT)
    page = _positive_int(request, "page", default=1, maximum=PAGE_MAX)
    return slice((page - 1) * size, page * size)


def _form_encoded(request: HttpRequest) -> None:
    if request.content_type not in FORM_TYPES:
        raise Open311Error(
            400,
            _("Send the fields form-encoded (Content-Type: application/x-www-form-urlencoded), not %(type)s.")
            % {"type": request.content_type or _("an empty body")},
        )


def _api_key(request: HttpRequest, jurisdiction: Jurisdiction) -> Open311ApiKey:
    raw = _param(request, "api_key")
    if not raw and request.content_type not in FORM_TYPES:
        raise Open311Error(
            403,
            _(
                "api_key was not provided: the body is not form-encoded "
                "(Content-Type: application/x-www-form-urlencoded), so none of its fields could be read."
            ),
        )
    if not raw:
        raise Open311Error(403, _("api_key was not provided; posting needs the key of an integration."))
    key = open311_key_authenticate(jurisdiction=jurisdiction, raw=raw)
    if key is None:
        raise Open311Error(
            403,
            _("Invalid api_key received: it is unknown here or was revoked. Ask the administrators of %(name)s.")
            % {"name": jurisdiction.name},
        )
    return key


def _attributes(request: HttpRequest) -> dict[str, Any]:
    """attribute[CODE]=v and attribute[CODE][]=v1&attribute[CODE][]=v2, empty values dropped."""
    answers: dict[str, Any] = {}
    for field in request.POST:
        match = ATTRIBUTE_FIELD.match(field)
        if match is None:
            continue
        code, many = match.group(1).strip(), match.group(2)
        values = [value.strip() for value in request.POST.getlist(field) if value.strip()]
        if not values:
            continue
        if many or code in answers or len(values) > 1:
            previous = answers.get(code, [])
            answers[code] = [*(previous if isinstance(previous, list) else [previous]), *values]
        else:
            answers[code] = values[0]
    return answers


def _coordinate(request: HttpRequest, name: str, limit: float, problems: list[str]) -> float | None:
    text = _param(request, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not -limit <= value <= limit:
        problems.append(
            _("%(name)s %(value)s is not a WGS84 coordinate; give a number from -%(limit)d to %(limit)d.")
            % {"name": name, "value": text, "limit": limit}
        )
        return None
    return value


def _photo_urls(request: HttpRequest, reference: str, photo_pks: Iterable[int]) -> list[str]:
    """The absolute addresses of the public photos ("" each while the photo page is not installed)."""
    urls = []
    for pk in photo_pks:
        try:
            urls.append(request.build_absolute_uri(reverse("reports:photo", args=[reference, pk])))
        except NoReverseMatch:
            urls.append("")
    return urls


def _photo_url(request: HttpRequest, reference: str, photo_pks: Iterable[int]) -> str:
    """The absolute address of the first public photo, "" when there is none."""
    first = list(photo_pks)[:1]
    return _photo_urls(request, reference, first)[0] if first else ""


def _extensions(request: HttpRequest) -> bool:
    """The `extensions` parameter: true or false (false when missing or empty)."""
    value = _param(request, "extensions").lower()
    if value not in ("", "true", "false"):
        raise Open311Error(400, _("extensions %(value)s is not true or false.") % {"value": value})
    return value == "true"


def _requests_data(
    request: HttpRequest, rows: list[dict[str, Any]], *, jurisdiction: Jurisdiction, language: str, extensions: bool
) -> list[dict[str, Any]]:
    """The requests of selectors.open311's rows. What is the same for every row (the notice's words,
    the time zone, the names of categories and agencies) is worked out once for the page."""
    names = open311.Names(language)
    expected = _("Expected to be resolved by %(due)s.")
    zone = jurisdiction.tzinfo
    data = []
    for row in rows:
        notice = ""
        if row["status"] in OPEN_STATUSES:  # as _notice
            due = dt.datetime.fromtimestamp(row["resolve_due"], zone)
            notice = expected % {"due": due.isoformat(timespec="minutes")}
        photo = row["first_photo"]
        media_url = row["media_url"] or _photo_url(request, row["reference"], [] if photo is None else [photo])
        item = open311.service_request(row, names=names, media_url=media_url, notice=notice)
        if extensions:
            photo_pks = [photo["pk"] for photo in row["public_photos"]]
            item.update(open311.request_extensions(row, photo_urls=_photo_urls(request, row["reference"], photo_pks)))
        data.append(item)
    return data


def _notice(report: Report) -> str:
    """Open311's service_notice: when an open request is due to be resolved, in local time."""
    if not report.is_open:
        return ""
    due = timezone.localtime(report.resolve_due_at, report.jurisdiction.tzinfo)
    return _("Expected to be resolved by %(due)s.") % {"due": due.isoformat(timespec="minutes")}


# --- requests ------------------------------------------------------------------------------------
@open311_write_view
def service_requests(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET requests (the public list) and POST requests (a new request from a client)."""
    if request.method == "POST":
        return _request_create(request, fmt=fmt)
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    extensions = _extensions(request)
    references = _comma_list(request, "service_request_id")
    if len(references) > LIMIT:
        raise Open311Error(400, _("Ask for at most %(max)d service_request_id at once.") % {"max": LIMIT})
    if references:
        filters = RequestFilters(references=references)
        page = slice(0, LIMIT)
    else:
        start, end = _window(request)
        statuses = tuple(status.lower() for status in _comma_list(request, "status"))
        wrong = [status for status in statuses if status not in ("open", "closed")]
        if wrong:
            raise Open311Error(400, _("status %(value)s is not open or closed.") % {"value": ", ".join(wrong)})
        filters = RequestFilters(
            service_codes=_comma_list(request, "service_code"), start=start, end=end, statuses=statuses
        )
        page = _page(request)
    rows = open311_request_rows(jurisdiction=jurisdiction, filters=filters, page=page, notes=extensions)
    data = _requests_data(request, rows, jurisdiction=jurisdiction, language=language, extensions=extensions)
    return open311.render(data, root="service_requests", fmt=fmt)


@open311_view
def service_request(request: HttpRequest, *, reference: str, fmt: str) -> HttpResponse:
    """GET requests/{id}: a list with the one request, like GET requests."""
    jurisdiction = _jurisdiction(request)
    language = _language(request, jurisdiction)
    extensions = _extensions(request)
    row = open311_request_row_get(jurisdiction=jurisdiction, reference=reference, notes=extensions)
    if row is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": reference})
    data = _requests_data(request, [row], jurisdiction=jurisdiction, language=language, extensions=extensions)
    return open311.render(data, root="service_requests", fmt=fmt)


@open311_view
def token_lookup(request: HttpRequest, *, token: str, fmt: str) -> HttpResponse:
    """GET tokens/{token}: the service_request_id a batch service's token stands for."""
    jurisdiction = _jurisdiction(request)
    report = open311_token_get(jurisdiction=jurisdiction, token=token)
    if report is None:
        raise Open311Error(404, _("token %(token)s was not found.") % {"token": token})
    return open311.render([{"service_request_id": report.reference, "token": token}], root="service_requests", fmt=fmt)


def _request_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    key = _api_key(request, jurisdiction)
    _form_encoded(request)
    problems: list[str] = []
    code = _param(request, "service_code")
    if not code:
        problems.append(_("service_code was not provided; GET services lists the valid codes."))
    lat = _coordinate(request, "lat", 90, problems)
    lon = _coordinate(request, "long", 180, problems)
    address_string, address_id = _param(request, "address_string"), _param(request, "address_id")
    if (lat is None) != (lon is None) and not problems:
        problems.append(_("Give both lat and long, or neither."))
    if not any((_param(request, "lat"), _param(request, "long"), address_string, address_id)):
        problems.append(_("A location is required: lat and long, address_string or address_id (an area's slug)."))
    media_url = _param(request, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
            if len(media_url) > Report._meta.get_field("media_url").max_length:  # type: ignore[operator]
                raise ValidationError("too long")
        except ValidationError:
            problems.append(
                _("media_url %(url)s is not an http(s) address of at most 500 characters.") % {"url": media_url}
            )
    if problems:
        raise Open311Error(400, *problems)
    category = category_get_open311(jurisdiction=jurisdiction, code=code)
    if category is None:
        raise Open311Error(
            404,
            _("service_code %(code)s was not found in %(name)s; GET services lists the valid codes.")
            % {"code": code, "name": jurisdiction.name},
        )
    name = " ".join(part for part in (_param(request, "first_name"), _param(request, "last_name")) if part)
    contact = {"name": name, "email": _param(request, "email"), "phone": _param(request, "phone")}
    try:
        report = open311_request_submit(
            key=key,
            category=category,
            description=_param(request, "description") or category.localized("name", jurisdiction.default_language),
            lon=lon,
            lat=lat,
            address_string=address_string,
            address_id=address_id,
            attributes=_attributes(request),
            contact={field: value for field, value in contact.items() if value},
            media_url=media_url,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip() or None,
        )
    except ReportsError as error:
        raise Open311Error(400, str(error)) from error
    return open311.render([open311.request_created(report, notice=_notice(report))], root="service_requests", fmt=fmt)


@open311_write_view
def service_request_updates(request: HttpRequest, *, fmt: str) -> HttpResponse:
    """GET the public updates of public requests; POST one (api_key required)."""
    if request.method == "POST":
        return _update_create(request, fmt=fmt)
    jurisdiction = _jurisdiction(request)
    start, end = _window(request)
    page = _page(request)
    updates = open311_update_list(jurisdiction=jurisdiction, start=start, end=end)[page]
    data = [
        open311.request_update(
            update,
            media_url=_photo_url(
                request, update.report.reference, [photo.pk for photo in getattr(update, "public_photos", [])]
            ),
        )
        for update in updates
    ]
    return open311.render(data, root="service_request_updates", fmt=fmt)


def _update_create(request: HttpRequest, *, fmt: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    key = _api_key(request, jurisdiction)
    _form_encoded(request)
    problems = [
        _("%(name)s was not provided.") % {"name": name}
        for name in ("service_request_id", "status", "updated_datetime")
        if not _param(request, name)
    ]
    if problems:
        raise Open311Error(400, *problems)
    _w3_datetime(request, "updated_datetime")
    status = _param(request, "status").upper()
    if status in open311.EXTENDED_STATUS_REFUSED:
        raise Open311Error(
            400,
            _(
                "status %(status)s cannot be set through Open311: it must name the original report or the "
                "agency responsible. Staff do it in civicloop."
            )
            % {"status": status},
        )
    if status not in open311.EXTENDED_STATUS_IN:
        raise Open311Error(
            400,
            _("status %(status)s is not one of: %(statuses)s.")
            % {"status": status, "statuses": ", ".join(open311.EXTENDED_STATUS_IN)},
        )
    reference = _param(request, "service_request_id")
    report = (
        Report.objects.filter(jurisdiction=jurisdiction, reference=reference.upper())
        .select_related("category", "jurisdiction", "owner")
        .first()
    )
    if report is None:
        raise Open311Error(404, _("service_request_id %(id)s was not found.") % {"id": reference})
    try:
        target, reason = open311.EXTENDED_STATUS_IN[status]
        update = open311_update_submit(
            key=key, report=report, target=target, reason=reason, status=status, text=_param(request, "description")
        )
    except Open311ForbiddenError as error:
        raise Open311Error(403, str(error)) from error
    except ReportsError as error:
        raise Open311Error(400, str(error)) from error
    return open311.render([{"update_id": str(update.pk)}], root="service_request_updates", fmt=fmt)


def not_found(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in Open311's error format (JSON if .json was asked, else XML)."""
    fmt = "json" if rest.endswith(".json") else "xml"
    return open311.errors_response(
        404,
        [
            _("There is no Open311 resource at %(path)s; see discovery.xml for what this endpoint offers.")
            % {"path": request.path}
        ],
        fmt=fmt,
    )
