"""Tests of the server-rendered web interface: pages, staff workspace, translations.

Shared helpers live here so the three modules read the same way.
"""

from __future__ import annotations

from django.test.html import parse_html

# force_login would otherwise pick django-axes' backend, which cannot load a user.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def login(client, user) -> None:
    client.force_login(user, backend=MODEL_BACKEND)


def html_count(response, snippet: str) -> int:
    """How often snippet occurs in the page, compared as HTML (attribute order and
    whitespace do not matter), like assertContains(html=True)."""
    return parse_html(response.content.decode()).count(parse_html(snippet))


def text(response) -> str:
    """The page with every run of whitespace collapsed, for plain-text checks."""
    return " ".join(response.content.decode().split())
