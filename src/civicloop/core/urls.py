from django.urls import path

from civicloop.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency_detail"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/agencies/<slug:slug>/edit/", views.agency_edit, name="agency_edit"),
    path("staff/audit/", views.audit_list, name="audit_list"),
]
