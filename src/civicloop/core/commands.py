"""Helpers shared by civicloop's management commands."""

from __future__ import annotations

from django.core.management.base import CommandError

from civicloop.core.models import Jurisdiction


def jurisdiction_from_option(slug: str | None) -> Jurisdiction:
    """The jurisdiction a `--jurisdiction SLUG` option names; optional when only one exists."""
    jurisdictions = list(Jurisdiction.objects.order_by("slug"))
    if slug is None and len(jurisdictions) == 1:
        return jurisdictions[0]
    found = next((j for j in jurisdictions if j.slug == slug), None)
    if found is not None:
        return found
    if not jurisdictions:
        raise CommandError(
            "There is no jurisdiction yet. Create one in the admin, or load the demo with `civicloop demo`."
        )
    valid = ", ".join(j.slug for j in jurisdictions)
    if slug is None:
        raise CommandError(f"Say which jurisdiction with --jurisdiction SLUG. Valid jurisdictions: {valid}.")
    raise CommandError(f"No jurisdiction '{slug}'. Valid jurisdictions: {valid}.")
