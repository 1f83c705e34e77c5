"""What every reports service shares: the domain error and validation helpers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ReportsError(Exception):
    """A request about categories or reports that cannot be carried out; the message is fit to show."""


def _check_fields(given: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ReportsError(
            _("These fields cannot be set here: %(unknown)s. Allowed: %(allowed)s.")
            % {"unknown": ", ".join(unknown), "allowed": ", ".join(allowed)}
        )


def _full_clean(obj: Any) -> None:
    """Model validation as one ReportsError naming each field and its problem."""
    try:
        obj.full_clean()
    except ValidationError as error:
        problems = [
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        ]
        raise ReportsError(" ".join(problems)) from error
