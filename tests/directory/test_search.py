import pytest
from django.db import connection

from civicloop.directory.models import Attribute, Organization, Service, TaxonomyTerm
from civicloop.directory.search import service_search, text_search_config
from tests.factories import JurisdictionFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="word forms need PostgreSQL's stemmers; SQLite matches words"
)


def _service(jurisdiction, name, *, description="", organization="Helpers", alternate_name="", terms=()):
    org = Organization.objects.create(jurisdiction=jurisdiction, name=organization, description="d")
    service = Service.objects.create(
        jurisdiction=jurisdiction,
        organization=org,
        name=name,
        alternate_name=alternate_name,
        description=description,
        status="active",
    )
    for term_name in terms:
        term = TaxonomyTerm.objects.create(jurisdiction=jurisdiction, name=term_name, description="d")
        Attribute.objects.create(
            jurisdiction=jurisdiction, link_id=service.pk, taxonomy_term=term, link_entity="service"
        )
    return service


def _found(jurisdiction, text) -> list[str]:
    return sorted(service_search(jurisdiction, text).values_list("name", flat=True))


@pytest.fixture
def directory(jurisdiction):
    _service(jurisdiction, "Community food bank", description="Free groceries every week")
    _service(jurisdiction, "Legal clinic", alternate_name="Tenancy advice", organization="Justice Trust")
    _service(jurisdiction, "Drop-in centre", description="A warm place", terms=["Homelessness", "Meals"])
    return jurisdiction


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("food", ["Community food bank"]),
        ("FOOD Bank", ["Community food bank"]),
        ("groceries", ["Community food bank"]),  # description
        ("tenancy", ["Legal clinic"]),  # alternate name
        ("justice", ["Legal clinic"]),  # organization name
        ("meals", ["Drop-in centre"]),  # taxonomy term name
        ("warm meals", ["Drop-in centre"]),  # words from the description and a term
        ("food legal", []),  # every word must match
        ("foo", ["Community food bank"]),  # the last word as a prefix: search as you type
        ("comm bank", []),  # ...only the last
        ("Légal", ["Legal clinic"]),  # diacritics and case folded
        ("food-bank!", ["Community food bank"]),
        ("bicycle", []),
    ],
)
def test_service_search_finds_by_words(directory, text, expected):
    assert _found(directory, text) == expected


@pytest.mark.django_db
def test_service_search_without_words_finds_nothing(directory):
    assert _found(directory, "  ?! ") == []


@pytest.mark.django_db
def test_service_search_stays_in_its_jurisdiction(directory):
    other = JurisdictionFactory()
    _service(other, "Other food bank")

    assert _found(directory, "food") == ["Community food bank"]
    assert _found(other, "food") == ["Other food bank"]


@pytest.mark.django_db
def test_service_search_counts_a_service_once_with_many_terms(jurisdiction):
    _service(jurisdiction, "Pantry", terms=["Food", "Food aid", "Groceries"])

    assert list(service_search(jurisdiction, "food").values_list("name", flat=True)) == ["Pantry"]


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("foods", ["Community food bank"]),
        ("banking", ["Community food bank"]),
        ("grocery", ["Community food bank"]),
        ("meal", ["Drop-in centre"]),
    ],
)
def test_service_search_finds_word_forms_on_postgresql(directory, text, expected):
    assert _found(directory, text) == expected


@postgresql_only
@pytest.mark.django_db
def test_service_search_stems_the_jurisdictions_main_language(db):
    jurisdiction = JurisdictionFactory(languages=["es", "en"])
    _service(jurisdiction, "Comedor comunitario", description="Almuerzos gratuitos para familias. Free lunches")

    assert _found(jurisdiction, "familia gratuito") == ["Comedor comunitario"]
    assert _found(jurisdiction, "lunches") == ["Comedor comunitario"]  # another language, as written
    assert _found(jurisdiction, "lunch") == ["Comedor comunitario"]  # ...or as its start


@postgresql_only
@pytest.mark.django_db
def test_service_search_follows_a_change_of_the_jurisdictions_language(db):
    jurisdiction = JurisdictionFactory(languages=["id"])
    _service(jurisdiction, "Comedor comunitario", description="Almuerzos gratuitos para familias")
    assert _found(jurisdiction, "familia gratuito") == []

    jurisdiction.languages = ["es"]
    jurisdiction.save(update_fields=["languages"])

    assert _found(jurisdiction, "familia gratuito") == ["Comedor comunitario"]


def test_text_search_config_by_language():
    assert [text_search_config(code) for code in ["en", "en-GB", "es", "id", "", None]] == [
        "english",
        "english",
        "spanish",
        "simple",
        "simple",
        "simple",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    [
        '"',
        'food"',
        "food*",
        "NEAR(food bank)",
        "food AND",
        "OR",
        "^food",
        "name:food",
        "(food",
        "-food",
        "'food'",
        "a'b",
    ],
)
def test_service_search_treats_search_syntax_as_text(directory, text):
    assert _found(directory, text) in ([], ["Community food bank"])


@pytest.mark.django_db
def test_service_search_quotes_operators_as_words(directory):
    assert _found(directory, "food OR legal") == []


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["fod bank", "foood", "Foood bank", "community fod"])
def test_service_search_tolerates_typos(directory, text):
    assert _found(directory, text) == ["Community food bank"]


@pytest.mark.django_db
def test_service_search_corrects_each_word_on_sqlite(directory):
    # PostgreSQL compares the whole query with service names by trigrams: two misspelt short
    # words share too few; SQLite corrects each word against the index's vocabulary.
    expected = ["Community food bank"] if connection.vendor == "sqlite" else []
    assert _found(directory, "Foood bnak") == expected


@pytest.mark.django_db
def test_service_search_prefers_exact_words_to_typo_corrections(jurisdiction):
    _service(jurisdiction, "Food bank")
    _service(jurisdiction, "Fod rescue")

    assert _found(jurisdiction, "fod") == ["Fod rescue"]


@pytest.mark.django_db
def test_service_search_follows_edits_of_the_searched_text(jurisdiction):
    service = _service(jurisdiction, "Legal clinic", organization="Justice Trust", terms=["Housing"])
    organization = service.organization
    term = TaxonomyTerm.objects.get(name="Housing")

    service.description = "Debt advice"
    service.save()
    organization.name = "Equity Trust"
    organization.save()
    term.name = "Shelter"
    term.save()

    assert _found(jurisdiction, "debt equity shelter") == ["Legal clinic"]
    assert _found(jurisdiction, "justice") == []
    assert _found(jurisdiction, "housing") == []

    Attribute.objects.filter(link_id=service.pk).delete()
    assert _found(jurisdiction, "shelter") == []

    other = _service(jurisdiction, "Pantry")
    Attribute.objects.create(jurisdiction=jurisdiction, link_id=other.pk, taxonomy_term=term, link_entity="service")
    assert _found(jurisdiction, "shelter") == ["Pantry"]

    Service.objects.filter(pk=other.pk).delete()
    assert _found(jurisdiction, "shelter") == []


@pytest.mark.django_db
def test_service_search_finds_imported_services(jurisdiction):
    organization = Organization.objects.create(jurisdiction=jurisdiction, name="Helpers", description="d")
    Service.objects.bulk_create(
        [
            Service(jurisdiction=jurisdiction, organization=organization, name=f"Service {n}", status="active")
            for n in range(3)
        ]
        + [Service(jurisdiction=jurisdiction, organization=organization, name="Food bank", status="active")]
    )

    assert _found(jurisdiction, "food") == ["Food bank"]
    assert _found(jurisdiction, "helpers") == ["Food bank", "Service 0", "Service 1", "Service 2"]
