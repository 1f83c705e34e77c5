import re

import pytest

from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import AttributeDatatype, PrivacyClass
from civicloop.reports.models import Category, CategoryAttribute, RoutingRule
from civicloop.reports.services import (
    ReportsError,
    category_attribute_create,
    category_attribute_update,
    category_create,
    category_update,
    routing_rule_set,
)
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory

pytestmark = pytest.mark.django_db


def test_category_create_saves_and_audits_who_and_what():
    jurisdiction = JurisdictionFactory()
    admin = UserFactory()
    category = category_create(
        jurisdiction=jurisdiction,
        by=admin,
        channel=Channel.WEB,
        code="001",
        name="Bache",
        groups=["Calles"],
        privacy=PrivacyClass.SENSITIVE,
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.jurisdiction, event.object_id, event.channel) == (
        "category.create",
        admin,
        jurisdiction,
        str(category.pk),
        Channel.WEB,
    )
    assert event.after["code"] == "001"
    assert event.after["groups"] == ["Calles"]
    assert event.after["privacy"] == "sensitive"


def test_category_create_invalid_saves_nothing_and_names_each_problem():
    with pytest.raises(ReportsError) as caught:
        category_create(jurisdiction=JurisdictionFactory(), by=None, code="a b", name="", groups="Calles")
    message = str(caught.value)
    assert "code: Use 1 to 64 letters" in message
    assert "name: This field cannot be blank." in message
    assert 'groups: Enter a list of non-empty texts, such as ["roads", "lighting"].' in message
    assert (Category.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_category_create_refuses_unknown_fields():
    with pytest.raises(ReportsError, match="These fields cannot be set here: colour"):
        category_create(jurisdiction=JurisdictionFactory(), by=None, code="1", name="x", colour="red")


def test_category_create_duplicate_code_is_a_clear_error():
    existing = CategoryFactory(code="001")
    with pytest.raises(ReportsError, match="Category with this Jurisdiction and Code already exists"):
        category_create(jurisdiction=existing.jurisdiction, by=None, code="001", name="Again")


def test_category_update_audits_only_the_changed_fields():
    category = CategoryFactory(name="Bache", resolve_within=10)
    category_update(category=category, by=None, name="Bache grande", resolve_within=10)
    event = AuditEvent.objects.get()
    assert (event.action, event.before, event.after) == (
        "category.update",
        {"name": "Bache"},
        {"name": "Bache grande"},
    )
    category.refresh_from_db()
    assert category.name == "Bache grande"


def test_category_update_without_change_writes_nothing():
    category = CategoryFactory(name="Bache")
    stamp = category.updated_at
    category_update(category=category, by=None, name="Bache")
    category.refresh_from_db()
    assert (AuditEvent.objects.count(), category.updated_at) == (0, stamp)


def test_category_update_invalid_keeps_the_stored_values():
    category = CategoryFactory(resolve_within=10)
    with pytest.raises(ReportsError, match="resolve_within"):
        category_update(category=category, by=None, resolve_within=-1)
    category.refresh_from_db()
    assert (category.resolve_within, AuditEvent.objects.count()) == (10, 0)


def test_attribute_create_audits_and_moves_the_category_changeset():
    category = CategoryFactory()
    stamp = category.updated_at
    attribute = category_attribute_create(
        category=category,
        by=None,
        code="size",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        description="How big?",
        order=1,
        values=[{"key": "s", "name": "Small"}],
    )
    category.refresh_from_db()
    assert category.updated_at > stamp
    event = AuditEvent.objects.get()
    assert (event.action, event.jurisdiction, event.object_id) == (
        "categoryattribute.create",
        category.jurisdiction,
        str(attribute.pk),
    )
    assert event.after["values"] == [{"key": "s", "name": "Small"}]
    assert event.after["category"] == category.pk


def test_attribute_create_list_without_choices_is_refused():
    with pytest.raises(ReportsError, match="A list datatype needs at least one choice"):
        category_attribute_create(
            category=CategoryFactory(), by=None, code="size", datatype="multivaluelist", description="?", order=1
        )
    assert (CategoryAttribute.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_attribute_update_audits_changes_and_refuses_bad_ones():
    attribute = CategoryAttributeFactory(required=False)
    category_attribute_update(attribute=attribute, by=None, required=True, description=attribute.description)
    event = AuditEvent.objects.get()
    assert (event.action, event.before, event.after) == (
        "categoryattribute.update",
        {"required": False},
        {"required": True},
    )
    with pytest.raises(ReportsError, match="Only the list datatypes"):
        category_attribute_update(attribute=attribute, by=None, values=[{"key": "1", "name": "One"}])
    attribute.refresh_from_db()
    assert (attribute.values, AuditEvent.objects.count()) == ([], 1)


def test_routing_rule_set_creates_changes_and_leaves_alone():
    category = CategoryFactory()
    roads, parks = AgencyFactory(jurisdiction=category.jurisdiction), AgencyFactory(jurisdiction=category.jurisdiction)
    area = AreaFactory(jurisdiction=category.jurisdiction)
    rule = routing_rule_set(category=category, area=area, agencies=[roads], by=None)
    assert AuditEvent.objects.get().after == {"category": category.pk, "area": area.pk, "agencies": [roads.pk]}
    assert routing_rule_set(category=category, area=area, agencies=[parks, roads], by=None) == rule
    assert sorted(rule.agencies.values_list("pk", flat=True)) == sorted([roads.pk, parks.pk])
    routing_rule_set(category=category, area=area, agencies=[roads, parks], by=None)  # same set: nothing
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "routingrule.create",
        "routingrule.update",
    ]
    assert RoutingRule.objects.count() == 1


def test_routing_rule_set_refuses_foreign_or_no_agencies():
    category = CategoryFactory()
    stranger = AgencyFactory(name="Elsewhere Roads")
    with pytest.raises(
        ReportsError, match=re.escape("These agencies belong to another jurisdiction: Elsewhere Roads.")
    ):
        routing_rule_set(category=category, area=None, agencies=[stranger], by=None)
    with pytest.raises(ReportsError, match=re.escape("Choose at least one agency.")):
        routing_rule_set(category=category, area=None, agencies=[], by=None)
    with pytest.raises(ReportsError, match=re.escape("The area must belong to the category's jurisdiction.")):
        routing_rule_set(
            category=category, area=AreaFactory(), agencies=[AgencyFactory(jurisdiction=category.jurisdiction)], by=None
        )
    assert (RoutingRule.objects.count(), AuditEvent.objects.count()) == (0, 0)
