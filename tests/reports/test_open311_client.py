"""An Open311 client library from PyPI (georeport) reads civicloop's Open311 endpoint.

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

from tests.factories import JurisdictionFactory
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory

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
        answer = self.client.generic(request.method, path, data=request.body or "")
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
