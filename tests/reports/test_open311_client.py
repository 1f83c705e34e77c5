"""An Open311 client library from PyPI (georeport) reads civicloop's Open311 endpoint.

georeport (0.3.1, its latest release) has no method to POST a request, so the requests are
posted with `requests`, the HTTP library georeport itself uses, through the same transport, and
read back with georeport's get_service_requests / get_service_request in both formats.

georeport makes real `requests` calls; a transport adapter hands each one to Django's test
client, so the whole stack (middleware, URLs, views) answers in-process. A live server thread
would do the same over a socket, but on PostgreSQL its request threads may still hold a
connection when the test database is dropped at the end of the session.
"""

from urllib.parse import urlsplit

import pytest
import requests
from georeport import GeoReport
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from civicloop.reports.models import Report
from civicloop.reports.services import open311_key_create
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, square
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, RoutingRuleFactory

pytestmark = pytest.mark.django_db

ROOT = "http://testserver/open311/v2"


class DjangoClientAdapter(BaseAdapter):
    """A requests transport that answers with Django's test client instead of a socket."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        path = f"{url.path}?{url.query}" if url.query else url.path
        answer = self.client.generic(
            request.method,
            path,
            data=request.body or "",
            content_type=request.headers.get("Content-Type", ""),
            headers={name: value for name, value in request.headers.items() if name.lower() == "idempotency-key"},
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.reason = answer.reason_phrase
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        response.url = request.url
        response.request = request
        return response

    def close(self):
        pass


@pytest.fixture
def server(client, monkeypatch):
    adapter = DjangoClientAdapter(client)
    monkeypatch.setattr(requests.Session, "get_adapter", lambda self, url: adapter)


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(domain="villa.example.org", languages=["es", "en"])
    pothole = CategoryFactory(jurisdiction=jurisdiction, code="001", name="Bache", groups=["Calles"], order=1)
    CategoryAttributeFactory(
        category=pothole,
        code="size",
        datatype="multivaluelist",
        description="¿Tamaño?",
        order=1,
        values=[{"key": "1", "name": "Pequeño"}],
    )
    CategoryFactory(jurisdiction=jurisdiction, code="002", name="Luminaria", groups=[], keywords=[], order=2)
    return jurisdiction


def test_georeport_client_reads_services_and_definitions_in_json(server, city):
    client = GeoReport(ROOT, jurisdiction="villa.example.org")
    services = client.get_service_list()
    assert [(s["service_code"], s["service_name"], s["metadata"]) for s in services] == [
        ("001", "Bache", True),
        ("002", "Luminaria", False),
    ]
    definition = client.get_service_definition("001")
    assert definition["attributes"][0]["values"] == [{"key": "1", "name": "Pequeño"}]


def test_georeport_client_reads_services_and_definitions_in_xml(server, city):
    client = GeoReport(ROOT, jurisdiction="villa.example.org", output_format="xml")
    services = client.get_service_list()
    assert [(s["service_code"], s["service_name"], s["metadata"], s["group"]) for s in services] == [
        ("001", "Bache", "true", "Calles"),
        ("002", "Luminaria", "false", None),
    ]
    definition = client.get_service_definition("001")
    assert definition["service_code"] == "001"
    attribute = definition["attributes"]["attribute"]
    assert (attribute["code"], attribute["datatype"], attribute["values"]["value"]) == (
        "size",
        "multivaluelist",
        {"key": "1", "name": "Pequeño"},
    )


def test_georeport_client_sees_errors_as_http_errors(server, city):
    client = GeoReport(ROOT, jurisdiction="nowhere.example.org")
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_list()
    assert caught.value.response.status_code == 404
    assert caught.value.response.json()[0]["code"] == 404


@pytest.fixture
def posting_city(city):
    AreaFactory(jurisdiction=city, slug="centro", geometry=square(-70.7, -33.5, 0.1))
    roads = AgencyFactory(jurisdiction=city, name="Vialidad")
    RoutingRuleFactory(category=city.categories.get(code="001"), agencies=[roads])
    _key, city.raw_key = open311_key_create(jurisdiction=city, name="City app")
    return city


def post_request(city, **extra):
    """POST requests.json as a client would: form-encoded, multivaluelist answers as attribute[CODE][]."""
    fields = {
        "api_key": city.raw_key,
        "jurisdiction_id": "villa.example.org",
        "service_code": "001",
        "lat": "-33.45",
        "long": "-70.65",
        "description": "Un hoyo enorme en la calzada.",
        "attribute[size][]": ["1"],
        "email": "vecina@example.net",
    }
    fields.update(extra)
    response = requests.post(f"{ROOT}/requests.json", data=fields, timeout=5)
    response.raise_for_status()
    return response


def test_georeport_client_reads_back_a_posted_request_in_json(server, posting_city):
    reference = post_request(posting_city).json()[0]["service_request_id"]
    client = GeoReport(ROOT, jurisdiction="villa.example.org")
    listed = client.get_service_requests(service_code="001", status="open")
    assert [(r["service_request_id"], r["status"], r["service_name"], r["agency_responsible"]) for r in listed] == [
        (reference, "open", "Bache", "Vialidad")
    ]
    one = client.get_service_request(reference)
    assert one == listed[0]
    assert (one["lat"], one["long"], one["address_id"]) == (-33.45, -70.65, "centro")
    assert client.get_service_requests(service_request_id=reference) == listed
    assert client.get_service_requests(status="closed") == []
    assert Report.objects.get().attributes == {"size": ["1"]}


def test_georeport_client_reads_back_a_posted_request_in_xml(server, posting_city):
    reference = post_request(posting_city).json()[0]["service_request_id"]
    client = GeoReport(ROOT, jurisdiction="villa.example.org", output_format="xml")
    one = client.get_service_request(reference)
    assert (one["service_request_id"], one["status"], one["service_code"], one["lat"], one["zipcode"]) == (
        reference,
        "open",
        "001",
        "-33.45",
        None,
    )
    # georeport's XML reader gives a single request as a dict (and fails on an empty list, an
    # empty <service_requests/> as the specification has it), so a list of one is read here.
    listed = client.get_service_requests(service_code="001", status="open")
    assert listed == one


def test_georeport_client_sees_open311_errors_of_requests_as_http_errors(server, posting_city):
    client = GeoReport(ROOT, jurisdiction="villa.example.org")
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_request("NOPE2345")
    assert caught.value.response.status_code == 404
    with pytest.raises(requests.HTTPError) as caught:
        client.get_service_requests(status="pending")
    assert caught.value.response.json() == [{"code": 400, "description": "status pending is not open or closed."}]
    with pytest.raises(requests.HTTPError) as caught:
        post_request(posting_city, api_key="o311_wrong")
    assert caught.value.response.status_code == 403


def test_requests_client_retry_with_idempotency_key_gets_the_same_answer(server, posting_city):
    fields = {
        "api_key": posting_city.raw_key,
        "jurisdiction_id": "villa.example.org",
        "service_code": "001",
        "address_id": "centro",
        "description": "Otra vez el hoyo.",
    }
    answers = [
        requests.post(f"{ROOT}/requests.xml", data=fields, headers={"Idempotency-Key": "app-1"}, timeout=5)
        for _ in range(2)
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert Report.objects.count() == 1
