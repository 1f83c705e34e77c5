"""E-mail alerts people ask for: about one report, an area or a category.

A subscription made by someone who is not signed in with that (verified) address waits for the
address to be confirmed through a signed link, so nobody can sign up somebody else. Audit
events name the subscription by its pk, never by the e-mail address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.core.models import Area, Jurisdiction
from civicloop.reports.enums import ReportStatus
from civicloop.reports.models import Category, Report, Subscription
from civicloop.reports.services._common import ReportsError

if TYPE_CHECKING:
    from civicloop.accounts.models import User


def _audit_values(subscription: Subscription) -> dict[str, object]:
    """What the audit trail records about a subscription: its target and state, never the address."""
    return {
        "report": subscription.report_id,
        "area": subscription.area_id,
        "category": subscription.category_id,
        "confirmed": subscription.confirmed_at is not None,
    }


def _verified_address_of(user: User | None, email: str) -> bool:
    """Whether a signed-in user has proven they own this address (allauth's verified addresses)."""
    if user is None or not user.is_authenticated:
        return False
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _check_target(
    *, jurisdiction: Jurisdiction, report: Report | None, area: Area | None, category: Category | None
) -> None:
    if sum(target is not None for target in (report, area, category)) != 1:
        raise ReportsError(_("Choose one report, area or category to follow."))
    if report is not None and (
        report.jurisdiction_id != jurisdiction.pk or not report.is_public or report.status == ReportStatus.UNVERIFIED
    ):
        raise ReportsError(_("This report cannot be followed."))
    if area is not None and area.jurisdiction_id != jurisdiction.pk:
        raise ReportsError(_("This area cannot be followed."))
    if category is not None and (category.jurisdiction_id != jurisdiction.pk or category.is_sensitive):
        raise ReportsError(_("This category cannot be followed."))


@transaction.atomic
def subscription_create(
    *,
    jurisdiction: Jurisdiction,
    email: str,
    user: User | None = None,
    report: Report | None = None,
    area: Area | None = None,
    category: Category | None = None,
    channel: Channel | str = Channel.WEB,
) -> Subscription:
    """Follow a report, an area or a category by e-mail.

    Confirmed at once when the signed-in user has verified this address; otherwise a
    confirmation link is e-mailed. Asking again for the same address and target returns the
    existing subscription (and sends the link again while it is unconfirmed), so the answer
    never tells a stranger whether an address was already subscribed.
    """
    from civicloop.reports.notifications import subscription_confirmation_send

    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as error:
        raise ReportsError(_("Enter a valid e-mail address, such as name@example.org.")) from error
    _check_target(jurisdiction=jurisdiction, report=report, area=area, category=category)
    verified = _verified_address_of(user, email)
    owner = user if verified else None
    existing = Subscription.objects.filter(email=email, report=report, area=area, category=category).first()
    if existing is None:
        try:
            with transaction.atomic():
                subscription = Subscription.objects.create(
                    jurisdiction=jurisdiction,
                    email=email,
                    user=owner,
                    report=report,
                    area=area,
                    category=category,
                    confirmed_at=timezone.now() if verified else None,
                )
        except IntegrityError:  # the same request twice at once: the other one won
            existing = Subscription.objects.get(email=email, report=report, area=area, category=category)
        else:
            audit_log(
                action="subscription.create",
                actor=user,
                obj=subscription,
                jurisdiction=jurisdiction,
                after=_audit_values(subscription),
                channel=channel,
            )
            if not verified:
                subscription_confirmation_send(subscription=subscription)
            return subscription
    if existing.confirmed_at is None:
        if verified:
            return subscription_confirm(subscription=existing, user=owner, channel=channel)
        subscription_confirmation_send(subscription=existing)
    return existing


@transaction.atomic
def subscription_confirm(
    *, subscription: Subscription, user: User | None = None, channel: Channel | str = Channel.WEB
) -> Subscription:
    """The address's owner followed the confirmation link; confirming twice changes nothing.

    `user` is who confirmed (for the audit trail), if signed in.
    """
    if subscription.confirmed_at is not None:
        return subscription
    before = _audit_values(subscription)
    subscription.confirmed_at = timezone.now()
    fields = ["confirmed_at"]
    # Linked to the account only when it is the account's own address: on a shared computer
    # someone else may be signed in when the link is opened.
    if user is not None and subscription.user_id is None and user.email.lower() == subscription.email.lower():
        subscription.user = user
        fields.append("user")
    subscription.save(update_fields=fields)
    if subscription.is_supporter and subscription.report is not None:
        from civicloop.reports.services.lifecycle import report_support_count

        report_support_count(report=subscription.report, by=subscription.user)  # a "me too", now proven
    audit_log(
        action="subscription.confirm",
        actor=user,
        obj=subscription,
        jurisdiction=subscription.jurisdiction,
        before=before,
        after=_audit_values(subscription),
        channel=channel,
    )
    return subscription


@transaction.atomic
def subscription_delete(
    *, subscription: Subscription, user: User | None = None, channel: Channel | str = Channel.WEB
) -> None:
    """Stop the alerts (the unsubscribe link in every alert). A "me too" stays counted: it said
    the problem affects one more person, which unsubscribing does not undo."""
    before = _audit_values(subscription)
    jurisdiction = subscription.jurisdiction
    audit_log(
        action="subscription.delete",
        actor=user,
        obj=subscription,
        jurisdiction=jurisdiction,
        before=before,
        channel=channel,
    )
    subscription.delete()
