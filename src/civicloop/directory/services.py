"""Writes to the service directory: HSDS import (upsert by id) and edits, each change logged.

The change log is HSDS `metadata`: one row per changed field, with the previous and new
value and who changed it. Objects an import creates are not logged field by field (the
package is their provenance, and a re-export must give the package back unchanged).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.audit import audit_log
from civicloop.core.models import Jurisdiction
from civicloop.directory.enums import ChangeAction
from civicloop.directory.hsds.sources import Problem, read_source
from civicloop.directory.hsds.spec import format_cell
from civicloop.directory.hsds.validate import Validated, validate_source
from civicloop.directory.models import HSDS_MODELS, HsdsObject, Metadata, Service

if TYPE_CHECKING:
    from civicloop.accounts.models import User

#: `metadata.updated_by` for changes made by an import run without a user.
IMPORT_EDITOR = "import"


class DirectoryError(Exception):
    """The directory cannot do what was asked; the message says why in plain words."""


class HsdsImportError(DirectoryError):
    """The source has errors; nothing was written. `problems` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(_("The import has %(count)d errors; nothing was imported.") % {"count": len(problems)})
        self.problems = problems


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    changes: int = 0  # change-log entries written
    warnings: list[Problem] = field(default_factory=list)


def directory_import_hsds(
    *,
    jurisdiction: Jurisdiction,
    path: Path,
    by: User | None = None,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
    on_validated: Callable[[Validated], None] | None = None,
) -> ImportResult:
    """Import an HSDS data package or HSDS JSON file into jurisdiction's directory.

    Everything is checked first; any error raises HsdsImportError and writes nothing.
    Then each object is created or, when its id is already there, updated field by field.
    """
    validated = validate_source(read_source(path), jurisdiction=jurisdiction, strict=strict)
    if validated.errors:
        raise HsdsImportError(validated.errors)
    if on_validated is not None:
        on_validated(validated)
    return _write(validated, jurisdiction=jurisdiction, by=by, progress=progress, source=path.name)


@transaction.atomic
def _write(
    validated: Validated,
    *,
    jurisdiction: Jurisdiction,
    by: User | None,
    progress: Callable[[int], None] | None,
    source: str,
) -> ImportResult:
    result = ImportResult(warnings=validated.warnings)
    today = timezone.localdate(timezone=jurisdiction.tzinfo)  # the change log's date is the directory's
    editor = _editor_name(by)
    log: list[Metadata] = []
    for model in HSDS_MODELS:
        rows = validated.rows.get(model.hsds_name, {})
        if not rows:
            continue
        columns = model.hsds_columns()
        existing = model.objects.in_bulk(list(rows))
        new: list[HsdsObject] = []
        for object_id, clean in rows.items():
            values = {columns[column]: value for column, value in clean.values.items()}
            values = {name: _stored(model, name, value) for name, value in values.items()}
            obj = existing.get(object_id)
            if obj is None:
                new.append(model(jurisdiction=jurisdiction, **values))
            else:
                changed = _apply(obj, values)
                if changed:
                    obj.save(update_fields=[name for name, _old, _new in changed])
                    result.updated[model.hsds_name] = result.updated.get(model.hsds_name, 0) + 1
                    if model is not Metadata:
                        log.extend(_log_entries(obj, changed, editor=editor, by=by, today=today))
                else:
                    result.unchanged += 1
            if progress is not None:
                progress(1)
        if new:
            for obj in new:
                obj.full_clean(exclude=_unchecked_fields(model), validate_unique=False, validate_constraints=False)
            model.objects.bulk_create(new, batch_size=500)
            result.created[model.hsds_name] = len(new)
    Metadata.objects.bulk_create(log, batch_size=500)
    result.changes = len(log)
    if result.created or result.updated:
        audit_log(
            action="directory.import",
            actor=by,
            jurisdiction=jurisdiction,
            after={"source": source, "created": result.created, "updated": result.updated, "changes": result.changes},
        )
    return result


def _unchecked_fields(model: type[HsdsObject]) -> list[str]:
    # References were checked against the package and the directory; Django would look each one up.
    return [field.name for field in model._meta.concrete_fields if field.is_relation]


def _stored(model: type[HsdsObject], name: str, value: Any) -> Any:
    """None for an empty text field is stored as "" (HSDS makes no difference)."""
    if value is None:
        field_obj = next(field for field in model._meta.concrete_fields if field.attname == name)
        if not field_obj.null:
            return ""
    return value


def _apply(obj: HsdsObject, values: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    changed: list[tuple[str, Any, Any]] = []
    for name, value in values.items():
        old = getattr(obj, name)
        if not _same(old, value):
            changed.append((name, old, value))
            setattr(obj, name, value)
    return changed


def _same(old: Any, new: Any) -> bool:
    if isinstance(old, uuid.UUID) or isinstance(new, uuid.UUID):
        return str(old) == str(new)
    if isinstance(old, dt.datetime) and isinstance(new, dt.datetime):
        return old == new
    if old is None or new is None:
        return (old in (None, "")) and (new in (None, ""))
    return bool(old == new)


def _editor_name(by: User | None) -> str:
    if by is None:
        return IMPORT_EDITOR
    return str(getattr(by, "name", "") or by.get_username())


def _log_entries(
    obj: HsdsObject, changed: list[tuple[str, Any, Any]], *, editor: str, by: User | None, today: dt.date
) -> list[Metadata]:
    column_of = {attname: column for column, attname in type(obj).hsds_columns().items()}
    return [
        Metadata(
            jurisdiction_id=obj.jurisdiction_id,
            resource_id=obj.pk,
            resource_type=type(obj).hsds_name,
            last_action_date=today,
            last_action_type=ChangeAction.UPDATE,
            field_name=column_of.get(name, name),
            previous_value=format_cell(old),
            replacement_value=format_cell(new),
            updated_by=editor,
            recorded_by=by if by is not None and by.is_authenticated else None,
        )
        for name, old, new in changed
    ]


@transaction.atomic
def directory_object_update(*, obj: HsdsObject, changes: dict[str, Any], by: User | None) -> list[Metadata]:
    """Edit an HSDS object (changes by HSDS field name); each changed field lands in the change log.

    Returns the change-log entries (none when every value was already as asked)."""
    columns = type(obj).hsds_columns()
    unknown = sorted(set(changes) - set(columns) | ({"id"} & set(changes)))
    if unknown:
        raise DirectoryError(
            _("Not editable fields of %(table)s: %(fields)s")
            % {"table": type(obj).hsds_name, "fields": ", ".join(unknown)}
        )
    changed = _apply(obj, {columns[name]: value for name, value in changes.items()})
    if not changed:
        return []
    obj.full_clean(exclude=_unchecked_fields(type(obj)), validate_unique=False, validate_constraints=False)
    update_fields = [name for name, _old, _new in changed]
    # HSDS service.last_modified: "when the service, or any related information about it, has
    # changed" (the only HSDS object with the field). Bookkeeping, not an edit: no change-log entry.
    if isinstance(obj, Service):
        if "last_modified" not in changes:
            obj.last_modified = timezone.now()
            update_fields.append("last_modified")
    elif getattr(obj, "service_id", None) is not None:
        Service.objects.filter(pk=obj.service_id).update(last_modified=timezone.now())  # type: ignore[attr-defined]
    obj.save(update_fields=update_fields)
    entries = Metadata.objects.bulk_create(
        _log_entries(
            obj, changed, editor=_editor_name(by), by=by, today=timezone.localdate(timezone=obj.jurisdiction.tzinfo)
        )
    )
    audit_log(
        action="directory.update",
        actor=by,
        obj=obj,
        jurisdiction=obj.jurisdiction,
        before={entry.field_name: entry.previous_value for entry in entries},
        after={entry.field_name: entry.replacement_value for entry in entries},
    )
    return entries
