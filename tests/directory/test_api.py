import datetime as dt
import json
import uuid
from functools import cache

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from civicloop.directory.models import (
    Address,
    Attribute,
    Location,
    Metadata,
    Organization,
    Program,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from civicloop.directory.services import directory_import_hsds, directory_object_update
from tests.directory.conftest import JSON_EXAMPLES, SPEC
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory

SERVICE_ID = "ac148810-d857-441c-9679-408f346de14b"  # the standard's example service
ORGANIZATION_ID = "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610"
SAL_ID = "e94c9f38-1e8f-4564-91d4-d53501ab1765"

# --- Schemas: the standard's object schemas ($refs resolved) and compiled list schemas ------------


def _schema_file(name: str) -> dict:
    return json.loads((SPEC / "schema" / name).read_text())


@cache
def _registry() -> Registry:
    return Registry().with_resources(
        (path.name, Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT202012))
        for path in (SPEC / "schema").glob("*.json")
    )


#: The API's list items: the standard's compiled `_list` schemas (one-to-one fields only).
LIST_SCHEMAS = {"service_list", "organization_list", "service_at_location_list"}


def validator(name: str) -> Draft202012Validator:
    """A validator for an HSDS object (`service`) or list item (`service_list`)."""
    schema = _schema_file(f"compiled/{name}.json" if name in LIST_SCHEMAS else f"{name}.json")
    return Draft202012Validator(schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(name: str, instance: dict) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(name).iter_errors(instance)]
    assert errors == []


PAGE_KEYS = ["total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"]
PRIVATE_KEYS = {"jurisdiction", "jurisdiction_id", "agency", "agency_id", "recorded_by", "recorded_by_id"}


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in _keys(item)}
    if isinstance(value, list):
        return {key for item in value for key in _keys(item)}
    return set()


# --- Fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture
def host(settings, jurisdiction):
    settings.ALLOWED_HOSTS = [jurisdiction.domain, "elsewhere.example.org"]
    return jurisdiction.domain


@pytest.fixture
def example(jurisdiction):
    """The standard's fully nested example service (with its organization, location, terms…)."""
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_full.json")
    return Service.objects.get(pk=SERVICE_ID)


def get(client, host, name, *args, **params):
    return client.get(reverse(f"hsds:{name}", args=args), params, HTTP_HOST=host)


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def page(client, host, name, **params) -> dict:
    body = ok(get(client, host, name, **params))
    assert list(body) == PAGE_KEYS
    return body


def make_service(jurisdiction, name, *, organization=None, description="", **fields) -> Service:
    if organization is None:
        organization = Organization.objects.create(jurisdiction=jurisdiction, name=f"{name} org", description="An org")
    return Service.objects.create(
        jurisdiction=jurisdiction,
        organization=organization,
        name=name,
        status="active",
        description=description,
        **fields,
    )


def tag(service, term) -> Attribute:
    return Attribute.objects.create(
        jurisdiction=service.jurisdiction, link_id=service.pk, taxonomy_term=term, link_entity="service"
    )


def names(body) -> list[str]:
    return [item["name"] for item in body["contents"]]


# --- Root ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_root_gives_version_and_profile(client, host):
    body = ok(get(client, host, "root"))

    assert body["version"] == "3.0"
    assert body["profile"].startswith("https://")
    assert body["openapi_url"].endswith("/openapi.json")


@pytest.mark.django_db
def test_api_without_jurisdiction_for_host_is_404_problem(client, settings):
    JurisdictionFactory()
    JurisdictionFactory()  # two, and the host names neither
    settings.ALLOWED_HOSTS = ["nowhere.example.org"]

    response = client.get("/hsds/services", HTTP_HOST="nowhere.example.org")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
def test_api_refuses_post_with_405_problem(client, host):
    response = client.post(reverse("hsds:services"), HTTP_HOST=host)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/problem+json"


# --- Services ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_service_detail_is_the_fully_nested_service(client, host, example):
    body = ok(get(client, host, "service", SERVICE_ID))

    assert body == json.loads((JSON_EXAMPLES / "service_full.json").read_text())
    assert_valid("service", body)


@pytest.mark.django_db
def test_service_list_items_have_one_to_one_fields_organization_and_program(client, host, example):
    body = page(client, host, "services")

    item = body["contents"][0]
    assert item == json.loads((JSON_EXAMPLES / "service_list.json").read_text())["contents"][0]
    assert_valid("service_list", item)
    assert body | {"contents": []} == {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
        "first_page": True,
        "last_page": True,
        "empty": False,
        "contents": [],
    }


@pytest.mark.django_db
def test_service_list_full_nests_each_service(client, host, example):
    body = page(client, host, "services", full="true")

    assert body["contents"] == [ok(get(client, host, "service", SERVICE_ID))]
    assert_valid("service", body["contents"][0])


@pytest.mark.django_db
def test_service_list_minimal_gives_id_and_last_modified(client, host, example, jurisdiction):
    make_service(jurisdiction, "Unstamped")

    body = page(client, host, "services", minimal="true")

    assert body["contents"] == [
        {"id": SERVICE_ID, "last_modified": "2023-03-15T10:30:45.123Z"},
        {"id": str(Service.objects.get(name="Unstamped").pk)},
    ]


@pytest.mark.django_db
def test_service_list_pages_walk_every_service_once(client, host, jurisdiction):
    for name in ["Delta", "Alpha", "Charlie", "Bravo", "Echo"]:
        make_service(jurisdiction, name)

    first = page(client, host, "services", per_page="2")
    last = page(client, host, "services", per_page="2", page="3")
    beyond = page(client, host, "services", per_page="2", page="4")

    assert (names(first), first["total_items"], first["total_pages"], first["first_page"], first["last_page"]) == (
        ["Alpha", "Bravo"],
        5,
        3,
        True,
        False,
    )
    assert names(page(client, host, "services", per_page="2", page="2")) == ["Charlie", "Delta"]
    assert (names(last), last["size"], last["first_page"], last["last_page"], last["empty"]) == (
        ["Echo"],
        1,
        False,
        True,
        False,
    )
    assert (beyond["contents"], beyond["size"], beyond["empty"], beyond["page_number"]) == ([], 0, True, 4)


@pytest.mark.django_db
def test_service_list_empty_directory_is_an_empty_page(client, host):
    body = page(client, host, "services")

    assert body == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
        "contents": [],
    }


@pytest.mark.django_db
def test_service_list_filters_by_organization(client, host, jurisdiction):
    shared = Organization.objects.create(jurisdiction=jurisdiction, name="Shared", description="d")
    make_service(jurisdiction, "Kept", organization=shared)
    make_service(jurisdiction, "Other")

    assert names(page(client, host, "services", organization_id=str(shared.pk))) == ["Kept"]


@pytest.mark.django_db
def test_service_list_filters_by_taxonomy_term_and_taxonomy(client, host, jurisdiction):
    taxonomy = Taxonomy.objects.create(jurisdiction=jurisdiction, name="Needs", description="d")
    other_taxonomy = Taxonomy.objects.create(jurisdiction=jurisdiction, name="Other", description="d")
    food = TaxonomyTerm.objects.create(
        jurisdiction=jurisdiction, name="Food", description="d", taxonomy_detail=taxonomy
    )
    housing = TaxonomyTerm.objects.create(
        jurisdiction=jurisdiction, name="Housing", description="d", taxonomy_detail=other_taxonomy
    )
    tag(make_service(jurisdiction, "Pantry"), food)
    tag(make_service(jurisdiction, "Shelter"), housing)
    make_service(jurisdiction, "Untagged")

    assert names(page(client, host, "services", taxonomy_term_id=str(food.pk))) == ["Pantry"]
    assert names(page(client, host, "services", taxonomy_id=str(other_taxonomy.pk))) == ["Shelter"]
    assert names(page(client, host, "services", taxonomy_term_id=str(uuid.uuid4()))) == []


@pytest.mark.django_db
def test_service_list_search_finds_by_words(client, host, jurisdiction):
    make_service(jurisdiction, "Community food bank", description="Free groceries")
    make_service(jurisdiction, "Legal advice", description="Free advice on tenancy")

    assert names(page(client, host, "services", search="food")) == ["Community food bank"]
    assert names(page(client, host, "services", search="free")) == ["Community food bank", "Legal advice"]
    assert names(page(client, host, "services", search="free tenancy")) == ["Legal advice"]


@pytest.mark.django_db
def test_service_list_filters_combine_with_and(client, host, jurisdiction):
    shared = Organization.objects.create(jurisdiction=jurisdiction, name="Shared", description="d")
    term = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name="Food", description="d")
    tag(make_service(jurisdiction, "Food bank", organization=shared), term)
    tag(make_service(jurisdiction, "Food van"), term)
    make_service(jurisdiction, "Food stamps", organization=shared)

    body = page(client, host, "services", search="food", organization_id=str(shared.pk), taxonomy_term_id=str(term.pk))

    assert names(body) == ["Food bank"]


@pytest.mark.django_db
def test_service_list_modified_after_uses_last_modified_and_change_log(client, host, jurisdiction):
    make_service(jurisdiction, "Stamped", last_modified=dt.datetime(2030, 1, 2, 10, tzinfo=dt.UTC))
    old = make_service(jurisdiction, "Old", last_modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    edited = make_service(jurisdiction, "Edited", last_modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    directory_object_update(obj=edited, changes={"description": "Now with more"}, by=None)
    Metadata.objects.filter(resource_id=edited.pk).update(last_action_date=dt.date(2030, 1, 2))
    assert old.pk

    assert names(page(client, host, "services", modified_after="2030-01-02T09:00:00Z")) == ["Edited", "Stamped"]
    assert names(page(client, host, "services", modified_after="2030-01-02T11:00:00+00:00")) == ["Edited"]
    assert names(page(client, host, "services", modified_after="2030-01-03")) == []
    assert len(page(client, host, "services", modified_after="2019-12-31")["contents"]) == 3


@pytest.mark.django_db
def test_service_list_modified_after_counts_changes_of_nested_objects(client, host, jurisdiction):
    service = make_service(jurisdiction, "Kept", last_modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    make_service(jurisdiction, "Other", last_modified=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    location = Location.objects.create(jurisdiction=jurisdiction, location_type="physical", name="Hall")
    ServiceAtLocation.objects.create(jurisdiction=jurisdiction, service=service, location=location)
    directory_object_update(obj=location, changes={"name": "Town hall"}, by=None)
    Metadata.objects.update(last_action_date=dt.date(2030, 1, 2))

    assert names(page(client, host, "services", modified_after="2030-01-01T00:00:00Z")) == ["Kept"]


# --- Services at locations -----------------------------------------------------------------------


@pytest.mark.django_db
def test_service_at_location_detail_is_fully_nested(client, host, jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "service_at_location_full.json")

    body = ok(get(client, host, "service_at_location", SAL_ID))

    assert body == json.loads((JSON_EXAMPLES / "service_at_location_full.json").read_text())
    assert_valid("service_at_location", body)


@pytest.mark.django_db
def test_service_at_location_list_items_validate(client, host, example):
    body = page(client, host, "service_at_locations")
    full = page(client, host, "service_at_locations", full="true")

    item = body["contents"][0]
    assert item == json.loads((JSON_EXAMPLES / "service_at_location_list.json").read_text())["contents"][0]
    assert_valid("service_at_location_list", item)
    assert full["contents"] == [ok(get(client, host, "service_at_location", SAL_ID))]
    assert_valid("service_at_location", full["contents"][0])


def _located(jurisdiction, name, *, lat, lon, postcode, areas=()):
    service = make_service(jurisdiction, name)
    location = Location.objects.create(
        jurisdiction=jurisdiction, location_type="physical", name=name, latitude=lat, longitude=lon
    )
    Address.objects.create(
        jurisdiction=jurisdiction,
        location=location,
        address_1="1 Main St",
        city="Town",
        state_province="State",
        postal_code=postcode,
        country="CL",
        address_type="physical",
    )
    for extent, extent_type in areas:
        ServiceArea.objects.create(jurisdiction=jurisdiction, service=service, extent=extent, extent_type=extent_type)
    return ServiceAtLocation.objects.create(jurisdiction=jurisdiction, service=service, location=location)


SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[-71, -34], [-70, -34], [-70, -33], [-71, -33], [-71, -34]]]})


@pytest.mark.django_db
def test_service_at_location_postcode_keeps_services_whose_area_covers_it(client, host, jurisdiction):
    _located(jurisdiction, "Near", lat=-33.5, lon=-70.5, postcode="8320000", areas=[(SQUARE, "geojson")])
    _located(jurisdiction, "Listed", lat=-20.0, lon=-70.0, postcode="1000000", areas=[("8320000; 8330000", "text")])
    _located(jurisdiction, "Elsewhere", lat=-20.0, lon=-70.0, postcode="1000000", areas=[("1000000", "text")])
    _located(jurisdiction, "Everywhere", lat=-20.0, lon=-70.0, postcode="1000000")

    body = page(client, host, "service_at_locations", postcode="83 20000")

    assert [item["service"]["name"] for item in body["contents"]] == ["Everywhere", "Listed", "Near"]


@pytest.mark.django_db
def test_service_at_location_proximity_keeps_nearby_nearest_first(client, host, jurisdiction):
    _located(jurisdiction, "Centre", lat=-33.5, lon=-70.5, postcode="8320000")
    _located(jurisdiction, "Two km east", lat=-33.5, lon=-70.5 + 2000 / (111195 * 0.8339), postcode="8320001")
    _located(jurisdiction, "Ten km north", lat=-33.5 + 10000 / 111195, lon=-70.5, postcode="8320002")

    near = page(client, host, "service_at_locations", postcode="8320000", proximity="3000")
    far = page(client, host, "service_at_locations", postcode="8320000", proximity="12000")

    assert [item["service"]["name"] for item in near["contents"]] == ["Centre", "Two km east"]
    assert [item["service"]["name"] for item in far["contents"]] == ["Centre", "Two km east", "Ten km north"]


@pytest.mark.django_db
def test_service_at_location_proximity_with_unknown_postcode_is_400(client, host, jurisdiction):
    response = get(client, host, "service_at_locations", postcode="0000", proximity="1000")

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "postcode"


@pytest.mark.django_db
def test_service_at_location_modified_after_counts_its_location(client, host, jurisdiction):
    changed = _located(jurisdiction, "Changed", lat=1, lon=1, postcode="1")
    _located(jurisdiction, "Unchanged", lat=1, lon=1, postcode="1")
    directory_object_update(obj=changed.location, changes={"transportation": "Bus 4"}, by=None)
    Metadata.objects.update(last_action_date=dt.date(2030, 1, 2))

    body = page(client, host, "service_at_locations", modified_after="2030-01-02T20:00:00-03:00")  # 23:00 UTC

    assert [item["id"] for item in body["contents"]] == [str(changed.pk)]


@pytest.mark.django_db
def test_service_at_location_filters_by_service(client, host, jurisdiction):
    term = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name="Food", description="d")
    kept = _located(jurisdiction, "Food bank", lat=1, lon=1, postcode="1")
    _located(jurisdiction, "Food van", lat=1, lon=1, postcode="1")
    tag(kept.service, term)

    body = page(client, host, "service_at_locations", search="food", taxonomy_term_id=str(term.pk))

    assert [item["id"] for item in body["contents"]] == [str(kept.pk)]


# --- Organizations -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_organization_detail_with_full_service_is_the_standards_example(client, host, jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=JSON_EXAMPLES / "organization_full.json")

    body = ok(get(client, host, "organization", ORGANIZATION_ID, full_service="true"))

    assert body == json.loads((JSON_EXAMPLES / "organization_full.json").read_text())
    assert_valid("organization", body)


@pytest.mark.django_db
def test_organization_detail_lists_services_with_their_own_fields(client, host, example):
    body = ok(get(client, host, "organization", ORGANIZATION_ID))

    assert [sorted(service) for service in body["services"]] == [
        sorted(k for k, v in ok(get(client, host, "service", SERVICE_ID)).items() if not isinstance(v, list | dict))
    ]
    assert_valid("organization", body)


@pytest.mark.django_db
def test_organization_list_items_validate_and_search(client, host, example, jurisdiction):
    Organization.objects.create(jurisdiction=jurisdiction, name="Zeta trust", description="Housing")

    body = page(client, host, "organizations")
    found = page(client, host, "organizations", search="housing")
    full = page(client, host, "organizations", full="true", search="example")

    assert names(body) == ["Example Organization Inc.", "Zeta trust"]
    for item in body["contents"]:
        assert_valid("organization_list", item)
    assert names(found) == ["Zeta trust"]
    assert full["contents"] == [ok(get(client, host, "organization", ORGANIZATION_ID))]


# --- Taxonomies ----------------------------------------------------------------------------------


@pytest.fixture
def terms(jurisdiction):
    needs = Taxonomy.objects.create(jurisdiction=jurisdiction, name="Needs", description="What people need")
    other = Taxonomy.objects.create(jurisdiction=jurisdiction, name="Other", description="Another")
    food = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name="Food", description="d", taxonomy_detail=needs)
    pantry = TaxonomyTerm.objects.create(
        jurisdiction=jurisdiction, name="Pantry", description="d", taxonomy_detail=needs, parent=food
    )
    misc = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name="Misc", description="d", taxonomy_detail=other)
    return {"needs": needs, "other": other, "food": food, "pantry": pantry, "misc": misc}


@pytest.mark.django_db
def test_taxonomy_list_and_detail(client, host, terms):
    body = page(client, host, "taxonomies")
    found = page(client, host, "taxonomies", search="need")
    detail = ok(get(client, host, "taxonomy", str(terms["needs"].pk)))

    assert names(body) == ["Needs", "Other"]
    assert names(found) == ["Needs"]
    assert detail == {"id": str(terms["needs"].pk), "name": "Needs", "description": "What people need"}
    assert_valid("taxonomy", detail)


@pytest.mark.django_db
def test_taxonomy_term_list_filters(client, host, terms):
    assert names(page(client, host, "taxonomy_terms")) == ["Food", "Misc", "Pantry"]
    assert names(page(client, host, "taxonomy_terms", top_only="true")) == ["Food", "Misc"]
    assert names(page(client, host, "taxonomy_terms", parent_id=str(terms["food"].pk))) == ["Pantry"]
    assert names(page(client, host, "taxonomy_terms", taxonomy_id=str(terms["needs"].pk))) == ["Food", "Pantry"]
    assert names(page(client, host, "taxonomy_terms", taxonomy_id=str(terms["needs"].pk), top_only="true")) == ["Food"]
    assert names(page(client, host, "taxonomy_terms", search="pant")) == ["Pantry"]


@pytest.mark.django_db
def test_taxonomy_term_detail_nests_its_taxonomy(client, host, terms):
    body = ok(get(client, host, "taxonomy_term", str(terms["pantry"].pk)))

    assert body == {
        "id": str(terms["pantry"].pk),
        "name": "Pantry",
        "description": "d",
        "parent_id": str(terms["food"].pk),
        "taxonomy_detail": {"id": str(terms["needs"].pk), "name": "Needs", "description": "What people need"},
    }
    assert_valid("taxonomy_term", body)
    for item in page(client, host, "taxonomy_terms")["contents"]:
        assert_valid("taxonomy_term", item)


# --- NDJSON --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("services", {}),
        ("services", {"full": "true"}),
        ("services", {"minimal": "true"}),
        ("service_at_locations", {}),
        ("service_at_locations", {"full": "true"}),
        ("organizations", {}),
        ("organizations", {"full": "true"}),
        ("taxonomies", {}),
        ("taxonomy_terms", {}),
    ],
)
def test_ndjson_streams_every_item_unpaged(client, host, example, name, params):
    items = []
    for number in (1, 2):
        items += page(client, host, name, per_page="1", page=str(number), **params)["contents"]

    response = get(client, host, name, format="ndjson", per_page="1", **params)

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/x-ndjson"
    text = b"".join(response.streaming_content).decode()
    assert text.endswith("\n")
    lines = text.splitlines()
    assert [json.loads(line) for line in lines] == items
    assert all(
        ": " not in line[:2] and line == json.dumps(json.loads(line), separators=(",", ":"), ensure_ascii=False)
        for line in lines
    )


@pytest.mark.django_db
def test_ndjson_reads_in_chunks(client, host, jurisdiction, monkeypatch):
    from civicloop.directory.api import render

    monkeypatch.setattr(render, "STREAM_CHUNK", 2)
    organization = Organization.objects.create(jurisdiction=jurisdiction, name="Org", description="d")
    for number in range(5):
        make_service(jurisdiction, f"Service {number}", organization=organization)

    response = get(client, host, "services", format="ndjson", full="true")

    chunks = list(response.streaming_content)
    assert [len(chunk.decode().splitlines()) for chunk in chunks] == [2, 2, 1]


# --- Errors --------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("services", {"format": "xml"}, "format"),
        ("services", {"page": "0"}, "page"),
        ("services", {"page": "two"}, "page"),
        ("services", {"per_page": "0"}, "per_page"),
        ("services", {"per_page": "-5"}, "per_page"),
        ("services", {"per_page": "101"}, "per_page"),
        ("services", {"per_page": "1.5"}, "per_page"),
        ("services", {"minimal": "true", "per_page": "10001"}, "per_page"),
        ("services", {"organization_id": "nope"}, "organization_id"),
        ("services", {"taxonomy_term_id": "123"}, "taxonomy_term_id"),
        ("services", {"taxonomy_id": "x"}, "taxonomy_id"),
        ("services", {"modified_after": "yesterday"}, "modified_after"),
        ("services", {"modified_after": "2024-13-01"}, "modified_after"),
        ("services", {"full": "yes please"}, "full"),
        ("services", {"minimal": "maybe"}, "minimal"),
        ("service_at_locations", {"postcode": "1", "proximity": "far"}, "proximity"),
        ("service_at_locations", {"postcode": "1", "proximity": "-1"}, "proximity"),
        ("service_at_locations", {"postcode": "1", "proximity": "nan"}, "proximity"),
        ("service_at_locations", {"proximity": "100"}, "proximity"),
        ("service_at_locations", {"modified_after": "soon"}, "modified_after"),
        ("organizations", {"full_service": "2"}, "full_service"),
        ("taxonomy_terms", {"parent_id": "root"}, "parent_id"),
        ("taxonomy_terms", {"top_only": "perhaps"}, "top_only"),
        ("taxonomies", {"page": "0"}, "page"),
    ],
)
def test_bad_parameter_is_400_problem_naming_it(client, host, name, params, field):
    response = get(client, host, name, **params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["type"], body["instance"]) == (
        400,
        "urn:civicloop:problem:invalid-input",
        reverse(f"hsds:{name}"),
    )
    assert body["errors"] == [{"location": "query", "field": field, "message": body["errors"][0]["message"]}]
    assert f"“{field}”" in body["detail"]
    assert "expected" in body["detail"] or "needs" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["service", "organization", "service_at_location", "taxonomy", "taxonomy_term"])
@pytest.mark.parametrize("object_id", [str(uuid.UUID(int=7)), "not-a-uuid"])
def test_unknown_id_is_404_problem(client, host, name, object_id):
    response = get(client, host, name, object_id)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert object_id in response.json()["detail"]


# --- Only this directory's public data -------------------------------------------------------------


@pytest.mark.django_db
def test_other_jurisdictions_objects_are_invisible(client, host, jurisdiction):
    other = JurisdictionFactory()
    directory_import_hsds(jurisdiction=other, path=JSON_EXAMPLES / "service_full.json")
    make_service(jurisdiction, "Ours")

    assert names(page(client, host, "services")) == ["Ours"]
    assert page(client, host, "service_at_locations")["contents"] == []
    assert names(page(client, host, "organizations")) == ["Ours org"]
    assert page(client, host, "taxonomy_terms")["contents"] == []
    assert get(client, host, "service", SERVICE_ID).status_code == 404
    assert get(client, host, "organization", ORGANIZATION_ID).status_code == 404


@pytest.mark.django_db
def test_responses_hold_no_civicloop_columns_or_editors(client, host, example, jurisdiction):
    organization = Organization.objects.get(pk=ORGANIZATION_ID)
    organization.agency = AgencyFactory(jurisdiction=jurisdiction)
    organization.save(update_fields=["agency"])
    editor = UserFactory(name="Erika Editorsdottir")
    directory_object_update(obj=example, changes={"alert": "Closed on Friday"}, by=editor)

    bodies = [
        ok(get(client, host, "service", SERVICE_ID)),
        ok(get(client, host, "organization", ORGANIZATION_ID, full_service="true")),
        ok(get(client, host, "service_at_location", SAL_ID)),
        page(client, host, "services", full="true"),
        page(client, host, "organizations", full="true"),
    ]

    text = json.dumps(bodies)
    assert "Closed on Friday" in text
    assert "Erika" not in text
    assert editor.email not in text
    assert _keys(bodies) & PRIVATE_KEYS == set()


# --- Queries -------------------------------------------------------------------------------------


def _services(jurisdiction, count):
    organization = Organization.objects.create(jurisdiction=jurisdiction, name="Org", description="d")
    program = Program.objects.create(jurisdiction=jurisdiction, organization=organization, name="P", description="d")
    term = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name="Food", description="d")
    for number in range(count):
        service = make_service(jurisdiction, f"Service {number}", organization=organization, program=program)
        location = Location.objects.create(jurisdiction=jurisdiction, location_type="physical", name=f"L{number}")
        ServiceAtLocation.objects.create(jurisdiction=jurisdiction, service=service, location=location)
        tag(service, term)
        directory_object_update(obj=service, changes={"alert": "Changed"}, by=None)
    return term


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "params", "queries"),
    [
        ("services", {}, 2),  # count, page
        # +1: does the text match exactly (else the search tolerates typos)?
        ("services", {"search": "service", "taxonomy_term_id": "TERM", "modified_after": "2020-01-01"}, 3),
        ("services", {"minimal": "true"}, 2),
        ("services", {"full": "true"}, 20),  # count, page, one per nested table
        ("service_at_locations", {}, 2),
        ("service_at_locations", {"full": "true"}, 21),  # and their services
        ("organizations", {"full": "true"}, 12),  # fewer tables: organizations nest less
        ("organizations", {"full_service": "true"}, 21),  # and their services, fully nested
        ("taxonomy_terms", {}, 2),
    ],
)
@pytest.mark.parametrize("count", [1, 3])
def test_list_queries_do_not_grow_with_the_page(
    client, host, jurisdiction, django_assert_num_queries, name, params, queries, count
):
    term = _services(jurisdiction, count)
    params = {key: str(term.pk) if value == "TERM" else value for key, value in params.items()}
    client.get("/hsds/", HTTP_HOST=host)  # warm the host lookup's caches alike

    # +1: the middleware's jurisdiction lookup.
    with django_assert_num_queries(queries + 1):
        response = get(client, host, name, **params)

    assert response.status_code == 200
    assert len(response.json()["contents"]) == (1 if name in {"organizations", "taxonomy_terms"} else count)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["service", "service_at_location"])
@pytest.mark.parametrize("count", [1, 3])
def test_detail_queries_do_not_grow_with_the_directory(
    client, host, jurisdiction, django_assert_num_queries, name, count
):
    _services(jurisdiction, count)
    object_id = (Service if name == "service" else ServiceAtLocation).objects.order_by("id").first().pk
    client.get("/hsds/", HTTP_HOST=host)

    with django_assert_num_queries(20 if name == "service" else 21):  # with the middleware's
        response = get(client, host, name, str(object_id))

    assert response.status_code == 200
