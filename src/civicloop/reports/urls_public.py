"""URLs of the reports app's public pages (joined into the "reports" namespace by reports/urls.py)."""

from django.urls import URLPattern, path

from civicloop.reports import feeds
from civicloop.reports.views import public

urlpatterns: list[URLPattern] = [
    path("reports/", public.report_list, name="list"),
    path("reports/points.json", public.report_list_points, name="list_points"),
    path("reports.atom", feeds.ReportFeed(), name="feed"),
    path("reports/<ref:reference>/", public.report_detail, name="detail"),
    path("reports/<ref:reference>/photos/<int:pk>/", public.report_photo, name="photo"),
    path("reports/<ref:reference>/feedback/<str:token>/", public.feedback, name="feedback"),
    path("areas/<slug:slug>/", public.area_reports, name="area"),
    path("areas/<slug:slug>/reports.atom", feeds.AreaReportFeed(), name="area_feed"),
    path("categories/<str:code>/", public.category_reports, name="category"),
    path("categories/<str:code>/reports.atom", feeds.CategoryReportFeed(), name="category_feed"),
    path("subscriptions/", public.subscribe, name="subscribe"),
    path("subscriptions/confirm/<str:token>/", public.subscription_confirm_view, name="subscription_confirm"),
    path("subscriptions/unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
]
