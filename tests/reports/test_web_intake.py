"""The citizen's web intake: the report form without JavaScript, its errors, photos, the
thank-you page and the confirmation link."""

import datetime as dt
import html
import io
import json
import re
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from civicloop.accounts.enums import Role
from civicloop.core.enums import Channel
from civicloop.core.models import AuditEvent
from civicloop.reports import tokens
from civicloop.reports.enums import AttributeDatatype, ReporterVisibility, ReportKind, ReportStatus, TargetUnit
from civicloop.reports.models import Report, ReportContact, ReportPhoto
from civicloop.reports.views.intake import SESSION_FILED
from tests.factories import AgencyFactory, AreaFactory, JurisdictionFactory, UserFactory, square, user_with_role
from tests.reports.factories import CategoryAttributeFactory, CategoryFactory, ReportFactory, RoutingRuleFactory
from tests.web import html_count, login, text

pytestmark = pytest.mark.django_db

HOST = "villa.example.org"
IN_CENTRO = {"lon": "-70.65", "lat": "-33.45"}
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _hosts(settings):
    settings.ALLOWED_HOSTS = [HOST, "testserver", "unknown.example.org"]


@pytest.fixture
def city():
    jurisdiction = JurisdictionFactory(
        name="Villa Clara", slug="villa", domain=HOST, time_zone="America/Santiago", languages=["es", "en"]
    )
    # Provincia (−70.8…−70.4) ⊃ Centro (−70.7…−70.6) ⊃ Barrio Alto ward; Norte beside Centro.
    provincia = AreaFactory(
        jurisdiction=jurisdiction,
        name="Provincia",
        slug="provincia",
        level="province",
        geometry=square(-70.8, -33.6, 0.4),
    )
    centro = AreaFactory(
        jurisdiction=jurisdiction, name="Centro", slug="centro", parent=provincia, geometry=square(-70.7, -33.5, 0.1)
    )
    AreaFactory(
        jurisdiction=jurisdiction, name="Norte", slug="norte", parent=provincia, geometry=square(-70.6, -33.5, 0.1)
    )
    AreaFactory(
        jurisdiction=jurisdiction,
        name="Barrio Alto",
        slug="barrio-alto",
        level="ward",
        parent=centro,
        geometry=square(-70.7, -33.45, 0.02),
    )
    roads = AgencyFactory(jurisdiction=jurisdiction, name="Roads Department", slug="roads")
    pothole = CategoryFactory(
        jurisdiction=jurisdiction,
        code="pothole",
        name="Pothole",
        description="A hole in the road.",
        groups=["Streets"],
        acknowledge_within=2,
        acknowledge_unit=TargetUnit.DAYS,
        duplicate_radius_m=100,
        translations={"es": {"name": "Bache", "groups": ["Calles"]}},
    )
    RoutingRuleFactory(category=pothole, agencies=[roads])
    lamp = CategoryFactory(jurisdiction=jurisdiction, code="lamp", name="Street light out", groups=["Lighting"])
    RoutingRuleFactory(category=lamp, agencies=[roads])
    CategoryFactory(jurisdiction=jurisdiction, code="other", name="Something else", groups=[])
    return {"j": jurisdiction, "centro": centro, "roads": roads, "pothole": pothole, "lamp": lamp}


def new_url(code="pothole"):
    return f"{reverse('reports:new')}?category={code}"


def form_data(**overrides):
    data = {
        "kind": ReportKind.COMPLAINT,
        "title": "Deep hole",
        "description": "A deep pothole in front of the school.",
        "area": "centro",
        "address": "Calle Larga 120",
        "lon": "",
        "lat": "",
        "visibility": ReporterVisibility.PUBLIC,
        "name": "Rosa Quispe",
        "email": "rosa@example.net",
        "phone": "",
        "idempotency_key": "",
    }
    data.update(overrides)
    return data


def jpeg(size=(60, 40), gps=False) -> bytes:
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "S"
        gps_ifd[2] = (33.0, 27.0, 0.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 90, 90)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def photo(name="hole.jpg", content=None, content_type="image/jpeg"):
    return SimpleUploadedFile(name, jpeg() if content is None else content, content_type=content_type)


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def post(client, data, code="pothole"):
    return client.post(new_url(code), data, HTTP_HOST=HOST)


def error_summary(response) -> list[tuple[str, str]]:
    """(link target, message) of each line of the error summary."""
    page = response.content.decode()
    summary = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    assert summary is not None, "no error summary"
    linked = re.findall(r'<li><a href="#([^"]+)">(.*?)</a></li>', summary.group(0), re.S)
    plain = [("", item) for item in re.findall(r"<li>([^<]+)</li>", summary.group(0))]
    return [(target, html.unescape(message)) for target, message in linked + plain]


def assert_nothing_saved(settings):
    assert Report.objects.count() == 0
    assert ReportContact.objects.count() == 0
    assert ReportPhoto.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="report.").exists()
    assert media_files(settings) == []


# --- Step one: the category ------------------------------------------------------------------


def test_new_without_category_lists_categories_by_group(client, city):
    response = client.get(reverse("reports:new"), HTTP_HOST=HOST)

    assert response.status_code == 200
    page = response.content.decode()
    groups = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', page, re.S)
    assert [(label, re.findall(r'<option value="([^"]+)"', options)) for label, options in groups] == [
        ("Streets", ["pothole"]),
        ("Lighting", ["lamp"]),
        ("Other", ["other"]),
    ]
    assert html_count(response, '<label for="id_category">What is the problem about?</label>') == 1
    assert html_count(response, '<a href="/reports/new/?category=pothole">Pothole</a>') == 1


def test_new_category_names_and_groups_are_translated(client, city):
    response = client.get(reverse("reports:new"), HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="es")

    page = response.content.decode()
    assert re.search(r'<optgroup label="Calles">\s*<option value="pothole">Bache</option>', page)


def test_new_unknown_category_shows_the_picker_with_an_error(client, city):
    response = client.get(new_url("nothing"), HTTP_HOST=HOST)

    assert response.status_code == 200
    assert error_summary(response) == [("id_category", "Choose what the problem is about from the list.")]


def test_new_inactive_category_is_not_offered(client, city):
    city["lamp"].is_active = False
    city["lamp"].save()

    response = client.get(new_url("lamp"), HTTP_HOST=HOST)

    assert 'value="lamp"' not in response.content.decode()
    assert error_summary(response) == [("id_category", "Choose what the problem is about from the list.")]


def test_new_post_without_category_goes_back_to_step_one(client, city):
    response = client.post(reverse("reports:new"), form_data(), HTTP_HOST=HOST)

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:new")
    assert Report.objects.count() == 0


def test_new_without_jurisdiction_is_404(client, city):
    JurisdictionFactory(slug="other", domain="other.example.org")

    response = client.get(reverse("reports:new"), HTTP_HOST="unknown.example.org")

    assert response.status_code == 404


# --- Step two: the form ----------------------------------------------------------------------


def test_new_form_has_stable_labels_and_ids(client, city, settings):
    settings.CIVICLOOP_PHOTOS_PER_REPORT = 3

    response = client.get(new_url(), HTTP_HOST=HOST)

    assert response.status_code == 200
    for field_id, label in [
        ("id_title", "Title"),
        ("id_description", "Describe the problem (required)"),
        ("id_area", "Area"),
        ("id_address", "Address or description of the place"),
        ("id_photo_1", "Photo 1"),
        ("id_photo_2", "Photo 2"),
        ("id_photo_3", "Photo 3"),
        ("id_name", "Your name"),
        ("id_email", "E-mail"),
        ("id_phone", "Phone"),
    ]:
        assert html_count(response, f'<label for="{field_id}">{label}</label>') == 1, field_id
    page = response.content.decode()
    for field_id in ("id_kind_0", "id_kind_3", "id_visibility_0", "id_visibility_2", "id_lon", "id_lat"):
        assert f'id="{field_id}"' in page
    assert 'id="id_photo_4"' not in page
    assert page.count('accept="image/*"') == 3
    assert 'enctype="multipart/form-data"' in page
    assert 'id="report-map"' in page
    assert "<legend>Where is it? (required)</legend>" in page
    assert '<input type="hidden" name="lon" id="id_lon">' in page


def test_new_form_explains_visibility_in_plain_words(client, city):
    page = re.sub(r"<[^>]+>", "", text(client.get(new_url(), HTTP_HOST=HOST)))

    assert "Public (my name is shown) Your report and your name are shown on the public website." in page
    assert "Nobody, not even the staff handling it, sees who you are" in page
    assert "Your report is not shown on the public website at all" in page


def test_new_area_picker_lists_areas_indented_by_level(client, city):
    page = client.get(new_url(), HTTP_HOST=HOST).content.decode()

    select = re.search(r'<select name="area" id="id_area">(.*?)</select>', page, re.S).group(1)
    assert re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select) == [
        ("", "Choose an area (optional)"),
        ("provincia", "Provincia"),
        ("centro", "\u2003Centro"),
        ("barrio-alto", "\u2003\u2003Barrio Alto"),
        ("norte", "\u2003Norte"),
    ]


def test_new_map_config_has_no_tiles_unless_configured(client, city, settings):
    page = client.get(new_url(), HTTP_HOST=HOST).content.decode()
    config = json.loads(
        re.search(r'<script id="report-map-config" type="application/json">(.*?)</script>', page).group(1)
    )

    assert config["areasUrl"] == "/api/v1/jurisdictions/villa/areas"
    assert config["nearbyUrl"] == "/reports/new/nearby/"
    assert config["category"] == "pothole"
    assert config["tilesUrl"] == ""
    assert '<script src="/static/vendor/leaflet/leaflet.js" defer></script>' in page
    assert '<script src="/static/civicloop/report-map.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">' in page
    assert "tile.openstreetmap" not in page

    settings.CIVICLOOP_MAP_TILES_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.CIVICLOOP_MAP_TILES_ATTRIBUTION = "© Example"
    page = client.get(new_url(), HTTP_HOST=HOST).content.decode()
    config = json.loads(
        re.search(r'<script id="report-map-config" type="application/json">(.*?)</script>', page).group(1)
    )
    assert (config["tilesUrl"], config["tilesAttribution"]) == (
        "https://tiles.example.org/{z}/{x}/{y}.png",
        "© Example",
    )


def test_new_map_assets_are_served(client, city):
    for path in (
        "/static/vendor/leaflet/leaflet.js",
        "/static/civicloop/report-map.js",
        "/static/civicloop/reports-intake.css",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        b"".join(response.streaming_content)


def test_new_signed_in_contact_is_prefilled_from_the_account(client, city):
    user = UserFactory(name="Ana Reyes", email="ana@example.net")
    login(client, user)

    response = client.get(new_url(), HTTP_HOST=HOST)

    page = response.content.decode()
    assert re.search(r'<input type="text" name="name" value="Ana Reyes"[^>]*id="id_name"', page)
    assert re.search(r'<input type="email" name="email" value="ana@example.net"[^>]*id="id_email"', page)


# --- Filing ----------------------------------------------------------------------------------


def test_new_area_picker_files_an_unverified_report_and_sends_a_confirmation(
    client, city, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, form_data())

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submitted", kwargs={"reference": report.reference})
    assert (report.category, report.kind, report.title, report.area, report.address_string) == (
        city["pothole"],
        ReportKind.COMPLAINT,
        "Deep hole",
        city["centro"],
        "Calle Larga 120",
    )
    assert (report.lon, report.lat) == (None, None)
    assert report.status == ReportStatus.UNVERIFIED
    assert report.channel == Channel.WEB
    assert report.owner == city["roads"]
    assert report.public_name == "Rosa Quispe"
    assert (report.contact.name, report.contact.email, report.contact.phone) == ("Rosa Quispe", "rosa@example.net", "")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["rosa@example.net"]
    assert mail.subject == f"Please confirm your report {report.reference}"
    link = f"http://{HOST}/reports/{report.reference}/confirm/"
    assert link in mail.body
    assert "Hello Rosa Quispe," in mail.body
    assert "&quot;" not in mail.body
    assert "&#x27;" not in mail.body


def test_new_with_a_pin_files_the_report_at_the_point(client, city):
    response = post(client, form_data(area="", address="", lon="-70.695", lat="-33.44"))

    report = Report.objects.get()
    assert response.status_code == 302
    assert (report.lon, report.lat) == (-70.695, -33.44)
    assert report.area.slug == "barrio-alto"


def test_new_thank_you_page_tells_reference_next_steps_and_confirmation(client, city):
    post(client, form_data())
    report = Report.objects.get()

    response = client.get(reverse("reports:submitted", kwargs={"reference": report.reference}), HTTP_HOST=HOST)

    assert response.status_code == 200
    page = text(response)
    assert f'<strong class="intake-reference-code" id="report-reference">{report.reference}</strong>' in page
    assert "Please confirm your report" in page
    assert "We have sent you an e-mail with a link." in page
    assert "Your report goes to Roads Department." in page
    assert "the due time is counted from your confirmation" in page


def test_new_signed_in_report_is_submitted_with_due_time_in_local_time(client, city, mailoutbox):
    user = UserFactory(name="Ana Reyes", email="ana@example.net")
    login(client, user)

    post(client, form_data(name="Ana Reyes", email="ana@example.net"))

    report = Report.objects.get()
    assert report.status == ReportStatus.SUBMITTED
    assert report.reporter == user
    assert mailoutbox == []
    page = text(client.get(reverse("reports:submitted", kwargs={"reference": report.reference}), HTTP_HOST=HOST))
    local = timezone.localtime(report.acknowledge_due_at, city["j"].tzinfo)
    assert local.tzinfo is not None
    from django.utils.formats import date_format

    due = date_format(local, "DATETIME_FORMAT")
    assert f"The agency must acknowledge it by <strong>{due}</strong> (America/Santiago time)." in page
    assert "Please confirm" not in page


def test_new_without_contact_explains_the_report_stays_unverified(client, city, mailoutbox):
    post(client, form_data(name="", email="", phone=""))

    report = Report.objects.get()
    assert report.status == ReportStatus.UNVERIFIED
    assert not ReportContact.objects.exists()
    assert mailoutbox == []
    page = text(client.get(reverse("reports:submitted", kwargs={"reference": report.reference}), HTTP_HOST=HOST))
    assert "Your report stays unverified" in page
    assert "You gave no e-mail address, so the report cannot be confirmed" in page
    assert "An unverified report has no due time" in page
    assert "counted from your confirmation" not in page


def test_new_phone_only_report_stays_unverified_without_mail(client, city, mailoutbox):
    post(client, form_data(email="", phone="+56 9 1234 5678"))

    report = Report.objects.get()
    assert report.contact.phone == "+56 9 1234 5678"
    assert mailoutbox == []
    page = text(client.get(reverse("reports:submitted", kwargs={"reference": report.reference}), HTTP_HOST=HOST))
    assert "Your report stays unverified" in page


def test_new_anonymous_and_confidential_reports_show_no_public_name(client, city):
    post(client, form_data(visibility=ReporterVisibility.ANONYMOUS))
    post(client, form_data(visibility=ReporterVisibility.CONFIDENTIAL, description="Another one."))

    assert sorted(Report.objects.values_list("visibility", "public_name")) == [
        (ReporterVisibility.ANONYMOUS, ""),
        (ReporterVisibility.CONFIDENTIAL, ""),
    ]


def test_new_kinds_are_all_accepted(client, city):
    for number, kind in enumerate(ReportKind.values):
        post(client, form_data(kind=kind, description=f"Report number {number}."))

    assert sorted(Report.objects.values_list("kind", flat=True)) == sorted(ReportKind.values)


def test_new_retried_post_files_one_report(client, city, mailoutbox, django_capture_on_commit_callbacks):
    data = form_data(idempotency_key="0f6d8a1c2b3e4f5061728394a5b6c7d8")
    with django_capture_on_commit_callbacks(execute=True):
        first = post(client, data)
        second = client.post(new_url(), data, HTTP_HOST=HOST)

    report = Report.objects.get()
    assert (
        first["Location"] == second["Location"] == reverse("reports:submitted", kwargs={"reference": report.reference})
    )
    assert ReportPhoto.objects.count() == 0
    assert len(mailoutbox) == 1


def test_new_same_page_sent_again_with_changes_is_explained(client, city):
    data = form_data(idempotency_key="0f6d8a1c2b3e4f5061728394a5b6c7d8")
    post(client, data)
    report = Report.objects.get()

    response = post(client, {**data, "description": "Something different."})

    assert Report.objects.count() == 1
    assert error_summary(response) == [
        (
            "report-form",
            (
                f"You already sent a report from this page (reference {report.reference}). "
                "To file another report, check the form and submit it again."
            ),
        )
    ]
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', response.content.decode()).group(1)
    assert key != data["idempotency_key"]
    assert post(client, {**data, "description": "Something different.", "idempotency_key": key}).status_code == 302
    assert Report.objects.count() == 2


def test_new_thank_you_page_is_only_for_the_browser_that_filed(client, city):
    report = ReportFactory(
        category=city["pothole"],
        reference="K7M3QX9P",
        visibility=ReporterVisibility.CONFIDENTIAL,
        description="Threatened by the inspector.",
    )

    response = client.get(reverse("reports:submitted", kwargs={"reference": report.reference}), HTTP_HOST=HOST)

    assert response.status_code == 404
    assert "Threatened" not in response.content.decode()


# --- Photos ----------------------------------------------------------------------------------


def test_new_with_photos_stores_them_without_metadata(client, city, settings):
    settings.CIVICLOOP_PHOTOS_PER_REPORT = 3

    response = post(
        client,
        form_data(
            photo_1=photo(content=jpeg(gps=True)), photo_3=photo("b.png", content=_png(), content_type="image/png")
        ),
    )

    assert response.status_code == 302
    report = Report.objects.get()
    photos = list(report.photos.order_by("pk"))
    assert len(photos) == 2
    for stored in photos:
        data = Path(stored.image.path).read_bytes()
        assert b"Exif" not in data
        assert b"PhoneMaker" not in data
    assert len(media_files(settings)) == 2
    assert AuditEvent.objects.filter(action="report.photo_attach", object_id=str(report.pk)).count() == 2


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (20, 20), (1, 2, 3, 100)).save(buffer, "PNG")
    return buffer.getvalue()


def test_new_fake_photo_saves_nothing_and_shows_every_error(client, city, settings):
    response = post(
        client,
        form_data(
            description="",
            email="not-an-address",
            photo_1=photo(content=jpeg()),
            photo_2=photo("notes.jpg", b"just text"),
        ),
    )

    assert response.status_code == 200
    assert_nothing_saved(settings)
    summary = error_summary(response)
    assert ("id_description", "Describe the problem: the description is required.") in summary
    assert ("id_email", "Enter an e-mail address like name@example.org.") in summary
    assert ("id_photo_2", _not_photo("notes.jpg")) in summary
    page = text(response)
    assert "Photos are not kept when the form is shown again: please choose them again." in page
    # What was typed is kept.
    assert 'value="Deep hole"' in page
    assert 'value="not-an-address"' in page
    assert 'value="Calle Larga 120"' in page
    assert '<option value="centro" selected>' in page
    assert (
        'id="id_photo_2" aria-invalid="true"' in page
        or 'aria-invalid="true" id="id_photo_2"' in page
        or re.search(r'<input[^>]*aria-invalid="true"[^>]*id="id_photo_2"', page)
    )


def _not_photo(name):
    from civicloop.reports.services.photos import accepted_formats

    return f"{name} is not a photo we can read. Send a photo in one of these formats: {', '.join(accepted_formats())}."


def test_new_too_big_photo_saves_nothing(client, city, settings):
    settings.CIVICLOOP_PHOTO_MAX_BYTES = 2 * 1024 * 1024

    response = post(client, form_data(photo_1=photo("huge.jpg", b"\xff\xd8" + b"0" * (3 * 1024 * 1024))))

    assert_nothing_saved(settings)
    assert error_summary(response) == [("id_photo_1", "huge.jpg is too large (3 MB); a photo may be at most 2 MB.")]


def test_new_photo_storage_failure_leaves_no_report_and_no_file(client, city, settings, monkeypatch):
    """A full disk on the second photo: the report and the first photo are rolled back, its file removed."""
    settings.CIVICLOOP_PHOTOS_PER_REPORT = 2
    real_save = FileSystemStorage._save
    calls = []

    def save_then_fail(self, name, content):
        calls.append(name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", save_then_fail)

    with pytest.raises(OSError, match="No space left"):
        post(client, form_data(photo_1=photo(), photo_2=photo()))

    assert len(calls) == 2
    assert_nothing_saved(settings)


def test_new_service_refusal_after_valid_photos_stores_no_file(client, city, settings):
    response = post(client, form_data(area="", address="", lon="10.0", lat="10.0", photo_1=photo()))

    assert_nothing_saved(settings)
    assert error_summary(response) == [
        (
            "report-form",
            (
                "The location (longitude 10.0, latitude 10.0) is outside Villa Clara. "
                "Check the pin, or report to the government responsible for that place."
            ),
        )
    ]


# --- Validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"description": "   "}, [("id_description", "Describe the problem: the description is required.")]),
        (
            {"description": "x" * 5001},
            [("id_description", "Ensure this value has at most 5000 characters (it has 5001).")],
        ),
        ({"title": "x" * 201}, [("id_title", "Ensure this value has at most 200 characters (it has 201).")]),
        (
            {"area": "", "address": ""},
            [("id_area", "Say where the problem is: choose an area, give an address, or place a pin on the map.")],
        ),
        ({"area": "atlantis"}, [("id_area", "Select a valid choice. atlantis is not one of the available choices.")]),
        ({"kind": "rant"}, [("id_kind", "Select a valid choice. rant is not one of the available choices.")]),
        ({"visibility": ""}, [("id_visibility", "Choose who may see your report.")]),
        ({"email": "rosa@"}, [("id_email", "Enter an e-mail address like name@example.org.")]),
        ({"lon": "-70.65", "lat": ""}, [("where", "The pin on the map was not placed properly; place it again.")]),
        ({"lon": "east", "lat": "-33.45"}, [("where", "The pin on the map was not placed properly; place it again.")]),
        (
            {"lon": "-700", "lat": "-33.45"},
            [("where", "The pin on the map is outside the world's coordinates; place it again.")],
        ),
    ],
)
def test_new_invalid_input_saves_nothing_and_links_each_error(client, city, settings, overrides, expected):
    response = post(client, form_data(**overrides))

    assert response.status_code == 200
    assert error_summary(response) == expected
    assert_nothing_saved(settings)


def test_new_bad_phone_is_linked_to_its_field(client, city, settings):
    response = post(client, form_data(phone="call me"))

    assert_nothing_saved(settings)
    assert error_summary(response) == [
        ("id_phone", "call me is not a phone number; give digits, optionally starting with +, e.g. +56 2 2345 6789.")
    ]
    assert 'value="call me"' in response.content.decode()


def test_new_pin_outside_the_chosen_area_is_refused(client, city, settings):
    response = post(client, form_data(area="norte", **IN_CENTRO))

    assert_nothing_saved(settings)
    assert error_summary(response) == [
        ("report-form", "The location is not inside the area Norte; move the pin or choose another area.")
    ]


# --- Extra questions -------------------------------------------------------------------------


@pytest.fixture
def questions(city):
    category = city["pothole"]
    make = CategoryAttributeFactory
    make(category=category, code="note", variable=False, description="Do not stand in the road.", order=1)
    make(category=category, code="plate", datatype=AttributeDatatype.STRING, description="Licence plate", order=2)
    make(
        category=category,
        code="depth",
        datatype=AttributeDatatype.NUMBER,
        description="Depth in cm",
        required=True,
        order=3,
    )
    make(
        category=category, code="seen", datatype=AttributeDatatype.DATETIME, description="When did you see it?", order=4
    )
    make(category=category, code="more", datatype=AttributeDatatype.TEXT, description="Anything else?", order=5)
    make(
        category=category,
        code="size",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        description="How big?",
        required=True,
        values=[{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}],
        translations={"es": {"description": "¿Qué tamaño?", "values": {"s": "Pequeño"}}},
        order=6,
    )
    make(
        category=category,
        code="lane",
        datatype=AttributeDatatype.SINGLEVALUELIST,
        description="Which lane?",
        values=[{"key": str(n), "name": f"Lane {n}"} for n in range(1, 9)],
        order=7,
    )
    make(
        category=category,
        code="hazards",
        datatype=AttributeDatatype.MULTIVALUELIST,
        description="What is dangerous?",
        values=[{"key": "water", "name": "Water in it"}, {"key": "edge", "name": "Sharp edge"}],
        order=8,
    )
    return category


def test_new_extra_questions_are_rendered_per_datatype(client, city, questions):
    response = client.get(new_url(), HTTP_HOST=HOST)

    page = response.content.decode()
    assert '<p class="intake-note">Do not stand in the road.</p>' in page
    assert re.search(r'<input type="text" name="attribute_plate" maxlength="500" id="id_attribute_plate">', page)
    assert html_count(response, '<label for="id_attribute_plate">Licence plate</label>') == 1
    assert re.search(
        r'<input type="text" name="attribute_depth" inputmode="decimal" maxlength="50" required id="id_attribute_depth">',
        page,
    )
    assert html_count(response, '<label for="id_attribute_depth">Depth in cm (required)</label>') == 1
    assert re.search(r'<input type="datetime-local" name="attribute_seen"[^>]*id="id_attribute_seen"', page)
    assert re.search(r'<textarea name="attribute_more"[^>]*id="id_attribute_more">', page)
    assert html_count(response, "<legend>How big? (required)</legend>") == 1
    assert re.findall(r'<input type="radio" name="attribute_size" value="(\w+)"', page) == ["s", "l"]
    assert re.search(r'<select name="attribute_lane" id="id_attribute_lane">', page)
    assert re.findall(r'<input type="checkbox" name="attribute_hazards" value="(\w+)"', page) == ["water", "edge"]
    assert "attribute_note" not in page


def test_new_extra_questions_are_translated(client, city, questions):
    page = text(client.get(new_url(), HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE="es"))

    assert "¿Qué tamaño?" in page
    assert "Pequeño" in page


def test_new_extra_question_answers_are_stored_normalised(client, city, questions):
    response = post(
        client,
        form_data(
            attribute_plate=" AB-12 ",
            attribute_depth="12.0",
            attribute_seen="2026-03-01T14:30",
            attribute_more="It rained.",
            attribute_size="l",
            attribute_lane="7",
            attribute_hazards=["water", "edge"],
        ),
    )

    assert response.status_code == 302
    assert Report.objects.get().attributes == {
        "plate": "AB-12",
        "depth": 12,
        "seen": "2026-03-01T17:30:00+00:00",  # Santiago is UTC−3 in March
        "more": "It rained.",
        "size": "l",
        "lane": "7",
        "hazards": ["water", "edge"],
    }


def test_new_extra_question_errors_are_linked(client, city, questions, settings):
    response = post(
        client,
        form_data(attribute_depth="deep", attribute_seen="yesterday", attribute_lane="9", attribute_hazards=["fire"]),
    )

    assert_nothing_saved(settings)
    assert error_summary(response) == [
        ("id_attribute_depth", "Give a number, like 12 or 3.5."),
        ("id_attribute_seen", "Give a date and time, like 2026-03-01 14:30."),
        ("id_attribute_size", "Answer this question: it is required."),
        ("id_attribute_lane", "Select a valid choice. 9 is not one of the available choices."),
        ("id_attribute_hazards", "Select a valid choice. fire is not one of the available choices."),
    ]
    page = response.content.decode()
    assert 'value="deep"' in page
    assert 'value="yesterday"' in page


def test_new_required_number_missing_is_linked(client, city, questions, settings):
    response = post(client, form_data(attribute_size="s"))

    assert_nothing_saved(settings)
    assert error_summary(response) == [("id_attribute_depth", "Answer this question: it is required.")]


# --- Confirmation ----------------------------------------------------------------------------


def _confirm_url(reference, token=None):
    return reverse(
        "reports:confirm", kwargs={"reference": reference, "token": token or tokens.make("confirm", reference)}
    )


def _detail_exists() -> bool:
    try:
        reverse("reports:detail", kwargs={"reference": "K7M3QX9P"})
    except NoReverseMatch:
        return False
    return True


def test_confirm_link_from_the_mail_confirms_on_post_only(client, city, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, form_data())
    report = Report.objects.get()
    link = re.search(r"http://[^\s]+/confirm/[^\s]+/", mailoutbox[0].body).group(0)
    path = link.removeprefix(f"http://{HOST}")
    other = client.__class__()  # the mail is opened elsewhere, e.g. on the phone's mail app

    shown = other.get(path, HTTP_HOST=HOST)

    assert shown.status_code == 200
    assert html_count(shown, '<button type="submit" id="confirm-button">Confirm my report</button>') == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.UNVERIFIED

    confirmed = other.post(path, HTTP_HOST=HOST, follow=True)

    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    first = confirmed.redirect_chain[0][0]
    if _detail_exists():
        assert first == reverse("reports:detail", kwargs={"reference": report.reference})
    else:
        assert first == reverse("reports:submitted", kwargs={"reference": report.reference})
    assert confirmed.status_code == 200
    assert f"Thank you: report {report.reference} is confirmed" in text(confirmed)
    assert AuditEvent.objects.filter(action="report.confirm", object_id=str(report.pk)).count() == 1


def test_confirm_confidential_report_goes_to_the_thank_you_page(client, city):
    report = ReportFactory(
        category=city["pothole"],
        reference="K7M3QX9P",
        status=ReportStatus.UNVERIFIED,
        visibility=ReporterVisibility.CONFIDENTIAL,
    )

    response = client.post(_confirm_url(report.reference), HTTP_HOST=HOST)

    assert response["Location"] == reverse("reports:submitted", kwargs={"reference": "K7M3QX9P"})
    assert client.get(response["Location"], HTTP_HOST=HOST).status_code == 200


def test_confirm_twice_is_harmless(client, city):
    report = ReportFactory(
        category=city["pothole"],
        reference="K7M3QX9P",
        status=ReportStatus.UNVERIFIED,
        visibility=ReporterVisibility.CONFIDENTIAL,
    )
    client.post(_confirm_url(report.reference), HTTP_HOST=HOST)

    again = client.get(_confirm_url(report.reference), HTTP_HOST=HOST)
    posted = client.post(_confirm_url(report.reference), HTTP_HOST=HOST, follow=True)

    assert "This report is already confirmed. Thank you." in text(again)
    assert "Report K7M3QX9P was already confirmed." in text(posted)
    assert AuditEvent.objects.filter(action="report.confirm").count() == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_confirm_bad_token_is_a_clear_400(client, city, method):
    report = ReportFactory(category=city["pothole"], reference="K7M3QX9P", status=ReportStatus.UNVERIFIED)

    response = getattr(client, method)(_confirm_url(report.reference, "not-a-token"), HTTP_HOST=HOST)

    assert response.status_code == 400
    assert "The confirmation link is not valid or has expired: links work for 14 days" in text(response)
    report.refresh_from_db()
    assert report.status == ReportStatus.UNVERIFIED


def test_confirm_token_of_another_report_is_refused(client, city):
    report = ReportFactory(category=city["pothole"], reference="K7M3QX9P", status=ReportStatus.UNVERIFIED)
    ReportFactory(category=city["pothole"], reference="A2B3C4D5", status=ReportStatus.UNVERIFIED)

    response = client.post(_confirm_url(report.reference, tokens.make("confirm", "A2B3C4D5")), HTTP_HOST=HOST)

    assert response.status_code == 400
    assert Report.objects.filter(status=ReportStatus.UNVERIFIED).count() == 2


def test_confirm_token_for_another_purpose_is_refused(client, city):
    ReportFactory(category=city["pothole"], reference="K7M3QX9P", status=ReportStatus.UNVERIFIED)

    response = client.post(_confirm_url("K7M3QX9P", tokens.make("feedback", "K7M3QX9P")), HTTP_HOST=HOST)

    assert response.status_code == 400


def test_confirm_expired_token_is_refused(client, city, monkeypatch):
    report = ReportFactory(category=city["pothole"], reference="K7M3QX9P", status=ReportStatus.UNVERIFIED)
    sent = timezone.now() - dt.timedelta(days=15)
    monkeypatch.setattr(signing.time, "time", sent.timestamp)
    token = tokens.make("confirm", report.reference)
    monkeypatch.undo()

    response = client.post(_confirm_url(report.reference, token), HTTP_HOST=HOST)

    assert response.status_code == 400
    report.refresh_from_db()
    assert report.status == ReportStatus.UNVERIFIED


def test_confirm_unknown_report_is_404(client, city):
    response = client.get(_confirm_url("K7M3QX9P"), HTTP_HOST=HOST)

    assert response.status_code == 404


def test_confirm_report_of_another_jurisdiction_is_404(client, city):
    elsewhere = CategoryFactory(jurisdiction=JurisdictionFactory(slug="lejos", domain="lejos.example.org"))
    ReportFactory(category=elsewhere, reference="K7M3QX9P", status=ReportStatus.UNVERIFIED)

    response = client.post(_confirm_url("K7M3QX9P"), HTTP_HOST=HOST)

    assert response.status_code == 404
    assert Report.objects.get().status == ReportStatus.UNVERIFIED


# --- Who may use the intake ------------------------------------------------------------------


ROLES = [None, Role.AGENCY_STAFF, Role.AGENCY_MANAGER, Role.SUPERVISOR, Role.MONITOR, Role.ADMINISTRATOR]


@pytest.mark.parametrize("role", ["anonymous", *ROLES], ids=str)
def test_intake_pages_are_open_to_everyone(client, city, role):
    if role != "anonymous":
        login(client, user_with_role(role, jurisdiction=city["j"], agency=city["roads"]))

    assert client.get(reverse("reports:new"), HTTP_HOST=HOST).status_code == 200
    assert client.get(new_url(), HTTP_HOST=HOST).status_code == 200
    response = post(client, form_data())
    assert response.status_code == 302
    assert client.get(response["Location"], HTTP_HOST=HOST).status_code == 200
    expected = ReportStatus.UNVERIFIED if role == "anonymous" else ReportStatus.SUBMITTED
    assert Report.objects.get().status == expected


def test_intake_methods_other_than_get_and_post_are_refused(client, city):
    assert client.put(new_url(), HTTP_HOST=HOST).status_code == 405
    assert client.post(reverse("reports:nearby"), HTTP_HOST=HOST).status_code == 405


def test_intake_session_keeps_the_latest_references(client, city):
    post(client, form_data())

    assert client.session[SESSION_FILED] == [Report.objects.get().reference]


def test_intake_support_and_nearby_are_open_to_every_role(client, city):
    ReportFactory(category=city["pothole"], reference="K7M3QX9P", lon=-70.65, lat=-33.45)
    for role in ["anonymous", *ROLES]:
        client.logout()
        if role != "anonymous":
            login(client, user_with_role(role, jurisdiction=city["j"], agency=city["roads"]))
        nearby = client.get(reverse("reports:nearby"), {"category": "pothole", **IN_CENTRO}, HTTP_HOST=HOST)
        assert [item["reference"] for item in nearby.json()["reports"]] == ["K7M3QX9P"], role
        assert (
            client.get(reverse("reports:support", kwargs={"reference": "K7M3QX9P"}), HTTP_HOST=HOST).status_code == 200
        )


# --- Queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 3])
def test_new_category_picker_queries_do_not_grow_with_categories(client, django_assert_num_queries, count):
    jurisdiction = JurisdictionFactory(slug="villa", domain=HOST)
    for n in range(count):
        CategoryFactory(jurisdiction=jurisdiction, groups=[f"Group {n % 2}"])
    client.get("/", HTTP_HOST=HOST)

    with django_assert_num_queries(2):  # jurisdiction, categories
        response = client.get(reverse("reports:new"), HTTP_HOST=HOST)

    assert response.content.decode().count('<a href="/reports/new/?category=') == count


@pytest.mark.parametrize("count", [1, 3])
def test_new_form_queries_do_not_grow_with_areas_and_questions(client, django_assert_num_queries, count):
    jurisdiction = JurisdictionFactory(slug="villa", domain=HOST)
    category = CategoryFactory(jurisdiction=jurisdiction, code="pothole")
    parent = None
    for n in range(count):
        parent = AreaFactory(jurisdiction=jurisdiction, parent=parent, geometry=square(-70.7, -33.5, 0.1))
        CategoryAttributeFactory(category=category, code=f"q{n}", order=n + 1)
    client.get("/", HTTP_HOST=HOST)

    with django_assert_num_queries(4):  # jurisdiction, category, its questions, areas
        response = client.get(new_url(), HTTP_HOST=HOST)

    page = response.content.decode()
    assert page.count('name="attribute_q') == count
    assert len(re.findall(r'<option value="district-\d+"', page)) == count
