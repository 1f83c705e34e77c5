"""The HTTP API at /api/v1/: one NinjaAPI, RFC 9457 problems for every error.

Error conventions (the `Problem` and `ValidationProblem` schemas in civicloop.core.schemas):

- Every error is `application/problem+json` with `type`, `title`, `status`, `detail` (what is
  wrong and how to fix it) and `instance` (the request path). `type` is `about:blank`, so
  `title` is the HTTP status phrase, except for invalid input, whose type is
  `urn:civicloop:problem:invalid-input`.
- **400 for every request refused because of its input**, whether a path or query parameter
  is malformed, a JSON body cannot be parsed, a body field fails the schema, the model
  refuses a value (Django ValidationError) or a service refuses the change (CoreError).
  We do not use 422: clients would have to handle two statuses for one situation ("fix your
  input"), and the `errors` list already says where each problem is (`location`: path,
  query, header, cookie or body; `field`; `message`). 400 responses always carry `errors`,
  empty when the refusal is not about one field.
- 401 when credentials are missing or wrong, with `WWW-Authenticate: Bearer`; 403 when the
  person is known but may not do this; 404 names what was not found and lists valid
  values; 405 lists the allowed methods; 500 says only that the fault is ours — the
  traceback goes to the log, never to the client.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import Resolver404, URLPattern, URLResolver, re_path, resolve, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from civicloop.accounts.api import router as accounts_router
from civicloop.accounts.auth import InvalidCredentialsError
from civicloop.accounts.services import AccountError
from civicloop.core.api import router as core_router
from civicloop.core.services import CoreError

logger = logging.getLogger("civicloop.api")

PROBLEM_CONTENT_TYPE = "application/problem+json"
INVALID_INPUT = "urn:civicloop:problem:invalid-input"
GEOJSON_SCHEMAS = {"AreaFeature", "AreaFeatureCollection"}
PROBLEM_SCHEMAS = {"Problem", "ValidationProblem"}

DESCRIPTION = """
Open data and integrations for civicloop: jurisdictions, their areas (GeoJSON) and agencies.

**Authentication.** Public reads need none. Other operations take an API token, sent as
`Authorization: Bearer <token>` (staff create tokens on their account page, `/me/tokens/`),
or the session of a signed-in browser (unsafe methods then need the `X-CSRFToken` header).

**Languages.** Names and descriptions follow `Accept-Language`, or `?lang=` where offered.

**Errors** are RFC 9457 `application/problem+json`: `type`, `title`, `status`, `detail` (what is
wrong and how to fix it), `instance`; 400 responses add `errors`, one entry per invalid input.
"""


def problem_response(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    type_: str = "about:blank",
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An RFC 9457 problem document; 400s always carry `errors` so clients can rely on it."""
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    if status == 400:
        body["errors"] = errors or []
    response = HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


# --- Validation errors ------------------------------------------------------------------


def _field_errors_from_ninja(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ninja's pydantic errors as {location, field, message}.

    Ninja locates body fields under the view's parameter name (("body", "payload", "name"));
    clients never see that name, so it is dropped.
    """
    result = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else None
        rest = loc[2:] if location == "body" else loc[1:]
        message = str(error.get("msg", "")).removeprefix("Value error, ")  # our own validators' messages
        result.append({"location": location, "field": ".".join(rest) or None, "message": message})
    return result


def _describe(errors: list[dict[str, Any]]) -> str:
    """One sentence naming each invalid input (the first five) and what is wrong with it."""
    parts = []
    for error in errors[:5]:
        location, name = error["location"], error["field"]
        if name is None:
            what = _("the request body") if location == "body" else _("the request")
        elif location and location != "body":
            what = _("%(location)s parameter '%(name)s'") % {"location": location, "name": name}
        else:
            what = _("field '%(name)s'") % {"name": name}
        parts.append(f"{what}: {str(error['message']).rstrip('.')}")
    text = "; ".join(parts)
    if len(errors) > len(parts):
        text += _("; and %(count)d more") % {"count": len(errors) - len(parts)}
    return _("The request has invalid input — %(problems)s. Correct it and send the request again.") % {
        "problems": text
    }


def _ninja_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = _field_errors_from_ninja(exc.errors)
    return problem_response(
        request, 400, _describe(errors), type_=INVALID_INPUT, title=_("Invalid input"), errors=errors
    )


def _django_validation_error(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    location = "body" if request.method in {"POST", "PUT", "PATCH"} else None
    errors = []
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            for message in messages:
                name = None if field == "__all__" else field
                errors.append({"location": location, "field": name, "message": message})
    else:
        errors = [{"location": location, "field": None, "message": message} for message in exc.messages]
    return problem_response(
        request, 400, _describe(errors), type_=INVALID_INPUT, title=_("Invalid input"), errors=errors
    )


# --- Other errors --------------------------------------------------------------------------


def _refused(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A service refused the request; its message is written for the person who asked."""
    return problem_response(request, 400, str(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    detail = str(exc) if isinstance(exc, Http404) and exc.args else ""
    if isinstance(exc, ObjectDoesNotExist):
        detail = _("%(error)s Check the identifiers in the URL.") % {"error": exc}
    return problem_response(
        request,
        404,
        detail or _("Nothing exists at %(path)s. Check the identifiers in the URL.") % {"path": request.path},
    )


def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    if isinstance(exc, InvalidCredentialsError):
        return problem_response(
            request, 401, exc.message, headers={"WWW-Authenticate": f'Bearer error="{exc.error_code}"'}
        )
    return problem_response(
        request,
        401,
        _(
            "This operation needs you to authenticate: send the header 'Authorization: Bearer <token>' "
            "with an API token (create one at /me/tokens/), or sign in and use the session."
        ),
        headers={"WWW-Authenticate": "Bearer"},
    )


def _permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    detail = str(exc) or _(
        "You are not allowed to do this. Ask an administrator of the jurisdiction for the role you need."
    )
    return problem_response(request, 403, detail)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = _(
            "The request body is not valid JSON. Send a JSON object with the header Content-Type: application/json."
        )
    elif exc.status_code == 403 and message == "Forbidden":
        message = _("You are not allowed to do this. Ask an administrator of the jurisdiction for the role you need.")
    elif exc.status_code == 429:
        message = _("Too many requests. Wait a little and try again.")
    return problem_response(request, exc.status_code, message)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.error("Unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        request,
        500,
        _(
            "Something went wrong on our side; the error has been logged. Try again later, and if it "
            "keeps happening tell the site's operators the time and the address you called."
        ),
    )


# --- The API ------------------------------------------------------------------------------


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's bundled static files (no CDN), with the CSRF token
    passed along so a signed-in browser can try out unsafe methods."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        get_token(request)  # sets the csrftoken cookie the page's requests will need
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": True}
        return render(request, self.template, context)


def _problem_405(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return problem_response(
                request,
                405,
                _("%(path)s does not accept %(method)s; use %(allowed)s.")
                % {"path": request.path, "method": request.method, "allowed": allowed},
                headers={"Allow": allowed},
            )
        return response

    return wrapped


class CivicloopAPI(NinjaAPI):
    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super()._get_urls()
        for pattern in urls:
            if not isinstance(pattern, URLPattern):
                continue
            if pattern.name == "api-root":  # ninja's root raises a plain Http404
                pattern.callback = self._unknown_endpoint
            else:
                pattern.callback = _problem_405(pattern.callback)
        urls.append(re_path(r"^(?P<rest>.+)$", self._unknown_endpoint, name="unknown"))
        return urls

    def _unknown_endpoint(self, request: HttpRequest, rest: str = "") -> HttpResponse:
        """Unknown addresses under /api/v1/ get a problem too, with a hint."""
        docs = reverse(f"{self.urls_namespace}:openapi-view")
        hint = ""
        if request.path.endswith("/") and len(request.path) > 1:
            try:
                match = resolve(request.path.rstrip("/"))
            except Resolver404:
                match = None
            if match is not None and match.url_name not in {"unknown", "api-root"}:
                hint = _(" Did you mean %(path)s (without the final slash)?") % {"path": request.path.rstrip("/")}
        return problem_response(
            request,
            404,
            _("There is no API endpoint at %(path)s.%(hint)s The endpoints are listed at %(docs)s.")
            % {"path": request.path, "hint": hint, "docs": docs},
        )

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Document problems as application/problem+json and areas as application/geo+json."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for response in operation.get("responses", {}).values():
                    content = response.get("content", {})
                    body = content.get("application/json")
                    if body is None:
                        continue
                    ref = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                    if ref in PROBLEM_SCHEMAS:
                        response["content"] = {PROBLEM_CONTENT_TYPE: body}
                    elif ref in GEOJSON_SCHEMAS:
                        response["content"] = {"application/geo+json": body}
        return schema


api = CivicloopAPI(
    title="civicloop API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=LocalSwagger(),
)

# Handlers typed loosely: ninja's signature wants each to accept `type[E] | E`.
EXCEPTION_HANDLERS: dict[type[Exception], Callable[..., HttpResponse]] = {
    NinjaValidationError: _ninja_validation_error,
    DjangoValidationError: _django_validation_error,
    CoreError: _refused,
    AccountError: _refused,
    Http404: _not_found,
    ObjectDoesNotExist: _not_found,
    AuthenticationError: _unauthenticated,
    PermissionDenied: _permission_denied,
    HttpError: _http_error,
    Exception: _server_error,
}
for _exception, _handler in EXCEPTION_HANDLERS.items():
    api.add_exception_handler(_exception, _handler)

api.add_router("", core_router)
api.add_router("", accounts_router)

__all__ = ["api", "problem_response"]
