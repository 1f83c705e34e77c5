import pytest
from allauth.account.models import EmailAddress

from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory


def test_home_page_loads_accessible_in_a_phone_browser(page, axe_check):
    jurisdiction = JurisdictionFactory(name="Villa Serena")
    AgencyFactory(jurisdiction=jurisdiction, name="Roads and Lighting")

    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main").count() == 1
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip() != ""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    axe_check(page)


def test_home_page_without_jurisdictions_loads_accessible(page, axe_check):
    response = page.goto("/")

    assert response is not None
    assert response.status == 200
    assert page.locator("main h1").count() == 1
    axe_check(page)


def test_sign_in_page_loads_accessible(page, axe_check):
    JurisdictionFactory()

    page.goto("/accounts/login/")

    assert page.locator("input[name=login]").is_visible()
    assert page.locator("input[name=password]").is_visible()
    axe_check(page)


def test_axe_check_fails_listing_serious_violations(page, axe_check):
    page.set_content('<html lang="en"><body><main><h1>Report</h1><img src="pothole.png"></main></body></html>')

    with pytest.raises(pytest.fail.Exception, match=r"\[critical\] image-alt: Images must have alternative text"):
        axe_check(page)


def test_sign_in_helper_signs_in_verified_citizen(page, live_server, sign_in):
    JurisdictionFactory()
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    sign_in(page, live_server, "ana@example.net", "correct horse battery")

    assert page.url == f"{live_server.url}/me/"  # a citizen's home after signing in
    assert page.get_by_role("button", name="Sign out").first.is_visible()


def test_sign_in_helper_fails_on_wrong_password(page, live_server, sign_in):
    JurisdictionFactory()
    user = UserFactory(email="ana@example.net")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    with pytest.raises(pytest.fail.Exception, match=r"Signing in as ana@example\.net failed"):
        sign_in(page, live_server, "ana@example.net", "not the password")
