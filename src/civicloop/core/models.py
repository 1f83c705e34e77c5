"""Tenancy and geography: jurisdictions, their calendars, areas and agencies; the audit trail."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civicloop.core.enums import AgencyKind, Channel

_DOMAIN = RegexValidator(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
    _("Enter a lower-case web domain such as city.example.org."),
)
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _time_zone_validator(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not an IANA time zone such as Asia/Jakarta."), params={"value": value})


def _languages_validator(value: Any) -> None:
    known = {code for code, _name in settings.LANGUAGES}
    if not isinstance(value, list) or not value or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Languages must be a non-empty list of language codes."))
    unknown = sorted(set(value) - known)
    if unknown:
        raise ValidationError(
            _("Unknown language code(s): %(unknown)s. Available: %(known)s."),
            params={"unknown": ", ".join(unknown), "known": ", ".join(sorted(known))},
        )


def validate_working_hours(value: Any) -> None:
    """Working hours: weekday ("0" = Monday … "6" = Sunday) → list of ["HH:MM", "HH:MM"] intervals.

    A day absent or with an empty list is not a working day. Intervals must be ordered and
    must not overlap, so the calendar arithmetic can walk them in order.
    """
    if not isinstance(value, dict):
        raise ValidationError(_('Working hours must be an object such as {"0": [["08:00", "16:00"]]}.'))
    for day, intervals in value.items():
        if day not in {"0", "1", "2", "3", "4", "5", "6"}:
            raise ValidationError(_("Weekday %(day)s is not 0 (Monday) to 6 (Sunday)."), params={"day": day})
        if not isinstance(intervals, list):
            raise ValidationError(_("Weekday %(day)s must have a list of intervals."), params={"day": day})
        previous_end = "00:00"
        for interval in intervals:
            if (
                not isinstance(interval, list | tuple)
                or len(interval) != 2
                or not all(isinstance(t, str) and _HHMM.match(t) for t in interval)
            ):
                raise ValidationError(
                    _('Weekday %(day)s: each interval must be ["HH:MM", "HH:MM"], got %(interval)s.'),
                    params={"day": day, "interval": interval},
                )
            start, end = interval
            if not start < end:
                raise ValidationError(
                    _("Weekday %(day)s: interval %(start)s–%(end)s must end after it starts."),
                    params={"day": day, "start": start, "end": end},
                )
            if start < previous_end:
                raise ValidationError(
                    _("Weekday %(day)s: intervals must be in order and must not overlap."), params={"day": day}
                )
            previous_end = end


def default_working_hours() -> dict[str, list[list[str]]]:
    return {str(day): [["08:00", "16:00"]] for day in range(5)}


class Translatable(models.Model):
    """Public text in several languages: the stored fields hold the original, `translations`
    holds {"es": {"name": "…", "description": "…"}, …}; readers get their language, else the original."""

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_('Name and description per language: {"es": {"name": "…", "description": "…"}}'),
    )

    class Meta:
        abstract = True

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "").split("-")[0]
        value = self.translations.get(language, {}).get(field) if isinstance(self.translations, dict) else None
        return value or getattr(self, field)

    @property
    def display_name(self) -> str:
        return self.localized("name")

    @property
    def display_description(self) -> str:
        return self.localized("description")


class Jurisdiction(Translatable):
    """A government whose services run on civicloop: a city, a province, a ministry."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    domain = models.CharField(
        _("web domain (Open311 jurisdiction id)"),
        max_length=253,
        unique=True,
        validators=[_DOMAIN],
        help_text=_("The jurisdiction's web domain, as Open311 clients send it."),
    )
    description = models.TextField(_("description"), blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[_time_zone_validator])
    languages = models.JSONField(
        _("languages"), default=list, validators=[_languages_validator], help_text=_("First is the default.")
    )
    working_hours = models.JSONField(
        _("working hours"), default=default_working_hours, validators=[validate_working_hours]
    )
    areas_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE


class Holiday(models.Model):
    """A public holiday: no working hours that day, whatever the weekday."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "date"], name="holiday_unique_date")]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Area(models.Model):
    """A named boundary inside a jurisdiction (province > district > ward).

    The geometry is stored as GeoJSON (WGS 84) so no spatial database is needed; the
    bounding box columns let SQL narrow a search before shapely tests the polygon.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    code = models.CharField(_("code"), max_length=64, blank=True, help_text=_("An official identifier, if any."))
    level = models.CharField(_("level"), max_length=50, help_text=_("e.g. province, district, ward"))
    geometry = models.JSONField(_("geometry"), help_text=_("GeoJSON Polygon or MultiPolygon, WGS 84."))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["jurisdiction", "level", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "slug"], name="area_unique_slug")]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Agency(Translatable):
    """A government body or a contracted provider that delivers services."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices, default=AgencyKind.GOVERNMENT)
    description = models.TextField(_("description"), blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="agencies", verbose_name=_("areas covered"))
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "slug"], name="agency_unique_slug")]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("core:agency_detail", kwargs={"slug": self.slug})


# Apps whose objects are about people: civicloop's accounts, allauth's e-mail addresses and
# linked identity-provider accounts.
PERSONAL_APP_LABELS = frozenset({"accounts", "account", "socialaccount"})


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events are append-only: they cannot be deleted.")


class AuditImmutableError(Exception):
    pass


class AuditEvent(models.Model):
    """Who changed what, when, through which channel. Append-only.

    The ORM refuses updates and deletes; on PostgreSQL a trigger refuses them too, so not
    even a hand-written SQL statement can rewrite history.
    """

    occurred_at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
        help_text=_("Empty when civicloop itself acted (a scheduled task, an import)."),
    )
    actor_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("acting for")
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("jurisdiction")
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditImmutableError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("Audit events are append-only: they cannot be deleted.")

    @property
    def is_about_people(self) -> bool:
        """Events about people, their roles and tokens: their text and values name people, so
        readers who may not see identities (monitors) see only that such an event happened."""
        return self.content_type is not None and self.content_type.app_label in PERSONAL_APP_LABELS


class WorkerHeartbeat(models.Model):
    """Each task worker stamps its row every few seconds; /healthz reports the age."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"

    def age(self, now: dt.datetime) -> float:
        return (now - self.last_seen).total_seconds()
