"""How API callers prove who they are: an API token, or a signed-in browser's session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from civicloop.accounts.services import api_token_authenticate


class InvalidCredentialsError(AuthenticationError):
    """Credentials were sent but are wrong. Answered 401 with an RFC 6750 error code, and the
    session is not tried: a client that sends a bad token must hear about it, not be served
    as whoever is signed in."""

    def __init__(self, message: str, *, error_code: str = "invalid_token") -> None:
        super().__init__(401, message)
        self.error_code = error_code


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a token from /me/tokens/."""

    def __call__(self, request: HttpRequest) -> Any:
        value = request.headers.get(self.header)
        if not value:
            return None  # no credentials: let the session try
        scheme, _space, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidCredentialsError(
                _("The Authorization header must be 'Bearer <token>', with the token you created at /me/tokens/."),
                error_code="invalid_request",
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            raise InvalidCredentialsError(
                _(
                    "The API token was not accepted: it is mistyped, revoked, or its owner's account is "
                    "disabled. Check it, or create a new one at /me/tokens/."
                )
            )
        request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The session of a signed-in browser. Unsafe methods must pass Django's CSRF check,
    so another site cannot make a signed-in person's browser change things."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        # Check CSRF only for a signed-in session: an anonymous request must get the 401
        # that tells it how to authenticate, not a CSRF refusal.
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        must_check = signed_in and self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if must_check and check_csrf(request) is not None:
            raise PermissionDenied(
                _(
                    "The CSRF check failed. A browser using its session must send the header X-CSRFToken "
                    "with the value of the csrftoken cookie; scripts should use an API token instead."
                )
            )
        return request.COOKIES.get(self.param_name)


api_auth = [ApiTokenAuth(), SessionAuth()]
"""Either credential; the token is tried first."""
