"""Writes for categories, their extra questions and routing rules. Each one is validated and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from civicloop.core.audit import audit_log, audited_update, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.models import (
    Category,
    CategoryAttribute,
    RoutingRule,
    agencies_error,
)

if TYPE_CHECKING:
    from civicloop.accounts.models import User

from civicloop.reports.services._common import ReportsError, _check_fields, _full_clean

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
    audited_update(
        category,
        changes=changes,
        action="category.update",
        actor=by,
        jurisdiction=category.jurisdiction,
        channel=channel,
        validate=_full_clean,
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
    if audited_update(
        attribute,
        changes=changes,
        action="categoryattribute.update",
        actor=by,
        jurisdiction=attribute.category.jurisdiction,
        channel=channel,
        validate=_full_clean,
    ):
        _touch(attribute.category)
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
