"""Writes for jurisdictions, areas and agencies. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.validators import slug_re
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from shapely.geometry import shape

from civicloop.core.audit import audit_log, audited_update, snapshot
from civicloop.core.enums import Channel
from civicloop.core.geo import geometry_error
from civicloop.core.models import Agency, Area, Jurisdiction

if TYPE_CHECKING:
    from civicloop.accounts.models import User


class CoreError(Exception):
    """A request the core cannot carry out; the message is fit to show the person who asked."""


def email_enqueue(
    *, subject: str, body: str, to: list[str], html: str | None = None, headers: dict[str, str] | None = None
) -> None:
    """Send an e-mail from the task worker after the current transaction commits.

    If the transaction rolls back, nothing is sent: nobody is told about a change that
    did not happen. `headers` are extra message headers (e.g. List-Unsubscribe on alerts).
    """
    from civicloop.core.tasks import send_email

    transaction.on_commit(
        lambda: send_email.enqueue(subject=subject, body=body, to=to, html=html, headers=headers or {})
    )


AGENCY_EDITABLE_FIELDS = ["name", "description", "contact_email", "phone", "website", "translations"]


@transaction.atomic
def agency_update(*, agency: Agency, by: User | None, channel: Channel = Channel.WEB, **changes: object) -> Agency:
    """Change an agency's public details; only the fields in AGENCY_EDITABLE_FIELDS."""
    unknown = sorted(set(changes) - set(AGENCY_EDITABLE_FIELDS))
    if unknown:
        raise CoreError(f"These agency fields cannot be changed here: {', '.join(unknown)}.")
    audited_update(
        agency,
        changes=changes,
        action="agency.update",
        actor=by,
        agency=agency,
        jurisdiction=agency.jurisdiction,
        channel=channel,
    )
    return agency


# --- Areas -------------------------------------------------------------------------------

AREA_AUDIT_FIELDS = ["name", "slug", "level", "code", "parent", "geometry", "min_lon", "min_lat", "max_lon", "max_lat"]


class AreaImport(list[Area]):
    """The areas of an import in file order, and which of them were created, updated or left as they were."""

    def __init__(self) -> None:
        super().__init__()
        self.created: list[Area] = []
        self.updated: list[Area] = []
        self.unchanged: list[Area] = []


@dataclass
class _AreaFeature:
    number: int  # 1-based position in the file, as people count
    label: str
    name: str
    slug: str
    level: str
    code: str
    parent: str | None
    geometry: dict[str, Any]


def area_index_invalidate(*, jurisdiction: Jurisdiction) -> None:
    """Make every process rebuild its point-in-area index of the jurisdiction on its next lookup.

    Call it inside any write that adds, changes or removes areas (civicloop.core.geo caches
    a tree per jurisdiction keyed on areas_version).
    """
    Jurisdiction.objects.filter(pk=jurisdiction.pk).update(areas_version=F("areas_version") + 1)
    jurisdiction.refresh_from_db(fields=["areas_version"])


@transaction.atomic
def area_import_geojson(
    *,
    jurisdiction: Jurisdiction,
    data: Any,
    by: User | None = None,
    channel: Channel = Channel.SYSTEM,
    default_level: str | None = None,
) -> AreaImport:
    """Create or update a jurisdiction's areas from a GeoJSON FeatureCollection, all or nothing.

    Each feature is a Polygon or MultiPolygon (WGS 84) with properties "name" (required),
    "slug" (optional, else made from the name), "level" (required unless default_level is
    given), "code" (optional) and "parent" (optional: the slug of an area in the same file or
    already in the jurisdiction). Areas are matched to stored ones by slug; stored areas the
    file does not mention are left alone.

    Every feature is checked before anything is written, and all problems are reported
    together in one CoreError, so a person fixing the file sees everything at once. Each
    created or changed area gets one audit event; an unchanged area gets none, and an import
    that changes nothing writes nothing.
    """
    # Serialise imports into one jurisdiction (PostgreSQL; SQLite transactions already are serial).
    list(Jurisdiction.objects.select_for_update().filter(pk=jurisdiction.pk).values_list("pk"))
    stored = {area.slug: area for area in Area.objects.filter(jurisdiction=jurisdiction).select_related("parent")}
    features = _area_features_check(data, stored=stored, default_level=default_level)

    result = AreaImport()
    by_slug: dict[str, Area] = dict(stored)
    for feature in _parents_first(features):
        minx, miny, maxx, maxy = shape(feature.geometry).bounds
        values: dict[str, Any] = {
            "name": feature.name,
            "level": feature.level,
            "code": feature.code,
            "parent": by_slug[feature.parent] if feature.parent else None,
            "geometry": feature.geometry,
            "min_lon": minx,
            "min_lat": miny,
            "max_lon": maxx,
            "max_lat": maxy,
        }
        area = stored.get(feature.slug)
        if area is None:
            area = Area(jurisdiction=jurisdiction, slug=feature.slug, **values)
            area.save()
            audit_log(
                action="area.create",
                actor=by,
                obj=area,
                jurisdiction=jurisdiction,
                after=snapshot(area, AREA_AUDIT_FIELDS),
                channel=channel,
            )
            result.created.append(area)
        else:
            changed = [name for name, value in values.items() if not _same(area, name, value)]
            if changed:
                before = snapshot(area, changed)
                for name in changed:
                    setattr(area, name, values[name])
                area.save(update_fields=[*changed, "updated_at"])
                audit_log(
                    action="area.update",
                    actor=by,
                    obj=area,
                    jurisdiction=jurisdiction,
                    before=before,
                    after=snapshot(area, changed),
                    channel=channel,
                )
                result.updated.append(area)
            else:
                result.unchanged.append(area)
        by_slug[feature.slug] = area
    result.extend(by_slug[feature.slug] for feature in features)
    if result.created or result.updated:
        area_index_invalidate(jurisdiction=jurisdiction)
    return result


def _same(area: Area, name: str, value: Any) -> bool:
    if name == "parent":
        return area.parent_id == (value.pk if value is not None else None)
    return getattr(area, name) == value


def _area_features_check(data: Any, *, stored: dict[str, Area], default_level: str | None) -> list[_AreaFeature]:
    """Every feature, checked and normalised; raises CoreError listing every problem found."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        _area_problems_raise(
            [
                _(
                    "The data is not a GeoJSON FeatureCollection (found %(found)r). Export the areas as a "
                    'FeatureCollection: {"type": "FeatureCollection", "features": [...]}.'
                )
                % {"found": found}
            ]
        )
    raw = data.get("features")
    if not isinstance(raw, list) or not raw:
        _area_problems_raise(
            [_('The FeatureCollection has no features: "features" must be a non-empty list of area features.')]
        )

    problems: list[str] = []
    features: list[_AreaFeature] = []
    for index, item in enumerate(raw):
        feature, feature_problems = _area_feature_check(index, item, default_level=default_level)
        problems += feature_problems
        if feature is not None:
            features.append(feature)

    by_slug: dict[str, list[_AreaFeature]] = {}
    for feature in features:
        if feature.slug:
            by_slug.setdefault(feature.slug, []).append(feature)
    for slug, same in by_slug.items():
        if len(same) > 1:
            problems.append(
                _('%(labels)s share the slug "%(slug)s". Give each feature its own "slug" property.')
                % {"labels": _and(feature.label for feature in same), "slug": slug}
            )
    for feature in features:
        if feature.parent and feature.parent not in by_slug and feature.parent not in stored:
            problems.append(
                _(
                    '%(label)s: the parent "%(parent)s" is neither in the file nor an area of this jurisdiction. '
                    'Use the slug of an existing area, add the parent to the file, or remove "parent".'
                )
                % {"label": feature.label, "parent": feature.parent}
            )
    problems += _parent_cycles([feature for feature in features if feature.slug], stored)
    if problems:
        _area_problems_raise(problems)
    return features


def _area_feature_check(index: int, item: Any, *, default_level: str | None) -> tuple[_AreaFeature | None, list[str]]:
    number = index + 1
    label = _("Feature %(number)d (features[%(index)d])") % {"number": number, "index": index}
    if not isinstance(item, dict) or item.get("type") != "Feature":
        return None, [_('%(label)s is not a GeoJSON Feature: it needs "type": "Feature".') % {"label": label}]
    properties = item.get("properties")
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return None, [_('%(label)s: "properties" must be an object.') % {"label": label}]

    problems: list[str] = []
    name = properties.get("name")
    if isinstance(name, str) and name.strip():
        name = name.strip()
        label = _("Feature %(number)d (features[%(index)d], “%(name)s”)") % {
            "number": number,
            "index": index,
            "name": name,
        }
        problems += _too_long(label, "name", name)
    else:
        problems.append(_('%(label)s has no name. Add a "name" property, such as "Centro".') % {"label": label})
        name = ""
    slug = _area_slug(label, name, properties.get("slug"), problems)
    level = _area_text(label, "level", properties.get("level") or default_level, problems, required=True)
    code = _area_text(label, "code", properties.get("code"), problems, required=False)
    parent = properties.get("parent") or None
    if parent is not None and not isinstance(parent, str):
        problems.append(
            _('%(label)s: "parent" must be the slug of another area, got %(parent)r.')
            % {"label": label, "parent": parent}
        )
    geometry = item.get("geometry")
    error = geometry_error(geometry)
    if error:
        problems.append(_("%(label)s: %(error)s") % {"label": label, "error": error})
    # Returned even with problems, so the checks across features (duplicate slugs, unknown
    # parents, loops) still run on it; nothing is written unless there are no problems at all.
    feature = _AreaFeature(
        number=number,
        label=label,
        name=name,
        slug=slug,
        level=level,
        code=code,
        parent=parent if isinstance(parent, str) else None,
        geometry={"type": geometry["type"], "coordinates": geometry["coordinates"]}
        if error is None and isinstance(geometry, dict)
        else {},
    )
    return feature, problems


def _area_slug(label: str, name: str, slug: Any, problems: list[str]) -> str:
    if slug in (None, ""):
        slug = slugify(name)
        if name and not slug:
            problems.append(
                _(
                    '%(label)s: no slug can be made from the name. Add a "slug" property of ASCII letters, digits, hyphens.'
                )
                % {"label": label}
            )
    elif not isinstance(slug, str) or not slug_re.match(slug):
        problems.append(
            _("%(label)s: the slug %(slug)r may only hold ASCII letters, digits, hyphens and underscores.")
            % {"label": label, "slug": slug}
        )
        return ""
    problems += _too_long(label, "slug", slug)
    return slug


def _area_text(label: str, field: str, value: Any, problems: list[str], *, required: bool) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # numeric codes are common in official boundary files
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        if required:
            problems.append(
                _('%(label)s has no %(field)s. Add a "%(field)s" property, such as "province", "district" or "ward".')
                % {"label": label, "field": field}
            )
        else:
            problems.append(
                _('%(label)s: "%(field)s" must be text, got %(value)r.')
                % {"label": label, "field": field, "value": value}
            )
        return ""
    value = value.strip()
    problems += _too_long(label, field, value)
    return value


def _too_long(label: str, field: str, value: str) -> list[str]:
    limit = Area._meta.get_field(field).max_length  # type: ignore[union-attr]
    if limit is None or len(value) <= limit:
        return []
    return [
        _('%(label)s: "%(field)s" is %(length)d characters long; the most allowed is %(limit)d.')
        % {"label": label, "field": field, "length": len(value), "limit": limit}
    ]


def _parent_cycles(features: list[_AreaFeature], stored: dict[str, Area]) -> list[str]:
    """Parent links that loop, counting both the file and the stored areas it does not replace."""
    in_file = {feature.slug: feature for feature in features}
    parent_of: dict[str, str | None] = {
        slug: area.parent.slug if area.parent is not None else None for slug, area in stored.items()
    }
    parent_of.update({feature.slug: feature.parent for feature in features})
    problems, reported = [], set()
    for feature in features:
        path: list[str] = []
        slug: str | None = feature.slug
        while slug is not None and slug not in path:
            path.append(slug)
            slug = parent_of.get(slug)
        if slug is None:
            continue
        cycle = path[path.index(slug) :]
        if frozenset(cycle) in reported:
            continue
        reported.add(frozenset(cycle))
        described = " → ".join(in_file[s].label if s in in_file else f'"{s}"' for s in [*cycle, slug])
        problems.append(
            _(
                "Parent links form a loop: %(cycle)s. An area cannot contain itself; remove or change one of these parents."
            )
            % {"cycle": described}
        )
    return problems


def _parents_first(features: list[_AreaFeature]) -> list[_AreaFeature]:
    in_file = {feature.slug: feature for feature in features}
    ordered: list[_AreaFeature] = []
    done: set[str] = set()

    def visit(feature: _AreaFeature) -> None:
        # Iterative enough for real hierarchies (a handful of levels); cycles were refused earlier.
        chain = []
        current: _AreaFeature | None = feature
        while current is not None and current.slug not in done:
            chain.append(current)
            current = in_file.get(current.parent) if current.parent else None
        for item in reversed(chain):
            done.add(item.slug)
            ordered.append(item)

    for feature in features:
        visit(feature)
    return ordered


def _and(labels: Any) -> str:
    items = list(labels)
    return (
        items[0]
        if len(items) == 1
        else _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}
    )


def _area_problems_raise(problems: list[str]) -> None:
    header = ngettext(
        "Nothing was imported: %(count)d problem was found. Fix it and import again.",
        "Nothing was imported: %(count)d problems were found. Fix them and import again.",
        len(problems),
    ) % {"count": len(problems)}
    raise CoreError("\n".join([header, *(f"- {problem}" for problem in problems)]))
