import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from civicloop.accounts.enums import Role
from civicloop.accounts.services import token_digest
from civicloop.core.demo import DEMO_SLUG, demo_load
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports.demo import DEMO_OPEN311_KEY, DEMO_OPEN311_KEY_NAME
from civicloop.reports.models import Open311ApiKey
from civicloop.reports.selectors import open311_key_authenticate
from civicloop.reports.services import ReportsError, open311_key_create, open311_key_revoke
from tests.factories import JurisdictionFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_open311_key_create_stores_only_the_digest_and_is_audited():
    jurisdiction = JurisdictionFactory()
    key, raw = open311_key_create(jurisdiction=jurisdiction, name="  City app ", contact_email="dev@example.org")

    assert raw.startswith(f"o311_{key.prefix}_")
    assert len(raw) > 40
    stored = Open311ApiKey.objects.get()
    assert (stored.name, stored.contact_email, stored.digest) == ("City app", "dev@example.org", token_digest(raw))
    assert all(raw not in str(value) for value in Open311ApiKey.objects.values().get().values())
    event = AuditEvent.objects.get(action="open311_key.create")
    assert (event.jurisdiction, event.object_id, event.channel) == (jurisdiction, str(key.pk), Channel.WEB)
    assert event.after == {
        "name": "City app",
        "prefix": key.prefix,
        "contact_email": "dev@example.org",
        "can_post_updates": False,
        "agency": None,
    }
    assert raw not in str(event.after)


@pytest.mark.parametrize(
    ("name", "email", "message"),
    [
        ("   ", "", "Give the key the name of the integration"),
        ("x" * 101, "", "at most 100 characters"),
        ("City app", "not-an-address", "not-an-address is not an e-mail address"),
    ],
)
def test_open311_key_create_with_bad_fields_saves_nothing(name, email, message):
    with pytest.raises(ReportsError, match=message):
        open311_key_create(jurisdiction=JurisdictionFactory(), name=name, contact_email=email)
    assert not Open311ApiKey.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="open311_key").exists()


def test_open311_key_create_refuses_a_fixed_key_in_another_format():
    with pytest.raises(ReportsError, match="must look like o311_"):
        open311_key_create(jurisdiction=JurisdictionFactory(), name="Demo", raw="cl_abcd1234_" + "x" * 40)
    assert not Open311ApiKey.objects.exists()


def test_open311_key_authenticate_accepts_the_key_in_its_jurisdiction_only():
    jurisdiction, other = JurisdictionFactory(), JurisdictionFactory()
    key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")

    assert open311_key_authenticate(jurisdiction=jurisdiction, raw=raw) == key
    assert open311_key_authenticate(jurisdiction=other, raw=raw) is None
    assert open311_key_authenticate(jurisdiction=jurisdiction, raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert open311_key_authenticate(jurisdiction=jurisdiction, raw="") is None
    assert open311_key_authenticate(jurisdiction=jurisdiction, raw=raw.replace("o311_", "cl_", 1)) is None


def test_open311_key_authenticate_refuses_a_revoked_key():
    jurisdiction = JurisdictionFactory()
    key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")
    open311_key_revoke(key=key, by=None)
    assert open311_key_authenticate(jurisdiction=jurisdiction, raw=raw) is None


def test_open311_key_authenticate_stamps_last_use_at_most_once_a_minute():
    jurisdiction = JurisdictionFactory()
    _key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")

    open311_key_authenticate(jurisdiction=jurisdiction, raw=raw)
    first = Open311ApiKey.objects.get().last_used_at
    assert first is not None
    open311_key_authenticate(jurisdiction=jurisdiction, raw=raw)
    assert Open311ApiKey.objects.get().last_used_at == first

    Open311ApiKey.objects.update(last_used_at=timezone.now() - dt.timedelta(minutes=2))
    open311_key_authenticate(jurisdiction=jurisdiction, raw=raw)
    assert Open311ApiKey.objects.get().last_used_at > first


def test_open311_key_revoke_is_audited_once():
    jurisdiction = JurisdictionFactory()
    admin = user_with_role(Role.ADMINISTRATOR, jurisdiction=jurisdiction)
    key, _raw = open311_key_create(jurisdiction=jurisdiction, name="City app")

    open311_key_revoke(key=key, by=admin, channel=Channel.WEB)
    open311_key_revoke(key=key, by=admin, channel=Channel.WEB)

    event = AuditEvent.objects.get(action="open311_key.revoke")
    assert (event.actor, event.jurisdiction, event.before) == (admin, jurisdiction, {"revoked_at": None})
    assert Open311ApiKey.objects.get().revoked_at is not None


# --- civicloop open311 ------------------------------------------------------------------------
def _run(*args):
    out = StringIO()
    call_command("open311", *args, stdout=out)
    return out.getvalue()


def test_open311_command_create_key_prints_a_working_key_once():
    jurisdiction = JurisdictionFactory(slug="esperanza")
    JurisdictionFactory(slug="otra")

    output = _run("create-key", "City app", "--jurisdiction", "esperanza", "--email", "dev@example.org")

    key = Open311ApiKey.objects.get()
    raw = next(line for line in output.splitlines() if line.startswith("o311_"))
    assert open311_key_authenticate(jurisdiction=jurisdiction, raw=raw) == key
    assert "shown only once" in output
    assert (key.name, key.contact_email) == ("City app", "dev@example.org")
    assert AuditEvent.objects.get(action="open311_key.create").channel == Channel.SYSTEM


def test_open311_command_unknown_jurisdiction_lists_the_valid_slugs():
    JurisdictionFactory(slug="esperanza")
    JurisdictionFactory(slug="otra")
    with pytest.raises(CommandError, match=r"No jurisdiction 'nowhere'\. Valid jurisdictions: esperanza, otra\."):
        _run("create-key", "City app", "--jurisdiction", "nowhere")
    with pytest.raises(CommandError, match="Say which jurisdiction with --jurisdiction SLUG"):
        _run("list-keys")
    assert not Open311ApiKey.objects.exists()


def test_open311_command_empty_name_is_refused():
    JurisdictionFactory(slug="esperanza")
    with pytest.raises(CommandError, match="No key was issued: Give the key the name"):
        _run("create-key", " ", "--jurisdiction", "esperanza")
    assert not Open311ApiKey.objects.exists()


def test_open311_command_list_and_revoke_keys():
    jurisdiction = JurisdictionFactory(slug="esperanza")
    assert "has no Open311 API keys" in _run("list-keys", "--jurisdiction", "esperanza")
    key, raw = open311_key_create(jurisdiction=jurisdiction, name="City app")

    listing = _run("list-keys", "--jurisdiction", "esperanza")
    row = next(line for line in listing.splitlines() if line.startswith(key.prefix))
    assert row.split("  ")[1] == "City app"
    assert row.endswith("active")
    assert raw not in listing

    assert f"Revoked key {key.prefix}" in _run("revoke-key", key.prefix)
    assert "already revoked" in _run("revoke-key", key.prefix)
    assert "revoked " in _run("list-keys", "--jurisdiction", "esperanza")
    assert AuditEvent.objects.filter(action="open311_key.revoke").count() == 1
    with pytest.raises(CommandError, match="No Open311 API key with prefix 'nope'"):
        _run("revoke-key", "nope")


# --- the admin --------------------------------------------------------------------------------
@pytest.fixture
def admin_client(client):
    jurisdiction = JurisdictionFactory()
    client.user = user_with_role(Role.ADMINISTRATOR, jurisdiction=jurisdiction)
    client.force_login(client.user)
    client.jurisdiction = jurisdiction
    return client


def test_admin_add_open311_key_shows_the_key_once(admin_client):
    response = admin_client.post(
        "/admin/reports/open311apikey/add/",
        {"jurisdiction": admin_client.jurisdiction.pk, "name": "City app", "contact_email": ""},
        follow=True,
    )
    assert response.status_code == 200
    key = Open311ApiKey.objects.get()
    shown = [str(message) for message in response.context["messages"] if "o311_" in str(message)]
    assert len(shown) == 1
    raw = shown[0].split(" is ", 1)[1].split(" ", 1)[0]
    assert open311_key_authenticate(jurisdiction=admin_client.jurisdiction, raw=raw) == key
    event = AuditEvent.objects.get(action="open311_key.create")
    assert (event.actor, event.channel) == (admin_client.user, Channel.WEB)

    page = admin_client.get(f"/admin/reports/open311apikey/{key.pk}/change/").content.decode()
    assert key.prefix in page
    assert raw not in page
    assert raw not in admin_client.get("/admin/reports/open311apikey/").content.decode()


def test_admin_add_open311_key_without_name_is_refused(admin_client):
    response = admin_client.post(
        "/admin/reports/open311apikey/add/", {"jurisdiction": admin_client.jurisdiction.pk, "name": " "}
    )
    assert response.status_code == 200
    assert not Open311ApiKey.objects.exists()


def test_admin_revoke_action_revokes_and_audits(admin_client):
    key, raw = open311_key_create(jurisdiction=admin_client.jurisdiction, name="City app")
    response = admin_client.post(
        "/admin/reports/open311apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Revoked 1 key" in response.content.decode()
    assert open311_key_authenticate(jurisdiction=admin_client.jurisdiction, raw=raw) is None
    assert AuditEvent.objects.get(action="open311_key.revoke").actor == admin_client.user


def test_admin_open311_keys_cannot_be_deleted_or_edited(admin_client):
    key, _raw = open311_key_create(jurisdiction=admin_client.jurisdiction, name="City app")
    assert admin_client.post(f"/admin/reports/open311apikey/{key.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        f"/admin/reports/open311apikey/{key.pk}/change/",
        {"jurisdiction": admin_client.jurisdiction.pk, "name": "Renamed", "contact_email": "x@example.org"},
    )
    assert Open311ApiKey.objects.get().name == "City app"
    assert AuditEvent.objects.filter(action__startswith="open311").count() == 1


def test_admin_open311_keys_are_for_administrators_only(client):
    jurisdiction = JurisdictionFactory()
    client.force_login(user_with_role(Role.SUPERVISOR, jurisdiction=jurisdiction, is_staff=True))
    assert client.get("/admin/reports/open311apikey/").status_code == 403


# --- the demo ---------------------------------------------------------------------------------
def test_demo_open311_key_works_and_a_second_run_writes_nothing():
    demo_load()
    key = Open311ApiKey.objects.get()
    assert (key.name, key.jurisdiction.slug) == (DEMO_OPEN311_KEY_NAME, DEMO_SLUG)
    assert open311_key_authenticate(jurisdiction=key.jurisdiction, raw=DEMO_OPEN311_KEY) == key

    events = AuditEvent.objects.count()
    assert demo_load().changes == 0
    assert AuditEvent.objects.count() == events
    assert Open311ApiKey.objects.count() == 1


def test_demo_open311_key_revoked_stays_revoked_unless_reset():
    demo_load()
    key = Open311ApiKey.objects.get()
    open311_key_revoke(key=key, by=None)
    demo_load()
    assert open311_key_authenticate(jurisdiction=key.jurisdiction, raw=DEMO_OPEN311_KEY) is None

    assert demo_load(reset=True).changes >= 1
    assert open311_key_authenticate(jurisdiction=key.jurisdiction, raw=DEMO_OPEN311_KEY) == key
    assert AuditEvent.objects.filter(action="open311_key.restore").count() == 1


def test_demo_command_prints_the_demo_open311_key_every_time():
    for _run_number in range(2):
        out = StringIO()
        call_command("demo", stdout=out)
        assert f"Open311 demo api_key: {DEMO_OPEN311_KEY}  (demo only)" in out.getvalue()
