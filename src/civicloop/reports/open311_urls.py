from django.urls import re_path

from civicloop.reports import open311_views as views

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"
CODE = r"(?P<code>[A-Za-z0-9_-]{1,64})"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.services, name="services"),
    re_path(rf"^services/{CODE}\.{FMT}$", views.service_definition, name="service_definition"),
    # Some old clients ask for the singular form.
    re_path(rf"^service/{CODE}\.{FMT}$", views.service_definition, name="service_definition_singular"),
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
