"""Who hears about a change to a report, by e-mail (SMS comes later)."""

from __future__ import annotations


def update_notify(*, update_id: int) -> None:
    """Tell the reporter and the subscribers about one public timeline entry (run after commit)."""
    return
