"""E-mail alerts: asking for them, confirming the address, and the one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from civicloop.core.models import AuditEvent
from civicloop.reports import tokens
from civicloop.reports.enums import PrivacyClass, ReporterVisibility, ReportStatus
from civicloop.reports.models import Subscription
from civicloop.reports.services import ReportsError
from civicloop.reports.services.subscriptions import subscription_confirm, subscription_create, subscription_delete
from tests.factories import AreaFactory, JurisdictionFactory, UserFactory
from tests.reports.factories import CategoryFactory
from tests.reports.test_public_pages import make_report
from tests.web import html_count, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(settings):
    city = JurisdictionFactory(name="Villa Clara", slug="villa-clara", domain="villaclara.example.org")
    settings.ALLOWED_HOSTS = [city.domain]
    return city


def link_in(message, name):
    prefix = "http://villaclara.example.org"
    match = re.search(rf"{prefix}(/subscriptions/{name}/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


# --- Service -----------------------------------------------------------------------------------


def test_subscription_create_sends_a_confirmation_link(city, mailoutbox, django_capture_on_commit_callbacks):
    area = AreaFactory(jurisdiction=city, name="Centro")

    with django_capture_on_commit_callbacks(execute=True):
        subscription = subscription_create(jurisdiction=city, email=" Alerts@Example.NET ", area=area)

    assert subscription.email == "alerts@example.net"
    assert subscription.confirmed_at is None
    assert [m.to for m in mailoutbox] == [["alerts@example.net"]]
    assert mailoutbox[0].subject == "Confirm your e-mail alerts"
    assert "e-mail alerts about reports in Centro" in " ".join(mailoutbox[0].body.split())
    token = link_in(mailoutbox[0], "confirm").split("/")[-2]
    assert tokens.read("subscription", token) == str(subscription.pk)


def test_subscription_create_by_a_verified_user_is_confirmed_at_once(city, mailoutbox):
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email="ana@example.net", verified=True, primary=True)
    category = CategoryFactory(jurisdiction=city)

    subscription = subscription_create(jurisdiction=city, email="ana@example.net", user=user, category=category)

    assert subscription.confirmed_at is not None
    assert subscription.user == user
    assert mailoutbox == []


def test_subscription_create_for_someone_elses_address_needs_confirmation(
    city, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email="ana@example.net", verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        subscription = subscription_create(
            jurisdiction=city, email="other@example.net", user=user, report=make_report(city)
        )

    assert subscription.confirmed_at is None
    assert subscription.user is None
    assert len(mailoutbox) == 1


def test_subscription_create_twice_returns_the_same_subscription(city, mailoutbox, django_capture_on_commit_callbacks):
    area = AreaFactory(jurisdiction=city)

    with django_capture_on_commit_callbacks(execute=True):
        first = subscription_create(jurisdiction=city, email="a@example.net", area=area)
        second = subscription_create(jurisdiction=city, email="A@example.net", area=area)

    assert first == second
    assert Subscription.objects.count() == 1
    assert len(mailoutbox) == 2  # the link is sent again while unconfirmed


def test_subscription_create_refuses_what_the_public_may_not_follow(city):
    other_city = JurisdictionFactory()
    cases = [
        {"report": make_report(city, visibility=ReporterVisibility.CONFIDENTIAL)},
        {"report": make_report(city, status=ReportStatus.UNVERIFIED)},
        {"category": CategoryFactory(jurisdiction=city, privacy=PrivacyClass.SENSITIVE)},
        {"area": AreaFactory(jurisdiction=other_city)},
        {},
        {"area": AreaFactory(jurisdiction=city), "category": CategoryFactory(jurisdiction=city)},
    ]
    for target in cases:
        with pytest.raises(ReportsError):
            subscription_create(jurisdiction=city, email="a@example.net", **target)
    with pytest.raises(ReportsError, match="Enter a valid e-mail address"):
        subscription_create(jurisdiction=city, email="not an address", area=AreaFactory(jurisdiction=city))
    assert Subscription.objects.count() == 0


def test_subscription_audit_events_name_no_address(city):
    subscription = subscription_create(
        jurisdiction=city, email="hidden@example.net", area=AreaFactory(jurisdiction=city)
    )
    subscription_confirm(subscription=subscription)
    pk = subscription.pk
    subscription_delete(subscription=subscription)

    events = AuditEvent.objects.filter(object_id=str(pk)).order_by("occurred_at", "id")
    assert [e.action for e in events] == ["subscription.create", "subscription.confirm", "subscription.delete"]
    assert all("hidden@example.net" not in f"{e.object_repr} {e.before} {e.after}" for e in events)
    assert events[1].after["confirmed"] is True


# --- Pages -------------------------------------------------------------------------------------


def test_subscribe_page_confirm_and_unsubscribe_journey(client, city, mailoutbox, django_capture_on_commit_callbacks):
    report = make_report(city)
    host = {"HTTP_HOST": city.domain}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:subscribe"), {"email": "me@example.net", "report": report.reference}, **host
        )

    assert response.status_code == 302
    assert response["Location"] == f"/reports/{report.reference}/"
    subscription = Subscription.objects.get()
    assert subscription.report == report
    confirm = link_in(mailoutbox[0], "confirm")

    page = client.get(confirm, **host)
    assert page.status_code == 200
    assert html_count(page, '<button type="submit">Confirm alerts</button>') == 1
    subscription.refresh_from_db()
    assert subscription.confirmed_at is None  # a link scanner's GET changes nothing

    assert client.post(confirm, **host).status_code == 302
    subscription.refresh_from_db()
    assert subscription.confirmed_at is not None

    unsubscribe = reverse("reports:unsubscribe", kwargs={"token": tokens.make("unsubscribe", subscription.pk)})
    page = client.get(unsubscribe, **host)
    assert html_count(page, '<button type="submit">Stop these alerts</button>') == 1
    assert Subscription.objects.exists()
    done = client.post(unsubscribe, **host)
    assert done.status_code == 200
    assert f"you will get no more e-mail about report {report.reference}" in " ".join(done.content.decode().split())
    assert not Subscription.objects.exists()
    again = client.post(unsubscribe, **host)
    assert again.status_code == 200
    assert "These alerts were already stopped" in again.content.decode()


def test_unsubscribe_works_with_one_click_post_without_csrf(city):
    from django.test import Client

    subscription = subscription_create(jurisdiction=city, email="a@example.net", area=AreaFactory(jurisdiction=city))
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("reports:unsubscribe", kwargs={"token": tokens.make("unsubscribe", subscription.pk)}),
        {"List-Unsubscribe": "One-Click"},
        HTTP_HOST=city.domain,
    )

    assert response.status_code == 200
    assert not Subscription.objects.exists()


def test_subscription_links_with_a_bad_token_are_404_with_a_plain_message(client, city):
    subscription = subscription_create(jurisdiction=city, email="a@example.net", area=AreaFactory(jurisdiction=city))
    wrong_purpose = tokens.make("subscription", subscription.pk)

    for url in [
        reverse("reports:unsubscribe", kwargs={"token": "forged"}),
        reverse("reports:unsubscribe", kwargs={"token": wrong_purpose}),
        reverse("reports:subscription_confirm", kwargs={"token": "forged"}),
    ]:
        response = client.get(url, HTTP_HOST=city.domain)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()


def test_subscribe_form_errors_are_summarised_and_linked(client, city):
    area = AreaFactory(jurisdiction=city, slug="centro")

    response = client.post(reverse("reports:subscribe"), {"email": "nope", "area": "centro"}, HTTP_HOST=city.domain)

    assert response.status_code == 200
    assert html_count(response, '<a href="#id_email">Your e-mail address: Enter a valid email address.</a>') == 1
    assert not Subscription.objects.filter(area=area).exists()


def test_subscribe_by_a_signed_in_verified_user_is_immediate(client, city, mailoutbox):
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email="ana@example.net", verified=True, primary=True)
    CategoryFactory(jurisdiction=city, code="lights", name="Street lights")
    login(client, user)

    form = client.get(reverse("reports:subscribe"), {"category": "lights"}, HTTP_HOST=city.domain)
    assert 'value="ana@example.net"' in form.content.decode()
    response = client.post(
        reverse("reports:subscribe"),
        {"email": "ana@example.net", "category": "lights"},
        HTTP_HOST=city.domain,
        follow=True,
    )

    assert "Done: you will get e-mail about reports about Street lights." in response.content.decode()
    assert Subscription.objects.get().confirmed_at is not None
    assert mailoutbox == []


def test_subscribe_to_something_hidden_is_404(client, city):
    confidential = make_report(city, visibility=ReporterVisibility.CONFIDENTIAL)

    for data in [{"report": confidential.reference}, {"area": "nowhere"}, {}]:
        assert (
            client.post(
                reverse("reports:subscribe"), {"email": "a@example.net", **data}, HTTP_HOST=city.domain
            ).status_code
            == 404
        )
    assert not Subscription.objects.exists()


def test_subscription_confirm_links_only_the_accounts_own_address(city):
    area = AreaFactory(jurisdiction=city)
    owner, stranger = UserFactory(email="owner@example.net"), UserFactory(email="stranger@example.net")
    mine = subscription_create(jurisdiction=city, email="owner@example.net", area=area)
    theirs = subscription_create(jurisdiction=city, email="other@example.net", area=area)

    subscription_confirm(subscription=mine, user=owner)
    subscription_confirm(subscription=theirs, user=stranger)

    assert (mine.user, theirs.user) == (owner, None)
    assert mine.confirmed_at is not None
    assert theirs.confirmed_at is not None
