from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "civicloop.reports"
    label = "reports"
    verbose_name = _("Reports and categories")

    def ready(self) -> None:
        from django.urls import register_converter

        from civicloop.reports.converters import ReferenceConverter

        # Before any URLconf is loaded: `<ref:reference>` is used across the app's urls_*.py.
        register_converter(ReferenceConverter, "ref")
