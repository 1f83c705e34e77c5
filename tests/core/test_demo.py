import datetime as dt
import itertools
import json
from io import StringIO

import pytest
import shapely
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from shapely.geometry import shape

from civicloop.accounts.enums import Role
from civicloop.accounts.models import RoleAssignment, User
from civicloop.accounts.services import role_grant
from civicloop.core.demo import (
    ACCOUNTS,
    AREAS_FILE,
    DEFAULT_SEED,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_SLUG,
    demo_areas_geojson,
    demo_areas_text,
    demo_holidays,
    demo_load,
)
from civicloop.core.enums import AgencyKind
from civicloop.core.geo import areas_containing
from civicloop.core.models import Agency, Area, AuditEvent, Holiday, Jurisdiction
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _state() -> dict:
    """Everything the demo writes, as plain values, to compare two runs."""
    return {
        "jurisdictions": list(Jurisdiction.objects.values().order_by("pk")),
        "holidays": list(Holiday.objects.values().order_by("pk")),
        "areas": list(Area.objects.values().order_by("pk")),
        "agencies": list(Agency.objects.values().order_by("pk")),
        "agency_areas": list(Agency.areas.through.objects.values_list("agency_id", "area_id").order_by("pk")),
        "users": list(User.objects.values().order_by("pk")),
        "emails": list(EmailAddress.objects.values().order_by("pk")),
        "roles": list(RoleAssignment.objects.values().order_by("pk")),
        "audit": AuditEvent.objects.count(),
    }


def test_demo_load_creates_city_districts_wards_agencies_and_accounts():
    result = demo_load()

    jurisdiction = Jurisdiction.objects.get(slug=DEMO_SLUG)
    assert (jurisdiction.name, jurisdiction.domain, jurisdiction.time_zone, jurisdiction.languages) == (
        "Ciudad Esperanza",
        DEMO_DOMAIN,
        "America/Santiago",
        ["es", "en", "id"],
    )
    assert jurisdiction.working_hours == {
        "0": [["08:30", "13:00"], ["14:00", "17:30"]],
        "1": [["08:30", "13:00"], ["14:00", "17:30"]],
        "2": [["08:30", "13:00"], ["14:00", "17:30"]],
        "3": [["08:30", "13:00"], ["14:00", "17:30"]],
        "4": [["08:30", "16:30"]],
    }
    assert result.areas_per_level == {"city": 1, "district": 6, "ward": 18}
    assert sorted(Agency.objects.filter(jurisdiction=jurisdiction).values_list("kind", flat=True)) == sorted(
        [AgencyKind.GOVERNMENT] * 5 + [AgencyKind.CONTRACTOR, AgencyKind.NONPROFIT]
    )
    roles = sorted(RoleAssignment.objects.filter(jurisdiction=jurisdiction).values_list("role", flat=True))
    assert roles == sorted(
        [Role.ADMINISTRATOR, Role.SUPERVISOR, Role.MONITOR] + [Role.AGENCY_MANAGER, Role.AGENCY_STAFF] * 2
    )
    assert User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").count() == len(ACCOUNTS) == 8
    assert result.changes == AuditEvent.objects.count() > 0


def test_demo_agencies_have_spanish_names_and_translations():
    demo_load()

    water = Agency.objects.get(slug="aguas-esperanza")
    assert (water.name, water.localized("name", "en"), water.localized("name", "id")) == (
        "Aguas Esperanza S.A.",
        "Esperanza Water Company",
        "Perusahaan Air Esperanza",
    )
    for agency in Agency.objects.all():
        assert set(agency.translations) == {"en", "id"}
        assert agency.contact_email.endswith(f"@{DEMO_DOMAIN}")
        assert agency.areas.exists()
    assert sorted(water.areas.values_list("slug", flat=True)) == [
        "centro",
        "cerro-azul",
        "los-aromos",
        "puerto",
        "san-isidro",
    ]


def test_demo_load_twice_changes_nothing_and_writes_no_audit_event():
    demo_load()
    before = _state()

    again = demo_load()
    reset = demo_load(reset=True)

    assert (again.changes, reset.changes) == (0, 0)
    assert _state() == before


def test_demo_load_keeps_changes_made_while_exploring_unless_reset():
    demo_load()
    admin = User.objects.get(email=f"admin@{DEMO_DOMAIN}")
    admin.set_password("changed while exploring")
    admin.save()
    Agency.objects.filter(slug="parques").update(name="Parques renamed", is_active=False)
    citizen = User.objects.get(email=f"citizen@{DEMO_DOMAIN}")
    role_grant(user=citizen, role=Role.MONITOR, jurisdiction=Jurisdiction.objects.get(slug=DEMO_SLUG))
    Holiday.objects.filter(name="Navidad").delete()

    assert demo_load().changes == 2  # only the missing Christmas holidays come back
    assert Agency.objects.get(slug="parques").name == "Parques renamed"

    result = demo_load(reset=True)

    admin.refresh_from_db()
    parks = Agency.objects.get(slug="parques")
    assert admin.check_password(DEMO_PASSWORD)
    assert (parks.name, parks.is_active) == ("Departamento de Parques y Áreas Verdes", True)
    assert not RoleAssignment.objects.filter(user=citizen).exists()
    assert result.changes == 4  # password, agency name, agency active, extra role
    assert demo_load(reset=True).changes == 0


def test_demo_load_is_all_or_nothing():
    # A verified address taken by someone else makes the very last account fail.
    EmailAddress.objects.create(user=UserFactory(), email=f"citizen@{DEMO_DOMAIN}", verified=True, primary=False)
    events = AuditEvent.objects.count()

    with pytest.raises(IntegrityError):
        demo_load()

    assert not Jurisdiction.objects.exists()
    assert not Area.objects.exists()
    assert not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()
    assert AuditEvent.objects.count() == events


def test_demo_accounts_sign_in_with_the_demo_password(client):
    demo_load()

    for account in ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.filter(user=user, email=account.email, verified=True, primary=True).exists()
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [f"admin@{DEMO_DOMAIN}"]

    response = client.post(reverse("account_login"), {"login": f"supervisor@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
    assert (response.status_code, response.url) == (302, reverse("accounts:home"))


def test_demo_wards_lie_in_exactly_one_ward_and_in_their_district():
    demo_load()
    areas = {area.slug: area for area in Area.objects.select_related("parent")}
    wards = [area for area in areas.values() if area.level == "ward"]
    districts = [area for area in areas.values() if area.level == "district"]

    jurisdiction = Jurisdiction.objects.get(slug=DEMO_SLUG)
    for ward in wards:
        point = shape(ward.geometry).representative_point()
        assert [other.slug for other in wards if shape(other.geometry).contains(point)] == [ward.slug]
        assert [d.slug for d in districts if shape(d.geometry).contains(point)] == [ward.parent.slug]
        found = areas_containing(jurisdiction=jurisdiction, lon=point.x, lat=point.y)
        assert [area.slug for area in found] == [ward.slug, ward.parent.slug, "ciudad-esperanza"]
        assert ward.parent.level == "district"
        assert ward.parent.parent.slug == "ciudad-esperanza"
        assert 2 <= ward.parent.children.count() <= 4


def test_demo_areas_are_valid_and_tile_their_parent_exactly():
    data = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    polygons = {f["properties"]["slug"]: shape(f["geometry"]) for f in data["features"]}
    parents = {f["properties"]["slug"]: f["properties"]["parent"] for f in data["features"]}

    assert all(polygon.is_valid and polygon.geom_type == "Polygon" for polygon in polygons.values())
    for parent in {p for p in parents.values() if p}:
        children = [polygons[slug] for slug, p in parents.items() if p == parent]
        assert shapely.union_all(children).symmetric_difference(polygons[parent]).area == 0
        assert sum(child.area for child in children) == pytest.approx(polygons[parent].area, rel=1e-12)
        assert all(a.intersection(b).area == 0 for a, b in itertools.combinations(children, 2))
    # Fictional on purpose: open ocean, about 1,000 km off the Chilean coast.
    min_lon, min_lat, max_lon, max_lat = polygons["ciudad-esperanza"].bounds
    assert -85 < min_lon < max_lon < -84
    assert -31 < min_lat < max_lat < -30


def test_demo_areas_file_equals_the_generator_output():
    assert AREAS_FILE.read_text(encoding="utf-8") == demo_areas_text(DEFAULT_SEED)


def test_demo_areas_geojson_is_deterministic_for_a_seed():
    first, again, other = demo_areas_geojson(7), demo_areas_geojson(7), demo_areas_geojson(8)

    assert first == again
    assert first != other
    # The seed moves the lines, never the names: re-seeding updates areas in place.
    assert [f["properties"] for f in first["features"]] == [f["properties"] for f in other["features"]]


def test_demo_load_with_a_seed_imports_that_seeds_geometry():
    demo_load(seed=7)

    expected = {f["properties"]["slug"]: shape(f["geometry"]) for f in demo_areas_geojson(7)["features"]}
    stored = {area.slug: shape(area.geometry) for area in Area.objects.all()}
    assert stored.keys() == expected.keys()
    assert all(stored[slug].equals(expected[slug]) for slug in expected)


def test_demo_holidays_include_good_friday_computed_from_easter():
    holidays = demo_holidays([2025, 2026, 2027])

    assert [date for date, name in holidays.items() if name == "Viernes Santo"] == [
        dt.date(2025, 4, 18),
        dt.date(2026, 4, 3),
        dt.date(2027, 3, 26),
    ]
    assert len(holidays) == 33


def test_demo_command_prints_accounts_password_url_and_warning():
    out = StringIO()
    call_command("demo", stdout=out)
    first = out.getvalue()

    for account in ACCOUNTS:
        assert account.email in first
    assert DEMO_PASSWORD in first
    assert "http://127.0.0.1:8000/" in first
    assert "demo only" in first
    assert "must never exist in production" in first

    out = StringIO()
    call_command("demo", stdout=out)
    assert "Nothing changed" in out.getvalue()
