"""The service directory: every HSDS 3.0 object, with exactly the standard's fields.

Each table's database column names are the HSDS field names (a reference's column is
`<name>_id`, as in the tabular profile), so the import and export map fields by column and
need no per-table code. Two additions that are not HSDS are kept out of every export:
`jurisdiction` (the directory an object belongs to) on every object, `agency` on an
organization (the civicloop agency it is), and `recorded_by` on a change-log entry (the
civicloop user who made the change; never published). See docs/decisions/0015.

References HSDS marks required are real foreign keys. Optional ones may point outside the
directory (an extract names its parent organization or a term of an external taxonomy), so
they are foreign keys without a database constraint: `<name>_id` always holds the HSDS value;
the related object is there when the directory holds it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicloop.core.models import Agency, Jurisdiction
from civicloop.directory.enums import LocationType, ScheduleFrequency, ServiceStatus, Weekday

#: Columns that are civicloop's own, never HSDS fields.
LOCAL_COLUMNS = frozenset({"jurisdiction_id", "agency_id", "recorded_by_id"})


def _text(verbose_name: str | Any, *, required: bool = False) -> models.TextField:
    if required:
        return models.TextField(verbose_name)
    return models.TextField(verbose_name, blank=True, default="")


def _number(verbose_name: str | Any) -> models.FloatField:
    return models.FloatField(verbose_name, null=True, blank=True)


def _date(verbose_name: str | Any) -> models.DateField:
    return models.DateField(verbose_name, null=True, blank=True)


def _optional_ref(model: str, verbose_name: str | Any, related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        related_name=related_name,
    )


class HsdsObject(models.Model):
    """An HSDS object: its UUID is the HSDS `id`; it belongs to one jurisdiction's directory."""

    id = models.UUIDField(_("identifier"), primary_key=True, default=uuid.uuid4)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="+", verbose_name=_("jurisdiction")
    )

    objects = models.Manager()

    #: The HSDS table name (the tabular resource's `name`).
    hsds_name: str = ""

    class Meta:
        abstract = True

    def __str__(self) -> str:
        label = getattr(self, "name", "") or ""
        return f"{label} ({self.id})" if label else str(self.id)

    @classmethod
    def hsds_columns(cls) -> dict[str, str]:
        """HSDS field name -> model attribute name, in model order."""
        return {field.column: field.attname for field in cls._meta.concrete_fields if field.column not in LOCAL_COLUMNS}


class Organization(HsdsObject):
    hsds_name = "organization"

    name = _text(_("name"), required=True)
    alternate_name = _text(_("alternate name"))
    description = _text(_("description"), required=True)
    email = _text(_("e-mail"))
    website = _text(_("website"))
    tax_status = _text(_("tax status"))
    tax_id = _text(_("tax identifier"))
    year_incorporated = _number(_("year incorporated"))
    legal_status = _text(_("legal status"))
    logo = _text(_("logo"))
    uri = _text(_("URI"))
    parent_organization = _optional_ref("self", _("parent organization"), "child_organizations")
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="directory_organizations",
        verbose_name=_("civicloop agency"),
        help_text=_("The agency this organization is, when it is one of the jurisdiction's own."),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        # The public lists' order within a directory (and the API's paging).
        indexes = [models.Index(fields=["jurisdiction", "name", "id"], name="directory_organization_list")]


class OrganizationIdentifier(HsdsObject):
    hsds_name = "organization_identifier"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="organization_identifiers", verbose_name=_("organization")
    )
    identifier_scheme = _text(_("identifier scheme"))
    identifier_type = _text(_("identifier type"), required=True)
    identifier = _text(_("identifier"), required=True)

    class Meta:
        verbose_name = _("organization identifier")
        verbose_name_plural = _("organization identifiers")
        ordering = ["id"]


class Program(HsdsObject):
    hsds_name = "program"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs", verbose_name=_("organization")
    )
    name = _text(_("name"), required=True)
    alternate_name = _text(_("alternate name"))
    description = _text(_("description"), required=True)

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")
        ordering = ["name", "id"]


class Service(HsdsObject):
    hsds_name = "service"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services", verbose_name=_("organization")
    )
    program = _optional_ref("directory.Program", _("program"), "services")
    name = _text(_("name"), required=True)
    alternate_name = _text(_("alternate name"))
    description = _text(_("description"))
    url = _text(_("URL"))
    email = _text(_("e-mail"))
    status = models.CharField(_("status"), max_length=20, choices=ServiceStatus.choices)
    interpretation_services = _text(_("interpretation services"))
    application_process = _text(_("application process"))
    fees_description = _text(_("fees description"))
    wait_time = _text(_("wait time"))
    fees = _text(_("fees"))
    accreditations = _text(_("accreditations"))
    eligibility_description = _text(_("eligibility description"))
    minimum_age = _number(_("minimum age"))
    maximum_age = _number(_("maximum age"))
    assured_date = _date(_("assured date"))
    assurer_email = _text(_("assurer e-mail"))
    licenses = _text(_("licenses"))
    alert = _text(_("alert"))
    last_modified = models.DateTimeField(_("last modified"), null=True, blank=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        # The public lists' order within a directory (and the API's paging).
        indexes = [models.Index(fields=["jurisdiction", "name", "id"], name="directory_service_list")]


class Location(HsdsObject):
    hsds_name = "location"

    location_type = models.CharField(_("location type"), max_length=10, choices=LocationType.choices)
    url = _text(_("URL"))
    organization = _optional_ref("directory.Organization", _("organization"), "locations")
    name = _text(_("name"))
    alternate_name = _text(_("alternate name"))
    description = _text(_("description"))
    transportation = _text(_("transportation"))
    latitude = _number(_("latitude"))
    longitude = _number(_("longitude"))
    external_identifier = _text(_("external identifier"))
    external_identifier_type = _text(_("external identifier type"))

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["name", "id"]


class ServiceAtLocation(HsdsObject):
    hsds_name = "service_at_location"

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations", verbose_name=_("service")
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations", verbose_name=_("location")
    )
    description = _text(_("description"))

    class Meta:
        verbose_name = _("service at location")
        verbose_name_plural = _("services at locations")
        ordering = ["id"]


class Address(HsdsObject):
    hsds_name = "address"

    location = _optional_ref("directory.Location", _("location"), "addresses")
    attention = _text(_("attention"))
    address_1 = _text(_("address line 1"), required=True)
    address_2 = _text(_("address line 2"))
    city = _text(_("city"), required=True)
    region = _text(_("region"))
    state_province = _text(_("state or province"), required=True)
    postal_code = _text(_("postal code"), required=True)
    country = _text(_("country"), required=True)
    address_type = models.CharField(_("address type"), max_length=10, choices=LocationType.choices)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["id"]


class Contact(HsdsObject):
    hsds_name = "contact"

    organization = _optional_ref("directory.Organization", _("organization"), "contacts")
    service = _optional_ref("directory.Service", _("service"), "contacts")
    service_at_location = _optional_ref("directory.ServiceAtLocation", _("service at location"), "contacts")
    location = _optional_ref("directory.Location", _("location"), "contacts")
    name = _text(_("name"))
    title = _text(_("title"))
    department = _text(_("department"))
    email = _text(_("e-mail"))

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["id"]


class Phone(HsdsObject):
    hsds_name = "phone"

    location = _optional_ref("directory.Location", _("location"), "phones")
    service = _optional_ref("directory.Service", _("service"), "phones")
    organization = _optional_ref("directory.Organization", _("organization"), "phones")
    contact = _optional_ref("directory.Contact", _("contact"), "phones")
    service_at_location = _optional_ref("directory.ServiceAtLocation", _("service at location"), "phones")
    number = _text(_("number"), required=True)
    extension = _number(_("extension"))
    type = _text(_("type"))
    description = _text(_("description"))

    class Meta:
        verbose_name = _("phone")
        verbose_name_plural = _("phones")
        ordering = ["id"]


class Schedule(HsdsObject):
    """When a service or location is open: RFC 5545 recurrence fields plus opening hours.

    `opens_at`/`closes_at` are wall-clock times; HSDS lets an import give them with a UTC
    offset ("09:00-05:00"), which the import moves into `timezone` (hours from UTC)."""

    hsds_name = "schedule"

    service = _optional_ref("directory.Service", _("service"), "schedules")
    location = _optional_ref("directory.Location", _("location"), "schedules")
    service_at_location = _optional_ref("directory.ServiceAtLocation", _("service at location"), "schedules")
    valid_from = _date(_("valid from"))
    valid_to = _date(_("valid to"))
    dtstart = _date(_("first occurrence"))
    timezone = _number(_("UTC offset (hours)"))
    until = _date(_("until"))
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    wkst = models.CharField(_("week start"), max_length=2, choices=Weekday.choices, blank=True, default="")
    freq = models.CharField(_("frequency"), max_length=7, choices=ScheduleFrequency.choices, blank=True, default="")
    interval = models.PositiveIntegerField(_("interval"), null=True, blank=True)
    byday = _text(_("by day"))
    byweekno = _text(_("by week number"))
    bymonthday = _text(_("by month day"))
    byyearday = _text(_("by year day"))
    description = _text(_("description"))
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    schedule_link = _text(_("schedule link"))
    attending_type = _text(_("attending type"))
    notes = _text(_("notes"))

    class Meta:
        verbose_name = _("schedule")
        verbose_name_plural = _("schedules")
        ordering = ["id"]


class Funding(HsdsObject):
    hsds_name = "funding"

    organization = _optional_ref("directory.Organization", _("organization"), "funding")
    service = _optional_ref("directory.Service", _("service"), "funding")
    source = _text(_("source"))

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["id"]


class ServiceArea(HsdsObject):
    hsds_name = "service_area"

    service = _optional_ref("directory.Service", _("service"), "service_areas")
    name = _text(_("name"))
    description = _text(_("description"))
    extent = _text(_("extent"))
    extent_type = _text(_("extent type"))
    uri = _text(_("URI"))

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["id"]


class RequiredDocument(HsdsObject):
    hsds_name = "required_document"

    service = _optional_ref("directory.Service", _("service"), "required_documents")
    document = _text(_("document"))
    uri = _text(_("URI"))

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["id"]


class Language(HsdsObject):
    hsds_name = "language"

    service = _optional_ref("directory.Service", _("service"), "languages")
    location = _optional_ref("directory.Location", _("location"), "languages")
    phone = _optional_ref("directory.Phone", _("phone"), "languages")
    name = _text(_("name"))
    code = _text(_("code"))
    note = _text(_("note"))

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["id"]


class Accessibility(HsdsObject):
    hsds_name = "accessibility"

    location = _optional_ref("directory.Location", _("location"), "accessibility")
    description = _text(_("description"))
    details = _text(_("details"))
    url = _text(_("URL"))

    class Meta:
        verbose_name = _("accessibility")
        verbose_name_plural = _("accessibility")
        ordering = ["id"]


class Taxonomy(HsdsObject):
    hsds_name = "taxonomy"

    name = _text(_("name"), required=True)
    description = _text(_("description"), required=True)
    uri = _text(_("URI"))
    version = _text(_("version"))

    class Meta:
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")
        ordering = ["name", "id"]
        # The public lists' order within a directory (and the API's paging).
        indexes = [models.Index(fields=["jurisdiction", "name", "id"], name="directory_taxonomy_list")]


class TaxonomyTerm(HsdsObject):
    """A term; terms form a tree through `parent_id`. HSDS has both a free-text `taxonomy`
    (the taxonomy's name) and `taxonomy_id`, so the reference is `taxonomy_detail` in Python."""

    hsds_name = "taxonomy_term"

    code = _text(_("code"))
    name = _text(_("name"), required=True)
    description = _text(_("description"), required=True)
    parent = _optional_ref("self", _("parent term"), "children")
    taxonomy = _text(_("taxonomy"))
    language = _text(_("language"))
    taxonomy_detail = models.ForeignKey(
        Taxonomy,
        verbose_name=_("taxonomy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,
        db_column="taxonomy_id",
        related_name="terms",
    )
    term_uri = _text(_("term URI"))

    class Meta:
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")
        ordering = ["name", "id"]
        # The public lists' order within a directory (and the API's paging).
        indexes = [models.Index(fields=["jurisdiction", "name", "id"], name="directory_taxonomyterm_list")]


class Attribute(HsdsObject):
    """A taxonomy term on any object: `link_entity` names the table, `link_id` the row."""

    hsds_name = "attribute"

    link_id = models.UUIDField(_("linked object"), db_index=True)
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("taxonomy term")
    )
    link_type = _text(_("link type"))
    link_entity = _text(_("link entity"), required=True)
    value = _text(_("value"))

    class Meta:
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")
        ordering = ["id"]


class Metadata(HsdsObject):
    """One entry of the change log: a field of an object, its previous and new value, and who."""

    hsds_name = "metadata"

    resource_id = models.UUIDField(_("resource"), db_index=True)
    resource_type = _text(_("resource type"), required=True)
    last_action_date = models.DateField(_("date"))
    last_action_type = _text(_("action"), required=True)
    field_name = _text(_("field"), required=True)
    previous_value = models.TextField(_("previous value"), blank=True)
    replacement_value = models.TextField(_("new value"), blank=True)
    updated_by = models.TextField(_("updated by"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("civicloop user"),
    )

    class Meta:
        verbose_name = _("change-log entry")
        verbose_name_plural = _("change log")
        ordering = ["last_action_date", "id"]


class MetaTableDescription(HsdsObject):
    hsds_name = "meta_table_description"

    name = _text(_("name"))
    language = _text(_("language"))
    character_set = _text(_("character set"))

    class Meta:
        verbose_name = _("table description")
        verbose_name_plural = _("table descriptions")
        ordering = ["id"]


class CostOption(HsdsObject):
    hsds_name = "cost_option"

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="cost_options", verbose_name=_("service")
    )
    valid_from = _date(_("valid from"))
    valid_to = _date(_("valid to"))
    option = _text(_("option"))
    currency = _text(_("currency"))
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=4, null=True, blank=True)
    amount_description = _text(_("amount description"))

    class Meta:
        verbose_name = _("cost option")
        verbose_name_plural = _("cost options")
        ordering = ["id"]


#: Every HSDS table, in the order an import writes them (what a row refers to comes first).
HSDS_MODELS: tuple[type[HsdsObject], ...] = (
    Taxonomy,
    TaxonomyTerm,
    Organization,
    OrganizationIdentifier,
    Program,
    Service,
    Location,
    ServiceAtLocation,
    Address,
    Contact,
    Phone,
    Schedule,
    Funding,
    ServiceArea,
    RequiredDocument,
    Language,
    Accessibility,
    CostOption,
    Attribute,
    Metadata,
    MetaTableDescription,
)

MODEL_BY_TABLE: dict[str, type[HsdsObject]] = {model.hsds_name: model for model in HSDS_MODELS}
