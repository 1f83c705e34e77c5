import pytest
from django.db import IntegrityError

from civicloop.accounts.enums import Role
from civicloop.accounts.models import ApiToken, RoleAssignment
from civicloop.accounts.services import (
    AccountError,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
    role_grant,
    role_revoke,
    token_digest,
)
from civicloop.core.models import AuditEvent
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_api_token_create_stores_only_a_digest_and_audits():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="Open311 bridge")
    assert raw.startswith(f"cl_{token.prefix}_")
    assert len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == token_digest(raw)
    assert raw not in {stored.digest, stored.prefix, stored.name}
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.after == {"name": "Open311 bridge", "prefix": token.prefix}
    assert raw not in str(event.after)


def test_api_token_authenticate_accepts_active_and_refuses_revoked_or_wrong():
    user = UserFactory()
    token, raw = api_token_create(user=user, name="bridge")
    assert api_token_authenticate(raw) == user
    assert api_token_authenticate(raw + "x") is None
    assert api_token_authenticate("Bearer nonsense") is None
    api_token_revoke(token=token, by=user)
    assert api_token_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


def test_api_token_authenticate_refuses_inactive_user():
    user = UserFactory()
    _token, raw = api_token_create(user=user, name="bridge")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_authenticate(raw) is None


def test_api_token_create_needs_a_name():
    with pytest.raises(AccountError, match="name"):
        api_token_create(user=UserFactory(), name="  ")
    assert not ApiToken.objects.exists()


def test_role_grant_scopes_agency_roles_and_audits():
    jurisdiction = JurisdictionFactory()
    agency = AgencyFactory(jurisdiction=jurisdiction)
    user = UserFactory()

    assignment = role_grant(user=user, role=Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=agency)
    again = role_grant(user=user, role=Role.AGENCY_STAFF, jurisdiction=jurisdiction, agency=agency)

    assert assignment == again
    assert AuditEvent.objects.filter(action="role.grant").count() == 1


@pytest.mark.parametrize(
    ("role", "with_agency", "message"),
    [(Role.AGENCY_STAFF, False, "needs an agency"), (Role.SUPERVISOR, True, "jurisdiction-wide")],
)
def test_role_grant_refuses_wrong_scope(role, with_agency, message):
    jurisdiction = JurisdictionFactory()
    agency = AgencyFactory(jurisdiction=jurisdiction) if with_agency else None
    with pytest.raises(AccountError, match=message):
        role_grant(user=UserFactory(), role=role, jurisdiction=jurisdiction, agency=agency)
    assert not RoleAssignment.objects.exists()


def test_role_grant_refuses_agency_of_another_jurisdiction():
    agency = AgencyFactory()
    with pytest.raises(AccountError, match="does not belong"):
        role_grant(user=UserFactory(), role=Role.AGENCY_MANAGER, jurisdiction=JurisdictionFactory(), agency=agency)


def test_role_scope_constraint_holds_in_the_database():
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=UserFactory(), role=Role.AGENCY_STAFF, jurisdiction=JurisdictionFactory())


def test_administrator_gets_admin_site_access_and_revoke_is_audited():
    jurisdiction = JurisdictionFactory()
    user = UserFactory()
    assignment = role_grant(user=user, role=Role.ADMINISTRATOR, jurisdiction=jurisdiction)
    user.refresh_from_db()
    assert user.is_staff
    role_revoke(assignment=assignment)
    assert not RoleAssignment.objects.exists()
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == ["role.grant", "role.revoke"]
