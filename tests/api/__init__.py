"""Tests of the HTTP API at /api/v1/. Shared helpers live here."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicloop.accounts.services import api_token_create

# force_login would otherwise pick django-axes' backend, which cannot load a user.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
PROBLEM = "application/problem+json"
INVALID_INPUT = "urn:civicloop:problem:invalid-input"


def bearer(user) -> dict[str, str]:
    """Request headers carrying a fresh API token of user."""
    _token, raw = api_token_create(user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> dict[str, Any]:
    """The problem document the API should answer, for exact comparison."""
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance, **extra}


def invalid(detail: str, instance: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": INVALID_INPUT,
        "title": "Invalid input",
        "status": 400,
        "detail": detail,
        "instance": instance,
        "errors": errors,
    }


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as context:
        call()
    return len(context.captured_queries)
