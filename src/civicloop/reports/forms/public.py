"""Forms of the public report pages: the list's filters, e-mail alerts and "was it fixed?"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from civicloop.core.models import Agency, Area
from civicloop.reports.enums import ReportKind, ReportStatus
from civicloop.reports.models import RATING_MAX, RATING_MIN, Category
from civicloop.reports.selectors.public import ReportFilters

PUBLIC_STATUSES = [(value, label) for value, label in ReportStatus.choices if value != ReportStatus.UNVERIFIED]


class DateInput(forms.DateInput):
    input_type = "date"


class ReportFilterForm(forms.Form):
    """The public list's filters (GET). Invalid values are reported and left out, never fatal."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput)
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput)

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        areas: list[Area],
        agencies: list[Agency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._categories = {category.code: category for category in categories}
        self._areas = {area.slug: area for area in areas}
        self._agencies = {agency.slug: agency for agency in agencies}
        anything = [("", _("Any"))]
        self.fields["status"].choices = [
            *anything,
            ("open", _("Open")),
            ("closed", _("Closed")),
            *PUBLIC_STATUSES,
        ]
        self.fields["category"].choices = [*anything, *((c.code, c.display_name) for c in categories)]
        self.fields["area"].choices = [*anything, *((a.slug, f"{a.name} ({a.level})") for a in areas)]
        self.fields["agency"].choices = [*anything, *((a.slug, a.display_name) for a in agencies)]
        self.fields["kind"].choices = [*anything, *ReportKind.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date must not be before the start date."))
        return data

    def filters(self) -> ReportFilters:
        """The valid filters (call after is_valid(); invalid fields are simply not applied)."""
        data = getattr(self, "cleaned_data", {})
        return ReportFilters(
            status=data.get("status") or "",
            category=self._categories.get(data.get("category") or ""),
            area=self._areas.get(data.get("area") or ""),
            agency=self._agencies.get(data.get("agency") or ""),
            kind=data.get("kind") or "",
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to") if "submitted_to" not in self.errors else None,
        )


class SubscribeForm(forms.Form):
    """E-mail alerts about one report, area or category (the target travels in a hidden field)."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send a link to confirm it first. Every alert has a link to stop them."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    report = forms.CharField(required=False, widget=forms.HiddenInput)
    area = forms.CharField(required=False, widget=forms.HiddenInput)
    category = forms.CharField(required=False, widget=forms.HiddenInput)


class FeedbackForm(forms.Form):
    """The reporter's answer after a report was closed: fixed or not, and how satisfied (1–5)."""

    fixed = forms.TypedChoiceField(
        label=_("Was it fixed?"),
        choices=[("yes", _("Yes, it was fixed")), ("no", _("No, it was not fixed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the response?"),
        choices=[
            (str(RATING_MIN), format_lazy("{} – {}", RATING_MIN, _("very dissatisfied"))),
            *((str(value), str(value)) for value in range(RATING_MIN + 1, RATING_MAX)),
            (str(RATING_MAX), format_lazy("{} – {}", RATING_MAX, _("very satisfied"))),
        ],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        help_text=_("Only the agency's staff read it; it is never published."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
