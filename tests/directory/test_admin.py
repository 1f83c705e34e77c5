import pytest

from civicloop.accounts.enums import Role
from civicloop.core.models import AuditEvent
from civicloop.directory.models import HSDS_MODELS, Organization
from civicloop.directory.services import directory_import_hsds
from tests.directory.conftest import EXAMPLE_PACKAGE
from tests.factories import AgencyFactory, user_with_role


@pytest.fixture
def admin_client(client, jurisdiction):
    client.force_login(user_with_role(Role.ADMINISTRATOR, jurisdiction=jurisdiction))
    return client


@pytest.mark.django_db
def test_admin_shows_every_hsds_table_read_only(admin_client, jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    for model in HSDS_MODELS:
        name = model._meta.model_name
        listing = admin_client.get(f"/admin/directory/{name}/")
        detail = admin_client.get(f"/admin/directory/{name}/{model.objects.get().pk}/change/")
        assert (name, listing.status_code, detail.status_code) == (name, 200, 200)
        assert (name, admin_client.get(f"/admin/directory/{name}/add/").status_code) == (name, 403)


@pytest.mark.django_db
def test_admin_links_an_organization_to_an_agency_audited(admin_client, jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)
    organization = Organization.objects.get()
    agency = AgencyFactory(jurisdiction=jurisdiction)

    response = admin_client.post(f"/admin/directory/organization/{organization.pk}/change/", {"agency": agency.pk})

    assert response.status_code == 302
    organization.refresh_from_db()
    assert (organization.agency, organization.name) == (agency, "Example Organization Inc.")
    assert AuditEvent.objects.filter(action="organization.update").count() == 1
