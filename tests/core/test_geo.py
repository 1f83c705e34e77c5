import math

import pytest

from civicloop.core.geo import areas_containing, clear_area_indexes, geometry_error
from civicloop.core.models import Area
from civicloop.core.services import area_import_geojson, area_index_invalidate
from tests.factories import AreaFactory, JurisdictionFactory, square

pytestmark = pytest.mark.django_db


def feature(name: str, level: str, geometry: dict, parent: str | None = None) -> dict:
    return {"type": "Feature", "properties": {"name": name, "level": level, "parent": parent}, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def slugs(areas: list[Area]) -> list[str]:
    return [area.slug for area in areas]


@pytest.fixture
def jurisdiction():
    return JurisdictionFactory()


@pytest.fixture
def hierarchy(jurisdiction):
    """A province split into two districts (west, east) sharing the line lon=5; a ward in the west."""
    return area_import_geojson(
        jurisdiction=jurisdiction,
        data=collection(
            feature("Ward", "ward", square(0, 0, 2), parent="west"),
            feature("West", "district", square(0, 0, 5), parent="province"),
            feature("East", "district", square(5, 0, 5), parent="province"),
            feature("Province", "province", square(0, 0, 10)),
        ),
    )


def test_areas_containing_returns_deepest_first(jurisdiction, hierarchy):
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)) == ["ward", "west", "province"]
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=7, lat=1)) == ["east", "province"]
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=3, lat=8)) == ["province"]


def test_areas_containing_counts_a_shared_boundary_as_inside_both(jurisdiction, hierarchy):
    # Equal depth and size: by name.
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=5, lat=1)) == ["east", "west", "province"]


def test_areas_containing_counts_the_outer_boundary_as_inside(jurisdiction, hierarchy):
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=0, lat=0)) == ["ward", "west", "province"]


def test_areas_containing_outside_every_area_is_empty(jurisdiction, hierarchy):
    assert areas_containing(jurisdiction=jurisdiction, lon=20, lat=20) == []


def test_areas_containing_without_areas_is_empty(jurisdiction):
    assert areas_containing(jurisdiction=jurisdiction, lon=0, lat=0) == []


def test_areas_containing_ignores_other_jurisdictions(jurisdiction, hierarchy):
    other = JurisdictionFactory()
    AreaFactory(jurisdiction=other, slug="elsewhere", geometry=square(0, 0, 10))
    assert slugs(areas_containing(jurisdiction=other, lon=1, lat=1)) == ["elsewhere"]
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)) == ["ward", "west", "province"]


def test_areas_containing_orders_unrelated_overlaps_smallest_first(jurisdiction):
    AreaFactory(jurisdiction=jurisdiction, slug="big", geometry=square(0, 0, 4))
    AreaFactory(jurisdiction=jurisdiction, slug="small", geometry=square(1, 1, 1))
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=1.5, lat=1.5)) == ["small", "big"]


def test_areas_containing_with_a_multipolygon_with_a_hole(jurisdiction):
    shell = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]
    hole = [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]
    island = square(10, 10, 1)["coordinates"]
    area_import_geojson(
        jurisdiction=jurisdiction,
        data=collection(
            feature("Lake shore", "ward", {"type": "MultiPolygon", "coordinates": [[shell, hole], island]})
        ),
    )

    def found(lon, lat):
        return slugs(areas_containing(jurisdiction=jurisdiction, lon=lon, lat=lat))

    assert found(0.5, 0.5) == ["lake-shore"]
    assert found(10.5, 10.5) == ["lake-shore"]
    assert found(2, 2) == []  # in the hole
    assert found(1, 2) == ["lake-shore"]  # on the hole's edge
    assert found(7, 7) == []


def test_areas_containing_returns_fresh_areas_with_geometry_deferred(jurisdiction, hierarchy):
    first = areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)[0]
    assert (first.name, first.level, first.parent_id, first.get_deferred_fields()) == (
        "Ward",
        "ward",
        Area.objects.get(slug="west").pk,
        {"geometry"},
    )
    first.name = "Changed by a caller"
    assert areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)[0].name == "Ward"
    assert first.geometry == square(0, 0, 2)  # loaded on demand


def test_areas_containing_sees_an_import_after_the_version_bump(jurisdiction, hierarchy):
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=3, lat=8)) == ["province"]
    version = jurisdiction.areas_version

    area_import_geojson(
        jurisdiction=jurisdiction, data=collection(feature("North", "ward", square(2, 6, 3), parent="west"))
    )

    assert jurisdiction.areas_version == version + 1
    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=3, lat=8)) == ["north", "province"]


def test_areas_containing_keeps_its_tree_until_the_version_moves(jurisdiction, hierarchy):
    areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)
    AreaFactory(jurisdiction=jurisdiction, slug="sneaked-in", geometry=square(0, 0, 1))  # bypasses the services
    assert "sneaked-in" not in slugs(areas_containing(jurisdiction=jurisdiction, lon=0.5, lat=0.5))

    area_index_invalidate(jurisdiction=jurisdiction)

    assert "sneaked-in" in slugs(areas_containing(jurisdiction=jurisdiction, lon=0.5, lat=0.5))


def test_areas_containing_costs_one_query_once_the_tree_is_built(jurisdiction, hierarchy, django_assert_num_queries):
    with django_assert_num_queries(2):  # the version, then the areas
        areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)
    for lon in (1, 5, 7, 20):
        with django_assert_num_queries(1):  # the version only
            areas_containing(jurisdiction=jurisdiction, lon=lon, lat=1)


def test_clear_area_indexes_forces_a_rebuild(jurisdiction, hierarchy, django_assert_num_queries):
    areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)
    clear_area_indexes()
    with django_assert_num_queries(2):
        assert slugs(areas_containing(jurisdiction=jurisdiction, lon=1, lat=1)) == ["ward", "west", "province"]


def test_areas_containing_skips_an_unreadable_stored_geometry(jurisdiction, caplog):
    broken = AreaFactory(jurisdiction=jurisdiction, slug="broken", geometry=square(0, 0, 1))
    Area.objects.filter(pk=broken.pk).update(geometry={"type": "Polygon", "coordinates": "nonsense"})
    AreaFactory(jurisdiction=jurisdiction, slug="fine", geometry=square(0, 0, 1))

    assert slugs(areas_containing(jurisdiction=jurisdiction, lon=0.5, lat=0.5)) == ["fine"]
    assert f"Area {broken.pk} has an unreadable geometry" in caplog.text


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (181, 0, "lon must be between -180 and 180, got 181."),
        (0, -90.5, "lat must be between -90 and 90, got -90.5."),
        (math.nan, 0, "lon must be a finite number, got nan."),
        ("70", 0, "lon must be a finite number, got '70'."),
        (0, True, "lat must be a finite number, got True."),
    ],
)
def test_areas_containing_refuses_bad_coordinates(jurisdiction, lon, lat, message):
    with pytest.raises(ValueError, match="Give WGS 84 degrees") as excinfo:
        areas_containing(jurisdiction=jurisdiction, lon=lon, lat=lat)
    assert str(excinfo.value).startswith(message)


def test_areas_containing_reports_both_bad_coordinates(jurisdiction):
    with pytest.raises(ValueError, match=r"lon must be .*, got 200\. lat must be .*, got -91\."):
        areas_containing(jurisdiction=jurisdiction, lon=200, lat=-91)


def test_areas_containing_of_an_unsaved_jurisdiction_is_refused():
    with pytest.raises(ValueError, match="Jurisdiction nowhere does not exist"):
        areas_containing(jurisdiction=JurisdictionFactory.build(slug="nowhere"), lon=0, lat=0)


# geometry_error

SHELL = [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]]


@pytest.mark.parametrize(
    "geometry",
    [
        square(-70.7, -33.5, 0.1),
        {"type": "Polygon", "coordinates": [SHELL, [[1, 1], [1, 3], [3, 3], [3, 1], [1, 1]]]},
        {"type": "MultiPolygon", "coordinates": [[SHELL], square(10, 10, 1)["coordinates"]]},
        {"type": "Polygon", "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]]]},
        square(179, 89, 1),
    ],
)
def test_geometry_error_accepts_valid_boundaries(geometry):
    assert geometry_error(geometry) is None


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        (None, "The geometry must be a GeoJSON object, got null."),
        ([], "The geometry must be a GeoJSON object, got list."),
        (
            {"type": "Point", "coordinates": [0, 0]},
            "The geometry type 'Point' is not supported; use Polygon or MultiPolygon.",
        ),
        ({"coordinates": [SHELL]}, "The geometry type None is not supported; use Polygon or MultiPolygon."),
        (
            {"type": "Polygon"},
            "coordinates must be a non-empty list of linear rings (the outer boundary, then any holes).",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]},
            "ring 1 is not closed: its last position must repeat its first, [0, 0].",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
            "ring 1 has too few points (3): a ring needs at least 4, the last repeating the first.",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "The geometry is not valid: Self-intersection[1 1]. Fix the boundary so its edges do not cross or overlap.",
        ),
        (
            {"type": "Polygon", "coordinates": [SHELL, square(10, 10, 1)["coordinates"][0]]},
            "The geometry is not valid: Hole lies outside shell[10 10]. Fix the boundary so its edges do not cross or overlap.",
        ),
        (
            {"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]},
            (
                "ring 1, position 1: coordinates [200, 0] are out of range: longitude must be within ±180 and "
                "latitude within ±90 (WGS 84 degrees, longitude first)."
            ),
        ),
        (
            {"type": "Polygon", "coordinates": [[[-33.4, -70.6], [-33.4, -70.5], [-33.3, -95], [-33.4, -70.6]]]},
            (
                "ring 1, position 3: coordinates [-33.3, -95] are out of range: longitude must be within ±180 and "
                "latitude within ±90 (WGS 84 degrees, longitude first)."
            ),
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]},
            "ring 1, position 2: expected [longitude, latitude], got ['1', 0].",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, math.nan], [1, 1], [0, 0]]]},
            "ring 1, position 2: coordinates must be finite numbers, got [1, nan].",
        ),
        ({"type": "Polygon", "coordinates": ["ring"]}, "ring 1 must be a list of [longitude, latitude] positions."),
        (
            {"type": "MultiPolygon", "coordinates": [[SHELL], [[[0, 0], [1, 0], [1, 1], [0, 1]]]]},
            "polygon 2, ring 1 is not closed: its last position must repeat its first, [0, 0].",
        ),
        (
            {"type": "MultiPolygon", "coordinates": []},
            "A MultiPolygon's coordinates must be a non-empty list of polygons.",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]},
            # Collinear points enclose nothing; GEOS calls it a self-intersection.
            "The geometry is not valid: Self-intersection[1 1]. Fix the boundary so its edges do not cross or overlap.",
        ),
    ],
)
def test_geometry_error_explains_the_problem(geometry, message):
    assert geometry_error(geometry) == message
