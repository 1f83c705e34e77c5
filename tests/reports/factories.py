"""Factories for categories, their questions, routing rules and reports."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from civicloop.reports.enums import AttributeDatatype, ReporterVisibility, ReportKind, ReportStatus
from civicloop.reports.models import Category, CategoryAttribute, Report, RoutingRule
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


class ReportFactory(factory.django.DjangoModelFactory):
    """A report written straight to the database (no routing, no audit); use report_submit to test intake."""

    class Meta:
        model = Report
        skip_postgeneration_save = True

    category = factory.SubFactory(CategoryFactory)
    jurisdiction = factory.LazyAttribute(lambda o: o.category.jurisdiction)
    reference = factory.Sequence(lambda n: f"T{n:07d}")
    kind = ReportKind.COMPLAINT
    description = "The street light is out."
    status = ReportStatus.SUBMITTED
    visibility = ReporterVisibility.PUBLIC
    submitted_at = factory.LazyFunction(timezone.now)
    acknowledge_due_at = factory.LazyAttribute(lambda o: o.submitted_at + dt.timedelta(days=1))
    resolve_due_at = factory.LazyAttribute(lambda o: o.submitted_at + dt.timedelta(days=10))
    owner = None
    in_triage = factory.LazyAttribute(lambda o: o.owner is None)
