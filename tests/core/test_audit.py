import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent, AuditImmutableError
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_audit_log_records_who_what_and_channel():
    agency = AgencyFactory()
    user = UserFactory()

    event = audit_log(
        action="agency.update",
        actor=user,
        obj=agency,
        agency=agency,
        jurisdiction=agency.jurisdiction,
        before={"name": "Old"},
        after={"name": agency.name},
        channel=Channel.API,
    )

    event.refresh_from_db()
    assert (event.actor, event.actor_agency, event.jurisdiction) == (user, agency, agency.jurisdiction)
    assert (event.action, event.object_id, event.object_repr) == ("agency.update", str(agency.pk), agency.name)
    assert (event.before, event.after, event.channel) == ({"name": "Old"}, {"name": agency.name}, "api")
    assert event.content_type.model_class() is type(agency)


def test_audit_log_without_actor_is_the_system():
    event = audit_log(action="nightly.job")
    assert (event.actor, event.channel, event.object_id) == (None, "system", "")


def test_audit_event_refuses_update_through_the_orm():
    event = audit_log(action="x.happened")
    event.action = "x.rewritten"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x.rewritten")
    assert AuditEvent.objects.get(pk=event.pk).action == "x.happened"


def test_audit_event_refuses_delete_through_the_orm():
    event = audit_log(action="x.happened")
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_event_raw_sql_is_refused_by_the_postgresql_trigger():
    """On PostgreSQL the database itself refuses; SQLite has no trigger (decision 2)."""
    event = audit_log(action="x.happened")
    table = AuditEvent._meta.db_table
    statements = [
        (f"UPDATE {table} SET action = %s WHERE id = %s", ["x.rewritten", event.pk]),  # noqa: S608
        (f"DELETE FROM {table} WHERE id = %s", [event.pk]),  # noqa: S608
    ]
    for sql, params in statements:
        if connection.vendor == "postgresql":
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, params)
            assert AuditEvent.objects.filter(pk=event.pk, action="x.happened").exists()
        else:
            with connection.cursor() as cur:
                cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
                assert cur.fetchone() == (0,)


def test_snapshot_serialises_foreign_keys_dates_and_many_to_many():
    agency = AgencyFactory()
    values = snapshot(agency, ["name", "jurisdiction", "created_at", "areas"])
    assert values["name"] == agency.name
    assert values["jurisdiction"] == agency.jurisdiction_id
    assert values["created_at"] == agency.created_at.isoformat()
    assert values["areas"] == []
