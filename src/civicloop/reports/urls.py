"""The reports app's web pages, one module per part; all in the "reports" namespace.

Intake comes first: /reports/new/ must win over /reports/<ref>/.
"""

from django.urls import register_converter

from civicloop.reports import urls_intake, urls_performance, urls_public, urls_staff


class ReferenceConverter:
    """A report reference: 8 characters of the unambiguous alphabet (see Report.reference)."""

    regex = "[2-9A-HJKMNP-Z]{8}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "ref")

app_name = "reports"
urlpatterns = [
    *urls_intake.urlpatterns,
    *urls_public.urlpatterns,
    *urls_staff.urlpatterns,
    *urls_performance.urlpatterns,
]
