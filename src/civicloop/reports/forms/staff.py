"""Forms of the staff workspace: they parse and validate; the life-cycle services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from civicloop.accounts.models import User
from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.enums import CloseReason, ReportStatus
from civicloop.reports.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, ResponseTemplate
from civicloop.reports.selectors.staff import SORTS, STATUS_ALL, STATUS_CLOSED, STATUS_OPEN

TEXT_MAX = 5000


def language_name(code: str) -> str:
    return dict(settings.LANGUAGES).get(code, code)


def _user_label(user: User) -> str:
    return f"{user.name} ({user.email})" if user.name else user.email


class ColleagueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _user_label(obj)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


# --- The queue ----------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; an invalid value falls back to its default."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    area = forms.ModelChoiceField(label=_("Area"), queryset=None, required=False)
    assigned = forms.ChoiceField(
        label=_("Assigned"),
        required=False,
        choices=[("", _("Anyone or no one")), ("me", _("Assigned to me")), ("none", _("Unassigned"))],
    )
    overdue = forms.BooleanField(label=_("Only overdue reports"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("resolve_due", _("Resolution due (soonest first)")),
            ("acknowledge_due", _("Acknowledgement due (soonest first)")),
            ("submitted", _("Submitted (newest first)")),
        ],
    )

    def __init__(
        self,
        data: Any,
        *,
        agencies: list[Agency],
        categories: QuerySet[Any],
        areas: QuerySet[Any],
        sees_all: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.fields["status"].choices = [
            (STATUS_OPEN, _("Open (not closed, confirmed)")),
            (ReportStatus.UNVERIFIED, _("Unverified (waiting for the reporter to confirm)")),
            *[(status.value, status.label) for status in ReportStatus if status != ReportStatus.UNVERIFIED],
            (STATUS_CLOSED, _("Closed (any way)")),
            (STATUS_ALL, _("All")),
        ]
        agency_field = self.fields["agency"]
        agency_field.queryset = Agency.objects.filter(pk__in=[agency.pk for agency in agencies]).order_by("name")
        agency_field.empty_label = _("All agencies") if sees_all else _("All my agencies")
        self.agency_list = agencies
        category_field = self.fields["category"]
        category_field.queryset = categories
        category_field.empty_label = _("All categories")
        area_field = self.fields["area"]
        area_field.queryset = areas
        area_field.empty_label = _("All areas")

    def values(self) -> dict[str, Any]:
        """The filters to apply; each invalid one is dropped (a stale link still shows a queue)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        errors = set(self.errors)
        return {
            "status": data.get("status") if "status" not in errors and data.get("status") else STATUS_OPEN,
            "agency": data.get("agency") if "agency" not in errors else None,
            "category": data.get("category") if "category" not in errors else None,
            "area": data.get("area") if "area" not in errors else None,
            "assigned": data.get("assigned", "") if "assigned" not in errors else "",
            "overdue": bool(data.get("overdue")) if "overdue" not in errors else False,
            "sort": data.get("sort") if data.get("sort") in SORTS else "resolve_due",
        }


BULK_ACKNOWLEDGE = "acknowledge"
BULK_ASSIGN = "assign"
BULK_TRANSFER = "transfer"


class BulkForm(forms.Form):
    """One action for several reports at once; each report then goes through its own service call."""

    reports = forms.MultipleChoiceField(label=_("Reports"), error_messages={"required": _("Select some reports.")})
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BULK_ACKNOWLEDGE, _("Acknowledge")),
            (BULK_ASSIGN, _("Assign to")),
            (BULK_TRANSFER, _("Transfer to")),
        ],
    )
    assign_to = ColleagueChoiceField(label=_("Colleague"), queryset=User.objects.none(), required=False)
    to_agency = AgencyChoiceField(label=_("Agency"), queryset=Agency.objects.none(), required=False)
    reason = forms.CharField(
        label=_("Reason for the transfer (the reporter reads it)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, colleagues: QuerySet[User], agencies: QuerySet[Agency], references: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [(reference, reference) for reference in references]
        assign_field = self.fields["assign_to"]
        assign_field.queryset = colleagues
        assign_field.empty_label = _("Choose a colleague")
        agency_field = self.fields["to_agency"]
        agency_field.queryset = agencies
        agency_field.empty_label = _("Choose an agency")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == BULK_ASSIGN and not data.get("assign_to"):
            self.add_error("assign_to", _("Choose the colleague to assign the reports to."))
        if action == BULK_TRANSFER:
            if not data.get("to_agency"):
                self.add_error("to_agency", _("Choose the agency to transfer the reports to."))
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the reports are transferred; the reporters read it."))
        return data


def reference_choices(values: list[str]) -> list[str]:
    """The well-formed references among values (the bulk form offers exactly those)."""
    return [
        value
        for value in dict.fromkeys(values)
        if len(value) == REFERENCE_LENGTH and all(char in REFERENCE_ALPHABET for char in value)
    ]


# --- Actions on one report ----------------------------------------------------------------


class ActionForm(forms.Form):
    """A form that changes one report through one service. Forms with a message offer the
    active response templates for the status they lead to; "use template" copies one in."""

    #: Statuses whose templates fit this form; None: no templates offered.
    template_statuses: tuple[str, ...] | None = None
    text_required = False
    text_label = _("Message to the reporter (optional, public)")

    text = forms.CharField(
        label=_("Message"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, templates: QuerySet[ResponseTemplate] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = self.text_required
        self.fields["text"].label = self.text_label
        if templates is not None and self.template_statuses is not None:
            self.fields["template"] = forms.ModelChoiceField(
                label=_("Response template"),
                queryset=templates,
                required=False,
                empty_label=_("Choose a template"),
            )
            self.fields["template"].widget.attrs["data-template-target"] = self.add_prefix("text")
        self.order_fields([name for name in self.fields if name not in {"text", "template"}] + ["template", "text"])

    @property
    def has_templates(self) -> bool:
        field = self.fields.get("template")
        return isinstance(field, forms.ModelChoiceField) and field.queryset is not None and field.queryset.exists()


class AcknowledgeForm(ActionForm):
    template_statuses = (ReportStatus.ACKNOWLEDGED,)


class StatusForm(ActionForm):
    template_statuses = (ReportStatus.IN_PROGRESS, ReportStatus.ACTION_SCHEDULED)

    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (ReportStatus.IN_PROGRESS.value, ReportStatus.IN_PROGRESS.label),
            (ReportStatus.ACTION_SCHEDULED.value, ReportStatus.ACTION_SCHEDULED.label),
        ],
    )


class FixForm(ActionForm):
    template_statuses = (ReportStatus.FIXED,)


class CloseForm(ActionForm):
    template_statuses = (ReportStatus.CLOSED_WITHOUT_FIX,)
    text_required = True
    text_label = _("Explanation for the reporter (required, public)")

    reason = forms.ChoiceField(label=_("Reason"), choices=CloseReason.choices)


class DuplicateForm(ActionForm):
    template_statuses = (ReportStatus.DUPLICATE,)

    original = forms.CharField(
        label=_("Reference of the original report"),
        max_length=16,
        help_text=_("The report this one repeats; its reporter will follow the original."),
        widget=forms.TextInput(attrs={"list": "duplicate-candidates", "autocomplete": "off"}),
    )

    def clean_original(self) -> str:
        value = self.cleaned_data["original"].strip().upper()
        if value not in reference_choices([value]):
            raise forms.ValidationError(
                _("A reference has %(length)s letters and digits, e.g. K7M3QX9P.") % {"length": REFERENCE_LENGTH}
            )
        return value


class TransferForm(ActionForm):
    text_required = True
    text_label = _("Reason for the transfer (required; the reporter reads it)")

    to_agency = AgencyChoiceField(
        label=_("Transfer to"), queryset=Agency.objects.none(), empty_label=_("Choose an agency")
    )
    not_ours = forms.BooleanField(
        label=_("Not our responsibility"),
        required=False,
        help_text=_("The agency chosen above is the one responsible; the report goes to it, never nowhere."),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        field.queryset = agencies


class AssignForm(ActionForm):
    to = ColleagueChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), required=False, empty_label=_("No one (unassign)")
    )

    def __init__(self, *args: Any, colleagues: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["text"]
        field = self.fields["to"]
        field.queryset = colleagues


class MessageForm(ActionForm):
    template_statuses = ()
    text_required = True
    text_label = _("Public message to the reporter and followers")


class NoteForm(ActionForm):
    text_required = True
    text_label = _("Internal note (staff only, never public)")


class ReopenForm(ActionForm):
    text_label = _("Why it is reopened (optional, public)")


# --- Response templates -------------------------------------------------------------------

JURISDICTION_WIDE = ""


class ResponseTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    agency = forms.ChoiceField(label=_("Used by"), required=False)
    status = forms.ChoiceField(label=_("For status"), required=False)
    language = forms.ChoiceField(label=_("Language"))
    text = forms.CharField(label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}))
    is_active = forms.BooleanField(
        label=_("Active"), required=False, initial=True, help_text=_("Untick to retire the template.")
    )

    def __init__(
        self, *args: Any, jurisdiction: Jurisdiction, agencies: list[Agency], may_use_wide: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = []
        if may_use_wide:
            choices.append((JURISDICTION_WIDE, _("Every agency (jurisdiction-wide)")))
        choices += [(str(agency.pk), agency.display_name) for agency in agencies]
        self.fields["agency"].choices = choices
        self.agencies = {str(agency.pk): agency for agency in agencies}
        self.may_use_wide = may_use_wide
        self.fields["status"].choices = [("", _("Any status")), *ReportStatus.choices]
        self.fields["language"].choices = [
            (code, language_name(code)) for code in (jurisdiction.languages or [jurisdiction.default_language])
        ]

    def clean_agency(self) -> Agency | None:
        value = self.cleaned_data["agency"]
        if not value and not self.may_use_wide:
            raise forms.ValidationError(_("Choose the agency that uses the template."))
        return self.agencies[value] if value else None
