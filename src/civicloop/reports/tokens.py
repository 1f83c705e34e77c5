"""Signed links sent by e-mail: confirm a report, answer "was it fixed?", confirm or end a subscription.

Signed with SECRET_KEY (django.core.signing), so nothing is stored and a link cannot be
forged or pointed at another report. Each purpose has its own salt: a confirmation link
cannot be replayed as a feedback link.
"""

from __future__ import annotations

from django.core import signing

CONFIRM_MAX_AGE = 60 * 60 * 24 * 14  # two weeks to confirm a report or a subscription
FEEDBACK_MAX_AGE = 60 * 60 * 24 * 90  # the "was it fixed?" link lives longer than the reopen window needs

_SALTS = {
    "confirm": "civicloop.reports.confirm",
    "feedback": "civicloop.reports.feedback",
    "subscription": "civicloop.reports.subscription",
    "unsubscribe": "civicloop.reports.unsubscribe",
}
_MAX_AGE = {
    "confirm": CONFIRM_MAX_AGE,
    "feedback": FEEDBACK_MAX_AGE,
    "subscription": CONFIRM_MAX_AGE,
    "unsubscribe": None,  # an unsubscribe link must keep working
}


def make(purpose: str, value: str | int) -> str:
    """A URL-safe token carrying value for one purpose ("confirm", "feedback", "subscription", "unsubscribe")."""
    return signing.dumps(str(value), salt=_SALTS[purpose], compress=True)


def read(purpose: str, token: str) -> str | None:
    """The value a token carries, or None when it is forged, for another purpose or expired."""
    try:
        return str(signing.loads(token, salt=_SALTS[purpose], max_age=_MAX_AGE[purpose]))
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
