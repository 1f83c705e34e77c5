"""Writes for response templates: the canned answers staff pick when they change a report's status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from civicloop.core.audit import audit_log, audited_update, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.enums import ReportStatus
from civicloop.reports.models import ResponseTemplate
from civicloop.reports.services._common import ReportsError, _check_fields, _full_clean

if TYPE_CHECKING:
    from civicloop.accounts.models import User

TEMPLATE_FIELDS = ["title", "status", "language", "text", "is_active"]


def _validate(template: ResponseTemplate) -> None:
    """A template is written in one of the jurisdiction's languages, for a real status (or any),
    and says something: an empty canned answer would send an empty message to the citizen."""
    jurisdiction = template.jurisdiction
    if template.agency is not None and template.agency.jurisdiction_id != jurisdiction.pk:
        raise ReportsError(_("The agency belongs to another jurisdiction."))
    template.title = (template.title or "").strip()
    template.text = (template.text or "").strip()
    if not template.title:
        raise ReportsError(_("Give the template a title."))
    if not template.text:
        raise ReportsError(_("Write the template's text."))
    if template.status and template.status not in ReportStatus.values:
        raise ReportsError(
            _("Unknown status %(status)s. Use one of: %(known)s, or leave it empty for any status.")
            % {"status": template.status, "known": ", ".join(ReportStatus.values)}
        )
    languages = list(jurisdiction.languages or [jurisdiction.default_language])
    if template.language not in languages:
        raise ReportsError(
            _("The language must be one of the jurisdiction's languages: %(languages)s.")
            % {"languages": ", ".join(languages)}
        )
    _full_clean(template)


@transaction.atomic
def response_template_create(
    *,
    jurisdiction: Jurisdiction,
    agency: Agency | None,
    by: User | None,
    channel: Channel = Channel.WEB,
    **fields: Any,
) -> ResponseTemplate:
    """A new template: the agency's own, or jurisdiction-wide when agency is None."""
    _check_fields(fields, TEMPLATE_FIELDS)
    template = ResponseTemplate(jurisdiction=jurisdiction, agency=agency, **fields)
    _validate(template)
    template.save()
    audit_log(
        action="responsetemplate.create",
        actor=by,
        obj=template,
        agency=agency,
        jurisdiction=jurisdiction,
        after=snapshot(template, ["agency", *TEMPLATE_FIELDS]),
        channel=channel,
    )
    return template


@transaction.atomic
def response_template_update(
    *, template: ResponseTemplate, by: User | None, channel: Channel = Channel.WEB, **changes: Any
) -> ResponseTemplate:
    """Change a template (deactivate it with is_active=False); nothing is written when nothing differs.

    Templates are deactivated, never deleted: the audit trail keeps pointing at them.
    """
    _check_fields(changes, TEMPLATE_FIELDS)
    if "title" in changes:
        changes["title"] = (changes["title"] or "").strip()
    if "text" in changes:
        changes["text"] = (changes["text"] or "").strip()
    audited_update(
        template,
        changes=changes,
        action="responsetemplate.update",
        actor=by,
        agency=template.agency,
        jurisdiction=template.jurisdiction,
        channel=channel,
        validate=_validate,
    )
    return template
