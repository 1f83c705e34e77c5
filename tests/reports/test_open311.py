"""Open311 GeoReport v2 read endpoints: discovery, services, service definitions (both formats)."""

import datetime as dt
import json
import math
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from civicloop.reports.enums import AttributeDatatype, PrivacyClass, ServiceType
from civicloop.reports.open311 import ITEM_NAMES, XML_UNSAFE, changeset_text, render, w3, w3_seconds
from civicloop.reports.services import category_attribute_create
from tests.factories import JurisdictionFactory
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(name="Villa Clara", domain="villa.example.org", languages=["es", "en", "id"])
    pothole = CategoryFactory(
        jurisdiction=jurisdiction,
        code="001",
        name="Bache",
        description="Hoyos en la calle.",
        groups=["Calles", "Seguridad"],
        keywords=["hoyo", "calle"],
        order=1,
        translations={
            "en": {"name": "Pothole", "description": "Holes in the street.", "groups": ["Streets", "Safety"]},
        },
    )
    CategoryAttributeFactory(
        category=pothole,
        code="size",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        required=True,
        description="¿Qué tamaño?",
        order=1,
        values=[{"key": "1", "name": "Pequeño"}, {"key": "2", "name": "Grande"}],
        translations={"en": {"description": "How big?", "values": {"1": "Small"}}},
    )
    CategoryAttributeFactory(
        category=pothole,
        code="note",
        datatype=AttributeDatatype.TEXT,
        variable=False,
        description="No se acerque.",
        order=3,
    )
    CategoryAttributeFactory(
        category=pothole,
        code="depth",
        datatype=AttributeDatatype.NUMBER,
        description="Profundidad",
        datatype_description="En cm",
        order=2,
    )
    CategoryFactory(
        jurisdiction=jurisdiction,
        code="002",
        name="Luminaria apagada",
        description="",
        groups=[],
        keywords=[],
        order=2,
        type=ServiceType.BATCH,
    )
    CategoryFactory(
        jurisdiction=jurisdiction,
        code="003",
        name="Abuso de funcionarios",
        description="Malos tratos.",
        groups=["Conducta"],
        keywords=["abuso"],
        order=3,
        privacy=PrivacyClass.SENSITIVE,
    )
    CategoryFactory(jurisdiction=jurisdiction, code="099", name="Retirada", is_active=False, order=4)
    return jurisdiction


SERVICES = [
    {
        "service_code": "001",
        "service_name": "Bache",
        "description": "Hoyos en la calle.",
        "metadata": True,
        "type": "realtime",
        "keywords": "hoyo, calle",
        "group": "Calles",
        "groups": ["Calles", "Seguridad"],
    },
    {
        "service_code": "002",
        "service_name": "Luminaria apagada",
        "description": "",
        "metadata": False,
        "type": "batch",
        "keywords": "",
        "group": "",
        "groups": [],
    },
    {
        "service_code": "003",
        "service_name": "Abuso de funcionarios",
        "description": "Malos tratos.",
        "metadata": False,
        "type": "realtime",
        "keywords": "abuso, private",
        "group": "Conducta",
        "groups": ["Conducta"],
    },
]

DEFINITION = {
    "service_code": "001",
    "attributes": [
        {
            "variable": True,
            "code": "size",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": "",
            "order": 1,
            "description": "¿Qué tamaño?",
            "values": [{"key": "1", "name": "Pequeño"}, {"key": "2", "name": "Grande"}],
        },
        {
            "variable": True,
            "code": "depth",
            "datatype": "number",
            "required": False,
            "datatype_description": "En cm",
            "order": 2,
            "description": "Profundidad",
            "values": [],
        },
        {
            "variable": False,
            "code": "note",
            "datatype": "text",
            "required": False,
            "datatype_description": "",
            "order": 3,
            "description": "No se acerque.",
            "values": [],
        },
    ],
}


def tree(element):
    """An XML element as (tag, text) for a leaf, (tag, [children]) otherwise: compared element by element."""
    children = list(element)
    if children:
        return (element.tag, [tree(child) for child in children])
    return (element.tag, element.text or "")


def parse_xml(response):
    assert response["Content-Type"] == XML_TYPE
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 — our own server's output


def services_xml(services):
    fields = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    return (
        "services",
        [
            (
                "service",
                [
                    (name, "true" if service[name] is True else "false" if service[name] is False else service[name])
                    for name in fields
                ]
                + [
                    ("groups", [("group", group) for group in service["groups"]])
                    if service["groups"]
                    else ("groups", "")
                ],
            )
            for service in services
        ],
    )


# --- services -----------------------------------------------------------------------------


def test_services_json_lists_active_categories_with_string_codes(client, city):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    assert json.loads(response.content) == SERVICES
    assert b'"service_code":"001"' in response.content  # a string, never the number 1


def test_services_xml_has_the_same_content_element_by_element(client, city):
    response = client.get(f"{BASE}/services.xml")
    assert response.status_code == 200
    assert tree(parse_xml(response)) == services_xml(SERVICES)


def test_services_single_category_is_still_a_list(client):
    CategoryFactory(code="7", name="Solo", groups=["Calles"], keywords=[])
    data = client.get(f"{BASE}/services.json").json()
    assert isinstance(data, list)
    assert [service["service_code"] for service in data] == ["7"]
    assert tree(parse_xml(client.get(f"{BASE}/services.xml")))[1][0][0] == "service"


def test_services_no_categories_is_an_empty_list(client):
    JurisdictionFactory()
    assert client.get(f"{BASE}/services.json").json() == []
    assert tree(parse_xml(client.get(f"{BASE}/services.xml"))) == ("services", "")


def test_services_locale_gives_translations_falling_back_to_the_original(client, city):
    data = client.get(f"{BASE}/services.json", {"locale": "en-GB"}).json()
    assert [(s["service_name"], s["description"], s["group"]) for s in data] == [
        ("Pothole", "Holes in the street.", "Streets"),
        ("Luminaria apagada", "", ""),
        ("Abuso de funcionarios", "Malos tratos.", "Conducta"),
    ]
    assert data[0]["groups"] == ["Streets", "Safety"]


def test_services_ignore_accept_language_for_names(client, city):
    response = client.get(f"{BASE}/services.json", headers={"accept-language": "en"})
    assert response.json() == SERVICES


def test_services_unknown_locale_is_400_listing_the_offered_ones(client, city):
    response = client.get(f"{BASE}/services.json", {"locale": "fr"})
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "locale fr is not offered by Villa Clara; use one of: es, en, id."}
    ]


@pytest.mark.parametrize("params", [{"jurisdiction_id": ""}, {"locale": ""}, {"jurisdiction_id": " ", "locale": ""}])
def test_services_empty_parameters_behave_as_missing(client, city, params):
    for fmt in ("json", "xml"):
        assert client.get(f"{BASE}/services.{fmt}", params).content == client.get(f"{BASE}/services.{fmt}").content


def test_services_query_count_does_not_grow_with_categories(client, django_assert_num_queries):
    jurisdiction = JurisdictionFactory()
    CategoryAttributeFactory(category=CategoryFactory(jurisdiction=jurisdiction))
    with django_assert_num_queries(3) as one:  # host → jurisdiction (2), the categories
        assert len(client.get(f"{BASE}/services.json").json()) == 1
    for _ in range(2):
        CategoryAttributeFactory(category=CategoryFactory(jurisdiction=jurisdiction))
    with django_assert_num_queries(len(one.captured_queries)):
        assert client.get(f"{BASE}/services.xml").status_code == 200
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{BASE}/services.json").json()) == 3


# --- jurisdiction_id -----------------------------------------------------------------------


def test_jurisdiction_id_chooses_among_several(client, city):
    other = JurisdictionFactory(domain="otra.example.org")
    CategoryFactory(jurisdiction=other, code="X1", name="Otra cosa")
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "villa.example.org"}).json() == SERVICES
    assert [
        s["service_code"] for s in client.get(f"{BASE}/services.json", {"jurisdiction_id": "OTRA.example.org"}).json()
    ] == ["X1"]


def test_jurisdiction_id_missing_with_several_and_no_host_match_is_400(client, city):
    JurisdictionFactory(domain="otra.example.org")
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 400
    assert response.json() == [
        {
            "code": 400,
            "description": "jurisdiction_id was not provided; this endpoint serves several jurisdictions: "
            "otra.example.org, villa.example.org.",
        }
    ]


def test_jurisdiction_chosen_by_host_when_no_parameter(client, city, settings):
    settings.ALLOWED_HOSTS = ["*"]
    other = JurisdictionFactory(domain="otra.example.org")
    CategoryFactory(jurisdiction=other, code="X1")
    response = client.get(f"{BASE}/services.json", headers={"host": "villa.example.org"})
    assert response.json() == SERVICES


@pytest.mark.parametrize("path", ["services.{fmt}", "services/001.{fmt}", "discovery.{fmt}"])
def test_jurisdiction_id_unknown_is_404_in_the_asked_format(client, city, path):
    response = client.get(f"{BASE}/{path.format(fmt='json')}", {"jurisdiction_id": "nowhere.example.org"})
    assert response.status_code == 404
    assert response["Content-Type"] == JSON_TYPE
    description = (
        "jurisdiction_id nowhere.example.org was not found: give the web domain of a jurisdiction served here."
    )
    assert response.json() == [{"code": 404, "description": description}]
    response = client.get(f"{BASE}/{path.format(fmt='xml')}", {"jurisdiction_id": "nowhere.example.org"})
    assert response.status_code == 404
    assert tree(parse_xml(response)) == ("errors", [("error", [("code", "404"), ("description", description)])])


# --- service definition ------------------------------------------------------------------


def test_service_definition_json(client, city):
    response = client.get(f"{BASE}/services/001.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    assert response.json() == DEFINITION


def test_service_definition_xml_element_by_element(client, city):
    response = client.get(f"{BASE}/services/001.xml")
    assert response.status_code == 200
    expected_attributes = []
    for attribute in DEFINITION["attributes"]:
        fields = []
        for name, value in attribute.items():
            if name == "values":
                items = [("value", [("key", v["key"]), ("name", v["name"])]) for v in value]
                fields.append(("values", items or ""))
            elif isinstance(value, bool):
                fields.append((name, "true" if value else "false"))
            else:
                fields.append((name, str(value)))
        expected_attributes.append(("attribute", fields))
    assert tree(parse_xml(response)) == (
        "service_definition",
        [("service_code", "001"), ("attributes", expected_attributes)],
    )


def test_service_definition_without_attributes_has_an_empty_list(client, city):
    assert client.get(f"{BASE}/services/002.json").json() == {"service_code": "002", "attributes": []}
    assert tree(parse_xml(client.get(f"{BASE}/services/002.xml"))) == (
        "service_definition",
        [("service_code", "002"), ("attributes", "")],
    )


def test_service_definition_singular_alias_is_identical(client, city):
    for fmt in ("json", "xml"):
        plural, singular = client.get(f"{BASE}/services/001.{fmt}"), client.get(f"{BASE}/service/001.{fmt}")
        assert (singular.status_code, singular["Content-Type"], singular.content) == (
            200,
            plural["Content-Type"],
            plural.content,
        )


def test_service_definition_locale_translates_questions_and_choices(client, city):
    attribute = client.get(f"{BASE}/services/001.json", {"locale": "en"}).json()["attributes"][0]
    assert (attribute["description"], attribute["values"]) == (
        "How big?",
        [{"key": "1", "name": "Small"}, {"key": "2", "name": "Grande"}],
    )


@pytest.mark.parametrize("code", ["1", "999", "099"])  # "1" is not "001"; 099 is inactive
def test_service_definition_unknown_or_inactive_code_is_404(client, city, code):
    response = client.get(f"{BASE}/services/{code}.json")
    assert response.status_code == 404
    assert response.json() == [
        {
            "code": 404,
            "description": f"service_code {code} was not found in Villa Clara; GET services lists the valid codes.",
        }
    ]


def test_service_definition_query_count_does_not_grow_with_attributes(client, django_assert_num_queries):
    category = CategoryFactory(code="A")
    CategoryAttributeFactory(category=category)
    with django_assert_num_queries(4) as one:  # host → jurisdiction (2), the category, its attributes
        assert len(client.get(f"{BASE}/services/A.json").json()["attributes"]) == 1
    for _ in range(2):
        CategoryAttributeFactory(category=category)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(f"{BASE}/services/A.json").json()["attributes"]) == 3


# --- discovery -----------------------------------------------------------------------------


def test_discovery_json_lists_this_endpoint_in_both_formats(client, city):
    changeset = changeset_text(city.categories.order_by("-updated_at").first().updated_at)
    response = client.get(f"{BASE}/discovery.json")
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_TYPE
    assert response.json() == {
        "changeset": changeset,
        "contact": "Questions about this API: contact the administrators of Villa Clara through http://testserver/.",
        "key_service": "Reading needs no key. To post requests, ask the administrators of Villa Clara for an API key "
        "through http://testserver/.",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": "http://testserver/open311/v2",
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def test_discovery_xml_matches_the_json(client, city):
    data = client.get(f"{BASE}/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert tree(parse_xml(client.get(f"{BASE}/discovery.xml"))) == (
        "discovery",
        [
            ("changeset", data["changeset"]),
            ("contact", data["contact"]),
            ("key_service", data["key_service"]),
            (
                "endpoints",
                [
                    (
                        "endpoint",
                        [
                            ("specification", endpoint["specification"]),
                            ("url", endpoint["url"]),
                            ("changeset", endpoint["changeset"]),
                            ("type", "production"),
                            ("formats", [("format", "text/xml"), ("format", "application/json")]),
                        ],
                    )
                ],
            ),
        ],
    )


def test_discovery_changeset_moves_when_a_definition_changes(client, city):
    before = client.get(f"{BASE}/discovery.json").json()["changeset"]
    category_attribute_create(
        category=city.categories.get(code="002"), by=None, code="pole", datatype="string", description="?", order=1
    )
    after = client.get(f"{BASE}/discovery.json").json()["changeset"]
    assert after > before
    assert after.endswith("Z")
    assert timezone.datetime.fromisoformat(after).tzinfo is not None


# --- everything else -------------------------------------------------------------------------


def test_open311_post_is_refused_with_an_error_list(client, city):
    response = client.post(f"{BASE}/services.json", {"x": "1"})
    assert response.status_code == 400
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == [{"code": 400, "description": "Method POST is not allowed here; use GET."}]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("services.csv", XML_TYPE), ("nothing.json", JSON_TYPE), ("", XML_TYPE), ("services/a.b.json", JSON_TYPE)],
)
def test_open311_unknown_resource_is_404_error_list(client, city, path, content_type):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert response["Content-Type"] == content_type
    description = f"There is no Open311 resource at {BASE}/{path}; see discovery.xml for what this endpoint offers."
    if content_type == JSON_TYPE:
        assert response.json() == [{"code": 404, "description": description}]
    else:
        assert tree(parse_xml(response)) == ("errors", [("error", [("code", "404"), ("description", description)])])


def test_open311_errors_follow_the_request_language(client, city, compiled):
    response = client.get(f"{BASE}/services/999.json", headers={"accept-language": "es"})
    assert response.status_code == 404
    assert response.json() == [
        {
            "code": 404,
            "description": "No se encontró service_code 999 en Villa Clara; GET services entrega los códigos válidos.",
        }
    ]


# --- rendering ------------------------------------------------------------------------------------


def elementtree_xml(data, root):
    """What render() wrote when it built an ElementTree (its output must not change)."""

    def fill(element, name, value):
        if isinstance(value, list):
            for item in value:
                fill(ET.SubElement(element, ITEM_NAMES[name]), ITEM_NAMES[name], item)
        elif isinstance(value, dict):
            for key, item in value.items():
                fill(ET.SubElement(element, key), key, item)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        elif value is not None:
            element.text = XML_UNSAFE.sub("", str(value))

    element = ET.Element(root)
    fill(element, root, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


@pytest.mark.parametrize(
    ("data", "root"),
    [
        ([], "service_requests"),
        ({}, "discovery"),
        (
            [
                {
                    "service_request_id": "K7M3QX9P",
                    "status_notes": "",
                    "description": "Hoyo <grande> & \"hondo\" \x0b\x1f 'ya' ✓\r\n>",
                    "lat": None,
                    "long": -70.65,
                    "metadata": True,
                    "private": False,
                    "order": 0,
                    "only_unsafe": "\x00\x01",
                    "groups": [],
                    "extended_attributes": {"channel": "api", "photos": [{"media_url": "", "width": 4}]},
                    "notes": [{"datetime": "2026-03-01T14:30:00Z", "description": "a&b", "type": "comment"}],
                }
            ],
            "service_requests",
        ),
        ([{"code": 404, "description": "No <b>"}], "errors"),
        ({"endpoints": [{"formats": ["text/xml", "application/json"]}], "empty": {}}, "discovery"),
    ],
)
def test_render_xml_is_what_elementtree_writes(data, root):
    response = render(data, root=root, fmt="xml")
    assert response.content == elementtree_xml(data, root)
    assert response["Content-Type"] == XML_TYPE


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 3, 1, 14, 30, 59, 999_999, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
        dt.datetime(2024, 2, 29, 0, 0, 0, 1, tzinfo=dt.UTC),
        dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3))),
    ],
)
def test_w3_seconds_is_w3_of_the_same_second(moment):
    assert w3_seconds(math.floor(moment.timestamp())) == w3(moment)


def test_w3_seconds_none_is_empty():
    assert w3_seconds(None) == ""
