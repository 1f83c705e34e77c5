"""django-ninja schemas for the core API: problems, jurisdictions, areas (GeoJSON), agencies, audit events."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator

from civicloop.core.audit import personal_values_masked
from civicloop.core.models import AuditEvent

# --- Problems (RFC 9457) -----------------------------------------------------------------


class FieldError(Schema):
    """One invalid input: where it was and what is wrong with it."""

    location: str | None = Field(
        description="Where the input was: path, query, header, cookie or body; null if not known.",
        examples=["query"],
    )
    field: str | None = Field(
        description="The parameter, or the dotted path of the body field; null for the input as a whole.",
        examples=["lon"],
    )
    message: str = Field(examples=["Input should be less than or equal to 180"])


class Problem(Schema):
    """An error, as RFC 9457 `application/problem+json`."""

    type: str = Field(
        "about:blank",
        description="Identifies the kind of problem. `about:blank` means the HTTP status says it all.",
    )
    title: str = Field(description="Short summary of the kind of problem.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(description="What went wrong with this request and how to fix it.")
    instance: str = Field(description="The path of the request that failed.", examples=["/api/v1/jurisdictions/x"])


class ValidationProblem(Problem):
    """A request refused because of its input (status 400)."""

    errors: list[FieldError] = Field(
        default_factory=list,
        description="One entry per invalid parameter or field; empty when the request was refused for another reason.",
    )


def problems(*statuses: int) -> dict[int, type[Problem]]:
    """Response schemas for the error statuses an operation can return, for the OpenAPI document."""
    return {status: ValidationProblem if status == 400 else Problem for status in statuses}


# --- Jurisdictions -----------------------------------------------------------------------


class JurisdictionOut(Schema):
    slug: str
    name: str
    jurisdiction_id: str = Field(
        validation_alias="domain", description="The Open311 jurisdiction id: the jurisdiction's web domain."
    )
    time_zone: str = Field(examples=["America/Santiago"])
    languages: list[str] = Field(description="Language codes; the first is the default.", examples=[["es", "en"]])


class HolidayOut(Schema):
    date: dt.date
    name: str


class JurisdictionDetailOut(JurisdictionOut):
    description: str
    working_hours: dict[str, list[list[str]]] = Field(
        description='Weekday ("0" = Monday … "6" = Sunday) → ordered ["HH:MM", "HH:MM"] intervals, local time.',
        examples=[{"0": [["08:00", "16:00"]]}],
    )
    holidays: list[HolidayOut] = Field(description="Public holidays from today on, in date order.")


# --- Areas (GeoJSON) -----------------------------------------------------------------------


class Geometry(Schema):
    type: Literal["Polygon", "MultiPolygon"]
    coordinates: list[Any] = Field(description="GeoJSON coordinates, WGS 84 longitude/latitude.")


class AreaProperties(Schema):
    slug: str
    name: str
    level: str = Field(examples=["district"])
    code: str = Field(description="An official identifier, if any; empty otherwise.")
    parent: str | None = Field(description="The slug of the enclosing area, if any.")


class AreaFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: str = Field(description="The area's slug.")
    bbox: list[float] = Field(description="[min lon, min lat, max lon, max lat]")
    geometry: Geometry
    properties: AreaProperties


class AreaFeatureCollection(Schema):
    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[AreaFeature]


class LocateQuery(Schema):
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="Longitude, WGS 84 (-180 to 180).")
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="Latitude, WGS 84 (-90 to 90).")


# --- Agencies ------------------------------------------------------------------------------


def _language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class LanguageQuery(Schema):
    lang: str | None = Field(
        None,
        description="Language for names and descriptions (en, es, id). Without it, the Accept-Language header decides.",
    )

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        if value is not None and value not in _language_codes():
            raise ValueError(f"Unknown language '{value}'; use one of {', '.join(_language_codes())}")
        return value


class AgencyOut(Schema):
    slug: str
    name: str = Field(description="In the requested language, falling back to the original.")
    description: str = Field(description="In the requested language, falling back to the original.")
    kind: str = Field(examples=["government"])
    contact_email: str
    phone: str
    website: str
    areas: list[str] = Field(description="Slugs of the areas the agency covers.")
    url: str = Field(description="The agency's public page.")


class AgencyTranslation(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=200)
    description: str = ""


class AgencyPatch(Schema):
    """The fields to change; fields left out stay as they are. `translations` replaces all translations."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    contact_email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=50)
    website: str | None = Field(None, max_length=200)
    translations: dict[str, AgencyTranslation] | None = Field(
        None, examples=[{"es": {"name": "Departamento de Parques", "description": "Parques y plazas."}}]
    )

    @field_validator("name")
    @classmethod
    def _name_not_null(cls, value: str | None) -> str:
        if value is None:
            raise ValueError("The name may not be null; leave the field out to keep it unchanged")
        return value

    @field_validator("description", "contact_email", "phone", "website")
    @classmethod
    def _null_is_empty(cls, value: str | None) -> str:
        return value or ""

    @field_validator("translations")
    @classmethod
    def _known_languages(cls, value: dict[str, AgencyTranslation] | None) -> dict[str, AgencyTranslation]:
        if value is None:
            raise ValueError("Translations may not be null; send {} to remove them all")
        unknown = sorted(set(value) - set(_language_codes()))
        if unknown:
            raise ValueError(f"Unknown language code(s) {', '.join(unknown)}; use {', '.join(_language_codes())}")
        return value


# --- Audit trail ---------------------------------------------------------------------------


class ActorOut(Schema):
    id: int
    email: str
    name: str


class AuditObjectOut(Schema):
    type: str | None = Field(description="app_label.model of the object, e.g. core.agency.", examples=["core.agency"])
    id: str
    repr: str | None = Field(
        description="The object as text when it was changed; null when it is about a person and hidden."
    )


def _people_visible(event: AuditEvent, context: dict[str, Any]) -> bool:
    """Whether the reader may see who acted and changes to people's records.

    Monitors (civil-society organisations) read the trail without personal data: the actor
    is hidden, and so is everything about objects of the accounts app (people, roles,
    tokens), whose text and values name people.
    """
    user = context["request"].auth
    return user.has_perm("core.view_auditevent_actor", event.jurisdiction)


def _hidden(event: AuditEvent, context: dict[str, Any]) -> bool:
    return event.is_about_people and not _people_visible(event, context)


def _values(event: AuditEvent, values: Any, context: dict[str, Any]) -> dict[str, Any] | None:
    if _hidden(event, context):
        return None
    return values if _people_visible(event, context) else personal_values_masked(values)


class AuditEventOut(Schema):
    """One entry of the audit trail.

    Readers without `core.view_auditevent_actor` (monitors) get `actor` null, and `object.repr`,
    `before` and `after` null for events about people, roles and tokens.
    """

    id: int
    occurred_at: dt.datetime
    action: str = Field(examples=["agency.update"])
    channel: str = Field(examples=["api"])
    actor: ActorOut | None = Field(description="Who acted; null when civicloop itself acted, or hidden from monitors.")
    actor_agency: str | None = Field(description="Slug of the agency the actor acted for.")
    object: AuditObjectOut | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    @staticmethod
    def resolve_actor(event: AuditEvent, context: dict[str, Any]) -> dict[str, Any] | None:
        if event.actor is None or not _people_visible(event, context):
            return None
        return {"id": event.actor.pk, "email": event.actor.email, "name": event.actor.name}

    @staticmethod
    def resolve_actor_agency(event: AuditEvent) -> str | None:
        return event.actor_agency.slug if event.actor_agency is not None else None

    @staticmethod
    def resolve_object(event: AuditEvent, context: dict[str, Any]) -> dict[str, Any] | None:
        if event.content_type is None:
            return None
        return {
            "type": f"{event.content_type.app_label}.{event.content_type.model}",
            "id": event.object_id,
            "repr": None if _hidden(event, context) else event.object_repr,
        }

    @staticmethod
    def resolve_before(event: AuditEvent, context: dict[str, Any]) -> dict[str, Any] | None:
        return _values(event, event.before, context)

    @staticmethod
    def resolve_after(event: AuditEvent, context: dict[str, Any]) -> dict[str, Any] | None:
        return _values(event, event.after, context)


class AuditEventQuery(Schema):
    jurisdiction: str = Field(description="Slug of the jurisdiction whose audit trail to read.")
    action: str | None = Field(None, description="Only events with exactly this action, e.g. agency.update.")
