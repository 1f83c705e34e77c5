"""Open311 API keys: issued per integration, stored hashed, shown once, revocable."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.accounts.services import token_digest
from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.models import (
    OPEN311_KEY_PREFIX,
    Open311ApiKey,
)

if TYPE_CHECKING:
    from civicloop.accounts.models import User

from civicloop.reports.services._common import ReportsError

# --- Open311 API keys -----------------------------------------------------------------------
OPEN311_KEY_FORMAT = re.compile(r"^o311_([a-z0-9]{8})_([A-Za-z0-9_-]{32,})$")


def _open311_key_fields(*, name: str, contact_email: str) -> tuple[str, str]:
    name = name.strip()
    if not name:
        raise ReportsError(_("Give the key the name of the integration that will use it, e.g. 'City app'."))
    if len(name) > 100:
        raise ReportsError(_("An integration name can be at most 100 characters."))
    contact_email = contact_email.strip()
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError as error:
            raise ReportsError(
                _("%(email)s is not an e-mail address; give one like api@example.org, or none.")
                % {"email": contact_email}
            ) from error
    return name, contact_email


@transaction.atomic
def open311_key_create(
    *,
    jurisdiction: Jurisdiction,
    name: str,
    contact_email: str = "",
    by: User | None = None,
    channel: Channel = Channel.WEB,
    raw: str | None = None,
    can_post_updates: bool = False,
    agency: Agency | None = None,
) -> tuple[Open311ApiKey, str]:
    """Issue an Open311 api_key for an integration. Returns the key and its secret, which is
    stored only as a digest and never shown again. `raw` is for the demo's fixed key only."""
    name, contact_email = _open311_key_fields(name=name, contact_email=contact_email)
    if agency is not None and agency.jurisdiction_id != jurisdiction.pk:
        raise ReportsError(
            _("%(agency)s is not an agency of %(jurisdiction)s.")
            % {"agency": agency.name, "jurisdiction": jurisdiction.name}
        )
    if raw is None:
        prefix = secrets.token_hex(4)
        raw = f"{OPEN311_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    else:
        match = OPEN311_KEY_FORMAT.match(raw)
        if match is None:
            raise ReportsError(_("A fixed key must look like o311_<8 letters or digits>_<32 or more characters>."))
        prefix = match.group(1)
    key = Open311ApiKey.objects.create(
        jurisdiction=jurisdiction,
        name=name,
        prefix=prefix,
        digest=token_digest(raw),
        contact_email=contact_email,
        can_post_updates=can_post_updates,
        agency=agency,
    )
    audit_log(
        action="open311_key.create",
        actor=by,
        obj=key,
        jurisdiction=jurisdiction,
        after={
            "name": name,
            "prefix": prefix,
            "contact_email": contact_email,
            "can_post_updates": can_post_updates,
            "agency": agency.pk if agency is not None else None,
        },
        channel=channel,
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, key: Open311ApiKey, by: User | None, channel: Channel = Channel.WEB) -> Open311ApiKey:
    """Stop a key working at once; revoking a revoked key changes nothing."""
    if key.revoked_at is not None:
        return key
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_log(
        action="open311_key.revoke",
        actor=by,
        obj=key,
        jurisdiction=key.jurisdiction,
        before={"revoked_at": None},
        after={"revoked_at": key.revoked_at.isoformat()},
        channel=channel,
    )
    return key
