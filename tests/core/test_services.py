import pytest
from django.core.exceptions import ValidationError

from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.core.services import CoreError, agency_update, email_enqueue
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_agency_update_saves_and_audits_changed_fields_only():
    agency = AgencyFactory(name="Roads", phone="111")
    user = UserFactory()

    agency_update(agency=agency, by=user, channel=Channel.API, name="Roads and Bridges", phone="111")

    agency.refresh_from_db()
    assert agency.name == "Roads and Bridges"
    event = AuditEvent.objects.get(action="agency.update")
    assert (event.before, event.after, event.channel, event.actor) == (
        {"name": "Roads"},
        {"name": "Roads and Bridges"},
        "api",
        user,
    )


def test_agency_update_without_changes_writes_nothing():
    agency = AgencyFactory(name="Roads")
    agency_update(agency=agency, by=UserFactory(), name="Roads")
    assert not AuditEvent.objects.exists()


def test_agency_update_refuses_fields_it_does_not_own():
    agency = AgencyFactory()
    with pytest.raises(CoreError, match="slug"):
        agency_update(agency=agency, by=UserFactory(), slug="elsewhere")
    assert not AuditEvent.objects.exists()


def test_agency_update_with_bad_email_saves_nothing():
    agency = AgencyFactory(contact_email="roads@city.example.org")
    with pytest.raises(ValidationError) as excinfo:
        agency_update(agency=agency, by=UserFactory(), contact_email="not an address")
    assert "contact_email" in excinfo.value.message_dict
    agency.refresh_from_db()
    assert agency.contact_email == "roads@city.example.org"
    assert not AuditEvent.objects.exists()


def test_email_enqueue_sends_after_commit(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(subject="Hello", body="Body", to=["a@example.net"], html="<p>Body</p>")
    assert [(m.subject, m.to, m.alternatives[0][1]) for m in mailoutbox] == [("Hello", ["a@example.net"], "text/html")]


def test_email_enqueue_sends_nothing_when_the_transaction_rolls_back(mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_enqueue(subject="Hello", body="Body", to=["a@example.net"])
    assert len(callbacks) == 1
    assert mailoutbox == []
