"""Every write in the reports app, one module per part of the domain.

Import from here (`from civicloop.reports.services import report_submit`); the modules are
how the code is kept, not an interface.
"""

from civicloop.reports.services._common import ReportsError
from civicloop.reports.services.categories import (
    category_attribute_create,
    category_attribute_update,
    category_create,
    category_update,
    routing_rule_set,
)
from civicloop.reports.services.intake import REPORT_PUBLIC_FIELDS, report_submit
from civicloop.reports.services.keys import open311_key_create, open311_key_revoke

__all__ = [
    "REPORT_PUBLIC_FIELDS",
    "ReportsError",
    "category_attribute_create",
    "category_attribute_update",
    "category_create",
    "category_update",
    "open311_key_create",
    "open311_key_revoke",
    "report_submit",
    "routing_rule_set",
]
