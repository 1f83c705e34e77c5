"""Writes for people, roles and API tokens. Every change is audited."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import ApiToken, RoleAssignment, User
from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Jurisdiction

TOKEN_PREFIX = "cl_"  # noqa: S105 — a public marker, not a secret


class AccountError(Exception):
    """A request about people or tokens that cannot be carried out; the message says why."""


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, channel: Channel = Channel.WEB) -> tuple[ApiToken, str]:
    """Issue a token. Returns the token and its secret, which is never shown again."""
    name = name.strip()
    if not name:
        raise AccountError("Give the token a name that says what it is for, e.g. 'Open311 bridge'.")
    if len(name) > 100:
        raise AccountError("A token name can be at most 100 characters.")
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, digest=token_digest(raw))
    audit_log(action="api_token.create", actor=user, obj=token, after={"name": name, "prefix": prefix}, channel=channel)
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, channel: Channel = Channel.WEB) -> ApiToken:
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(
        action="api_token.revoke",
        actor=by,
        obj=token,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at.isoformat()},
        channel=channel,
    )
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a bearer token, or None. Records when it was last used."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Stamp at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def role_grant(
    *,
    user: User,
    role: Role,
    jurisdiction: Jurisdiction,
    agency: Agency | None = None,
    organisation: str = "",
    by: User | None = None,
    channel: Channel = Channel.SYSTEM,
) -> RoleAssignment:
    if role in AGENCY_ROLES and agency is None:
        raise AccountError(f"The role {Role(role).label} needs an agency.")
    if role not in AGENCY_ROLES and agency is not None:
        raise AccountError(f"The role {Role(role).label} is jurisdiction-wide; do not give an agency.")
    if agency is not None and agency.jurisdiction_id != jurisdiction.pk:
        raise AccountError(f"{agency} does not belong to {jurisdiction}.")
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, jurisdiction=jurisdiction, agency=agency, defaults={"organisation": organisation}
    )
    if created:
        if role == Role.ADMINISTRATOR and not user.is_staff:
            # Administrators use Django's admin site, which requires is_staff.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        audit_log(
            action="role.grant",
            actor=by,
            obj=assignment,
            agency=agency,
            jurisdiction=jurisdiction,
            after={"user": user.pk, "role": role, "agency": agency.pk if agency else None},
            channel=channel,
        )
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, by: User | None = None, channel: Channel = Channel.SYSTEM) -> None:
    before = {"user": assignment.user_id, "role": assignment.role, "agency": assignment.agency_id}
    audit_log(
        action="role.revoke",
        actor=by,
        obj=assignment,
        agency=assignment.agency,
        jurisdiction=assignment.jurisdiction,
        before=before,
        channel=channel,
    )
    assignment.delete()
