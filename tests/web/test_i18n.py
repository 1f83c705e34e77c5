import hashlib
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import CommandError, call_command
from django.utils import translation

import civicloop
from civicloop.accounts.enums import Role
from tests.factories import AgencyFactory, JurisdictionFactory, user_with_role
from tests.web import html_count, login, text

PACKAGE = Path(civicloop.__file__).resolve().parent
LOCALE = PACKAGE / "locale"
LANGUAGES = ["es", "id"]


def committed_catalog(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        return read_po(po_file)


def message_keys(catalog):
    return {(message.context, message.id) for message in catalog if message.id}


def copy_catalogs(target: Path) -> Path:
    """The committed .po files (no .mo) under target/locale."""
    for po_path in LOCALE.glob("*/LC_MESSAGES/*.po"):
        destination = target / po_path.relative_to(LOCALE.parent)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(po_path, destination)
    return target / "locale"


@pytest.fixture
def compiled(settings, tmp_path):
    """The committed catalogs, compiled by compiletranslations into a temporary directory
    that Django then reads: the tests never depend on (or touch) .mo files in the tree."""
    locale = copy_catalogs(tmp_path)
    settings.LOCALE_PATHS = [locale]
    call_command("compiletranslations", verbosity=0)
    return locale


# --- Pages in three languages -------------------------------------------------------------


@pytest.fixture
def city(db):
    city = JurisdictionFactory(name="Villa Clara", languages=["es", "en", "id"])
    AgencyFactory(
        jurisdiction=city,
        name="Roads Department",
        slug="roads",
        translations={"es": {"name": "Departamento de Caminos"}, "id": {"name": "Dinas Jalan"}},
    )
    return city


@pytest.mark.usefixtures("compiled")
def test_home_in_spanish_by_language_cookie(client, city):
    client.cookies["civicloop_language"] = "es"

    response = client.get("/")
    page = text(response)

    assert '<html lang="es" dir="ltr">' in page
    assert html_count(response, '<a class="skip-link" href="#main">Saltar al contenido principal</a>') == 1
    assert html_count(response, '<a href="/" aria-current="page">Inicio</a>') == 1
    assert html_count(response, '<a href="/agencies/">Organismos</a>') == 1
    assert html_count(response, '<a href="/accounts/login/">Iniciar sesión</a>') == 1
    assert html_count(response, '<h2 id="about-heading">En resumen</h2>') == 1
    assert html_count(response, "<li>lunes–viernes 08:00–16:00</li>") == 1
    assert html_count(response, '<li><a href="/agencies/roads/">Departamento de Caminos</a></li>') == 1
    assert "<title>Inicio · Villa Clara</title>" in page


@pytest.mark.usefixtures("compiled")
def test_home_in_indonesian_by_accept_language(client, city):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="id-ID,id;q=0.9,en;q=0.5")

    assert '<html lang="id" dir="ltr">' in text(response)
    assert html_count(response, '<a href="/" aria-current="page">Beranda</a>') == 1
    assert html_count(response, '<a href="/agencies/">Instansi</a>') == 1
    assert html_count(response, '<a href="/accounts/signup/">Daftar</a>') == 1
    assert html_count(response, '<h2 id="holidays-heading">Hari libur resmi mendatang</h2>') == 1
    assert html_count(response, "<li>Senin–Jumat 08:00–16:00</li>") == 1
    assert html_count(response, '<li><a href="/agencies/roads/">Dinas Jalan</a></li>') == 1


@pytest.mark.usefixtures("compiled")
def test_the_cookie_wins_over_accept_language(client, city):
    client.cookies["civicloop_language"] = "id"

    response = client.get("/agencies/", HTTP_ACCEPT_LANGUAGE="es")

    assert html_count(response, "<h1>Instansi</h1>") == 1


@pytest.mark.usefixtures("compiled")
def test_staff_home_in_spanish_translates_role_headings(client, city):
    roads = city.agencies.get()
    login(client, user_with_role(Role.AGENCY_MANAGER, jurisdiction=city, agency=roads))
    client.cookies["civicloop_language"] = "es"

    response = client.get("/staff/")

    assert html_count(response, "<h1>Inicio del personal</h1>") == 1
    assert html_count(response, '<h2 id="role-1">Responsable del organismo — Departamento de Caminos</h2>') == 1
    assert html_count(response, '<a href="/staff/agencies/roads/edit/">Editar datos del organismo</a>') == 1


@pytest.mark.usefixtures("compiled")
def test_sign_in_page_in_indonesian_uses_allauths_and_our_strings(client, city):
    client.cookies["civicloop_language"] = "id"

    response = client.get("/accounts/login/")

    assert html_count(response, "<h1>Masuk</h1>") == 1
    assert html_count(response, '<a class="skip-link" href="#main">Langsung ke konten utama</a>') == 1


# --- The committed catalogs ------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete_and_checked(language):
    catalog = committed_catalog(language)

    assert not catalog.fuzzy, "remove '#, fuzzy' from the catalog header"
    untranslated = [message.id for message in catalog if message.id and not all(_strings(message))]
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]
    assert (untranslated, fuzzy, problems) == ([], [], [])
    assert len(message_keys(catalog)) > 100


def _strings(message):
    return message.string if isinstance(message.string, tuple | list) else (message.string,)


def test_catalogs_translate_the_same_messages():
    assert message_keys(committed_catalog("es")) == message_keys(committed_catalog("id"))


def test_catalogs_are_not_english_copies():
    for language in LANGUAGES:
        catalog = committed_catalog(language)
        same = [m.id for m in catalog if m.id and _strings(m) == ((m.id,) if isinstance(m.id, str) else tuple(m.id))]
        # Names that are the same in every language (API, SMS, Web, Token…) are allowed; prose is not.
        assert all(len(msgid.split()) <= 2 for msgid in same), same


def test_makemessages_finds_exactly_the_committed_messages(tmp_path, settings, monkeypatch):
    """A string added to the code without a translation fails here, not in front of a citizen.

    makemessages runs on a copy of the package, so the committed catalogs are never rewritten.
    """
    assert shutil.which("xgettext"), "GNU gettext is needed: apt-get install gettext (make test installs it)"
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in LOCALE.glob("*/LC_MESSAGES/*.po")}
    copy = tmp_path / "civicloop"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)

    call_command("makemessages", locale=LANGUAGES, ignore_patterns=["migrations"], no_obsolete=True, verbosity=0)

    for language in LANGUAGES:
        with (copy / "locale" / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
            extracted = message_keys(read_po(po_file))
        committed = message_keys(committed_catalog(language))
        assert (sorted(extracted - committed, key=str), sorted(committed - extracted, key=str)) == ([], []), (
            f"{language}: the catalog is out of date. In src/civicloop run "
            "`civicloop makemessages -l es -l id --ignore=migrations --no-obsolete` and translate the new entries."
        )
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in LOCALE.glob("*/LC_MESSAGES/*.po")}
    assert after == before


# --- compiletranslations -----------------------------------------------------------------


def test_compiletranslations_writes_mo_files_that_django_uses(settings, tmp_path, capsys):
    locale = copy_catalogs(tmp_path)
    settings.LOCALE_PATHS = [locale]

    call_command("compiletranslations")

    assert sorted(path.relative_to(locale).as_posix() for path in locale.glob("*/LC_MESSAGES/*.mo")) == [
        "es/LC_MESSAGES/django.mo",
        "id/LC_MESSAGES/django.mo",
    ]
    assert f"Compiled {locale / 'es' / 'LC_MESSAGES' / 'django.mo'}" in capsys.readouterr().out
    with translation.override("es"):
        assert (
            translation.gettext("Agencies"),
            translation.ngettext("%(counter)s event", "%(counter)s events", 2),
        ) == (
            "Organismos",
            "%(counter)s eventos",
        )
    with translation.override("id"):
        assert translation.gettext("Staff home") == "Beranda staf"


def _write_catalog(locale: Path, language: str, body: str) -> Path:
    po_path = locale / language / "LC_MESSAGES" / "django.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f'msgid ""\nmsgstr ""\n"Language: {language}\\n"\n"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
    )
    po_path.write_text(header + body, encoding="utf-8")
    return po_path


def test_compiletranslations_refuses_a_fuzzy_entry(settings, tmp_path):
    _write_catalog(tmp_path, "es", '#, fuzzy\nmsgid "Agencies"\nmsgstr "Agencias"\n')
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(
        CommandError, match=r"msgid 'Agencies' is marked fuzzy: check the translation and remove the flag"
    ):
        call_command("compiletranslations", verbosity=0)

    assert not (tmp_path / "es" / "LC_MESSAGES" / "django.mo").exists()


def test_compiletranslations_refuses_a_broken_catalog(settings, tmp_path):
    po_path = _write_catalog(tmp_path, "id", 'msgid "Agencies"\nmsgstr "Instansi\n')
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(
        CommandError,
        match=r"the catalog cannot be read, nothing compiled for id:\n  line 9: not valid .po syntax: .msgstr \"Instansi.$",
    ) as error:
        call_command("compiletranslations", verbosity=0)

    assert str(po_path) in str(error.value)
    assert not (tmp_path / "id" / "LC_MESSAGES" / "django.mo").exists()


def test_compiletranslations_refuses_mismatched_placeholders(settings, tmp_path):
    _write_catalog(tmp_path, "es", '#, python-format\nmsgid "Edit %(agency)s"\nmsgstr "Editar %(organismo)s"\n')
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match=r"msgid 'Edit %\(agency\)s'"):
        call_command("compiletranslations", verbosity=0)


def test_compiletranslations_compiles_the_good_catalogs_and_names_the_bad(settings, tmp_path):
    _write_catalog(tmp_path, "es", 'msgid "Agencies"\nmsgstr "Organismos"\n')
    _write_catalog(tmp_path, "id", '#, fuzzy\nmsgid "Agencies"\nmsgstr "Instansi"\n')
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match=r"id/LC_MESSAGES/django.po: 1 problem\(s\), nothing compiled for id"):
        call_command("compiletranslations", verbosity=0)

    assert (tmp_path / "es" / "LC_MESSAGES" / "django.mo").exists()
    assert not (tmp_path / "id" / "LC_MESSAGES" / "django.mo").exists()


def test_compiletranslations_without_catalogs_says_where_it_looked(settings, tmp_path):
    settings.LOCALE_PATHS = [tmp_path]

    with pytest.raises(CommandError, match=f"No .po catalogs found under {tmp_path}"):
        call_command("compiletranslations", verbosity=0)
