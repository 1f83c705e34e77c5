"""The staff work page and what staff do from it: every action through the view, bulk actions,
photos, and who may see what (an anonymous reporter stays hidden from staff too)."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from civicloop.accounts.enums import Role
from civicloop.core.models import AuditEvent
from civicloop.reports.enums import CloseReason, ReporterVisibility, ReportStatus, UpdateKind
from civicloop.reports.models import ReportContact, ReportPhoto, ReportUpdate, ResponseTemplate, Subscription
from tests.factories import AgencyFactory, JurisdictionFactory, UserFactory, user_with_role
from tests.reports.factories import CategoryFactory
from tests.reports.test_staff_queue import make_report
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return JurisdictionFactory(name="Villa Clara", domain="villaclara.example.org", languages=["en", "es"])


@pytest.fixture
def roads(city):
    return AgencyFactory(jurisdiction=city, name="Roads Department", slug="roads")


@pytest.fixture
def parks(city):
    return AgencyFactory(jurisdiction=city, name="Parks Office", slug="parks")


@pytest.fixture
def lights(city):
    return CategoryFactory(jurisdiction=city, code="lights", name="Street lights", duplicate_radius_m=100)


@pytest.fixture
def clerk(city, roads):
    return user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads, name="Sam Staff")


@pytest.fixture
def report(lights, roads):
    return make_report(lights, roads, title="Lamp out on Calle 5", lon=-70.65, lat=-33.45)


def url(report, action=""):
    return f"/staff/reports/{report.reference}/" + (f"{action}/" if action else "")


def updates(report, kind):
    return list(ReportUpdate.objects.filter(report=report, kind=kind))


# --- Who may open a report ------------------------------------------------------------------


def test_work_page_requires_sign_in(client, report):
    response = client.get(url(report))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [None, Role.MONITOR])
def test_work_page_is_forbidden_to_citizens_and_monitors(client, city, report, role):
    login(client, user_with_role(role, jurisdiction=city) if role else UserFactory())

    assert client.get(url(report)).status_code == 403


def test_work_page_is_forbidden_to_staff_of_another_agency(client, city, parks, report):
    login(client, user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=parks))

    assert client.get(url(report)).status_code == 403
    assert client.post(url(report, "note"), {"note-text": "sneaky"}).status_code == 403
    assert updates(report, UpdateKind.NOTE) == []


def test_work_page_of_an_unknown_reference_is_not_found_for_staff(client, clerk, report):
    login(client, clerk)

    assert client.get("/staff/reports/ZZZZZZZZ/").status_code == 404


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_work_page_is_open_to_oversight(client, city, report, role):
    login(client, user_with_role(role, jurisdiction=city))

    assert client.get(url(report)).status_code == 200


def test_work_page_is_open_to_staff_of_a_routed_agency(client, city, lights, roads, parks):
    shared = make_report(lights, roads, routed=[parks])
    login(client, user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=parks))

    assert client.get(url(shared)).status_code == 200


def test_work_page_shows_confidential_report_in_sensitive_category(client, city, roads, clerk):
    abuse = CategoryFactory(jurisdiction=city, code="abuse", name="Abuse by officials", privacy="sensitive")
    secret = make_report(
        abuse, roads, visibility=ReporterVisibility.CONFIDENTIAL, description="The inspector asked for money."
    )
    login(client, clerk)

    response = client.get(url(secret))

    assert response.status_code == 200
    assert "The inspector asked for money." in text(response)
    assert html_count(response, '<span class="badge">confidential: hidden from the public</span>') == 1
    assert html_count(response, '<span class="badge">sensitive category: hidden from the public</span>') == 1


# --- The reporter: contact shown unless anonymous -----------------------------------------


def _reporter_report(lights, roads, visibility):
    reporter = UserFactory(name="Rita Reporter", email="rita@example.net")
    report = make_report(lights, roads, visibility=visibility, reporter=reporter)
    ReportContact.objects.create(report=report, name="Rita R.", email="rita.contact@example.net", phone="+56 9 1234")
    ReportUpdate.objects.create(
        report=report,
        kind=UpdateKind.FEEDBACK,
        status=report.status,
        text="Still dark.",
        by=reporter,
        created_at=report.submitted_at,
    )
    return report


def test_work_page_shows_contact_of_a_public_reporter(client, lights, roads, clerk):
    report = _reporter_report(lights, roads, ReporterVisibility.PUBLIC)
    login(client, clerk)

    page = text(client.get(url(report)))

    for personal in ("Rita R.", "rita.contact@example.net", "+56 9 1234", "rita@example.net", "Rita Reporter"):
        assert personal in page
    assert "Hidden by the reporter’s choice" not in page


def test_work_page_hides_an_anonymous_reporter_from_staff(client, lights, roads, clerk):
    report = _reporter_report(lights, roads, ReporterVisibility.ANONYMOUS)
    login(client, clerk)

    response = client.get(url(report))
    page = text(response)

    assert "Hidden by the reporter’s choice" in page
    for personal in ("Rita", "rita.contact@example.net", "+56 9 1234", "rita@example.net"):
        assert personal not in page
    assert "<td>The reporter</td>" in page  # the reporter's own timeline entry, unnamed


# --- The timeline ---------------------------------------------------------------------------


def test_work_page_timeline_shows_internal_notes_and_who_acted(client, report, clerk):
    login(client, clerk)
    client.post(url(report, "note"), {"note-text": "Crew says the cable is stolen."})

    response = client.get(url(report))

    assert html_count(response, '<span class="badge">internal</span>') == 1
    assert "Crew says the cable is stolen." in text(response)
    assert "<td>Sam Staff (Roads Department)</td>" in text(response)


# --- Each action through the view ---------------------------------------------------------


def test_acknowledge_through_the_view(client, report, clerk):
    login(client, clerk)

    response = client.post(url(report, "acknowledge"), {"acknowledge-text": "We have it."})

    assert (response.status_code, response["Location"]) == (302, url(report))
    report.refresh_from_db()
    assert report.status == ReportStatus.ACKNOWLEDGED
    assert [u.text for u in updates(report, UpdateKind.ACKNOWLEDGED)] == ["We have it."]
    assert f"Report {report.reference} is acknowledged." in text(client.get(url(report)))


def test_acknowledge_needs_a_csrf_token(report, clerk):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    login(client, clerk)

    assert client.post(url(report, "acknowledge"), {}).status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_status_set_through_the_view(client, report, clerk):
    login(client, clerk)

    client.post(url(report, "status"), {"status-status": "action_scheduled", "status-text": "Crew on Tuesday."})

    report.refresh_from_db()
    assert report.status == ReportStatus.ACTION_SCHEDULED
    assert report.acknowledged_at is not None


def test_fix_through_the_view(client, report, clerk):
    login(client, clerk)

    client.post(url(report, "fix"), {"fix-text": "New lamp."})

    report.refresh_from_db()
    assert report.status == ReportStatus.FIXED


def test_close_without_fix_requires_an_explanation(client, report, clerk):
    login(client, clerk)

    response = client.post(url(report, "close"), {"close-reason": CloseReason.NOT_POSSIBLE, "close-text": ""})

    assert response.status_code == 200
    assert (
        html_count(
            response,
            '<li><a href="#id_close-text">Explanation for the reporter (required, public): This field is required.</a></li>',
        )
        == 1
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_close_without_fix_through_the_view(client, report, clerk):
    login(client, clerk)

    client.post(
        url(report, "close"), {"close-reason": CloseReason.NOT_POSSIBLE, "close-text": "Private land, not ours to fix."}
    )

    report.refresh_from_db()
    assert (report.status, report.close_reason) == (ReportStatus.CLOSED_WITHOUT_FIX, CloseReason.NOT_POSSIBLE)


def test_duplicate_offers_nearby_open_reports_of_the_same_category(client, lights, roads, report, clerk):
    near = make_report(lights, roads, lon=-70.6502, lat=-33.4501)
    make_report(lights, roads, lon=-70.70, lat=-33.40)  # kilometres away
    make_report(CategoryFactory(jurisdiction=lights.jurisdiction), roads, lon=-70.65, lat=-33.45)
    login(client, clerk)

    response = client.get(url(report))

    assert html_count(response, f'<option value="{near.reference}">') == 1
    assert response.content.decode().count('<option value="QUEU') == 1


def test_mark_duplicate_through_the_view(client, lights, roads, report, clerk):
    original = make_report(lights, roads)
    report.reporter = UserFactory(email="dup@example.net")
    report.save()
    login(client, clerk)

    client.post(url(report, "duplicate"), {"duplicate-original": original.reference.lower()})

    report.refresh_from_db()
    assert (report.status, report.duplicate_of) == (ReportStatus.DUPLICATE, original)
    assert Subscription.objects.filter(report=original, email="dup@example.net").count() == 1


def test_mark_duplicate_of_itself_is_refused_with_a_message_and_nothing_saved(client, report, clerk):
    login(client, clerk)
    events = AuditEvent.objects.count()

    response = client.post(url(report, "duplicate"), {"duplicate-original": report.reference})

    assert response.status_code == 200
    assert html_count(response, '<p class="message message-error">A report cannot be a duplicate of itself.</p>') == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert AuditEvent.objects.count() == events


def test_mark_duplicate_of_a_report_of_another_agency_is_refused(client, lights, parks, report, clerk):
    other = make_report(lights, parks)
    login(client, clerk)

    response = client.post(url(report, "duplicate"), {"duplicate-original": other.reference})

    assert f"No report you handle has the reference {other.reference}." in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_transfer_requires_a_reason(client, parks, report, clerk):
    login(client, clerk)

    response = client.post(url(report, "transfer"), {"transfer-to_agency": parks.pk, "transfer-text": ""})

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.owner.slug == "roads"


def test_transfer_not_ours_names_the_responsible_agency_and_leaves_the_queue(client, parks, report, clerk):
    login(client, clerk)

    response = client.post(
        url(report, "transfer"),
        {"transfer-to_agency": parks.pk, "transfer-not_ours": "on", "transfer-text": "The lamp is in the park."},
    )

    # The clerk no longer handles it: back to the queue.
    assert (response.status_code, response["Location"]) == (302, "/staff/reports/")
    report.refresh_from_db()
    assert report.owner == parks
    [update] = updates(report, UpdateKind.TRANSFERRED)
    assert update.text == "Not our responsibility: Parks Office is responsible. The lamp is in the park."
    assert not update.is_internal


def test_transfer_offers_only_other_active_agencies(client, city, parks, report, clerk):
    AgencyFactory(jurisdiction=city, name="Closed Office", is_active=False)
    login(client, clerk)

    response = client.get(url(report))

    assert html_count(response, f'<option value="{parks.pk}">Parks Office</option>') == 1
    assert "Closed Office" not in text(response)


def test_supervisor_assigns_a_triage_report_to_an_agency(client, city, lights, parks):
    waiting = make_report(lights, None)
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    client.post(url(waiting, "transfer"), {"transfer-to_agency": parks.pk, "transfer-text": "Parks look after it."})

    waiting.refresh_from_db()
    assert (waiting.owner, waiting.in_triage, waiting.transferred_count) == (parks, False, 0)


def test_assign_to_a_colleague_and_to_me(client, city, roads, report, clerk):
    colleague = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads, name="Cora Colleague")
    login(client, clerk)

    client.post(url(report, "assign"), {"assign-to": colleague.pk})
    report.refresh_from_db()
    assert report.assigned_to == colleague

    client.post(url(report, "assign"), {"assign-to": "", "to_me": "1"})
    report.refresh_from_db()
    assert report.assigned_to == clerk
    assert all(u.is_internal for u in updates(report, UpdateKind.ASSIGNED))


def test_assign_offers_only_members_of_the_owner_agency(client, city, parks, report, clerk):
    outsider = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=parks, name="Oscar Outsider")
    login(client, clerk)

    assert "Oscar Outsider" not in text(client.get(url(report)))
    response = client.post(url(report, "assign"), {"assign-to": outsider.pk})

    assert response.status_code == 200
    report.refresh_from_db()
    assert report.assigned_to is None


def test_public_message_through_the_view(client, report, clerk):
    login(client, clerk)

    client.post(url(report, "message"), {"message-text": "A crew is on its way."})

    [update] = updates(report, UpdateKind.COMMENT)
    assert (update.text, update.is_internal, update.by) == ("A crew is on its way.", False, clerk)


def test_internal_note_is_never_on_the_public_page(client, report, clerk):
    login(client, clerk)

    client.post(url(report, "note"), {"note-text": "Crew says the cable is stolen."})

    [update] = updates(report, UpdateKind.NOTE)
    assert update.is_internal
    client.logout()
    public = client.get(f"/reports/{report.reference}/")
    assert public.status_code == 200
    assert "cable is stolen" not in text(public)
    assert "Sam Staff" not in text(public)


def test_reopen_through_the_view(client, lights, roads, clerk):
    fixed = make_report(lights, roads, status=ReportStatus.FIXED)
    login(client, clerk)

    client.post(url(fixed, "reopen"), {"reopen-text": "The lamp failed again."})

    fixed.refresh_from_db()
    assert fixed.status == ReportStatus.SUBMITTED
    assert fixed.reopened_count == 1


def test_action_not_allowed_in_the_current_status_is_refused(client, lights, roads, clerk):
    fixed = make_report(lights, roads, status=ReportStatus.FIXED)
    login(client, clerk)

    response = client.post(url(fixed, "acknowledge"), {})

    assert (response.status_code, response["Location"]) == (302, url(fixed))
    fixed.refresh_from_db()
    assert fixed.status == ReportStatus.FIXED


def test_unknown_action_is_not_found(client, report, clerk):
    login(client, clerk)

    assert client.post(url(report, "delete"), {}).status_code == 404


def test_work_page_offers_only_the_actions_of_the_status(client, lights, roads, clerk):
    closed = make_report(lights, roads, status=ReportStatus.CLOSED_WITHOUT_FIX)
    login(client, clerk)

    response = client.get(url(closed))

    headings = [line for line in text(response).split("<h3 ") if line.startswith('id="action-')]
    assert [h.split('"')[1] for h in headings] == [
        "action-reopen-heading",
        "action-message-heading",
        "action-note-heading",
    ]


# --- Response templates on the work page --------------------------------------------------


def _template(city, agency=None, **kwargs):
    defaults = {"title": "Seen", "status": ReportStatus.ACKNOWLEDGED, "language": "en", "text": "We have seen it."}
    return ResponseTemplate.objects.create(jurisdiction=city, agency=agency, **{**defaults, **kwargs})


def test_work_page_offers_templates_for_the_status_language_and_agency(client, city, roads, parks, report, clerk):
    wide = _template(city, title="Seen (all)")
    own = _template(city, roads, title="Seen (roads)")
    _template(city, parks, title="Seen (parks)")
    _template(city, title="Visto", language="es")
    _template(city, title="Old", is_active=False)
    _template(city, title="Fixed one", status=ReportStatus.FIXED)
    login(client, clerk)

    response = client.get(url(report))
    page = text(response)

    assert html_count(response, f'<option value="{wide.pk}">Seen (all)</option>') == 1
    assert html_count(response, f'<option value="{own.pk}">Seen (roads)</option>') == 1
    for absent in ("Seen (parks)", "Visto", "Old"):
        assert absent not in page
    assert "Fixed one" in page  # offered with "Mark fixed", not with "Acknowledge"


def test_use_template_without_javascript_fills_the_message(client, city, report, clerk):
    template = _template(city, text="Thank you, we will look at it this week.")
    login(client, clerk)

    response = client.post(
        url(report, "acknowledge"), {"acknowledge-template": template.pk, "acknowledge-text": "", "use_template": "1"}
    )

    assert response.status_code == 200
    assert (
        html_count(
            response,
            '<textarea name="acknowledge-text" cols="40" rows="4" maxlength="5000" id="id_acknowledge-text">'
            "Thank you, we will look at it this week.</textarea>",
        )
        == 1
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_templates_are_given_to_javascript_as_json(client, city, report, clerk):
    template = _template(city, text="Seen <b>today</b>.")
    login(client, clerk)

    response = client.get(url(report))

    assert (
        f'<script id="response-templates" type="application/json">{{"{template.pk}": "Seen \\u003Cb\\u003Etoday\\u003C/b\\u003E."}}</script>'
        in response.content.decode()
    )


# --- Photos ---------------------------------------------------------------------------------


def _photo(report, *, is_public):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(buffer, "JPEG")
    photo = ReportPhoto(report=report, is_public=is_public, size=len(buffer.getvalue()))
    photo.image.save("lamp.jpg", ContentFile(buffer.getvalue()), save=False)
    photo.width, photo.height = 4, 3
    photo.save()
    return photo


def test_staff_see_photos_the_public_does_not(client, city, report, clerk):
    photo = _photo(report, is_public=False)
    login(client, clerk)

    page = client.get(url(report))
    image = client.get(url(report, f"photos/{photo.pk}"))

    assert html_count(page, '<span class="badge">Staff only</span>') == 1
    assert (image.status_code, image["Content-Type"], image["Cache-Control"]) == (
        200,
        "image/jpeg",
        "private, no-store",
    )
    assert b"".join(image.streaming_content)[:2] == b"\xff\xd8"


def test_staff_photo_is_forbidden_to_others(client, city, parks, report):
    photo = _photo(report, is_public=True)
    login(client, user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=parks))

    assert client.get(url(report, f"photos/{photo.pk}")).status_code == 403


def test_staff_photo_of_another_report_is_not_found(client, lights, roads, report, clerk):
    other = make_report(lights, roads)
    photo = _photo(other, is_public=True)
    login(client, clerk)

    assert client.get(url(report, f"photos/{photo.pk}")).status_code == 404


# --- Bulk actions ---------------------------------------------------------------------------


def test_bulk_acknowledge_reports_each_result_and_one_failure_does_not_undo_the_others(
    client, lights, roads, parks, clerk
):
    first = make_report(lights, roads)
    done_already = make_report(lights, roads, status=ReportStatus.FIXED)
    second = make_report(lights, roads)
    not_mine = make_report(lights, parks)
    login(client, clerk)

    response = client.post(
        "/staff/reports/bulk/",
        {
            "reports": [first.reference, done_already.reference, second.reference, not_mine.reference],
            "action": "acknowledge",
            "next": "/staff/reports/?status=all",
        },
    )

    assert response.status_code == 200
    page = text(response)
    assert "2 done, 2 not done." in page
    assert f"Report {done_already.reference} is fixed, so it cannot be acknowledged." in page
    assert "Not found among the reports you handle." in page
    assert html_count(response, '<a href="/staff/reports/?status=all">Back to the queue</a>') == 1
    for item in (first, done_already, second, not_mine):
        item.refresh_from_db()
    assert [first.status, done_already.status, second.status, not_mine.status] == [
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.FIXED,
        ReportStatus.ACKNOWLEDGED,
        ReportStatus.SUBMITTED,
    ]


def test_bulk_assign(client, city, lights, roads, clerk):
    colleague = user_with_role(Role.AGENCY_STAFF, jurisdiction=city, agency=roads, name="Cora Colleague")
    reports = [make_report(lights, roads) for _ in range(2)]
    login(client, clerk)

    response = client.post(
        "/staff/reports/bulk/",
        {"reports": [r.reference for r in reports], "action": "assign", "assign_to": colleague.pk},
    )

    assert "2 done, 0 not done." in text(response)
    assert {r.assigned_to for r in (r.__class__.objects.get(pk=r.pk) for r in reports)} == {colleague}


def test_bulk_transfer_requires_a_reason_and_changes_nothing_without_it(client, lights, roads, parks, clerk):
    report = make_report(lights, roads)
    login(client, clerk)

    response = client.post(
        "/staff/reports/bulk/", {"reports": [report.reference], "action": "transfer", "to_agency": parks.pk}
    )

    assert (response.status_code, response["Location"]) == (302, "/staff/reports/")
    report.refresh_from_db()
    assert report.owner == roads
    assert "Say why the reports are transferred; the reporters read it." in text(client.get("/staff/reports/"))


def test_bulk_transfer_from_triage(client, city, lights, parks):
    waiting = [make_report(lights, None) for _ in range(2)]
    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))

    response = client.post(
        "/staff/reports/bulk/",
        {
            "reports": [r.reference for r in waiting],
            "action": "transfer",
            "to_agency": parks.pk,
            "reason": "Parks look after this.",
            "next": "/staff/reports/triage/",
        },
    )

    assert "2 done, 0 not done." in text(response)
    assert all(r.__class__.objects.get(pk=r.pk).owner == parks for r in waiting)


def test_bulk_is_forbidden_to_citizens(client, report):
    login(client, UserFactory())

    response = client.post("/staff/reports/bulk/", {"reports": [report.reference], "action": "acknowledge"})

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_bulk_refuses_get(client, clerk):
    login(client, clerk)

    assert client.get("/staff/reports/bulk/").status_code == 405


@pytest.mark.parametrize("count", [1, 3])
def test_work_page_queries_do_not_grow_with_the_timeline(
    client, city, lights, roads, report, clerk, count, django_assert_num_queries
):
    from civicloop.reports.services import report_comment

    for n in range(count):
        report_comment(report=report, by=clerk, text=f"Note {n}", internal=n % 2 == 0)
        _photo(report, is_public=n % 2 == 1)
        make_report(lights, roads, lon=-70.65, lat=-33.45)  # a duplicate candidate
        _template(city, roads, title=f"Template {n}")
    login(client, clerk)

    with django_assert_num_queries(21):
        response = client.get(url(report))

    assert text(response).count("<td>Note ") == count


def test_assign_to_me_is_offered_only_to_members_of_the_owner(client, city, report, clerk):
    login(client, clerk)
    assert (
        html_count(
            client.get(url(report)),
            '<button type="submit" name="to_me" value="1" class="secondary">Assign to me</button>',
        )
        == 1
    )

    login(client, user_with_role(Role.SUPERVISOR, jurisdiction=city))
    assert "Assign to me" not in text(client.get(url(report)))


@pytest.mark.usefixtures("compiled")
def test_work_page_action_labels_follow_each_requests_language(client, clerk, report):
    """The actions are defined once for the process; their labels must be translated per request,
    not frozen in the language of whichever request first imported the module."""
    login(client, clerk)

    spanish = client.get(url(report), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get(url(report), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert 'id="action-acknowledge-heading">Acusar recibo</h3>' in spanish
    assert 'id="action-acknowledge-heading">Acknowledge</h3>' in english
