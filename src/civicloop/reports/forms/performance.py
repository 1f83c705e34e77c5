"""The period and category filter of the public performance page (?from=YYYY-MM-DD&to=…&category=CODE)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from civicloop.reports.models import Category
from civicloop.reports.selectors.performance import Period, period_default

# Dates far outside this range are typing mistakes, and would overflow time-zone arithmetic.
EARLIEST = dt.date(1970, 1, 1)
LATEST = dt.date(2999, 12, 31)


class DateInput(forms.DateInput):
    input_type = "date"


class PerformanceFilterForm(forms.Form):
    """Read from the query string; every field is optional (empty = the last 12 months, all categories)."""

    def __init__(self, data: Any, *, categories: list[Category], today: dt.date) -> None:
        super().__init__(data)
        self.default = period_default(today=today)
        self._categories = {category.code: category for category in categories}
        date_errors = {"invalid": _("Enter the date as YYYY-MM-DD, for example 2026-01-31.")}
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = forms.DateField(
            label=_("From"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=DateInput(format="%Y-%m-%d"),
            error_messages=date_errors,
            help_text=_("First day counted (YYYY-MM-DD)."),
        )
        self.fields["to"] = forms.DateField(
            label=_("To"),
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=DateInput(format="%Y-%m-%d"),
            error_messages=date_errors,
            help_text=_("Last day counted, whole day included (YYYY-MM-DD)."),
        )
        self.fields["category"] = forms.ChoiceField(
            label=_("Category"),
            required=False,
            choices=[("", _("All categories")), *((c.code, c.display_name) for c in categories)],
            error_messages={"invalid_choice": _("There is no category with the code “%(value)s” to show figures for.")},
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first = cleaned.get("from")
        last = cleaned.get("to")
        for name, day in (("from", first), ("to", last)):
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Choose a date between %(earliest)s and %(latest)s.")
                    % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
                )
        if first is not None and last is not None and first > last and not self.errors:
            self.add_error("to", _("The last day must be on or after the first day."))
        return cleaned

    @property
    def period(self) -> Period:
        """The chosen days; a missing end is filled from the default period (or from the other end)."""
        first: dt.date | None = self.cleaned_data.get("from")
        last: dt.date | None = self.cleaned_data.get("to")
        if first is None and last is None:
            return self.default
        if last is None:
            last = max(first, self.default.last_day) if first is not None else self.default.last_day
        if first is None:
            first = period_default(today=last).first_day
        return Period(first_day=first, last_day=last)

    @property
    def category(self) -> Category | None:
        code = self.cleaned_data.get("category") or ""
        return self._categories.get(code)
