"""URLs of the reports app's staff pages (joined into the "reports" namespace by reports/urls.py)."""

from django.urls import URLPattern, path

from civicloop.reports.views import staff

urlpatterns: list[URLPattern] = [
    path("staff/reports/", staff.queue, name="queue"),
    path("staff/reports/triage/", staff.triage, name="triage"),
    path("staff/reports/bulk/", staff.bulk, name="bulk"),
    path("staff/reports/templates/", staff.templates, name="templates"),
    path("staff/reports/templates/new/", staff.template_create, name="template_create"),
    path("staff/reports/templates/<int:pk>/edit/", staff.template_edit, name="template_edit"),
    path("staff/reports/<ref:reference>/", staff.work, name="work"),
    path("staff/reports/<ref:reference>/photos/<int:photo_id>/", staff.staff_photo, name="staff_photo"),
    path("staff/reports/<ref:reference>/<slug:action>/", staff.act, name="act"),
]
