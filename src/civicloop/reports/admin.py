"""Administrators manage categories, their extra questions and routing rules; every edit is audited."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from civicloop.core.admin import AuditedModelAdmin
from civicloop.reports.models import Category, CategoryAttribute, RoutingRule, agencies_error


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
