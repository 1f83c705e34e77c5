"""The admin site: administrators manage jurisdictions, areas and agencies; staff browse the audit trail.

Admin edits go through AuditedModelAdmin, so a change made here is audited like one made
through a service (Django's own LogEntry is not enough: it has no before/after values).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from shapely.geometry import shape

from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.geo import geometry_error
from civicloop.core.models import Agency, Area, AuditEvent, Holiday, Jurisdiction, WorkerHeartbeat
from civicloop.core.services import area_index_invalidate


def _jurisdiction_of(obj: Any) -> Jurisdiction | None:
    if isinstance(obj, Jurisdiction):
        return obj
    return getattr(obj, "jurisdiction", None)


def _audit_delete(request: HttpRequest, obj: Any) -> None:
    audit_log(
        action=f"{obj._meta.model_name}.delete",
        actor=request.user,
        obj=obj,
        jurisdiction=_jurisdiction_of(obj),
        before={"repr": str(obj)},
        channel=Channel.WEB,
    )


class AuditedModelAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    # The admin wraps each change form in one transaction: the change, its inlines and the
    # audit events commit together. The event is written in save_related, after
    # many-to-many fields and inlines are saved, so "after" is what was really stored.

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        names = {f.name for f in obj._meta.get_fields()}
        form.audit_fields = [name for name in form.changed_data if name in names]
        form.audit_before = (
            snapshot(type(obj).objects.get(pk=obj.pk), form.audit_fields) if change and form.audit_fields else {}
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        after = snapshot(obj, form.audit_fields)
        before = form.audit_before
        if change:
            changed = [name for name in form.audit_fields if before.get(name) != after.get(name)]
            if not changed:
                return
            before = {name: before[name] for name in changed}
            after = {name: after[name] for name in changed}
        audit_log(
            action=f"{obj._meta.model_name}.{'update' if change else 'create'}",
            actor=request.user,
            obj=obj,
            jurisdiction=_jurisdiction_of(obj),
            before=before if change else None,
            after=after,
            channel=Channel.WEB,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            _audit_delete(request, obj)
            super().delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (holidays, role assignments) are audited one by one, like the parent."""
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                _audit_delete(request, obj)
                obj.delete()
            changed = {id(obj): fields for obj, fields in formset.changed_objects}
            for obj in instances:
                adding = obj._state.adding
                obj.save()
                fields = changed.get(id(obj), [])
                audit_log(
                    action=f"{obj._meta.model_name}.{'create' if adding else 'update'}",
                    actor=request.user,
                    obj=obj,
                    jurisdiction=_jurisdiction_of(obj),
                    after=snapshot(obj, [f.name for f in obj._meta.concrete_fields if not f.primary_key])
                    if adding
                    else snapshot(obj, fields),
                    channel=Channel.WEB,
                )
            formset.save_m2m()

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Jurisdiction)
class JurisdictionAdmin(AuditedModelAdmin):
    list_display = ["name", "slug", "domain", "time_zone"]
    search_fields = ["name", "slug", "domain"]
    inlines = [HolidayInline]


@admin.register(Area)
class AreaAdmin(AuditedModelAdmin):
    """Boundaries are best replaced by a GeoJSON import (`civicloop areas import`); the admin
    edits names and hierarchy, and any save makes every process rebuild its area index."""

    list_display = ["name", "level", "parent", "jurisdiction", "code"]
    list_filter = ["jurisdiction", "level"]
    search_fields = ["name", "slug", "code"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat"]
    list_select_related = ["parent", "jurisdiction"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        error = geometry_error(obj.geometry)
        if error is not None:  # the form's clean() already refused it; never store a broken shape
            raise ValueError(error)
        obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat = shape(obj.geometry).bounds
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            area_index_invalidate(jurisdiction=obj.jurisdiction)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            super().delete_model(request, obj)
            area_index_invalidate(jurisdiction=obj.jurisdiction)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class AreaForm(form):  # type: ignore[misc,valid-type]
            def clean_geometry(self) -> Any:
                geometry = self.cleaned_data["geometry"]
                error = geometry_error(geometry)
                if error is not None:
                    raise ValidationError(error)
                return geometry

        return AreaForm


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "jurisdiction", "contact_email", "is_active"]
    list_filter = ["jurisdiction", "kind", "is_active"]
    search_fields = ["name", "slug", "contact_email"]
    filter_horizontal = ["areas"]
    list_select_related = ["jurisdiction"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be browsed and searched, never edited."""

    list_display = ["occurred_at", "action", "object_repr", "actor", "actor_agency", "channel"]
    list_filter = ["channel", "action", "jurisdiction"]
    search_fields = ["action", "object_repr", "object_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor", "actor_agency"]
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "last_seen"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
