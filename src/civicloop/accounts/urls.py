from django.urls import path

from civicloop.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
]
