"""Factories for categories, their questions and routing rules."""

from __future__ import annotations

import factory

from civicloop.reports.enums import AttributeDatatype
from civicloop.reports.models import Category, CategoryAttribute, RoutingRule
from tests.factories import JurisdictionFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    code = factory.Sequence(lambda n: f"{n:03d}")
    name = factory.Sequence(lambda n: f"Problem {n}")
    description = "Something is broken."
    groups = factory.LazyFunction(lambda: ["Streets"])
    keywords = factory.LazyFunction(lambda: ["broken"])


class CategoryAttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryAttribute

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"q{n}")
    datatype = AttributeDatatype.STRING
    description = "What do you see?"
    order = factory.Sequence(lambda n: n + 1)


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    area = None

    @factory.post_generation
    def agencies(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.agencies.set(extracted)
