"""The directory in the admin: for looking, not editing.

HSDS objects change through an import or the directory's services, which write the change
log; an admin form would bypass it. The one civicloop-only field, an organization's link to
a civicloop agency, is editable (and audited).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from civicloop.core.admin import AuditedModelAdmin
from civicloop.directory.models import HSDS_MODELS, Organization


def _hsds_fields(model: Any) -> list[Any]:
    columns = set(model.hsds_columns())
    return [field for field in model._meta.concrete_fields if field.column in columns]


class ReadOnlyHsdsAdmin(admin.ModelAdmin):
    list_filter = ["jurisdiction"]
    list_select_related = ["jurisdiction"]

    def get_list_display(self, request: HttpRequest) -> list[str]:
        plain = [field.name for field in _hsds_fields(self.model) if not field.is_relation]
        return [*plain[:4], "jurisdiction"]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        names = {field.name for field in self.model._meta.concrete_fields}
        return ["=id", *(name for name in ("name", "description", "number", "identifier") if name in names)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin, ReadOnlyHsdsAdmin):
    autocomplete_fields = ["agency"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*(field.name for field in _hsds_fields(Organization)), "agency"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for name in self.get_fields(request, obj) if name != "agency"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin.ModelAdmin.has_change_permission(self, request, obj)


for _model in HSDS_MODELS:
    if _model is not Organization:
        admin.site.register(_model, ReadOnlyHsdsAdmin)
