import pytest
from django.core.management import call_command
from django.utils import translation

from tests.web.test_i18n import copy_catalogs


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; a request with another language must not leak into the next test."""
    with translation.override("en"):
        yield


@pytest.fixture
def compiled(settings, tmp_path):
    """The committed catalogs compiled into a temporary directory (as tests/web/test_i18n.py does)."""
    settings.LOCALE_PATHS = [copy_catalogs(tmp_path)]
    call_command("compiletranslations", verbosity=0)
