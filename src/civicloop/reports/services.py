"""Writes for categories, their extra questions and routing rules. Each one is validated and audited."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.accounts.services import token_digest
from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.models import (
    OPEN311_KEY_PREFIX,
    Category,
    CategoryAttribute,
    Open311ApiKey,
    RoutingRule,
    agencies_error,
)

if TYPE_CHECKING:
    from civicloop.accounts.models import User


class ReportsError(Exception):
    """A request about categories or reports that cannot be carried out; the message is fit to show."""


CATEGORY_FIELDS = [
    "code",
    "name",
    "description",
    "groups",
    "keywords",
    "privacy",
    "acknowledge_within",
    "acknowledge_unit",
    "resolve_within",
    "resolve_unit",
    "duplicate_radius_m",
    "type",
    "is_active",
    "order",
    "translations",
]
ATTRIBUTE_FIELDS = [
    "code",
    "datatype",
    "required",
    "variable",
    "description",
    "datatype_description",
    "order",
    "values",
    "translations",
]


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


def _touch(category: Category) -> None:
    """A change to a category's questions is a change to its Open311 definition (discovery's changeset)."""
    category.updated_at = timezone.now()
    category.save(update_fields=["updated_at"])


@transaction.atomic
def category_create(
    *, jurisdiction: Jurisdiction, by: User | None, channel: Channel = Channel.WEB, **fields: Any
) -> Category:
    _check_fields(fields, CATEGORY_FIELDS)
    category = Category(jurisdiction=jurisdiction, **fields)
    _full_clean(category)
    category.save()
    audit_log(
        action="category.create",
        actor=by,
        obj=category,
        jurisdiction=jurisdiction,
        after=snapshot(category, CATEGORY_FIELDS),
        channel=channel,
    )
    return category


@transaction.atomic
def category_update(*, category: Category, by: User | None, channel: Channel = Channel.WEB, **changes: Any) -> Category:
    """Change a category; writes nothing (and no audit event) when nothing differs."""
    _check_fields(changes, CATEGORY_FIELDS)
    changed = [name for name, value in changes.items() if getattr(category, name) != value]
    if not changed:
        return category
    before = snapshot(category, changed)
    for name in changed:
        setattr(category, name, changes[name])
    _full_clean(category)
    category.save(update_fields=[*changed, "updated_at"])
    audit_log(
        action="category.update",
        actor=by,
        obj=category,
        jurisdiction=category.jurisdiction,
        before=before,
        after=snapshot(category, changed),
        channel=channel,
    )
    return category


@transaction.atomic
def category_attribute_create(
    *, category: Category, by: User | None, channel: Channel = Channel.WEB, **fields: Any
) -> CategoryAttribute:
    _check_fields(fields, ATTRIBUTE_FIELDS)
    attribute = CategoryAttribute(category=category, **fields)
    _full_clean(attribute)
    attribute.save()
    _touch(category)
    audit_log(
        action="categoryattribute.create",
        actor=by,
        obj=attribute,
        jurisdiction=category.jurisdiction,
        after=snapshot(attribute, ["category", *ATTRIBUTE_FIELDS]),
        channel=channel,
    )
    return attribute


@transaction.atomic
def category_attribute_update(
    *, attribute: CategoryAttribute, by: User | None, channel: Channel = Channel.WEB, **changes: Any
) -> CategoryAttribute:
    _check_fields(changes, ATTRIBUTE_FIELDS)
    changed = [name for name, value in changes.items() if getattr(attribute, name) != value]
    if not changed:
        return attribute
    before = snapshot(attribute, changed)
    for name in changed:
        setattr(attribute, name, changes[name])
    _full_clean(attribute)
    attribute.save(update_fields=[*changed, "updated_at"])
    _touch(attribute.category)
    audit_log(
        action="categoryattribute.update",
        actor=by,
        obj=attribute,
        jurisdiction=attribute.category.jurisdiction,
        before=before,
        after=snapshot(attribute, changed),
        channel=channel,
    )
    return attribute


@transaction.atomic
def routing_rule_set(
    *, category: Category, area: Area | None, agencies: list[Agency], by: User | None, channel: Channel = Channel.WEB
) -> RoutingRule:
    """Route the category's reports in area (None: anywhere) to agencies, creating or changing the rule."""
    problem = agencies_error(category=category, agencies=agencies)
    if problem:
        raise ReportsError(problem)
    rule = RoutingRule.objects.filter(category=category, area=area).first()
    wanted = sorted(agency.pk for agency in agencies)
    if rule is None:
        rule = RoutingRule(category=category, area=area)
        _full_clean(rule)
        rule.save()
        rule.agencies.set(agencies)
        audit_log(
            action="routingrule.create",
            actor=by,
            obj=rule,
            jurisdiction=category.jurisdiction,
            after=snapshot(rule, ["category", "area", "agencies"]),
            channel=channel,
        )
        return rule
    before = snapshot(rule, ["agencies"])
    if before["agencies"] != wanted:
        rule.agencies.set(agencies)
        rule.save(update_fields=["updated_at"])
        audit_log(
            action="routingrule.update",
            actor=by,
            obj=rule,
            jurisdiction=category.jurisdiction,
            before=before,
            after=snapshot(rule, ["agencies"]),
            channel=channel,
        )
    return rule


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
) -> tuple[Open311ApiKey, str]:
    """Issue an Open311 api_key for an integration. Returns the key and its secret, which is
    stored only as a digest and never shown again. `raw` is for the demo's fixed key only."""
    name, contact_email = _open311_key_fields(name=name, contact_email=contact_email)
    if raw is None:
        prefix = secrets.token_hex(4)
        raw = f"{OPEN311_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    else:
        match = OPEN311_KEY_FORMAT.match(raw)
        if match is None:
            raise ReportsError(_("A fixed key must look like o311_<8 letters or digits>_<32 or more characters>."))
        prefix = match.group(1)
    key = Open311ApiKey.objects.create(
        jurisdiction=jurisdiction, name=name, prefix=prefix, digest=token_digest(raw), contact_email=contact_email
    )
    audit_log(
        action="open311_key.create",
        actor=by,
        obj=key,
        jurisdiction=jurisdiction,
        after={"name": name, "prefix": prefix, "contact_email": contact_email},
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
