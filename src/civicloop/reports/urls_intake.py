"""URLs of the reports app's intake pages (joined into the "reports" namespace by reports/urls.py)."""

from django.urls import URLPattern, path

from civicloop.reports.views import intake

urlpatterns: list[URLPattern] = [
    path("reports/new/", intake.report_new, name="new"),
    path("reports/new/nearby/", intake.report_nearby, name="nearby"),
    path("reports/<ref:reference>/thanks/", intake.report_submitted, name="submitted"),
    path("reports/<ref:reference>/confirm/<str:token>/", intake.report_confirm_link, name="confirm"),
    path("reports/<ref:reference>/support/", intake.report_support_me_too, name="support"),
]
