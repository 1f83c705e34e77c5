from django.contrib import admin
from django.urls import include, path

from civicloop.api import api
from civicloop.core.views import healthz, livez

urlpatterns = [
    path("", include("civicloop.core.urls")),
    path("me/", include("civicloop.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("", include("civicloop.reports.urls")),
    path("open311/v2/", include("civicloop.reports.open311_urls")),
    path("hsds/", include("civicloop.directory.urls_hsds")),
    path("healthz", healthz, name="healthz"),
    path("livez", livez, name="livez"),
    path("admin/", admin.site.urls),
]
