"""Writes for jurisdictions, areas and agencies. Every change is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency

if TYPE_CHECKING:
    from civicloop.accounts.models import User


class CoreError(Exception):
    """A request the core cannot carry out; the message is fit to show the person who asked."""


def email_enqueue(*, subject: str, body: str, to: list[str], html: str | None = None) -> None:
    """Send an e-mail from the task worker after the current transaction commits.

    If the transaction rolls back, nothing is sent: nobody is told about a change that
    did not happen.
    """
    from civicloop.core.tasks import send_email

    transaction.on_commit(lambda: send_email.enqueue(subject=subject, body=body, to=to, html=html))


AGENCY_EDITABLE_FIELDS = ["name", "description", "contact_email", "phone", "website", "translations"]


@transaction.atomic
def agency_update(*, agency: Agency, by: User, channel: Channel = Channel.WEB, **changes: object) -> Agency:
    """Change an agency's public details; only the fields in AGENCY_EDITABLE_FIELDS."""
    unknown = sorted(set(changes) - set(AGENCY_EDITABLE_FIELDS))
    if unknown:
        raise CoreError(f"These agency fields cannot be changed here: {', '.join(unknown)}.")
    changed = [name for name, value in changes.items() if getattr(agency, name) != value]
    if not changed:
        return agency
    before = snapshot(agency, changed)
    for name in changed:
        setattr(agency, name, changes[name])
    agency.full_clean()
    agency.save(update_fields=[*changed, "updated_at"])
    audit_log(
        action="agency.update",
        actor=by,
        obj=agency,
        agency=agency,
        jurisdiction=agency.jurisdiction,
        before=before,
        after=snapshot(agency, changed),
        channel=channel,
    )
    return agency
