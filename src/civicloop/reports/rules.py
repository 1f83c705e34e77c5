"""Who may manage categories and routing (autodiscovered by django-rules, like accounts/rules.py)."""

from typing import Any

import rules

from civicloop.accounts.enums import AGENCY_ROLES
from civicloop.accounts.rules import _assignments, is_admin, is_agency_manager, is_staff_member, is_supervisor

# The admin site: administrators manage categories, their questions and routing rules.
# Categories are retired by unticking "active", never deleted: reports will point at them,
# and a deletion would not move Open311 discovery's changeset.
rules.add_perm("reports", is_admin)
for _action in ("view", "add", "change"):
    rules.add_perm(f"reports.{_action}_category", is_admin)
for _model in ("categoryattribute", "routingrule"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"reports.{_action}_{_model}", is_admin)
# Open311 API keys are issued and revoked (the "change" permission runs the revoke action),
# never edited or deleted: the audit trail must keep pointing at them.
for _action in ("view", "add", "change"):
    rules.add_perm(f"reports.{_action}_open311apikey", is_admin)


# --- Handling reports ------------------------------------------------------------------------
@rules.predicate
def can_handle_report(user: Any, report: Any) -> bool:
    """Staff and managers of the owning agency or of any agency the report was routed to, and
    the supervisors and administrators of its jurisdiction. Monitors watch; they never act."""
    if report is None:
        return False
    if is_supervisor(user, report) or is_admin(user, report):
        return True
    agency_ids = {a.agency_id for a in _assignments(user) if a.role in AGENCY_ROLES and a.agency_id is not None}
    if not agency_ids:
        return False
    if report.owner_id in agency_ids:
        return True
    return report.agencies.filter(pk__in=agency_ids).exists()


@rules.predicate
def can_view_triage(user: Any, jurisdiction: Any = None) -> bool:
    """The triage queue (reports no routing rule matched) belongs to supervisors and administrators."""
    return is_supervisor(user, jurisdiction) or is_admin(user, jurisdiction)


rules.add_perm("reports.handle_report", can_handle_report)
rules.add_perm("reports.view_triage", can_view_triage)
# Administrators look reports up in the admin site; changes go through the life-cycle services.
rules.add_perm("reports.view_report", is_admin)
rules.add_perm("reports.view_reportupdate", is_admin)
# The staff report queue (the views check each report with can_handle_report; this is for menus).
rules.add_perm("reports.view_queue", is_staff_member)
rules.add_perm("reports.change_responsetemplate", is_agency_manager | is_supervisor | is_admin)
