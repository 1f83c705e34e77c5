"""Point-in-area lookup and geometry checks, with shapely; no spatial database needed.

Each process keeps one STRtree per jurisdiction, built from its areas on first use. Every
lookup costs one small query (the jurisdiction's ``areas_version``); the tree is rebuilt
only when that version has moved, which every service that changes areas makes happen
(``services.area_index_invalidate``). A write that bypasses the services leaves stale trees
in running processes until the next version bump.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from typing import Any

import shapely
from django.db import router
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from civicloop.core.models import Area, Jurisdiction

logger = logging.getLogger(__name__)

SUPPORTED_TYPES = ("Polygon", "MultiPolygon")


# --- Lookup --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Index:
    stamp: tuple[Any, ...]
    tree: shapely.STRtree
    #: Per tree position: the area's database row (attnames without geometry) and its sort rank.
    rows: list[tuple[Any, ...]]
    ranks: list[int]


_INDEX_FIELDS = [field.attname for field in Area._meta.concrete_fields if field.attname != "geometry"]
_indexes: dict[int, _Index] = {}
_lock = threading.Lock()


def areas_containing(*, jurisdiction: Jurisdiction, lon: float, lat: float) -> list[Area]:
    """The jurisdiction's areas that contain the point, deepest in the hierarchy first.

    A point on a boundary is inside (two neighbouring wards both contain a point on their
    shared edge). Order: depth in the parent hierarchy (ward before district before
    province), then smaller area first, then name. The returned Area objects are fresh
    copies with `geometry` deferred (reading it costs a query); everything else is loaded.
    """
    point = _point(lon, lat)
    index = _index_for(jurisdiction)
    hits = index.tree.query(point, predicate="covered_by")
    ordered = sorted((int(position) for position in hits), key=index.ranks.__getitem__)
    db = router.db_for_read(Area)
    return [Area.from_db(db, _INDEX_FIELDS, index.rows[position]) for position in ordered]


def clear_area_indexes() -> None:
    """Forget every cached tree in this process (they are rebuilt on the next lookup)."""
    with _lock:
        _indexes.clear()


def _point(lon: float, lat: float) -> shapely.Point:
    problems = []
    for name, value, limit in (("lon", lon, 180), ("lat", lat, 90)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            problems.append(_("%(name)s must be a finite number, got %(value)r.") % {"name": name, "value": value})
        elif not -limit <= value <= limit:
            problems.append(
                _("%(name)s must be between -%(limit)s and %(limit)s, got %(value)s.")
                % {"name": name, "limit": limit, "value": value}
            )
    if problems:
        raise ValueError(" ".join(problems) + " " + _("Give WGS 84 degrees: longitude first, then latitude."))
    return shapely.Point(lon, lat)


def _index_for(jurisdiction: Jurisdiction) -> _Index:
    # created_at joins the version so a recreated jurisdiction reusing a primary key (SQLite
    # after a rollback) never meets its predecessor's tree.
    rows = Jurisdiction.objects.filter(pk=jurisdiction.pk).values_list("areas_version", "created_at").order_by()
    stamp = next(iter(rows), None)
    if stamp is None:
        raise ValueError(_("Jurisdiction %(slug)s does not exist (any more).") % {"slug": jurisdiction.slug})
    index = _indexes.get(jurisdiction.pk)
    if index is not None and index.stamp == stamp:
        return index
    with _lock:  # one rebuild at a time; a thread that waited finds the fresh tree
        index = _indexes.get(jurisdiction.pk)
        if index is None or index.stamp != stamp:
            index = _build(jurisdiction.pk, stamp)
            _indexes[jurisdiction.pk] = index
        return index


def _build(jurisdiction_pk: int, stamp: tuple[Any, ...]) -> _Index:
    # One query; rows keep everything but the geometry, whose memory shapely holds compactly.
    rows = list(
        Area.objects.filter(jurisdiction_id=jurisdiction_pk).order_by("pk").values_list(*_INDEX_FIELDS, "geometry")
    )
    pk_at, parent_at, name_at = (_INDEX_FIELDS.index(name) for name in ("id", "parent_id", "name"))
    geometries, kept = [], []
    for row in rows:
        geometry = _shape(row[-1], row)
        if geometry is not None:
            geometries.append(geometry)
            kept.append(row[:-1])
    parents = {row[pk_at]: row[parent_at] for row in kept}
    keys = [
        (-_depth(row[pk_at], parents), geometry.area, row[name_at], row[pk_at])
        for row, geometry in zip(kept, geometries, strict=True)
    ]
    order = sorted(range(len(kept)), key=keys.__getitem__)
    ranks = [0] * len(kept)
    for rank, position in enumerate(order):
        ranks[position] = rank
    # shapely 2 builds the GEOS tree here, not lazily, so concurrent queries are safe.
    tree = shapely.STRtree(geometries)
    logger.debug("Built the area index of jurisdiction %s: %d areas", jurisdiction_pk, len(kept))
    return _Index(stamp=stamp, tree=tree, rows=kept, ranks=ranks)


def _shape(geojson: Any, row: tuple[Any, ...]) -> shapely.Geometry | None:
    """The stored geometry as shapely; repaired if invalid, skipped (and logged) if unreadable."""
    try:
        geometry = shape(geojson)
    except Exception:  # a bad row must not take every lookup down with it
        logger.warning("Area %s has an unreadable geometry; it is left out of point lookups.", row[0])
        return None
    if not geometry.is_valid:
        logger.warning(
            "Area %s has an invalid geometry (%s); using a repaired copy.", row[0], explain_validity(geometry)
        )
        geometry = shapely.make_valid(geometry)
    return geometry


def _depth(pk: int, parents: dict[int, int | None]) -> int:
    depth, seen = 0, {pk}
    parent = parents.get(pk)
    while parent is not None and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = parents.get(parent)
    return depth


# --- Geometry checks -----------------------------------------------------------------------


def geometry_error(geojson: Any) -> str | None:
    """Why this GeoJSON geometry cannot be an area's boundary, or None if it can.

    An area is a GeoJSON Polygon or MultiPolygon in WGS 84 degrees (longitude, latitude):
    every ring closed and of at least four positions, coordinates in range, and valid in the
    OGC sense (no self-intersection, holes inside their shell, …).
    """
    if not isinstance(geojson, dict):
        return _("The geometry must be a GeoJSON object, got %(kind)s.") % {"kind": _kind(geojson)}
    kind = geojson.get("type")
    if kind not in SUPPORTED_TYPES:
        return _("The geometry type %(type)r is not supported; use Polygon or MultiPolygon.") % {"type": kind}
    coordinates = geojson.get("coordinates")
    if kind == "Polygon":
        problem = _polygon_error(coordinates, where="")
    elif not isinstance(coordinates, list) or not coordinates:
        problem = _("A MultiPolygon's coordinates must be a non-empty list of polygons.")
    else:
        problem = next(
            (
                error
                for number, polygon in enumerate(coordinates, start=1)
                if (error := _polygon_error(polygon, where=_("polygon %(n)d, ") % {"n": number}))
            ),
            None,
        )
    if problem:
        return problem
    geometry = shape(geojson)
    if not geometry.is_valid:
        return _("The geometry is not valid: %(reason)s. Fix the boundary so its edges do not cross or overlap.") % {
            "reason": explain_validity(geometry)
        }
    if geometry.area <= 0:
        return _("The geometry encloses no area.")
    return None


def _polygon_error(rings: Any, *, where: str) -> str | None:
    if not isinstance(rings, list) or not rings:
        return _(
            "%(where)scoordinates must be a non-empty list of linear rings (the outer boundary, then any holes)."
        ) % {"where": where}
    for ring_number, ring in enumerate(rings, start=1):
        at = _("%(where)sring %(ring)d") % {"where": where, "ring": ring_number}
        if not isinstance(ring, list):
            return _("%(at)s must be a list of [longitude, latitude] positions.") % {"at": at}
        for point_number, position in enumerate(ring, start=1):
            problem = _position_error(position)
            if problem:
                return _("%(at)s, position %(n)d: %(problem)s") % {"at": at, "n": point_number, "problem": problem}
        if len(ring) < 4:
            return _(
                "%(at)s has too few points (%(count)d): a ring needs at least 4, the last repeating the first."
            ) % {
                "at": at,
                "count": len(ring),
            }
        if ring[0][:2] != ring[-1][:2]:
            return _("%(at)s is not closed: its last position must repeat its first, %(first)s.") % {
                "at": at,
                "first": ring[0],
            }
    return None


def _position_error(position: Any) -> str | None:
    if (
        not isinstance(position, list)
        or len(position) not in (2, 3)
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
    ):
        return _("expected [longitude, latitude], got %(value)s.") % {"value": _short(position)}
    if not all(math.isfinite(v) for v in position):
        return _("coordinates must be finite numbers, got %(value)s.") % {"value": position}
    lon, lat = position[0], position[1]
    if not -180 <= lon <= 180 or not -90 <= lat <= 90:
        return _(
            "coordinates %(value)s are out of range: longitude must be within ±180 and latitude within ±90 "
            "(WGS 84 degrees, longitude first)."
        ) % {"value": position}
    return None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
