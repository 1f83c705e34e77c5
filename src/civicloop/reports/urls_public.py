"""URLs of the reports app's public pages (joined into the "reports" namespace by reports/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
