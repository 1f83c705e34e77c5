"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import RoleAssignment, User
from civicloop.core.models import Agency, Area, Jurisdiction


def square(lon: float, lat: float, size: float) -> dict:
    """A GeoJSON Polygon: the square with its south-west corner at (lon, lat)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


class JurisdictionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Town {n}")
    slug = factory.Sequence(lambda n: f"town-{n}")
    domain = factory.Sequence(lambda n: f"town{n}.example.org")
    time_zone = "America/Santiago"
    languages = factory.LazyFunction(lambda: ["en", "es", "id"])


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    level = "district"
    geometry = factory.LazyFunction(lambda: square(-70.7, -33.5, 0.1))
    min_lon = factory.LazyAttribute(lambda o: min(p[0] for p in o.geometry["coordinates"][0]))
    min_lat = factory.LazyAttribute(lambda o: min(p[1] for p in o.geometry["coordinates"][0]))
    max_lon = factory.LazyAttribute(lambda o: max(p[0] for p in o.geometry["coordinates"][0]))
    max_lat = factory.LazyAttribute(lambda o: max(p[1] for p in o.geometry["coordinates"][0]))


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    jurisdiction = factory.SubFactory(JurisdictionFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    slug = factory.Sequence(lambda n: f"department-{n}")
    contact_email = factory.Sequence(lambda n: f"department{n}@city.example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.net")
    name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


def user_with_role(role: Role | None, *, jurisdiction: Jurisdiction, agency: Agency | None = None, **kwargs) -> User:
    """A user holding role in jurisdiction (in agency for staff and managers); None = citizen."""
    user = UserFactory(**kwargs)
    if role is not None:
        if role in AGENCY_ROLES and agency is None:
            agency = AgencyFactory(jurisdiction=jurisdiction)
        RoleAssignment.objects.create(
            user=user, role=role, jurisdiction=jurisdiction, agency=agency if role in AGENCY_ROLES else None
        )
        if role == Role.ADMINISTRATOR:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user
