"""Administrators manage categories, their extra questions and routing rules; every edit is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civicloop.core.admin import AuditedModelAdmin
from civicloop.core.enums import Channel
from civicloop.reports.models import (
    Category,
    CategoryAttribute,
    Open311ApiKey,
    Report,
    ReportUpdate,
    RoutingRule,
    agencies_error,
)
from civicloop.reports.services import ReportsError, open311_key_create, open311_key_revoke


class CategoryAttributeInline(admin.StackedInline):
    model = CategoryAttribute
    extra = 0
    fields = ["order", "code", "datatype", "required", "variable", "description", "datatype_description", "values"]


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "jurisdiction", "privacy", "type", "is_active", "order"]
    list_filter = ["jurisdiction", "privacy", "is_active"]
    search_fields = ["code", "name", "description"]
    list_select_related = ["jurisdiction"]
    inlines = [CategoryAttributeInline]


class RoutingRuleForm(forms.ModelForm):
    class Meta:
        model = RoutingRule
        fields = ["category", "area", "agencies"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category = cleaned.get("category")
        agencies = list(cleaned.get("agencies") or [])
        if category is not None:
            problem = agencies_error(category=category, agencies=agencies)
            if problem:
                self.add_error("agencies", problem)
        return cleaned


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedModelAdmin):
    form = RoutingRuleForm
    list_display = ["category", "area"]
    list_filter = ["category__jurisdiction"]
    filter_horizontal = ["agencies"]
    list_select_related = ["category", "area"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("category__jurisdiction", "area")


class Open311ApiKeyForm(forms.ModelForm):
    class Meta:
        model = Open311ApiKey
        fields = ["jurisdiction", "name", "contact_email"]


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued here (the secret is shown once, in a message) and revoked by an action;
    both go through the audited services. A saved key is read-only and never deleted."""

    form = Open311ApiKeyForm
    list_display = ["name", "prefix", "jurisdiction", "contact_email", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["jurisdiction", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "contact_email"]
    list_select_related = ["jurisdiction"]
    actions = ["revoke"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return []
        return [
            "jurisdiction",
            "name",
            "prefix",
            "contact_email",
            "can_post_updates",
            "agency",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.get_readonly_fields(request, obj) or [
            "jurisdiction",
            "name",
            "contact_email",
            "can_post_updates",
            "agency",
        ]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return  # every field is read-only once issued
        try:
            key, raw = open311_key_create(
                jurisdiction=obj.jurisdiction,
                name=obj.name,
                contact_email=obj.contact_email,
                can_post_updates=obj.can_post_updates,
                agency=obj.agency,
                by=request.user,
                channel=Channel.WEB,
            )
        except ReportsError as error:  # the form validated the same fields; kept for a clear failure
            raise ValueError(str(error)) from error
        obj.pk, obj.prefix, obj.digest, obj.created_at = key.pk, key.prefix, key.digest, key.created_at
        obj._state.adding = False
        self.message_user(
            request,
            _("The Open311 API key for %(name)s is %(key)s — copy it now: it is shown only this once.")
            % {"name": key.name, "key": raw},
            messages.WARNING,
        )

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[Open311ApiKey]) -> None:
        revoked = 0
        for key in queryset.select_related("jurisdiction").filter(revoked_at__isnull=True):
            open311_key_revoke(key=key, by=request.user, channel=Channel.WEB)
            revoked += 1
        message = ngettext(
            "Revoked %(count)d key; it no longer works.", "Revoked %(count)d keys; they no longer work.", revoked
        )
        self.message_user(request, message % {"count": revoked})


class ReportUpdateInline(admin.TabularInline):
    model = ReportUpdate
    extra = 0
    fields = ["created_at", "kind", "status", "agency", "is_internal", "text", "channel"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are looked up here, never edited: every change goes through a life-cycle service
    (the staff workspace or Open311), so it is on the timeline and in the audit trail. The
    reporter and contact details are left out (anonymous reporters are hidden from everyone)."""

    list_display = ["reference", "category", "status", "owner", "in_triage", "submitted_at", "resolve_due_at"]
    list_filter = ["jurisdiction", "status", "kind", "visibility", "in_triage", "category"]
    search_fields = ["reference", "title", "description"]
    list_select_related = ["category", "owner"]
    date_hierarchy = "submitted_at"
    fields = [
        "reference",
        "jurisdiction",
        "kind",
        "category",
        "title",
        "description",
        "lon",
        "lat",
        "address_string",
        "area",
        "visibility",
        "status",
        "owner",
        "in_triage",
        "agencies",
        "duplicate_of",
        "submitted_at",
        "acknowledge_due_at",
        "resolve_due_at",
        "acknowledged_at",
        "fixed_at",
        "closed_at",
        "close_reason",
        "reopened_count",
        "transferred_count",
        "escalation_level",
        "supporter_count",
        "rating",
        "channel",
        "attributes",
        "media_url",
    ]
    readonly_fields = fields
    inlines = [ReportUpdateInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
