import datetime as dt
import hashlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.accounts.models import ApiToken
from civicloop.core.models import AuditEvent, Holiday
from civicloop.core.views import working_hours_summary
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return JurisdictionFactory(
        name="Villa Clara",
        slug="villa-clara",
        domain="villaclara.example.org",
        description="A fictional city.",
        time_zone="America/Santiago",
        languages=["es", "en"],
    )


# --- Layout ------------------------------------------------------------------------------


def test_base_layout_has_language_skip_link_and_landmarks(client, city):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<html lang="en" dir="ltr">', page)
    assert html_count(response, '<a class="skip-link" href="#main">Skip to main content</a>') == 1
    assert '<main id="main"' in page
    assert html_count(response, '<a class="site-name" href="/">Villa Clara</a>') == 1
    assert "<title>Home · Villa Clara</title>" in page


def test_base_layout_has_no_inline_script_or_style(client, city):
    page = client.get("/").content.decode()

    assert "<script" not in page
    assert " style=" not in page
    assert "<style" not in page
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', page) == ["/static/civicloop/civicloop.css"]


def test_base_layout_language_switcher_works_without_javascript(client, city):
    response = client.get("/agencies/?x=1")

    form = re.search(
        r'<form class="language-switcher" method="post" action="/i18n/setlang/">(.*?)</form>',
        response.content.decode(),
        re.S,
    )
    assert form is not None
    assert '<input type="hidden" name="next" value="/agencies/?x=1">' in form.group(1)
    assert re.findall(r'<option value="(\w+)"', form.group(1)) == ["en", "es", "id"]
    assert '<button type="submit" class="button-small">Change</button>' in form.group(1)

    switched = client.post("/i18n/setlang/", {"language": "es", "next": "/agencies/?x=1"})

    assert (switched.status_code, switched["Location"]) == (302, "/agencies/?x=1")
    assert switched.cookies["civicloop_language"].value == "es"
    assert '<html lang="es" dir="ltr">' in client.get("/agencies/").content.decode()


def test_base_layout_navigation_for_visitors(client, city):
    response = client.get("/")

    assert html_count(response, '<a href="/" aria-current="page">Home</a>') == 1
    assert html_count(response, '<a href="/agencies/">Agencies</a>') == 1
    assert html_count(response, '<a href="/accounts/login/">Sign in</a>') == 1
    assert html_count(response, '<a href="/accounts/signup/">Sign up</a>') == 1
    assert "Sign out" not in text(response)


def test_base_layout_navigation_for_a_citizen_signs_out_by_post(client, city):
    login(client, UserFactory())

    response = client.get("/")

    assert html_count(response, '<a href="/me/">Your account</a>') == 1
    assert html_count(response, '<button type="submit" class="link-button">Sign out</button>') == 1
    assert re.search(r'<form class="inline-form" method="post" action="/accounts/logout/">', response.content.decode())
    assert "Sign in" not in text(response)
    assert "/staff/" not in response.content.decode()


def test_base_layout_navigation_for_staff_links_the_staff_home(client, city):
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    response = client.get("/")

    assert html_count(response, '<a href="/staff/">Staff</a>') == 1


def test_base_layout_footer_links_the_api_docs(client, city):
    response = client.get("/")

    assert html_count(response, '<a href="/api/v1/docs">API documentation</a>') == 1
    assert html_count(response, '<a href="/api/v1/openapi.json">OpenAPI description</a>') == 1
    assert "/healthz" not in response.content.decode()


def test_stylesheet_is_served(client, city):
    response = client.get("/static/civicloop/civicloop.css")

    assert response.status_code == 200
    assert b":focus-visible" in b"".join(response.streaming_content)


# --- Home ------------------------------------------------------------------------------


def test_working_hours_summary_joins_days_with_the_same_hours():
    hours = {str(day): [["08:00", "16:00"]] for day in range(5)}
    hours["5"] = [["09:00", "12:00"], ["13:00", "14:00"]]

    assert working_hours_summary(hours) == ["Monday–Friday 08:00–16:00", "Saturday 09:00–12:00, 13:00–14:00"]


def test_working_hours_summary_keeps_separate_ranges_apart():
    hours = {"0": [["08:00", "12:00"]], "1": [["08:00", "12:00"]], "3": [["08:00", "12:00"]], "6": [["10:00", "11:00"]]}

    assert working_hours_summary(hours) == ["Monday–Tuesday 08:00–12:00", "Thursday 08:00–12:00", "Sunday 10:00–11:00"]
    assert working_hours_summary({}) == []


def test_home_shows_the_jurisdiction_overview(client, city):
    today = timezone.now().astimezone(city.tzinfo).date()
    Holiday.objects.create(jurisdiction=city, date=today + dt.timedelta(days=3), name="Founders' Day")
    Holiday.objects.create(jurisdiction=city, date=today - dt.timedelta(days=3), name="Past Day")
    district = AreaFactory(jurisdiction=city, name="North District", level="district")
    AreaFactory(jurisdiction=city, name="Ward 7", level="ward", parent=district)
    roads = AgencyFactory(jurisdiction=city, name="Roads Department", slug="roads")
    AgencyFactory(jurisdiction=city, name="Closed Office", slug="closed", is_active=False)

    response = client.get("/")
    page = text(response)

    assert response.status_code == 200
    assert html_count(response, "<h1>Villa Clara</h1>") == 1
    assert '<p class="lead">A fictional city.</p>' in page
    assert html_count(response, '<dd><span lang="es">español</span>, <span lang="en">English</span></dd>') == 1
    assert html_count(response, "<dd>America/Santiago</dd>") == 1
    assert html_count(response, "<li>Monday–Friday 08:00–16:00</li>") == 1
    assert "Founders&#x27; Day" in page
    assert "Past Day" not in page
    assert html_count(response, '<li>North District <span class="muted">(district)</span></li>') == 1
    assert "Ward 7" not in page
    assert html_count(response, f'<li><a href="{roads.get_absolute_url()}">Roads Department</a></li>') == 1
    assert "Closed Office" not in page


def test_home_without_holidays_areas_or_agencies_says_so(client, city):
    page = text(client.get("/"))

    assert "No public holidays are scheduled." in page
    assert "No areas have been loaded yet." in page
    assert "No agencies have been added yet." in page


def test_home_without_any_jurisdiction_explains_how_to_load_the_demo(client):
    response = client.get("/")

    assert response.status_code == 200
    assert html_count(response, "<h1>Welcome to civicloop</h1>") == 1
    assert html_count(response, "<pre><code>civicloop demo</code></pre>") == 1
    assert "/agencies/" not in response.content.decode()


def test_home_with_several_jurisdictions_and_an_unknown_host_lists_them(client):
    JurisdictionFactory(name="Alpha", domain="alpha.example.org")
    JurisdictionFactory(name="Beta", domain="beta.example.org")

    response = client.get("/")

    assert response.status_code == 200
    assert html_count(response, "<h1>Choose a jurisdiction</h1>") == 1
    assert html_count(response, '<a href="//alpha.example.org/">alpha.example.org</a>') == 1
    assert html_count(response, '<a href="//beta.example.org/">beta.example.org</a>') == 1


def test_home_with_several_jurisdictions_picks_the_one_for_the_host(client, settings):
    settings.ALLOWED_HOSTS = ["alpha.example.org", "beta.example.org"]
    JurisdictionFactory(name="Alpha", domain="alpha.example.org")
    JurisdictionFactory(name="Beta", domain="beta.example.org")

    response = client.get("/", HTTP_HOST="beta.example.org")

    assert html_count(response, "<h1>Beta</h1>") == 1


@pytest.mark.parametrize("url", ["/", "/agencies/"])
def test_public_list_pages_do_not_query_per_agency(client, city, url, django_assert_num_queries):
    def add_agency(n):
        agency = AgencyFactory(jurisdiction=city, name=f"Agency {n}", slug=f"agency-{n}")
        agency.areas.add(AreaFactory(jurisdiction=city, name=f"Area {n}", slug=f"area-{n}"))

    add_agency(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    add_agency(2)
    add_agency(3)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)

    assert text(response).count("Agency 3") == 1


# --- Agencies -----------------------------------------------------------------------------


def test_agency_list_shows_kind_description_and_areas(client, city):
    agency = AgencyFactory(jurisdiction=city, name="Water Board", slug="water", kind="contractor", description="Pipes.")
    agency.areas.add(AreaFactory(jurisdiction=city, name="East"), AreaFactory(jurisdiction=city, name="West"))
    AgencyFactory(jurisdiction=city, name="Gone", slug="gone", is_active=False)

    response = client.get(reverse("core:agency_list"))

    assert html_count(response, '<h2><a href="/agencies/water/">Water Board</a></h2>') == 1
    assert html_count(response, '<p class="muted">Contracted provider</p>') == 1
    assert html_count(response, "<p>Pipes.</p>") == 1
    assert html_count(response, "<p>Areas covered: East, West</p>") == 1
    assert "Gone" not in text(response)


def test_agency_list_without_a_jurisdiction_is_not_found(client):
    assert client.get("/agencies/").status_code == 404


def test_agency_detail_shows_contacts_and_areas(client, city):
    agency = AgencyFactory(
        jurisdiction=city,
        name="Roads Department",
        slug="roads",
        description="Potholes and pavements.",
        contact_email="roads@villaclara.example.org",
        phone="+56 2 1234 5678",
        website="https://roads.villaclara.example.org/",
    )
    agency.areas.add(AreaFactory(jurisdiction=city, name="North", level="district"))

    response = client.get("/agencies/roads/")

    assert response.status_code == 200
    assert html_count(response, "<h1>Roads Department</h1>") == 1
    assert html_count(response, '<p class="muted">Government body</p>') == 1
    assert html_count(response, '<p class="lead">Potholes and pavements.</p>') == 1
    assert html_count(response, '<a href="mailto:roads@villaclara.example.org">roads@villaclara.example.org</a>') == 1
    assert html_count(response, '<a href="tel:+56212345678">+56 2 1234 5678</a>') == 1
    assert (
        html_count(
            response,
            '<a href="https://roads.villaclara.example.org/" rel="noopener">https://roads.villaclara.example.org/</a>',
        )
        == 1
    )
    assert html_count(response, '<li>North <span class="muted">(district)</span></li>') == 1
    assert "Edit agency details" not in text(response)


def test_agency_detail_uses_the_readers_language(client, city):
    AgencyFactory(
        jurisdiction=city,
        name="Roads Department",
        slug="roads",
        description="Potholes.",
        translations={"es": {"name": "Departamento de Caminos", "description": "Baches."}},
    )
    client.cookies["civicloop_language"] = "es"

    response = client.get("/agencies/roads/")

    assert html_count(response, "<h1>Departamento de Caminos</h1>") == 1
    assert html_count(response, '<p class="lead">Baches.</p>') == 1


def test_agency_detail_without_contacts_says_so(client, city):
    AgencyFactory(jurisdiction=city, slug="quiet", contact_email="")

    response = client.get("/agencies/quiet/")

    assert "This agency has not published contact details yet." in text(response)
    assert "No specific areas are listed for this agency." in text(response)


def test_agency_detail_links_the_edit_page_for_its_manager(client, city):
    agency = AgencyFactory(jurisdiction=city, slug="roads")
    login(client, user_with_role(Role.AGENCY_MANAGER, jurisdiction=city, agency=agency))

    response = client.get("/agencies/roads/")

    assert (
        html_count(response, '<a class="button secondary" href="/staff/agencies/roads/edit/">Edit agency details</a>')
        == 1
    )


@pytest.mark.parametrize("slug", ["nope", "inactive", "elsewhere"])
def test_agency_detail_unknown_inactive_or_foreign_is_not_found(client, city, slug, settings):
    settings.ALLOWED_HOSTS = ["villaclara.example.org"]
    AgencyFactory(jurisdiction=city, slug="inactive", is_active=False)
    other = JurisdictionFactory(domain="other.example.org")
    AgencyFactory(jurisdiction=other, slug="elsewhere")

    response = client.get(f"/agencies/{slug}/", HTTP_HOST="villaclara.example.org")

    assert response.status_code == 404
    assert html_count(response, "<h1>Page not found</h1>") == 1


# --- Your account ----------------------------------------------------------------------


def test_account_home_requires_sign_in(client, city):
    response = client.get("/me/")

    assert (response.status_code, response["Location"]) == (302, "/accounts/login/?next=/me/")


def test_account_home_shows_a_citizen_their_details(client, city):
    login(client, UserFactory(email="ana@example.net", name="Ana", language="id"))

    response = client.get("/me/")

    assert response.status_code == 200
    assert html_count(response, "<dd>ana@example.net</dd>") == 1
    assert html_count(response, "<dd>Ana</dd>") == 1
    assert html_count(response, "<dd>Bahasa Indonesia</dd>") == 1
    assert html_count(response, '<a href="/accounts/email/">Change or add e-mail addresses</a>') == 1
    assert html_count(response, '<a href="/accounts/password/change/">Change password</a>') == 1
    assert html_count(response, '<button type="submit" class="secondary">Sign out</button>') == 1


def test_account_home_without_name_or_language_says_not_given(client, city):
    login(client, UserFactory(name="", language=""))

    page = text(client.get("/me/"))

    assert "<dd>Not given</dd>" in page
    assert "<dd>Not set</dd>" in page


@pytest.mark.parametrize("role", [Role.AGENCY_STAFF, Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR])
def test_account_home_sends_staff_to_the_staff_home(client, city, role):
    login(client, user_with_role(role, jurisdiction=city))

    response = client.get("/me/")

    assert (response.status_code, response["Location"]) == (302, "/staff/")


# --- API tokens ------------------------------------------------------------------------


@pytest.fixture
def staff(city):
    return user_with_role(Role.AGENCY_STAFF, jurisdiction=city)


def test_tokens_page_is_forbidden_to_citizens(client, city):
    login(client, UserFactory())

    assert client.get("/me/tokens/").status_code == 403
    assert client.post("/me/tokens/", {"name": "x"}).status_code == 403
    assert ApiToken.objects.count() == 0


def test_tokens_page_requires_sign_in(client, city):
    assert client.get("/me/tokens/")["Location"] == "/accounts/login/?next=/me/tokens/"


def test_tokens_page_lists_own_tokens_only(client, city, staff):
    mine = ApiToken.objects.create(user=staff, name="Open311 bridge", prefix="aaaa1111", digest="a" * 64)
    ApiToken.objects.create(user=UserFactory(), name="Someone else", prefix="bbbb2222", digest="b" * 64)
    login(client, staff)

    response = client.get("/me/tokens/")

    assert response.status_code == 200
    page = text(response)
    assert "<td>Open311 bridge</td>" in page
    assert "<td><code>cl_aaaa1111_…</code></td>" in page
    assert "<td>Never</td>" in page
    assert "Someone else" not in page
    assert f'action="/me/tokens/{mine.pk}/revoke/"' in page
    assert "Copy it now" not in page


def test_token_create_shows_the_secret_once_and_stores_only_its_digest(client, city, staff):
    login(client, staff)

    response = client.post("/me/tokens/", {"name": "Open311 bridge"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=staff)
    secret = re.search(
        r'<input id="new-token" type="text" class="secret" value="([^"]+)"', response.content.decode()
    ).group(1)
    assert secret.startswith(f"cl_{token.prefix}_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.name == "Open311 bridge"
    assert "Copy it now. It will not be shown again" in text(response)
    assert secret not in str(dict(client.session))
    event = AuditEvent.objects.get(action="api_token.create")
    assert (event.actor, event.channel) == (staff, "web")

    again = client.get("/me/tokens/")

    assert secret not in again.content.decode()
    assert "Copy it now" not in text(again)


def test_token_create_without_a_name_shows_the_error_next_to_the_field(client, city, staff):
    login(client, staff)

    response = client.post("/me/tokens/", {"name": "   "})

    assert response.status_code == 200
    assert ApiToken.objects.count() == 0
    page = response.content.decode()
    assert 'aria-invalid="true"' in page
    assert re.search(r'<input type="text" name="name"[^>]*aria-describedby="id_name_helptext id_name_error"', page)
    assert html_count(response, '<ul class="errorlist" id="id_name_error"><li>This field is required.</li></ul>') == 1


def test_token_revoke_revokes_and_audits(client, city, staff):
    login(client, staff)
    client.post("/me/tokens/", {"name": "Bridge"})
    token = ApiToken.objects.get(user=staff)

    response = client.post(f"/me/tokens/{token.pk}/revoke/", follow=True)

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert response.redirect_chain == [("/me/tokens/", 302)]
    assert (
        '<div class="wrap messages" role="status"> <p class="message message-success">'
        "The token “Bridge” was revoked. It no longer works.</p> </div>"
    ) in text(response)
    assert "Revoked " in text(response)
    event = AuditEvent.objects.get(action="api_token.revoke")
    assert (event.actor, event.channel, event.before) == (staff, "web", {"revoked_at": None})


def test_token_revoke_of_someone_elses_token_is_not_found(client, city, staff):
    other = ApiToken.objects.create(user=UserFactory(), name="Theirs", prefix="cccc3333", digest="c" * 64)
    login(client, staff)

    response = client.post(f"/me/tokens/{other.pk}/revoke/")

    other.refresh_from_db()
    assert response.status_code == 404
    assert other.revoked_at is None


def test_token_revoke_refuses_get(client, city, staff):
    token = ApiToken.objects.create(user=staff, name="Mine", prefix="dddd4444", digest="d" * 64)
    login(client, staff)

    assert client.get(f"/me/tokens/{token.pk}/revoke/").status_code == 405


# --- Sign-in pages (allauth, in civicloop's layout) ------------------------------------------------


@pytest.mark.parametrize(
    ("url", "heading"),
    [
        ("/accounts/login/", "Sign In"),
        ("/accounts/signup/", "Sign Up"),
        ("/accounts/password/reset/", "Password Reset"),
        ("/accounts/password/reset/done/", "Password Reset"),
        ("/accounts/confirm-email/not-a-key/", "Confirm Email Address"),
        ("/accounts/password/reset/key/1-bad-key/", "Bad Token"),
    ],
)
def test_allauth_pages_use_the_civicloop_layout(client, city, url, heading):
    response = client.get(url, follow=True)

    assert response.status_code == 200
    assert html_count(response, f"<h1>{heading}</h1>") == 1
    assert html_count(response, '<a class="skip-link" href="#main">Skip to main content</a>') == 1
    assert " style=" not in response.content.decode()


def test_login_page_labels_every_field(client, city):
    page = client.get("/accounts/login/").content.decode()

    for field_id in re.findall(r'<input type="(?:email|password|checkbox)" [^>]*id="(\w+)"', page):
        assert f'<label for="{field_id}"' in page


def test_login_with_wrong_password_shows_the_error(client, city):
    UserFactory(email="ana@example.net")

    response = client.post("/accounts/login/", {"login": "ana@example.net", "password": "wrong password"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in text(response)


def test_login_page_offers_the_oidc_provider_when_configured(client, city, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": "clave-unica",
                    "name": "ClaveÚnica",
                    "client_id": "civicloop",
                    "secret": "s3cret",
                    "settings": {"server_url": "https://accounts.example.gob"},
                }
            ]
        }
    }

    response = client.get("/accounts/login/")

    assert (
        html_count(
            response,
            '<a class="button" href="/accounts/oidc/clave-unica/login/?process=login">Sign in with ClaveÚnica</a>',
        )
        == 1
    )


def test_login_page_without_oidc_offers_no_provider(client, city):
    assert "Sign in with" not in text(client.get("/accounts/login/"))


def test_signup_sends_to_the_verification_page(client, city, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {"email": "new@example.net", "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
            follow=True,
        )

    assert response.status_code == 200
    assert html_count(response, "<h1>Verify Your Email Address</h1>") == 1
    assert [message.to for message in mailoutbox] == [["new@example.net"]]


def test_logout_page_asks_for_confirmation_by_post(client, city):
    login(client, UserFactory())

    response = client.get("/accounts/logout/")

    assert html_count(response, "<h1>Sign Out</h1>") == 1
    assert html_count(response, '<button type="submit">Sign Out</button>') == 1

    client.post("/accounts/logout/")

    assert client.get("/me/").status_code == 302


def test_email_management_page_renders_in_the_account_layout(client, city):
    user = UserFactory(email="ana@example.net")
    user.emailaddress_set.create(email="ana@example.net", primary=True, verified=True)
    login(client, user)

    response = client.get("/accounts/email/")

    assert response.status_code == 200
    assert html_count(response, "<h1>Email Addresses</h1>") == 1
    assert re.search(r'<input[^>]*name="email"[^>]*value="ana@example.net"[^>]*type="radio"', response.content.decode())
    assert html_count(response, '<a href="/accounts/password/change/">Change password</a>') == 1


def test_lockout_page_says_when_to_try_again(client, city, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.ACCOUNT_RATE_LIMITS = False
    UserFactory(email="ana@example.net")

    for _attempt in range(2):
        client.post("/accounts/login/", {"login": "ana@example.net", "password": "wrong password"})
    response = client.post("/accounts/login/", {"login": "ana@example.net", "password": "wrong password"})

    assert response.status_code == 429
    assert html_count(response, "<h1>Too many failed sign-in attempts</h1>") == 1
    assert "<strong>Please try again in 15 minutes.</strong>" in text(response)
    assert html_count(response, '<a href="/accounts/password/reset/">reset it by e-mail</a>') == 1


def test_home_shows_the_jurisdiction_in_the_readers_language(client):
    JurisdictionFactory(
        name="Ciudad Esperanza",
        description="Una ciudad ficticia.",
        translations={"id": {"description": "Kota fiktif."}},
    )
    indonesian = client.get("/", headers={"accept-language": "id"}).content.decode()
    spanish = client.get("/", headers={"accept-language": "es"}).content.decode()
    assert ("Kota fiktif." in indonesian, "Una ciudad ficticia." in indonesian) == (True, False)
    assert ("Kota fiktif." in spanish, "Una ciudad ficticia." in spanish) == (False, True)


def test_agency_list_is_ordered_by_the_name_shown_in_the_readers_language(client):
    jurisdiction = JurisdictionFactory()
    AgencyFactory(jurisdiction=jurisdiction, name="Aseo", slug="aseo", translations={"en": {"name": "Waste"}})
    AgencyFactory(jurisdiction=jurisdiction, name="Parques", slug="parques", translations={"en": {"name": "Parks"}})

    def order(language: str) -> list[str]:
        html = client.get("/agencies/", headers={"accept-language": language}).content.decode()
        return re.findall(r'href="/agencies/(aseo|parques)/"', html)

    assert order("en") == ["parques", "aseo"]
    assert order("es") == ["aseo", "parques"]
