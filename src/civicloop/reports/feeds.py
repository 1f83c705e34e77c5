"""Atom feeds of public reports and their public updates: everything, per area, per category.

Entries carry only what the public report page shows: the reference, category, status, the
acting agency and the public text. Never a person's name, not even a staff member's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from civicloop.core.models import Area, Jurisdiction
from civicloop.reports.enums import UpdateKind
from civicloop.reports.models import Category
from civicloop.reports.selectors.public import FeedEntry, area_get, category_get_public, feed_entries


@dataclass(frozen=True)
class FeedScope:
    jurisdiction: Jurisdiction
    area: Area | None = None
    category: Category | None = None


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


class ReportFeed(Feed):
    """All public reports and updates of the jurisdiction."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest) -> FeedScope:  # type: ignore[override]
        return FeedScope(jurisdiction=_jurisdiction(request))

    def title(self, obj: FeedScope) -> str:
        return _("Reports in %(jurisdiction)s") % {"jurisdiction": obj.jurisdiction.display_name}

    def subtitle(self, obj: FeedScope) -> str:
        return _("New public reports and their public updates.")

    def link(self, obj: FeedScope) -> str:
        return reverse("reports:list")

    def feed_guid(self, obj: FeedScope) -> str:
        return f"tag:{obj.jurisdiction.domain},2026:{self.link(obj)}"

    def items(self, obj: FeedScope) -> list[FeedEntry]:
        return feed_entries(jurisdiction=obj.jurisdiction, area=obj.area, category=obj.category)

    def item_title(self, item: FeedEntry) -> str:
        report = item.report
        if item.update is None:
            return _("New report %(reference)s: %(category)s") % {
                "reference": report.reference,
                "category": report.category.display_name,
            }
        return _("Report %(reference)s: %(status)s") % {
            "reference": report.reference,
            "status": item.update.get_status_display(),
        }

    def item_description(self, item: FeedEntry) -> str:
        report = item.report
        if item.update is None:
            lines = [
                report.title,
                report.description,
                report.address_string or (report.area.name if report.area else ""),
            ]
            return "\n\n".join(line for line in lines if line)
        update = item.update
        lines = [update.get_kind_display()]
        if update.kind == UpdateKind.TRANSFERRED and update.from_agency and update.to_agency:
            lines.append(
                _("Transferred from %(from)s to %(to)s.")
                % {"from": update.from_agency.display_name, "to": update.to_agency.display_name}
            )
        if update.text:
            lines.append(update.text)
        return "\n\n".join(lines)

    def item_link(self, item: FeedEntry) -> str:
        return reverse("reports:detail", kwargs={"reference": item.report.reference})

    def item_guid(self, item: FeedEntry) -> str:
        suffix = f"update-{item.update.pk}" if item.update is not None else "report"
        return f"tag:{item.report.jurisdiction.domain},2026:report-{item.report.reference}-{suffix}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: FeedEntry) -> dt.datetime:
        return item.at

    def item_updateddate(self, item: FeedEntry) -> dt.datetime:
        return item.at

    def item_author_name(self, item: FeedEntry) -> str | None:
        """The acting agency, never a person."""
        if item.update is not None and item.update.agency is not None:
            return item.update.agency.display_name
        return None

    def item_categories(self, item: FeedEntry) -> list[str]:
        return [item.report.category.display_name]


class AreaReportFeed(ReportFeed):
    """Public reports and updates in one area and the areas inside it."""

    def get_object(self, request: HttpRequest, slug: str) -> FeedScope:  # type: ignore[override]
        jurisdiction = _jurisdiction(request)
        area = area_get(jurisdiction=jurisdiction, slug=slug)
        if area is None:
            raise Http404(_("There is no such area."))
        return FeedScope(jurisdiction=jurisdiction, area=area)

    def title(self, obj: FeedScope) -> str:
        assert obj.area is not None
        return _("Reports in %(area)s") % {"area": obj.area.name}

    def link(self, obj: FeedScope) -> str:
        assert obj.area is not None
        return reverse("reports:area", kwargs={"slug": obj.area.slug})


class CategoryReportFeed(ReportFeed):
    """Public reports and updates in one category (sensitive categories have no feed)."""

    def get_object(self, request: HttpRequest, code: str) -> FeedScope:  # type: ignore[override]
        jurisdiction = _jurisdiction(request)
        category = category_get_public(jurisdiction=jurisdiction, code=code)
        if category is None:
            raise Http404(_("There is no such category."))
        return FeedScope(jurisdiction=jurisdiction, category=category)

    def title(self, obj: FeedScope) -> str:
        assert obj.category is not None
        return _("Reports about %(category)s") % {"category": obj.category.display_name}

    def link(self, obj: FeedScope) -> str:
        assert obj.category is not None
        return reverse("reports:category", kwargs={"code": obj.category.code})
