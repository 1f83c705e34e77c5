import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicloop.core.models import AuditEvent
from civicloop.reports.enums import ReporterVisibility
from civicloop.reports.models import ReportPhoto
from civicloop.reports.services import ReportsError
from civicloop.reports.services.photos import PHOTO_MAX_EDGE, accepted_formats, photo_attach, photo_prepare
from tests.factories import UserFactory
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps(size=(40, 20), orientation=None) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, the place (GPS), XMP and a comment."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x013B] = "Ana Reporter"  # Artist
    if orientation is not None:
        exif[ORIENTATION] = orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "S"
    gps[2] = (33.0, 27.0, 0.0)
    gps[3] = "W"
    gps[4] = (70.0, 39.0, 0.0)
    image = Image.new("RGB", size, (200, 0, 0))
    # The left half green, so turning the picture can be seen in the pixels.
    image.paste((0, 200, 0), (0, 0, size[0] // 2, size[1]))
    buffer = io.BytesIO()
    image.save(
        buffer,
        "JPEG",
        exif=exif,
        comment=b"taken at home",
        xmp=b"<x:xmpmeta xmlns:x='adobe:ns:meta/'>secret-xmp</x:xmpmeta>",
    )
    return buffer.getvalue()


def image_bytes(fmt: str, size=(30, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (10, 20, 30) if mode == "RGB" else (10, 20, 30, 128)).save(buffer, fmt)
    return buffer.getvalue()


def upload(content: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_photo_attach_jpeg_with_gps_stores_no_exif_no_gps_no_xmp(settings):
    report = ReportFactory(reference="PHOTO234")

    photo = photo_attach(report=report, upload=upload(jpeg_with_gps()))

    data = Path(photo.image.path).read_bytes()
    with Image.open(io.BytesIO(data)) as stored:
        assert stored.format == "JPEG"
        assert dict(stored.getexif()) == {}
        assert stored.getexif().get_ifd(GPS_IFD) == {}
        assert "exif" not in stored.info
        assert "xmp" not in stored.info
        assert "comment" not in stored.info
        assert "icc_profile" not in stored.info
    for secret in (b"Exif", b"PhoneMaker", b"Ana Reporter", b"secret-xmp", b"taken at home"):
        assert secret not in data
    assert (photo.width, photo.height, photo.size) == (40, 20, len(data))
    assert photo.image.name.startswith("reports/")
    assert photo.image.name.endswith(".jpg")
    assert "photo" not in Path(photo.image.name).name  # the uploaded name is not kept
    assert stored_files(settings) == [Path(photo.image.path)]


def test_photo_attach_applies_exif_orientation():
    report = ReportFactory(reference="PHOTO235")

    # Orientation 6: the camera was turned; viewers rotate 90° clockwise to show it upright.
    photo = photo_attach(report=report, upload=upload(jpeg_with_gps(size=(40, 20), orientation=6)))

    assert (photo.width, photo.height) == (20, 40)
    with Image.open(photo.image.path) as stored:
        assert stored.size == (20, 40)
        assert ORIENTATION not in stored.getexif()
        top = stored.convert("RGB").getpixel((10, 5))
        bottom = stored.convert("RGB").getpixel((10, 35))
    # The green left half of the sensor image is on top once turned clockwise.
    assert top[1] > 150
    assert top[0] < 80
    assert bottom[0] > 150
    assert bottom[1] < 80


def test_photo_attach_png_is_stored_as_jpeg():
    report = ReportFactory(reference="PHOTO236")

    photo = photo_attach(report=report, upload=upload(image_bytes("PNG", mode="RGBA"), "shot.png", "image/png"))

    with Image.open(photo.image.path) as stored:
        assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (30, 30))
    assert ReportPhoto.objects.filter(report=report).count() == 1


def test_photo_prepare_webp_is_accepted():
    prepared = photo_prepare(upload(image_bytes("WEBP"), "photo.webp", "image/webp"))

    assert (prepared.width, prepared.height) == (30, 30)
    assert prepared.content.startswith(b"\xff\xd8")


def test_photo_prepare_large_photo_is_cut_to_the_max_edge():
    prepared = photo_prepare(upload(image_bytes("JPEG", size=(PHOTO_MAX_EDGE * 2, 1000))))

    assert prepared.width == PHOTO_MAX_EDGE
    assert prepared.height in (500, 501)


def test_photo_prepare_text_file_named_jpg_is_refused(settings):
    with pytest.raises(ReportsError) as error:
        photo_prepare(upload(b"this is not a picture at all", "holes.jpg"))

    formats = ", ".join(accepted_formats())
    assert str(error.value) == f"holes.jpg is not a photo we can read. Send a photo in one of these formats: {formats}."
    assert formats.startswith("JPEG, PNG, WebP")
    assert "GIF" not in formats
    assert stored_files(settings) == []


def test_photo_prepare_gif_is_refused():
    with pytest.raises(ReportsError, match=r"^anim\.gif is not a photo we can read\."):
        photo_prepare(upload(image_bytes("GIF"), "anim.gif", "image/gif"))


def test_photo_prepare_truncated_jpeg_is_refused():
    data = image_bytes("JPEG", size=(200, 200))

    with pytest.raises(ReportsError, match=r"^cut\.jpg is not a photo we can read\."):
        photo_prepare(upload(data[: len(data) // 2], "cut.jpg"))


def test_photo_prepare_too_big_is_refused(settings):
    settings.CIVICLOOP_PHOTO_MAX_BYTES = 2 * 1024 * 1024

    with pytest.raises(ReportsError) as error:
        photo_prepare(upload(b"\xff\xd8" + b"0" * (3 * 1024 * 1024), "big.jpg"))

    assert str(error.value) == "big.jpg is too large (3 MB); a photo may be at most 2 MB."


def test_photo_prepare_empty_file_is_refused():
    with pytest.raises(ReportsError, match=r"^empty\.jpg is empty; choose the photo again\.$"):
        photo_prepare(upload(b"", "empty.jpg"))


def test_photo_prepare_decompression_bomb_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)

    with pytest.raises(ReportsError) as error:
        photo_prepare(upload(image_bytes("PNG", size=(40, 40)), "bomb.png", "image/png"))

    assert str(error.value) == "bomb.png has too many pixels to be processed safely; send a smaller picture."


def test_photo_prepare_far_beyond_the_pixel_limit_is_refused(monkeypatch):
    # More than twice the limit: Pillow raises DecompressionBombError instead of warning.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)

    with pytest.raises(ReportsError, match="too many pixels"):
        photo_prepare(upload(image_bytes("PNG", size=(40, 40)), "bomb.png", "image/png"))


def test_photo_attach_refused_writes_no_row_and_no_file(settings):
    report = ReportFactory(reference="PHOTO237")

    with pytest.raises(ReportsError):
        photo_attach(report=report, upload=upload(b"GIF89a not really", "x.jpg"))

    assert ReportPhoto.objects.count() == 0
    assert stored_files(settings) == []
    assert not AuditEvent.objects.filter(action="report.photo_attach").exists()


def test_photo_attach_beyond_the_limit_is_refused(settings):
    settings.CIVICLOOP_PHOTOS_PER_REPORT = 1
    report = ReportFactory(reference="PHOTO238")
    photo_attach(report=report, upload=upload(image_bytes("JPEG")))

    with pytest.raises(ReportsError, match=r"^Report PHOTO238 already has 1 photos, the most allowed\.$"):
        photo_attach(report=report, upload=upload(image_bytes("JPEG")))

    assert len(stored_files(settings)) == 1


def test_photo_attach_is_audited_without_personal_data():
    user = UserFactory(name="Ana Reporter", email="ana@example.net")
    report = ReportFactory(reference="PHOTO239", reporter=user)

    photo = photo_attach(report=report, upload=upload(jpeg_with_gps(), "Ana Reporter's street.jpg"), by=user)

    event = AuditEvent.objects.get(action="report.photo_attach")
    assert event.object_id == str(report.pk)
    assert event.actor == user
    assert event.after == {"photo": photo.pk, "width": 40, "height": 20, "bytes": photo.size}
    assert "Ana" not in str(event.after)
    assert "Ana" not in event.object_repr


def test_photo_attach_anonymous_report_names_no_actor():
    user = UserFactory()
    report = ReportFactory(reference="PHOTO23A", reporter=user, visibility=ReporterVisibility.ANONYMOUS)

    photo_attach(report=report, upload=upload(image_bytes("JPEG")), by=user)

    assert AuditEvent.objects.get(action="report.photo_attach").actor is None
