"""Photos of a report: checked for what they really are, stripped of metadata, re-encoded, stored.

A phone photo carries the place it was taken (EXIF GPS), the phone's model and often the
owner's name; a public photo must carry none of it. Instead of deleting known tags, every
photo is decoded and encoded again as a fresh JPEG: only pixels survive, whatever metadata
format (EXIF, XMP, IPTC, comments, maker notes) the file used.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.reports.enums import ReporterVisibility
from civicloop.reports.models import Report, ReportPhoto
from civicloop.reports.services._common import ReportsError

if TYPE_CHECKING:
    from civicloop.accounts.models import User

#: The longest side of a stored photo: enough to see a pothole, small enough for a cheap phone.
PHOTO_MAX_EDGE = 2048
PHOTO_JPEG_QUALITY = 85
#: Pillow format names accepted; MPO is how many phones save their JPEGs. GIF (animations,
#: no photos) is refused; HEIC is accepted only when a Pillow plugin for it is installed.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "HEIF", "AVIF"})
#: How the formats are called in messages, in the order they are listed.
FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC", "AVIF": "AVIF"}


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo that passed the checks, re-encoded as a JPEG without metadata, ready to store."""

    content: bytes
    width: int
    height: int


def accepted_formats() -> list[str]:
    """The accepted formats this Pillow can actually read, as people call them."""
    readable = set(Image.registered_extensions().values())
    return [label for name, label in FORMAT_NAMES.items() if name in readable]


def photo_prepare(upload: File) -> PreparedPhoto:
    """Check an uploaded file and re-encode it; ReportsError with a sentence naming the problem.

    Checks, in order: size (before reading it), that it is an image in an accepted format
    (by its content, not its name or the browser's word), that it is not a decompression
    bomb (Pillow's MAX_IMAGE_PIXELS), and that it decodes. Then EXIF orientation is applied
    (the pixels are turned, so the picture stays upright once the tag is gone), the long
    edge is cut to PHOTO_MAX_EDGE and a fresh JPEG is written without any metadata.
    """
    name = getattr(upload, "name", "") or _("the photo")
    limit = settings.CIVICLOOP_PHOTO_MAX_BYTES
    size = upload.size or 0
    if size > limit:
        raise ReportsError(
            _("%(name)s is too large (%(size)s MB); a photo may be at most %(max)s MB.")
            % {"name": name, "size": _megabytes(size), "max": _megabytes(limit)}
        )
    if size == 0:
        raise ReportsError(_("%(name)s is empty; choose the photo again.") % {"name": name})
    not_image = _("%(name)s is not a photo we can read. Send a photo in one of these formats: %(formats)s.") % {
        "name": name,
        "formats": ", ".join(accepted_formats()),
    }
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # A picture of more than MAX_IMAGE_PIXELS is refused, not merely warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise ReportsError(not_image)
                image.draft("RGB", (PHOTO_MAX_EDGE, PHOTO_MAX_EDGE))  # JPEG: decode at a smaller scale
                image.load()
                picture = _clean(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ReportsError(
            _("%(name)s has too many pixels to be processed safely; send a smaller picture.") % {"name": name}
        ) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        # Pillow raises these for truncated or corrupt files and for data it cannot decode.
        raise ReportsError(not_image) from error
    finally:
        upload.seek(0)
    buffer = io.BytesIO()
    picture.save(buffer, format="JPEG", quality=PHOTO_JPEG_QUALITY, optimize=True)
    return PreparedPhoto(content=buffer.getvalue(), width=picture.width, height=picture.height)


def _clean(image: Image.Image) -> Image.Image:
    """Upright, at most PHOTO_MAX_EDGE, RGB, and carrying no metadata at all."""
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or (upright.mode == "P" and "transparency" in upright.info):
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    elif upright.mode != "RGB":
        upright = upright.convert("RGB")
    upright.thumbnail((PHOTO_MAX_EDGE, PHOTO_MAX_EDGE), Image.Resampling.LANCZOS)
    # A new image holds the pixels only: convert() and thumbnail() copy `info` (EXIF, XMP,
    # ICC profile, comments), which JPEG encoding would otherwise write back.
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    return clean


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


@transaction.atomic
def photo_attach(
    *, report: Report, upload: File | PreparedPhoto, by: User | None = None, channel: Channel = Channel.WEB
) -> ReportPhoto:
    """Store a photo of a report (checked and re-encoded by photo_prepare unless it already was).

    The file is written under a random name (the uploaded name may carry a person's name).
    If saving the row fails, the file is removed again. A caller that rolls back an outer
    transaction after this returned must delete the file itself (photo_files_delete): files
    are not transactional.
    """
    prepared = upload if isinstance(upload, PreparedPhoto) else photo_prepare(upload)
    limit = settings.CIVICLOOP_PHOTOS_PER_REPORT
    if ReportPhoto.objects.filter(report=report).count() >= limit:
        raise ReportsError(
            _("Report %(reference)s already has %(max)s photos, the most allowed.")
            % {"reference": report.reference, "max": limit}
        )
    photo = ReportPhoto(report=report, size=len(prepared.content))
    photo.image.save(f"{uuid.uuid4().hex}.jpg", ContentFile(prepared.content), save=False)
    photo.width, photo.height = prepared.width, prepared.height  # known: no need to read the file again
    try:
        photo.save()
        audit_log(
            action="report.photo_attach",
            # Like report_submit: the reporter of an anonymous report is not named, even here.
            actor=by if report.visibility != ReporterVisibility.ANONYMOUS else None,
            obj=report,
            agency=report.owner,
            jurisdiction=report.jurisdiction,
            after={"photo": photo.pk, "width": photo.width, "height": photo.height, "bytes": photo.size},
            channel=channel,
        )
    except BaseException:
        photo.image.storage.delete(photo.image.name)
        raise
    return photo


def photo_files_delete(photos: list[ReportPhoto]) -> None:
    """Remove the stored files of photos whose rows were rolled back."""
    for photo in photos:
        if photo.image.name:
            photo.image.storage.delete(photo.image.name)
