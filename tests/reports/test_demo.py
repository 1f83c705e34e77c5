import json

import pytest
from shapely.geometry import shape

from civicloop.core.demo import DEMO_SLUG, demo_load
from civicloop.core.models import Area
from civicloop.reports.demo import CATEGORIES
from civicloop.reports.enums import AttributeDatatype, PrivacyClass
from civicloop.reports.models import Category, CategoryAttribute, RoutingRule
from civicloop.reports.selectors import routing_agencies_for

pytestmark = pytest.mark.django_db


def _inside(slug):
    point = shape(Area.objects.get(slug=slug).geometry).representative_point()
    return {"lon": point.x, "lat": point.y}


def test_demo_categories_cover_every_datatype_and_one_sensitive_category():
    demo_load()
    categories = Category.objects.filter(jurisdiction__slug=DEMO_SLUG)
    assert categories.count() == len(CATEGORIES) == 12
    assert set(CategoryAttribute.objects.values_list("datatype", flat=True)) == set(AttributeDatatype)
    sensitive = categories.get(privacy=PrivacyClass.SENSITIVE)
    assert (sensitive.code, sensitive.name, sensitive.localized("name", "en")) == (
        "012",
        "Abuso o acoso de funcionarios",
        "Abuse or harassment by officials",
    )
    assert all(c.translations["en"]["name"] and c.translations["id"]["name"] for c in categories)


def test_demo_routing_sends_reports_to_the_right_agencies():
    demo_load()
    categories = {c.code: c for c in Category.objects.filter(jurisdiction__slug=DEMO_SLUG)}

    def route(code, area):
        return [agency.slug for agency in routing_agencies_for(category=categories[code], **_inside(area))]

    assert route("001", "centro") == ["obras-publicas"]
    assert route("009", "puerto") == ["aguas-esperanza"]
    # The hills have no mains water: two agencies share it.
    assert route("009", "la-quebrada") == ["desarrollo-social", "fundacion-barrio-solidario"]
    assert route("012", "centro") == []  # abuse complaints go to the supervisor's triage
    assert RoutingRule.objects.filter(category=categories["012"]).count() == 0


def test_demo_reset_restores_categories_and_questions():
    demo_load()
    pothole = Category.objects.get(code="001", jurisdiction__slug=DEMO_SLUG)
    Category.objects.filter(pk=pothole.pk).update(name="Renamed", is_active=False)
    CategoryAttribute.objects.filter(category=pothole, code="size").update(required=False)

    assert demo_load().changes == 0  # exploring changes are kept
    result = demo_load(reset=True)

    pothole.refresh_from_db()
    assert (pothole.name, pothole.is_active) == ("Bache en la calzada", True)
    assert CategoryAttribute.objects.get(category=pothole, code="size").required is True
    assert result.changes == 2  # one category update, one question update
    assert demo_load(reset=True).changes == 0


def test_demo_services_are_served_over_open311(client):
    demo_load()
    services = client.get("/open311/v2/services.json", {"jurisdiction_id": "esperanza.example.org"}).json()
    assert [s["service_code"] for s in services] == [f"{n:03d}" for n in range(1, 13)]
    assert services[0]["service_name"] == "Bache en la calzada"
    definition = client.get("/open311/v2/services/004.json", {"locale": "id"}).json()
    assert [a["datatype"] for a in definition["attributes"]] == ["datetime", "multivaluelist"]
    assert definition["attributes"][1]["values"][0] == {"key": "household", "name": "Sampah rumah tangga"}
    assert json.dumps(services, ensure_ascii=False).count("private") == 1
