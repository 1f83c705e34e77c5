"""URLs of the reports app's performance pages (joined into the "reports" namespace by reports/urls.py).

All public: the figures are aggregates that name no one (see selectors/performance.py).
"""

from django.urls import URLPattern, path

from civicloop.reports.views import performance as views

urlpatterns: list[URLPattern] = [
    path("performance/", views.performance, name="performance"),
    path("performance.csv", views.performance_csv, name="performance_csv"),
    path("performance/agencies/<slug:slug>/", views.performance_agency, name="performance_agency"),
    path("performance/agencies/<slug:slug>.csv", views.performance_agency_csv, name="performance_agency_csv"),
]
