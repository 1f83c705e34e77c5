"""The citizen's report form: it parses and checks what a person typed; report_submit decides.

The checks here repeat the cheap ones report_submit makes (required answers, e-mail format,
lengths), only so each problem can be shown next to its field; the service stays the
authority, and whatever it still refuses is shown at the top of the form.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicloop.core.models import Jurisdiction
from civicloop.reports.enums import AttributeDatatype, ReporterVisibility, ReportKind
from civicloop.reports.models import REPORT_DESCRIPTION_MAX, REPORT_TITLE_MAX, Category, CategoryAttribute
from civicloop.reports.selectors.intake import AreaChoice, CategoryGroup
from civicloop.reports.services import ReportsError
from civicloop.reports.services.intake import PHONE_FORMAT
from civicloop.reports.services.photos import PreparedPhoto, photo_prepare

ADDRESS_MAX = 300
STRING_ANSWER_MAX = 500
CONTACT_NAME_MAX = 200
PHONE_MAX = 32
#: A list question with more choices than this is a drop-down instead of radio buttons.
RADIO_CHOICES_MAX = 6
#: Indentation per level in the area picker (an em space: <option> keeps no markup).
INDENT = "\u2003"
ATTRIBUTE_PREFIX = "attribute_"
PIN_PROBLEM = _("The pin on the map was not placed properly; place it again.")

#: What each reporter visibility means, in plain words, shown under its choice.
VISIBILITY_HELP = {
    ReporterVisibility.PUBLIC: _(
        "Your report and your name are shown on the public website. Your e-mail and phone never are."
    ),
    ReporterVisibility.ANONYMOUS: _(
        "Your report is shown on the public website without your name. Nobody, not even the staff "
        "handling it, sees who you are; we use your contact details only to tell you about progress."
    ),
    ReporterVisibility.CONFIDENTIAL: _(
        "Your report is not shown on the public website at all; only the staff handling it see it. "
        "Choose this if making the report public could put you or others at risk."
    ),
}


def category_label(category: Category) -> str:
    return category.display_name


class CategoryChoiceForm(forms.Form):
    """Step one without JavaScript: pick the category, so step two can ask its questions."""

    category = forms.ChoiceField(
        label=_("What is the problem about?"),
        error_messages={
            "required": _("Choose what the problem is about."),
            "invalid_choice": _("Choose what the problem is about from the list."),
        },
    )

    def __init__(self, *args: Any, groups: list[CategoryGroup], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        choices: list[Any] = [("", _("Choose…"))]
        for group in groups:
            options = [(category.code, category_label(category)) for category in group.categories]
            choices.append((group.name or _("Other"), options))
        self.fields["category"].choices = choices


def _attribute_field(question: CategoryAttribute) -> forms.Field:
    """The form field for one extra question, by its Open311 datatype."""
    label = question.localized("description")
    common: dict[str, Any] = {
        "label": label,
        "required": question.required,
        "help_text": question.localized("datatype_description"),
        "error_messages": {"required": _("Answer this question: it is required.")},
    }
    if question.is_list:
        return _choice_field(question, common)
    if question.datatype == AttributeDatatype.DATETIME and not common["help_text"]:
        common["help_text"] = _("Date and time, e.g. 2026-03-01 14:30.")
    widget, max_length = {
        AttributeDatatype.STRING: (forms.TextInput(), STRING_ANSWER_MAX),
        AttributeDatatype.TEXT: (forms.Textarea(attrs={"rows": 4}), REPORT_DESCRIPTION_MAX),
        # Text, not type=number: phones then offer a decimal keypad and "3,5" reaches our message.
        AttributeDatatype.NUMBER: (forms.TextInput(attrs={"inputmode": "decimal"}), 50),
        AttributeDatatype.DATETIME: (forms.DateTimeInput(attrs={"type": "datetime-local"}), 40),
    }[AttributeDatatype(question.datatype)]
    return forms.CharField(max_length=max_length, widget=widget, **common)


def _choice_field(question: CategoryAttribute, common: dict[str, Any]) -> forms.Field:
    """Choose several: checkboxes; choose one: radio buttons, or a drop-down for long lists."""
    choices = [(value["key"], value["name"]) for value in question.localized_values()]
    if question.datatype == AttributeDatatype.MULTIVALUELIST:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if len(choices) <= RADIO_CHOICES_MAX:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    return forms.ChoiceField(choices=[("", _("Choose…")), *choices], **common)


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the message, and the id of the field it is about (if any)."""

    message: str
    target: str


class ReportForm(forms.Form):
    """Step two: everything about the report, for one category."""

    kind = forms.ChoiceField(
        label=_("What do you want to tell us?"),
        choices=ReportKind.choices,
        initial=ReportKind.COMPLAINT,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you want to tell us.")},
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=REPORT_TITLE_MAX,
        required=False,
        help_text=_("A few words, e.g. Deep pothole outside the school."),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=REPORT_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Describe the problem: the description is required.")},
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    address = forms.CharField(
        label=_("Address or description of the place"),
        max_length=ADDRESS_MAX,
        required=False,
        help_text=_("e.g. Calle Larga 120, or the corner by the market."),
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, error_messages={"invalid": PIN_PROBLEM})
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, error_messages={"invalid": PIN_PROBLEM})
    visibility = forms.ChoiceField(
        label=_("Who may see your report and your name?"),
        choices=ReporterVisibility.choices,
        initial=ReporterVisibility.PUBLIC,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose who may see your report.")},
    )
    name = forms.CharField(label=_("Your name"), max_length=CONTACT_NAME_MAX, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("We send you a link to confirm the report, and news about it. Never shown to anyone."),
        error_messages={"invalid": _("Enter an e-mail address like name@example.org.")},
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=PHONE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        help_text=_("Only for the staff handling the report, if they need to ask you something."),
    )
    duplicates_checked = forms.BooleanField(required=False, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        jurisdiction: Jurisdiction,
        category: Category,
        areas: list[AreaChoice],
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        self.jurisdiction = jurisdiction
        self.category = category
        self.user = user if user is not None and user.is_authenticated else None
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if self.user is not None:
            initial.setdefault("name", self.user.name)
            initial.setdefault("email", self.user.email)
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.prepared_photos: list[PreparedPhoto] = []
        self.fields["area"].choices = [("", _("Choose an area (optional)"))] + [
            (choice.area.slug, INDENT * choice.depth + choice.area.name) for choice in areas
        ]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.notes: list[str] = []
        self.question_names: list[str] = []
        for question in category.attributes.all():
            if not question.variable:
                self.notes.append(question.localized("description"))
                continue
            name = ATTRIBUTE_PREFIX + question.code
            self.fields[name] = _attribute_field(question)
            self.question_names.append(name)
        self.questions = {ATTRIBUTE_PREFIX + q.code: q for q in category.attributes.all() if q.variable}
        self.photo_names = [f"photo_{number}" for number in range(1, settings.CIVICLOOP_PHOTOS_PER_REPORT + 1)]
        for number, name in enumerate(self.photo_names, start=1):
            self.fields[name] = forms.FileField(
                label=_("Photo %(number)s") % {"number": number},
                required=False,
                widget=forms.FileInput(attrs={"accept": "image/*"}),
            )
        for field in self.fields.values():
            if field.required and not isinstance(field.widget, forms.HiddenInput):
                field.label = _("%(label)s (required)") % {"label": field.label}

    # --- parts, for the template ---
    def question_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.question_names]

    def photo_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.photo_names]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self["name"], self["email"], self["phone"]]

    def visibility_choices(self) -> list[dict[str, Any]]:
        """The visibility radios with the plain-words explanation of each."""
        return [
            {"widget": widget, "help": VISIBILITY_HELP[ReporterVisibility(widget.data["value"])]}
            for widget in self["visibility"].subwidgets
        ]

    # --- checks ---
    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean_phone(self) -> str:
        phone = (self.cleaned_data.get("phone") or "").strip()
        if phone and not PHONE_FORMAT.match(phone):
            raise forms.ValidationError(
                _("%(phone)s is not a phone number; give digits, optionally starting with +, e.g. +56 2 2345 6789.")
                % {"phone": phone}
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_location(data)
        self._clean_answers(data)
        self._clean_photos()
        return data

    def _clean_location(self, data: dict[str, Any]) -> None:
        """A pin has both coordinates on Earth; and some place is given (pin, area or address)."""
        lon, lat = data.get("lon"), data.get("lat")
        problem: Any = None
        if "lon" in self.errors or "lat" in self.errors:
            problem = False  # already said by the field
        elif (lon is None) != (lat is None) or any(
            value is not None and not math.isfinite(value) for value in (lon, lat)
        ):
            problem = PIN_PROBLEM
        elif lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problem = _("The pin on the map is outside the world's coordinates; place it again.")
        if problem is not None:
            if problem:
                self.add_error("lon", problem)
            data["lon"] = data["lat"] = None
            return  # "say where" would repeat the pin's problem
        if not (data.get("area") or (data.get("address") or "").strip() or lon is not None):
            self.add_error(
                "area", _("Say where the problem is: choose an area, give an address, or place a pin on the map.")
            )

    def _clean_answers(self, data: dict[str, Any]) -> None:
        """Numbers and times as report_submit will read them; a time without zone is the jurisdiction's."""
        for name, question in self.questions.items():
            value = str(data.get(name) or "").strip()
            if not value:
                continue
            if question.datatype == AttributeDatatype.NUMBER:
                try:
                    number = float(value)
                except ValueError:
                    number = math.nan
                if not math.isfinite(number):
                    self.add_error(name, _("Give a number, like 12 or 3.5."))
            elif question.datatype == AttributeDatatype.DATETIME:
                try:
                    moment = parse_datetime(value.replace(" ", "T", 1))
                except ValueError:
                    moment = None
                if moment is None:
                    self.add_error(name, _("Give a date and time, like 2026-03-01 14:30."))
                else:
                    data[name] = moment.isoformat()

    def _clean_photos(self) -> None:
        """Each photo checked and re-encoded now, so its problems are shown with the others."""
        self.prepared_photos = []
        for name in self.photo_names:
            upload = self.cleaned_data.get(name)
            if not upload:
                continue
            try:
                self.prepared_photos.append(photo_prepare(upload))
            except ReportsError as error:
                self.add_error(name, str(error))

    # --- for the service ---
    def answers(self) -> dict[str, Any]:
        """The answers to the extra questions as report_submit takes them (code → value)."""
        answers: dict[str, Any] = {}
        for name, question in self.questions.items():
            value = self.cleaned_data.get(name)
            if value not in (None, "", []):
                answers[question.code] = value
        return answers

    def contact(self) -> dict[str, str]:
        return {key: (self.cleaned_data.get(key) or "").strip() for key in ("name", "email", "phone")}

    def has_photos(self) -> bool:
        return any(self.files.get(name) for name in self.photo_names)

    def error_links(self, extra: list[str] | None = None) -> list[ErrorLink]:
        """Every problem, in the order of the form, with the id of its field for the summary."""
        links = [ErrorLink(message=str(message), target="report-form") for message in self.non_field_errors()]
        pin = {str(message) for name in ("lon", "lat") for message in self.errors.get(name, [])}
        links.extend(ErrorLink(message=message, target="where") for message in sorted(pin))
        for name, field in self.fields.items():
            if name not in self.errors or isinstance(field.widget, forms.HiddenInput):
                continue
            bound = self[name]
            target = bound.id_for_label or bound.auto_id
            links.extend(ErrorLink(message=str(message), target=target) for message in self.errors[name])
        links.extend(ErrorLink(message=message, target="report-form") for message in extra or [])
        return links


class SupportForm(forms.Form):
    """ "Me too": someone who is not signed in gives the e-mail address to count and tell them by."""

    email = forms.EmailField(
        label=pgettext_lazy("me too", "Your e-mail"),
        help_text=_("We count each person once, and tell you when the problem is fixed. Never shown to anyone."),
        error_messages={
            "required": _("Give your e-mail address, so we count you once and can tell you about progress."),
            "invalid": _("Enter an e-mail address like name@example.org."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
