"""Web forms for accounts: they parse and validate; the services do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from civicloop.accounts.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. “Open311 bridge”."),
    )
