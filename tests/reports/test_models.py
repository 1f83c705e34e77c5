import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from civicloop.core.calendar import add_working_days, add_working_hours
from civicloop.reports.enums import AttributeDatatype, TargetUnit
from civicloop.reports.models import CategoryAttribute, RoutingRule
from tests.factories import AreaFactory, JurisdictionFactory
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize("code", ["001", "pothole", "A_B-9"])
def test_category_code_accepts_url_safe_codes(code):
    CategoryFactory.build(jurisdiction=JurisdictionFactory(), code=code).full_clean()


@pytest.mark.parametrize("code", ["", "a b", "a.b", "a/b", "x[1]", "x" * 65])
def test_category_code_refuses_codes_that_break_urls_or_forms(code):
    category = CategoryFactory.build(jurisdiction=JurisdictionFactory(), code=code)
    assert "code" in _errors(category)


def test_category_code_is_unique_per_jurisdiction_only():
    first = CategoryFactory(code="001")
    CategoryFactory(code="001")  # another jurisdiction: fine
    with pytest.raises(IntegrityError):
        CategoryFactory(code="001", jurisdiction=first.jurisdiction)


@pytest.mark.parametrize(
    ("groups", "field"),
    [("Streets", "groups"), (["a,b"], "groups"), (["a", "a"], "groups"), ([""], "groups"), ([1], "groups")],
)
def test_category_groups_must_be_a_list_of_distinct_texts_without_commas(groups, field):
    category = CategoryFactory.build(jurisdiction=JurisdictionFactory(), groups=groups)
    assert field in _errors(category)


@pytest.mark.parametrize(
    "translations",
    [["en"], {"xx": {"name": "?"}}, {"en": "Pothole"}, {"en": {"name": 1}}, {"en": {"groups": "Streets"}}],
)
def test_category_translations_are_checked(translations):
    category = CategoryFactory.build(jurisdiction=JurisdictionFactory(), translations=translations)
    assert "translations" in _errors(category)


def test_category_targets_and_radius_are_not_negative_or_huge():
    category = CategoryFactory.build(
        jurisdiction=JurisdictionFactory(), acknowledge_within=-1, resolve_within=-2, duplicate_radius_m=5001
    )
    assert set(_errors(category)) == {"acknowledge_within", "resolve_within", "duplicate_radius_m"}


def test_category_localized_name_groups_and_keywords_fall_back_to_the_original():
    category = CategoryFactory.build(
        name="Bache",
        groups=["Calles"],
        keywords=["hoyo"],
        translations={"en": {"name": "Pothole", "groups": ["Streets"]}},
    )
    assert (category.localized("name", "en"), category.localized("name", "id")) == ("Pothole", "Bache")
    assert category.localized_list("groups", "en-GB") == ["Streets"]
    assert category.localized_list("keywords", "en") == ["hoyo"]
    assert category.group == "Calles"


def test_category_due_times_count_working_time_on_the_jurisdiction_calendar():
    category = CategoryFactory(
        acknowledge_within=3, acknowledge_unit=TargetUnit.HOURS, resolve_within=2, resolve_unit=TargetUnit.DAYS
    )
    start = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)  # Friday 15:00 in Santiago, closing at 16:00
    assert category.acknowledge_due(start) == add_working_hours(category.jurisdiction, start, 3)
    assert category.resolve_due(start) == add_working_days(category.jurisdiction, start, 2)
    assert category.acknowledge_due(start) > start + dt.timedelta(hours=3)  # the weekend does not count


@pytest.mark.parametrize("datatype", [AttributeDatatype.SINGLEVALUELIST, AttributeDatatype.MULTIVALUELIST])
def test_attribute_list_datatypes_need_choices(datatype):
    attribute = CategoryAttributeFactory.build(category=CategoryFactory(), datatype=datatype, values=[])
    assert _errors(attribute) == {
        "values": ['A list datatype needs at least one choice: [{"key": "1", "name": "Small"}].']
    }


@pytest.mark.parametrize(
    "values",
    [
        [{"key": "1"}],
        [{"key": "1", "name": ""}],
        [{"key": 1, "name": "One"}],
        [{"key": "1", "name": "One", "extra": "x"}],
        [{"key": "1", "name": "One"}, {"key": "1", "name": "Uno"}],
        "1,2",
    ],
)
def test_attribute_choices_must_be_distinct_key_name_pairs(values):
    attribute = CategoryAttributeFactory.build(
        category=CategoryFactory(), datatype=AttributeDatatype.SINGLEVALUELIST, values=values
    )
    assert "values" in _errors(attribute)


@pytest.mark.parametrize(
    "datatype",
    [AttributeDatatype.STRING, AttributeDatatype.NUMBER, AttributeDatatype.DATETIME, AttributeDatatype.TEXT],
)
def test_attribute_other_datatypes_refuse_choices(datatype):
    attribute = CategoryAttributeFactory.build(
        category=CategoryFactory(), datatype=datatype, values=[{"key": "1", "name": "One"}]
    )
    assert _errors(attribute) == {
        "values": ["Only the list datatypes (choose one, choose several) have choices; remove them."]
    }


def test_attribute_informational_note_cannot_be_required():
    attribute = CategoryAttributeFactory.build(category=CategoryFactory(), variable=False, required=True)
    assert _errors(attribute) == {"required": ["A note that asks for nothing cannot be required."]}


def test_attribute_order_starts_at_one_and_code_and_order_are_unique_per_category():
    category = CategoryFactory()
    assert "order" in _errors(CategoryAttributeFactory.build(category=category, order=0))
    CategoryAttributeFactory(category=category, code="a", order=1)
    with pytest.raises(IntegrityError):
        CategoryAttribute.objects.create(category=category, code="a", order=2, datatype="string", description="?")


def test_attribute_order_is_unique_per_category():
    category = CategoryFactory()
    CategoryAttributeFactory(category=category, code="a", order=1)
    with pytest.raises(IntegrityError):
        CategoryAttribute.objects.create(category=category, code="b", order=1, datatype="string", description="?")


def test_attribute_localized_values_use_translated_names_per_key():
    attribute = CategoryAttributeFactory.build(
        datatype=AttributeDatatype.SINGLEVALUELIST,
        values=[{"key": "s", "name": "Pequeño"}, {"key": "l", "name": "Grande"}],
        translations={"en": {"values": {"s": "Small"}}},
    )
    assert attribute.localized_values("en") == [{"key": "s", "name": "Small"}, {"key": "l", "name": "Grande"}]


def test_routing_rule_area_must_be_in_the_category_jurisdiction():
    rule = RoutingRule(category=CategoryFactory(), area=AreaFactory())
    assert _errors(rule) == {"area": ["The area must belong to the category's jurisdiction."]}


def test_routing_rule_one_fallback_per_category():
    first = RoutingRuleFactory()
    assert _errors(RoutingRule(category=first.category)) == {
        "area": ["This category already has a rule for anywhere; edit that rule instead."]
    }
    with pytest.raises(IntegrityError):
        RoutingRule.objects.create(category=first.category)


def test_routing_rule_one_rule_per_area():
    category = CategoryFactory()
    area = AreaFactory(jurisdiction=category.jurisdiction)
    RoutingRuleFactory(category=category, area=area)
    with pytest.raises(IntegrityError):
        RoutingRule.objects.create(category=category, area=area)
