"""A signed-in person's own pages: their account and their API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from civicloop.accounts.forms import ApiTokenForm
from civicloop.accounts.models import ApiToken
from civicloop.accounts.services import TOKEN_PREFIX, AccountError, api_token_create, api_token_revoke
from civicloop.core.enums import Channel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if request.user.has_perm("core.view_staff_home"):
        return redirect("core:staff_home")
    languages = dict(settings.LANGUAGES)
    return render(
        request,
        "accounts/home.html",
        {"language_name": languages.get(request.user.language, "")},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """List, create and revoke one's own API tokens.

    A new token's secret is rendered in the response to the POST that created it and
    nowhere else: not in the session, not in a redirect URL, and the page is never cached.
    """
    if not request.user.has_perm("accounts.add_apitoken"):
        raise PermissionDenied(_("API tokens are for staff, monitors and integrations."))
    created = None
    secret = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                created, secret = api_token_create(
                    user=request.user, name=form.cleaned_data["name"], channel=Channel.WEB
                )
            except AccountError as exc:
                form.add_error("name", str(exc))
            else:
                form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk"),
            "created": created,
            "secret": secret,
            "token_prefix": TOKEN_PREFIX,
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Anyone may revoke their own token, even after losing the role that let them create it.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    if token.revoked_at is None:
        api_token_revoke(token=token, by=request.user, channel=Channel.WEB)
        messages.success(request, _("The token “%(name)s” was revoked. It no longer works.") % {"name": token.name})
    else:
        messages.info(request, _("The token “%(name)s” was already revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
