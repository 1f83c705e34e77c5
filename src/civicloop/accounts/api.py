"""API for the person calling: who they are and what roles they hold."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from civicloop.accounts.auth import api_auth
from civicloop.accounts.models import RoleAssignment
from civicloop.accounts.schemas import MeOut
from civicloop.core.schemas import problems

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **problems(401, 403)}, auth=api_auth, summary="Who am I")
def me_detail(request: HttpRequest) -> dict:
    """The authenticated person and the roles they hold, each with its scope."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    assignments = RoleAssignment.objects.filter(user=user).select_related("jurisdiction", "agency")
    return {
        "email": user.email,
        "name": user.name,
        "roles": [
            {
                "role": assignment.role,
                "label": str(assignment.get_role_display()),
                "jurisdiction": assignment.jurisdiction.slug,
                "agency": assignment.agency.slug if assignment.agency else None,
                "organisation": assignment.organisation,
            }
            for assignment in assignments.order_by("jurisdiction__name", "role", "agency__name")
        ],
    }
