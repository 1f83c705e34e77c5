"""Web forms for core: they parse and validate; the services do the writing."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from civicloop.core.models import Agency

AGENCY_FORM_FIELDS = ["name", "description", "contact_email", "phone", "website"]


def translation_languages(agency: Agency) -> list[str]:
    """Languages an agency's name and description can be translated into.

    The stored name is in the jurisdiction's first language; every other language the
    site offers gets its own pair of fields.
    """
    original = agency.jurisdiction.default_language
    return [code for code, _name in settings.LANGUAGES if code != original]


def _formfield_for(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(db_field, models.URLField):
        # Addresses typed without a scheme are taken as https://, the default from Django 6.
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class AgencyForm(forms.Form):
    """An agency's public details, plus its name and description in the other languages.

    A plain Form built from the model's fields rather than a ModelForm: a ModelForm writes
    into the instance while validating, and agency_update must see the unchanged agency to
    know what changed.
    """

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        self.agency = agency
        self.languages = translation_languages(agency)
        kwargs.setdefault("initial", self.initial_for(agency))
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Agency, fields=AGENCY_FORM_FIELDS, formfield_callback=_formfield_for))
        self.fields["description"].widget.attrs["rows"] = 5
        for code in self.languages:
            language = get_language_info(code)["name_translated"]
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": language},
                max_length=Agency._meta.get_field("name").max_length,
                required=False,
                help_text=_("Leave empty to show the name above."),
            )
            self.fields[f"description_{code}"] = forms.CharField(
                label=_("Description in %(language)s") % {"language": language},
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.fields[f"name_{code}"].widget.attrs["lang"] = code
            self.fields[f"description_{code}"].widget.attrs["lang"] = code

    @staticmethod
    def initial_for(agency: Agency) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(agency, name) for name in AGENCY_FORM_FIELDS}
        translations = agency.translations if isinstance(agency.translations, dict) else {}
        for code in translation_languages(agency):
            entry = translations.get(code) or {}
            initial[f"name_{code}"] = entry.get("name", "")
            initial[f"description_{code}"] = entry.get("description", "")
        return initial

    def translated_fields(self) -> list[tuple[str, list[forms.BoundField]]]:
        """(language name, [name field, description field]) per language, for the template."""
        return [
            (
                get_language_info(code)["name_translated"],
                [self[f"name_{code}"], self[f"description_{code}"]],
            )
            for code in self.languages
        ]

    def original_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in AGENCY_FORM_FIELDS]

    def changes(self) -> dict[str, Any]:
        """The cleaned values as keyword arguments for agency_update.

        Translations for languages this form does not show are kept as they are.
        """
        data = self.cleaned_data
        changes: dict[str, Any] = {name: data[name] for name in AGENCY_FORM_FIELDS}
        translations = copy.deepcopy(self.agency.translations) if isinstance(self.agency.translations, dict) else {}
        for code in self.languages:
            entry = dict(translations.get(code) or {})
            for field in ("name", "description"):
                value = data[f"{field}_{code}"].strip()
                if value:
                    entry[field] = value
                else:
                    entry.pop(field, None)
            if entry:
                translations[code] = entry
            else:
                translations.pop(code, None)
        changes["translations"] = translations
        return changes
