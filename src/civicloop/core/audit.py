"""Writing the audit trail: one call per state change, inside the change's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from civicloop.core.enums import Channel
from civicloop.core.models import Agency, AuditEvent, Jurisdiction

if TYPE_CHECKING:
    from civicloop.accounts.models import User


#: Keys in an audit event's before/after that name or point at a person (a user, an e-mail
#: address, the name a reporter chose to publish with a report). Readers who may not see
#: identities (monitors) get them as None, on the web and in the API alike.
PERSONAL_KEYS = frozenset({"user", "actor", "email", "public_name"})


def personal_values_masked(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """values with every personal key's value replaced by None."""
    if not isinstance(values, dict):
        return values
    return {key: (None if key in PERSONAL_KEYS else value) for key, value in values.items()}


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of obj as JSON-safe values, for an audit event's before/after."""
    encoder = DjangoJSONEncoder()
    values: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            value: Any = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        else:
            value = getattr(obj, field.attname)
        if isinstance(value, dt.date | dt.time):
            value = value.isoformat()  # full precision; DjangoJSONEncoder would cut to ms
        elif not isinstance(value, str | int | float | bool | list | dict | type(None)):
            value = encoder.default(value)
        values[name] = value
    return values


def audit_log(
    *,
    action: str,
    actor: User | None = None,
    obj: models.Model | None = None,
    agency: Agency | None = None,
    jurisdiction: Jurisdiction | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    channel: Channel | str = Channel.SYSTEM,
) -> AuditEvent:
    """Record one state change. Call it inside the service's transaction, so the change and
    its record are saved together or not at all."""
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_agency=agency,
        jurisdiction=jurisdiction,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        channel=Channel(channel),
    )


def audited_update(
    obj: models.Model,
    *,
    changes: dict[str, Any],
    action: str,
    actor: User | None,
    jurisdiction: Jurisdiction | None,
    channel: Channel | str,
    agency: Agency | None = None,
    validate: Callable[[Any], None] | None = None,
) -> bool:
    """Apply changes to obj, validate, save only the changed fields and audit them.

    Returns False, writing nothing and no audit event, when every value is already as asked.
    Call it inside the service's transaction: a failed validation leaves the database as it was.
    """
    changed = [name for name, value in changes.items() if getattr(obj, name) != value]
    if not changed:
        return False
    before = snapshot(obj, changed)
    for name in changed:
        setattr(obj, name, changes[name])
    (validate or (lambda instance: instance.full_clean()))(obj)
    obj.save(update_fields=[*changed, "updated_at"])
    audit_log(
        action=action,
        actor=actor,
        obj=obj,
        agency=agency,
        jurisdiction=jurisdiction,
        before=before,
        after=snapshot(obj, changed),
        channel=channel,
    )
    return True
