"""Who hears about a change to a report, by e-mail (SMS comes later).

Run after the change has committed (the life-cycle services call these from
transaction.on_commit). Each recipient gets one message of their own, in their language when
an account tells it, else in the jurisdiction's first language. Alerts never carry personal
data: the timeline names the acting agency, never the person, and the reporter's name and
contact details are in no message but the reporter's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from civicloop.core.models import Jurisdiction
from civicloop.core.services import email_enqueue
from civicloop.reports import tokens
from civicloop.reports.enums import ReportStatus, UpdateKind
from civicloop.reports.models import Report, ReportContact, ReportUpdate, Subscription
from civicloop.reports.selectors.public import area_with_ancestors

if TYPE_CHECKING:
    from civicloop.accounts.models import User

#: Timeline entries the reporter made themselves: they are not told about their own action.
REPORTER_KINDS = frozenset({UpdateKind.SUBMITTED, UpdateKind.CONFIRMED, UpdateKind.FEEDBACK})
#: After these the reporter is asked "was it fixed?" and "how satisfied are you?".
FEEDBACK_STATUSES = frozenset({ReportStatus.FIXED, ReportStatus.CLOSED_WITHOUT_FIX})


def site_url(jurisdiction: Jurisdiction) -> str:
    """The jurisdiction's web address, for links in e-mail (no request to build them from)."""
    if settings.CIVICLOOP_SITE_URL:
        return settings.CIVICLOOP_SITE_URL
    scheme = "https" if settings.SESSION_COOKIE_SECURE else "http"
    return f"{scheme}://{jurisdiction.domain}"


def _language(user: User | None, jurisdiction: Jurisdiction) -> str:
    known = {code for code, _name in settings.LANGUAGES}
    if user is not None and user.language in known:
        return user.language
    return jurisdiction.default_language


@dataclass
class _Recipient:
    email: str
    language: str
    is_reporter: bool = False
    subscription: Subscription | None = None


def _reporter(report: Report) -> _Recipient | None:
    """The reporter's own address (anonymous reporters too: it is their report), or None."""
    contact = ReportContact.objects.filter(report=report).first()
    email = contact.email if contact is not None and contact.email else ""
    if not email and report.reporter is not None:
        email = report.reporter.email
    if not email:
        return None
    return _Recipient(email=email, language=_language(report.reporter, report.jurisdiction), is_reporter=True)


def _listed(report: Report) -> bool:
    """Whether area and category subscribers may hear about the report (it is on public lists)."""
    return report.is_public and report.status != ReportStatus.UNVERIFIED


def _subscriptions(report: Report, *, with_report: bool) -> list[Subscription]:
    """Confirmed subscriptions that cover the report, the most specific first (report, area, category)."""
    if not report.is_public:
        return []
    targets = Q()
    if with_report:
        targets |= Q(report=report)
    if _listed(report):
        targets |= Q(category_id=report.category_id)
        if report.area is not None:
            targets |= Q(area_id__in=area_with_ancestors(area=report.area))
    if not targets:
        return []
    found = Subscription.objects.filter(targets, jurisdiction_id=report.jurisdiction_id, confirmed_at__isnull=False)
    found = found.select_related("user").order_by("pk")
    return sorted(found, key=lambda s: 0 if s.report_id else 1 if s.area_id else 2)


def _url(jurisdiction: Jurisdiction, name: str, **kwargs: object) -> str:
    return site_url(jurisdiction) + reverse(name, kwargs=kwargs)


def _send(*, template: str, subject: str, recipient: _Recipient, context: dict[str, object]) -> None:
    jurisdiction = context["jurisdiction"]
    assert isinstance(jurisdiction, Jurisdiction)
    unsubscribe_url = (
        _url(jurisdiction, "reports:unsubscribe", token=tokens.make("unsubscribe", recipient.subscription.pk))
        if recipient.subscription is not None
        else ""
    )
    body = render_to_string(template, {**context, "recipient": recipient, "unsubscribe_url": unsubscribe_url})
    # Mail clients show their own "unsubscribe" button from these (RFC 2369); the second header
    # says a POST to the URL unsubscribes at once, without a page to confirm (RFC 8058).
    headers = (
        {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if unsubscribe_url
        else None
    )
    email_enqueue(subject=subject, body=body, to=[recipient.email], headers=headers)


def update_notify(*, update_id: int) -> None:
    """Tell the reporter and the subscribers about one public timeline entry (run after commit).

    Nobody is told twice (addresses are compared without case) and the person who made the
    change is not told at all. The reporter's message after "fixed" or "closed without fix"
    carries the "was it fixed?" link.
    """
    update = (
        ReportUpdate.objects.select_related(
            "report__jurisdiction",
            "report__category",
            "report__area",
            "report__reporter",
            "agency",
            "from_agency",
            "to_agency",
            "by",
        )
        .filter(pk=update_id, is_internal=False)
        .first()
    )
    if update is None:
        return
    report = update.report
    reporter = _reporter(report)
    reporter_acted = update.kind in REPORTER_KINDS or (update.kind == UpdateKind.REOPENED and update.by_id is None)
    skip = {update.by.email.lower()} if update.by is not None else set()
    if reporter_acted and reporter is not None:
        skip.add(reporter.email.lower())
    recipients: dict[str, _Recipient] = {}
    if reporter is not None:
        recipients[reporter.email.lower()] = reporter
    for subscription in _subscriptions(report, with_report=True):
        key = subscription.email.lower()
        if key in recipients:
            recipients[key].subscription = recipients[key].subscription or subscription
        else:
            recipients[key] = _Recipient(
                email=subscription.email,
                language=_language(subscription.user, report.jurisdiction),
                subscription=subscription,
            )
    for key, recipient in recipients.items():
        if key in skip:
            continue
        with translation.override(recipient.language):
            feedback_url = (
                _url(
                    report.jurisdiction,
                    "reports:feedback",
                    reference=report.reference,
                    token=tokens.make("feedback", report.reference),
                )
                if recipient.is_reporter and update.status in FEEDBACK_STATUSES
                else ""
            )
            _send(
                template="reports/email/update.txt",
                subject=_("Report %(reference)s: %(status)s")
                % {"reference": report.reference, "status": update.get_status_display()},
                recipient=recipient,
                context={
                    "jurisdiction": report.jurisdiction,
                    "report": report,
                    "update": update,
                    "report_url": _url(report.jurisdiction, "reports:detail", reference=report.reference)
                    if report.is_public
                    else "",
                    "feedback_url": feedback_url,
                },
            )


def report_new_notify(*, report_id: int) -> None:
    """Tell subscribers of the report's area (or a larger one) and its category about a new
    public report (run after commit, when it is submitted or confirmed). The reporter is not told."""
    report = Report.objects.select_related("jurisdiction", "category", "area", "reporter").filter(pk=report_id).first()
    if report is None or not _listed(report):
        return
    reporter = _reporter(report)
    skip = {reporter.email.lower()} if reporter is not None else set()
    seen: set[str] = set()
    for subscription in _subscriptions(report, with_report=False):
        key = subscription.email.lower()
        if key in skip or key in seen:
            continue
        seen.add(key)
        recipient = _Recipient(
            email=subscription.email,
            language=_language(subscription.user, report.jurisdiction),
            subscription=subscription,
        )
        with translation.override(recipient.language):
            _send(
                template="reports/email/new_report.txt",
                subject=_("New report %(reference)s: %(category)s")
                % {"reference": report.reference, "category": report.category.display_name},
                recipient=recipient,
                context={
                    "jurisdiction": report.jurisdiction,
                    "report": report,
                    "report_url": _url(report.jurisdiction, "reports:detail", reference=report.reference),
                },
            )


def subscription_confirmation_send(*, subscription: Subscription) -> None:
    """E-mail the link that confirms a subscription (in the language the page was read in)."""
    jurisdiction = subscription.jurisdiction
    language = (
        subscription.user.language
        if subscription.user is not None and subscription.user.language
        else translation.get_language() or jurisdiction.default_language
    )
    with translation.override(language):
        if subscription.report is not None:
            target = _("report %(reference)s") % {"reference": subscription.report.reference}
        elif subscription.area is not None:
            target = _("reports in %(area)s") % {"area": subscription.area.name}
        else:
            assert subscription.category is not None
            target = _("reports about %(category)s") % {"category": subscription.category.display_name}
        body = render_to_string(
            "reports/email/subscription_confirm.txt",
            {
                "jurisdiction": jurisdiction,
                "target": target,
                "confirm_url": _url(
                    jurisdiction,
                    "reports:subscription_confirm",
                    token=tokens.make("subscription", subscription.pk),
                ),
            },
        )
        email_enqueue(subject=_("Confirm your e-mail alerts"), body=body, to=[subscription.email])
