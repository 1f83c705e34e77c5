"""Categories of problems people report (Open311 "services"), their extra questions, and routing rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction, Translatable
from civicloop.reports.enums import (
    LIST_DATATYPES,
    OPEN_STATUSES,
    AttributeDatatype,
    CloseReason,
    EscalationLevel,
    PrivacyClass,
    ReporterVisibility,
    ReportKind,
    ReportStatus,
    ServiceType,
    TargetUnit,
)

# Codes travel in URL paths (services/{code}.json) and form keys (attribute[CODE]): no dots,
# slashes, brackets or spaces.
CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_-]{1,64}$",
    _("Use 1 to 64 letters, digits, hyphens or underscores (no spaces, dots or slashes)."),
)
MAX_DUPLICATE_RADIUS_M = 5000
OPEN311_KEY_PREFIX = "o311_"  # a public marker, not a secret; staff API tokens start cl_


def _string_list_validator(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError(_('Enter a list of non-empty texts, such as ["roads", "lighting"].'))
    if any("," in item for item in value):
        raise ValidationError(_("An entry may not contain a comma (Open311 joins them with commas)."))
    if len(set(value)) != len(value):
        raise ValidationError(_("Each entry may appear only once."))


def _translations_validator(value: Any) -> None:
    """{"en": {"name": "…", "description": "…"}, …}: language → field → text; categories may
    also translate "groups" and "keywords" (lists), attributes their "values" ({key: name})."""
    from django.conf import settings

    known = {code for code, _name in settings.LANGUAGES}
    message = _('Translations must look like {"en": {"name": "…", "description": "…"}}.')
    if not isinstance(value, dict):
        raise ValidationError(message)
    for language, fields in value.items():
        if language not in known:
            raise ValidationError(
                _("Unknown language code %(language)s in translations. Available: %(known)s."),
                params={"language": language, "known": ", ".join(sorted(known))},
            )
        if not isinstance(fields, dict):
            raise ValidationError(message)
        for name, text in fields.items():
            if name == "values":
                if not isinstance(text, dict) or not all(isinstance(v, str) for v in text.values()):
                    raise ValidationError(_('Translated values must look like {"values": {"key": "name"}}.'))
            elif name in {"groups", "keywords"}:
                _string_list_validator(text)
            elif not isinstance(text, str):
                raise ValidationError(message)


class Category(Translatable):
    """A kind of problem people report (an Open311 "service"): what to ask, how fast to answer."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="categories")
    code = models.CharField(
        _("code"),
        max_length=64,
        validators=[CODE_VALIDATOR],
        help_text=_("The Open311 service_code; unique in the jurisdiction, e.g. 001 or pothole."),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    groups = models.JSONField(
        _("groups"),
        default=list,
        blank=True,
        validators=[_string_list_validator],
        help_text=_('Groups the category is listed under, the first is the main one: ["Streets"]'),
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        validators=[_string_list_validator],
        help_text=_('Other words people use for it: ["pothole", "hole"]'),
    )
    privacy = models.CharField(
        _("privacy class"),
        max_length=20,
        choices=PrivacyClass.choices,
        default=PrivacyClass.NORMAL,
        help_text=_("Reports in sensitive categories never appear on the public map or lists."),
    )
    acknowledge_within = models.PositiveIntegerField(
        _("acknowledge within"), default=1, validators=[MinValueValidator(0)]
    )
    acknowledge_unit = models.CharField(
        _("acknowledgement unit"), max_length=10, choices=TargetUnit.choices, default=TargetUnit.DAYS
    )
    resolve_within = models.PositiveIntegerField(_("resolve within"), default=10, validators=[MinValueValidator(0)])
    resolve_unit = models.CharField(
        _("resolution unit"), max_length=10, choices=TargetUnit.choices, default=TargetUnit.DAYS
    )
    duplicate_radius_m = models.PositiveIntegerField(
        _("duplicate search radius (metres)"),
        default=50,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_DUPLICATE_RADIUS_M)],
        help_text=_("Open reports of this category this close are shown before a new one is filed."),
    )
    type = models.CharField(_("Open311 type"), max_length=10, choices=ServiceType.choices, default=ServiceType.REALTIME)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[_translations_validator],
        help_text=_('Name and description per language: {"en": {"name": "…", "description": "…"}}'),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["jurisdiction", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="category_unique_code")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_sensitive(self) -> bool:
        return self.privacy == PrivacyClass.SENSITIVE

    @property
    def group(self) -> str:
        """The main group (Open311 has one; FixMyStreet lists several)."""
        return self.groups[0] if self.groups else ""

    def acknowledge_due(self, start: dt.datetime) -> dt.datetime:
        """When a report filed at start must be acknowledged, on the jurisdiction's working calendar."""
        return _due(self.jurisdiction, start, self.acknowledge_within, self.acknowledge_unit)

    def resolve_due(self, start: dt.datetime) -> dt.datetime:
        """When a report filed at start must be resolved, on the jurisdiction's working calendar."""
        return _due(self.jurisdiction, start, self.resolve_within, self.resolve_unit)

    def localized_list(self, field: str, language: str | None = None) -> list[str]:
        """Groups or keywords in a language, else the originals."""
        language = (language or get_language() or "").split("-")[0]
        value = self.translations.get(language, {}).get(field) if isinstance(self.translations, dict) else None
        return value if isinstance(value, list) and value else list(getattr(self, field))


def _due(jurisdiction: Jurisdiction, start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    from civicloop.core.calendar import add_working_days, add_working_hours

    if unit == TargetUnit.HOURS:
        return add_working_hours(jurisdiction, start, amount)
    return add_working_days(jurisdiction, start, amount)


class CategoryAttribute(Translatable):
    """An extra question asked when reporting in a category (an Open311 attribute)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.CharField(
        _("code"), max_length=64, validators=[CODE_VALIDATOR], help_text=_("Unique in the category.")
    )
    datatype = models.CharField(_("datatype"), max_length=20, choices=AttributeDatatype.choices)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asks for input"),
        default=True,
        help_text=_("Untick for a note shown to the reporter that asks for nothing."),
    )
    description = models.TextField(_("question"), help_text=_("The question or note, as the reporter reads it."))
    datatype_description = models.CharField(
        _("input hint"), max_length=300, blank=True, help_text=_("e.g. Licence plate, as printed")
    )
    order = models.PositiveIntegerField(_("order"), default=1, validators=[MinValueValidator(1)])
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For the list datatypes: [{"key": "1", "name": "Small"}, …]'),
    )
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[_translations_validator],
        help_text=_('Per language: {"en": {"description": "…", "values": {"1": "Small"}}}'),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="category_attribute_unique_code"),
            # Open311: "any positive integer not used for other attributes in the same service_code".
            models.UniqueConstraint(fields=["category", "order"], name="category_attribute_unique_order"),
        ]
        verbose_name = _("extra question")
        verbose_name_plural = _("extra questions")

    def __str__(self) -> str:
        return self.code

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.category.jurisdiction

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_DATATYPES

    def clean(self) -> None:
        super().clean()
        problem = self.values_error()
        if problem:
            raise ValidationError({"values": problem})
        if self.required and not self.variable:
            raise ValidationError({"required": _("A note that asks for nothing cannot be required.")})

    def values_error(self) -> str | None:
        """Why `values` does not fit the datatype, or None."""
        values = self.values
        if not self.is_list:
            if values not in ([], None):
                return str(_("Only the list datatypes (choose one, choose several) have choices; remove them."))
            return None
        if not isinstance(values, list) or not values:
            return str(_('A list datatype needs at least one choice: [{"key": "1", "name": "Small"}].'))
        keys = []
        for value in values:
            if (
                not isinstance(value, dict)
                or set(value) != {"key", "name"}
                or not all(isinstance(value[k], str) and value[k].strip() for k in ("key", "name"))
            ):
                return str(_('Each choice must be {"key": "…", "name": "…"} with non-empty texts, got %(value)s.')) % {
                    "value": value
                }
            keys.append(value["key"])
        if len(set(keys)) != len(keys):
            return str(_("Each choice key may appear only once."))
        return None

    def localized_values(self, language: str | None = None) -> list[dict[str, str]]:
        language = (language or get_language() or "").split("-")[0]
        names = self.translations.get(language, {}).get("values", {}) if isinstance(self.translations, dict) else {}
        return [{"key": value["key"], "name": names.get(value["key"]) or value["name"]} for value in self.values or []]


class RoutingRule(models.Model):
    """Reports in a category (inside an area, or anywhere) go to these agencies.

    The most specific area wins; a rule without an area is the fallback. Several agencies
    share a report when two tiers of government both act on it.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="routing_rules")
    area = models.ForeignKey(
        Area,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Empty: anywhere in the jurisdiction."),
    )
    agencies = models.ManyToManyField(Agency, related_name="routing_rules", verbose_name=_("agencies"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["category", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area"], condition=Q(area__isnull=False), name="routing_rule_unique_area"
            ),
            models.UniqueConstraint(
                fields=["category"], condition=Q(area__isnull=True), name="routing_rule_unique_fallback"
            ),
        ]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        where = self.area.name if self.area_id and self.area else _("anywhere")
        return f"{self.category.code} @ {where}"

    @property
    def jurisdiction(self) -> Jurisdiction:
        return self.category.jurisdiction

    def clean(self) -> None:
        super().clean()
        area = self.area if self.area_id else None
        if area is not None and self.category_id and area.jurisdiction_id != self.category.jurisdiction_id:
            raise ValidationError({"area": _("The area must belong to the category's jurisdiction.")})
        if self.category_id and not self.area_id:
            others = RoutingRule.objects.filter(category_id=self.category_id, area__isnull=True).exclude(pk=self.pk)
            if others.exists():
                raise ValidationError(
                    {"area": _("This category already has a rule for anywhere; edit that rule instead.")}
                )


def agencies_error(*, category: Category, agencies: list[Agency]) -> str | None:
    """Why these agencies cannot receive the category's reports, or None (M2M is checked outside clean())."""
    if not agencies:
        return str(_("Choose at least one agency."))
    strangers = sorted(agency.name for agency in agencies if agency.jurisdiction_id != category.jurisdiction_id)
    if strangers:
        return str(_("These agencies belong to another jurisdiction: %(names)s.")) % {"names": ", ".join(strangers)}
    return None


class Open311ApiKey(models.Model):
    """The Open311 `api_key` of one integration (a partner app, a call centre, a bridge).

    Keys belong to a jurisdiction, not to a person or an agency: Open311 clients post on
    behalf of the public, and routing decides which agency gets each report. Like staff API
    tokens, only a SHA-256 digest is stored (the key is 256 random bits; see accounts.ApiToken).
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="open311_api_keys")
    name = models.CharField(_("integration"), max_length=100, help_text=_("Who uses this key, e.g. City app."))
    prefix = models.CharField(
        _("prefix"), max_length=16, unique=True, help_text=_("Shown to tell keys apart; not secret.")
    )
    digest = models.CharField(max_length=64, unique=True)
    contact_email = models.EmailField(
        _("contact e-mail"), blank=True, help_text=_("Whom to tell about changes and problems.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    can_post_updates = models.BooleanField(
        _("may post status updates"),
        default=False,
        help_text=_(
            "Off: the integration files and reads reports only. On: it may also change reports' status "
            "(Open311 POST servicerequestupdates), e.g. an agency's work-order system."
        ),
    )
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="open311_api_keys",
        verbose_name=_("acts for agency"),
        help_text=_("With status updates on: only the reports this agency handles. Empty: any report."),
    )

    class Meta:
        ordering = ["jurisdiction", "-created_at"]
        verbose_name = _("Open311 API key")
        verbose_name_plural = _("Open311 API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Reports -------------------------------------------------------------------------------
REPORT_TITLE_MAX = 200
REPORT_DESCRIPTION_MAX = 5000
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed by hand
REFERENCE_LENGTH = 8


class Report(models.Model):
    """One thing a person told government: a complaint, suggestion, information request or compliment.

    `reference` is the public identifier (the Open311 service_request_id and the report page's
    address): 8 random characters from an alphabet without look-alike letters, e.g. "K7M3QX9P".
    Random rather than a counter, so references do not reveal how many reports a jurisdiction
    receives and intake needs no locked counter row.

    Every report always has an owner: an agency (`owner`, the first one routing returned;
    `agencies` holds all of them for two-tier routing) or, when no routing rule applies, the
    supervisor's triage queue (`in_triage`, with `owner` empty). A check constraint keeps
    exactly one of the two.

    Personal data lives apart in `ReportContact`. `public_name` is the only trace of the
    reporter public code may show: filled at intake only when the visibility is public.
    """

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="reports")
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices, default=ReportKind.COMPLAINT)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(_("title"), max_length=REPORT_TITLE_MAX, blank=True)
    description = models.TextField(_("description"), max_length=REPORT_DESCRIPTION_MAX)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("The deepest area containing the report's location."),
    )
    visibility = models.CharField(
        _("reporter visibility"), max_length=20, choices=ReporterVisibility.choices, default=ReporterVisibility.PUBLIC
    )
    public_name = models.CharField(_("reporter's public name"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=30, choices=ReportStatus.choices, default=ReportStatus.SUBMITTED)
    submitted_at = models.DateTimeField(_("submitted"))
    acknowledge_due_at = models.DateTimeField(_("acknowledgement due"))
    resolve_due_at = models.DateTimeField(_("resolution due"))
    owner = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_reports", verbose_name=_("owner")
    )
    in_triage = models.BooleanField(_("in the triage queue"), default=False)
    agencies = models.ManyToManyField(Agency, related_name="reports", blank=True, verbose_name=_("agencies"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    attributes = models.JSONField(_("answers to extra questions"), default=dict, blank=True)
    # --- life cycle (written only by services.lifecycle) ---
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
        verbose_name=_("assigned to"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    fixed_at = models.DateTimeField(
        _("fixed"), null=True, blank=True, help_text=_("When it was last marked fixed; empty unless fixed now.")
    )
    closed_at = models.DateTimeField(
        _("closed"), null=True, blank=True, help_text=_("When it was last closed (fixed, without fix or duplicate).")
    )
    close_reason = models.CharField(
        _("reason closed without fix"), max_length=30, choices=CloseReason.choices, blank=True
    )
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    transferred_count = models.PositiveSmallIntegerField(_("times transferred"), default=0)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    supporter_count = models.PositiveIntegerField(
        _("others with this problem"), default=0, help_text=_("People who said 'me too' instead of filing again.")
    )
    rating = models.PositiveSmallIntegerField(
        _("satisfaction"), null=True, blank=True, help_text=_("The reporter's latest rating of the response, 1 to 5.")
    )
    media_url = models.URLField(
        _("media URL"), max_length=500, blank=True, help_text=_("A photo elsewhere, given by an Open311 client.")
    )
    open311_token = models.CharField(
        max_length=40,
        null=True,
        blank=True,
        unique=True,
        editable=False,
        help_text=_("The token an Open311 client got for a batch category (tokens/{token})."),
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, editable=False)
    idempotency_digest = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="report_unique_idempotency_key",
            ),
            models.CheckConstraint(
                condition=Q(in_triage=True, owner__isnull=True) | Q(in_triage=False, owner__isnull=False),
                name="report_owner_or_triage",
            ),
            models.CheckConstraint(
                condition=Q(lon__isnull=True, lat__isnull=True) | Q(lon__isnull=False, lat__isnull=False),
                name="report_lon_lat_together",
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "submitted_at"], name="report_jur_status_idx"),
            models.Index(fields=["jurisdiction", "submitted_at"], name="report_jur_submitted_idx"),
            models.Index(fields=["owner", "status", "resolve_due_at"], name="report_owner_queue_idx"),
            models.Index(fields=["category", "submitted_at"], name="report_category_idx"),
            # Open311 GET requests' usual filter: one service, open or closed, newest first.
            models.Index(fields=["category", "status", "submitted_at"], name="report_category_status_idx"),
            models.Index(fields=["area", "submitted_at"], name="report_area_idx"),
            # Open311 GET requests picks a page from these alone (index-only, no table rows read for the
            # reports that match but fall outside the page): every column its filters and order use.
            models.Index(
                fields=["category", "status", "submitted_at", "id", "visibility", "jurisdiction"],
                name="report_cat_status_cover_idx",
            ),
            models.Index(
                fields=["jurisdiction", "submitted_at", "id", "status", "visibility", "category"],
                name="report_jur_submitted_cover_idx",
            ),
        ]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_public(self) -> bool:
        """Whether the public may see this report at all (unverified ones only by their reference)."""
        return self.visibility != ReporterVisibility.CONFIDENTIAL and not self.category.is_sensitive


class ReportContact(models.Model):
    """How to reach a report's reporter: personal data, kept apart from the report's public fields.

    Every field is optional. A signed-in reporter is reached through their account; someone
    who is not signed in and leaves nothing here cannot be told about progress (their report
    stays unverified), which is their choice. Public code never reads or serialises this model.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporter contact")
        verbose_name_plural = _("reporter contacts")

    def __str__(self) -> str:
        return f"contact of {self.report_id}"
