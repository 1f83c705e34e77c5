"""Who may do what. Every permission civicloop checks is defined here, in one place.

Predicates read the person's role assignments (cached per request on the user object).
Object-level rules take the object being acted on: an agency, a jurisdiction.
"""

from __future__ import annotations

from typing import Any

import rules

from civicloop.accounts.enums import Role
from civicloop.core.models import Jurisdiction


def _assignments(user: Any) -> list:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_civicloop_roles", None)
    if cached is None:
        cached = list(user.role_assignments.select_related("agency").all())
        user._civicloop_roles = cached
    return cached


def roles_of(user: Any) -> set[str]:
    return {assignment.role for assignment in _assignments(user)}


def _is_jurisdiction(obj: Any) -> bool:
    return isinstance(obj, Jurisdiction)


def _jurisdiction_id(obj: Any) -> int | None:
    """The jurisdiction an object belongs to: itself, or its `jurisdiction` foreign key."""
    if obj is None:
        return None
    if _is_jurisdiction(obj):
        return obj.pk
    if not hasattr(obj, "jurisdiction_id"):
        raise TypeError(f"Permission checked on {type(obj).__name__}, which belongs to no jurisdiction.")
    return obj.jurisdiction_id


def _holds(user: Any, role: Role, obj: Any = None) -> bool:
    """True if user holds role; with obj, in obj's jurisdiction (obj may be a Jurisdiction,
    or anything with a jurisdiction_id)."""
    target = _jurisdiction_id(obj)
    return any(a.role == role and (target is None or a.jurisdiction_id == target) for a in _assignments(user))


def _in_agency(user: Any, roles_: set[Role], agency: Any) -> bool:
    if agency is None:
        return any(a.role in roles_ for a in _assignments(user))
    if _is_jurisdiction(agency):  # a member of any agency in that jurisdiction
        return any(a.role in roles_ and a.jurisdiction_id == agency.pk for a in _assignments(user))
    return any(a.role in roles_ and a.agency_id == agency.pk for a in _assignments(user))


@rules.predicate
def is_superuser(user: Any) -> bool:
    return bool(getattr(user, "is_superuser", False))


@rules.predicate
def is_administrator(user: Any, obj: Any = None) -> bool:
    return _holds(user, Role.ADMINISTRATOR, obj)


@rules.predicate
def is_supervisor(user: Any, obj: Any = None) -> bool:
    return _holds(user, Role.SUPERVISOR, obj)


@rules.predicate
def is_monitor(user: Any, obj: Any = None) -> bool:
    return _holds(user, Role.MONITOR, obj)


@rules.predicate
def is_agency_member(user: Any, agency: Any = None) -> bool:
    """Staff or manager of this agency (of any agency when no agency is given)."""
    return _in_agency(user, {Role.AGENCY_STAFF, Role.AGENCY_MANAGER}, agency)


@rules.predicate
def is_agency_manager(user: Any, agency: Any = None) -> bool:
    return _in_agency(user, {Role.AGENCY_MANAGER}, agency)


is_admin = is_superuser | is_administrator
is_staff_member = is_agency_member | is_supervisor | is_admin

# Staff workspace: agency staff and managers, supervisors, administrators. Monitors have
# their own read-only home; citizens have none.
rules.add_perm("core.view_staff_home", is_staff_member | is_monitor)
# Change an agency's public details: its managers, and administrators of its jurisdiction.
rules.add_perm("core.change_agency", is_agency_manager | is_superuser | is_administrator)
# Read the audit trail: oversight and administration jurisdiction-wide, managers for their
# own agency's actions. Monitors see it with people's identities removed.
rules.add_perm("core.view_auditevent", is_supervisor | is_monitor | is_admin | is_agency_manager)
rules.add_perm("core.view_auditevent_actor", is_supervisor | is_admin | is_agency_manager)
# API tokens: staff and integrations; citizens do not need them.
rules.add_perm("accounts.add_apitoken", is_staff_member | is_monitor)

# The admin site is for administrators (role_grant gives them is_staff). They manage the
# jurisdiction's reference data and people; the audit trail stays read-only for everyone.
rules.add_perm("core", is_admin)
rules.add_perm("accounts", is_admin)
for _model in ("jurisdiction", "holiday", "area", "agency"):
    for _action in ("view", "add", "change", "delete"):
        if not rules.perm_exists(f"core.{_action}_{_model}"):
            rules.add_perm(f"core.{_action}_{_model}", is_admin)
rules.add_perm("core.view_workerheartbeat", is_admin)
for _model in ("user", "roleassignment"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"accounts.{_action}_{_model}", is_admin)
rules.add_perm("accounts.view_apitoken", is_admin)
rules.add_perm("accounts.delete_apitoken", is_admin)
