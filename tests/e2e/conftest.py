"""Browser journeys: Debian's Chromium driven by Playwright against pytest-django's live server.

Every test in tests/e2e is marked `e2e` automatically; `make test` runs them after the
database suites (`pytest -m e2e`). Playwright's own browser download needs the internet,
so the browser is the system's /usr/bin/chromium (`make test` installs it if missing).

Fixtures: `browser` (one per session), `page` (a fresh context per test: English, a
390×844 phone screen, base_url = the live server, so `page.goto("/")` works),
`axe_check` and `sign_in` (the helpers below, as fixtures). Asking for `page` starts the
live server, which gives the test a transactional database the server thread can see.
When a test fails, a screenshot and the page's HTML are saved in test-results/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path(os.environ.get("CIVICLOOP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # runs as root in CI containers, where the sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000
# axe rates each violation minor, moderate, serious or critical; the last two fail a test.
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(tryfirst=True)  # before -m selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make test` does) or set CIVICLOOP_CHROMIUM.")
    # Playwright's sync API keeps an event loop running in this thread until it stops, which
    # makes Django refuse ORM calls from test code ("async context"); nothing here is really
    # async. It stays set for the session, as later tests in the same run see the loop too.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


FAILED = pytest.StashKey[bool]()
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en", viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    try:
        yield new_page
        if request.node.stash.get(FAILED, False):
            # What the browser showed when the test failed: test-results/<test>.png and .html
            RESULTS.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            new_page.screenshot(path=RESULTS / f"{name}.png", full_page=True)
            (RESULTS / f"{name}.html").write_text(new_page.content())
    finally:
        context.close()


def axe_check(page: Page, *, disable: tuple[str, ...] = ()) -> None:
    """Run axe-core inside the page; fail listing every serious or critical violation.

    `disable` switches off named axe rules; each use needs a comment saying why.
    """
    options: dict = {"resultTypes": ["violations"]}
    if disable:
        options["rules"] = {rule: {"enabled": False} for rule in disable}
    violations = Axe().run(page, options=options).response["violations"]
    blocking = [violation for violation in violations if violation.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        pytest.fail(f"Accessibility violations on {page.url}:\n" + "\n".join(_describe(v) for v in blocking))


def _describe(violation: dict) -> str:
    lines = [f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})"]
    for node in violation["nodes"][:5]:
        lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
        lines.append(f"       {node['html'][:200]}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def sign_in(page: Page, live_server, email: str, password: str) -> None:
    """Sign in through the allauth form, like a person would; fail with the form's message if refused.

    The account's e-mail address must be verified (ACCOUNT_EMAIL_VERIFICATION=mandatory).
    """
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")
    if "/accounts/login/" in page.url:
        errors = page.locator(".errorlist, [role=alert], .alert").all_inner_texts()
        pytest.fail(f"Signing in as {email} failed: {' '.join(errors) or 'still on the sign-in page'}")


@pytest.fixture(name="axe_check")
def axe_check_fixture() -> Callable[..., None]:
    return axe_check


@pytest.fixture(name="sign_in")
def sign_in_fixture() -> Callable[..., None]:
    return sign_in
