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
from civicloop.reports.services.escalation import report_escalate_overdue
from civicloop.reports.services.intake import REPORT_PUBLIC_FIELDS, report_submit
from civicloop.reports.services.keys import open311_key_create, open311_key_revoke
from civicloop.reports.services.lifecycle import (
    report_acknowledge,
    report_assign,
    report_close_without_fix,
    report_comment,
    report_confirm,
    report_feedback_submit,
    report_fix,
    report_mark_duplicate,
    report_reopen,
    report_status_change,
    report_status_set,
    report_support,
    report_transfer,
)
from civicloop.reports.services.performance import performance_rollup_refresh  # noqa: F401
from civicloop.reports.services.photos import PreparedPhoto, photo_attach, photo_files_delete, photo_prepare
from civicloop.reports.services.templates import response_template_create, response_template_update

__all__ = [
    "REPORT_PUBLIC_FIELDS",
    "PreparedPhoto",
    "ReportsError",
    "category_attribute_create",
    "category_attribute_update",
    "category_create",
    "category_update",
    "open311_key_create",
    "open311_key_revoke",
    "photo_attach",
    "photo_files_delete",
    "photo_prepare",
    "report_acknowledge",
    "report_assign",
    "report_close_without_fix",
    "report_comment",
    "report_confirm",
    "report_escalate_overdue",
    "report_feedback_submit",
    "report_fix",
    "report_mark_duplicate",
    "report_reopen",
    "report_status_change",
    "report_status_set",
    "report_submit",
    "report_support",
    "report_transfer",
    "response_template_create",
    "response_template_update",
    "routing_rule_set",
]
