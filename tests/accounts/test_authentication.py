"""Sign-up, e-mail verification, password hashing and lockout, end to end through allauth."""

import re

import pytest
from allauth.account.models import EmailAddress

from civicloop import settings as real_settings
from tests.factories import JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_the_real_settings(settings):
    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    user = UserFactory()
    user.set_password("a long passphrase 42")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a long passphrase 42")


def test_signup_verification_and_sign_in(client, mailoutbox, django_capture_on_commit_callbacks):
    JurisdictionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/accounts/signup/",
            {"email": "Nueva@Example.net", "password1": "a long passphrase 42", "password2": "a long passphrase 42"},
        )
    # Mandatory verification: not signed in until the link in the e-mail is followed.
    assert client.get("/me/").status_code == 302
    assert [m.to for m in mailoutbox] == [["nueva@example.net"]]
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", mailoutbox[0].body).group(1)

    assert client.post(link).status_code == 302
    assert EmailAddress.objects.get(email="nueva@example.net").verified is True

    response = client.post("/accounts/login/", {"login": "nueva@example.net", "password": "a long passphrase 42"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_sign_in_before_verification_is_held_at_the_verification_page(client, mailoutbox):
    JurisdictionFactory()
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    response = client.post("/accounts/login/", {"login": "ana@example.net", "password": "correct horse battery"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/me/").status_code == 302


def test_repeated_failed_sign_ins_lock_out_even_the_right_password(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False  # measure django-axes alone, not allauth's own rate limit
    JurisdictionFactory()
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"login": "ana@example.net", "password": "wrong"})
        assert response.status_code in {200, 429}
    response = client.post("/accounts/login/", {"login": "ana@example.net", "password": "correct horse battery"})

    assert response.status_code == 429
    assert client.get("/me/").status_code == 302
    # Another person is not locked out by someone else's failures.
    other = UserFactory(email="bo@example.net")
    EmailAddress.objects.create(user=other, email=other.email, primary=True, verified=True)
    response = client.post("/accounts/login/", {"login": "bo@example.net", "password": "correct horse battery"})
    assert response.status_code == 302
