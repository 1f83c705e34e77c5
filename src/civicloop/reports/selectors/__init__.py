"""Every non-trivial read in the reports app. Import from the module that holds a selector
(`civicloop.reports.selectors.staff`), or these common ones from here."""

from civicloop.reports.selectors.catalogue import (
    category_changeset,
    category_get_open311,
    category_list_open311,
    open311_key_authenticate,
    open311_key_list,
    report_get_public,
    report_list_public,
    routing_agencies_for,
    routing_agencies_for_area,
)

__all__ = [
    "category_changeset",
    "category_get_open311",
    "category_list_open311",
    "open311_key_authenticate",
    "open311_key_list",
    "report_get_public",
    "report_list_public",
    "routing_agencies_for",
    "routing_agencies_for_area",
]
