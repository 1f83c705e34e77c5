"""The reports app's web pages, one module per part; all in the "reports" namespace.

Intake comes first: /reports/new/ must win over /reports/<ref:reference>/. The `ref` path
converter is registered in ReportsConfig.ready().
"""

from civicloop.reports import urls_intake, urls_performance, urls_public, urls_staff

app_name = "reports"
urlpatterns = [
    *urls_intake.urlpatterns,
    *urls_public.urlpatterns,
    *urls_staff.urlpatterns,
    *urls_performance.urlpatterns,
]
