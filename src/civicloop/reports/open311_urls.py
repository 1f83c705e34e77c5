from django.urls import re_path

from civicloop.reports import open311_views as views

app_name = "open311"

FMT = r"(?P<fmt>json|xml)"
CODE = r"(?P<code>[A-Za-z0-9_-]{1,64})"
REFERENCE = r"(?P<reference>[A-Za-z0-9]{1,16})"  # any case: a 404 answers what is not a reference
BATCH_ID = r"(?P<token>[A-Za-z0-9_-]{1,64})"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{FMT}$", views.services, name="services"),
    re_path(rf"^services/{CODE}\.{FMT}$", views.service_definition, name="service_definition"),
    # Some old clients ask for the singular form.
    re_path(rf"^service/{CODE}\.{FMT}$", views.service_definition, name="service_definition_singular"),
    re_path(rf"^requests\.{FMT}$", views.service_requests, name="requests"),
    re_path(rf"^requests/{REFERENCE}\.{FMT}$", views.service_request, name="request"),
    re_path(rf"^tokens/{BATCH_ID}\.{FMT}$", views.token_lookup, name="token"),
    # FixMyStreet's extension.
    re_path(rf"^servicerequestupdates\.{FMT}$", views.service_request_updates, name="service_request_updates"),
    # Last: anything else is a 404 in Open311's error format.
    re_path(r"^(?P<rest>.*)$", views.not_found, name="not_found"),
]
