import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from civicloop.core.enums import Channel
from civicloop.core.models import Area, AuditEvent
from civicloop.core.services import CoreError, area_import_geojson
from tests.factories import AreaFactory, JurisdictionFactory, UserFactory, square

pytestmark = pytest.mark.django_db


def feature(geometry: dict | None = None, **properties) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry or square(0, 0, 1)}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
CITY = collection(
    feature(square(0, 0, 1), name="Plaza", level="ward", parent="centro", code="CE-01-01"),
    feature(square(0, 0, 2), name="Centro", level="district", parent="ciudad", code=7),
    feature(square(0, 0, 4), name="Ciudad", level="city"),
)


@pytest.fixture
def jurisdiction():
    return JurisdictionFactory(name="Ciudad Esperanza", slug="ciudad-esperanza")


def tree(jurisdiction) -> dict[str, tuple]:
    return {
        area.slug: (area.name, area.level, area.code, area.parent.slug if area.parent else None)
        for area in Area.objects.filter(jurisdiction=jurisdiction).select_related("parent")
    }


def counts(jurisdiction) -> tuple[int, int, int]:
    jurisdiction.refresh_from_db()
    return Area.objects.count(), AuditEvent.objects.count(), jurisdiction.areas_version


# --- The service ------------------------------------------------------------------------


def test_area_import_geojson_creates_a_hierarchy_whatever_the_feature_order(jurisdiction):
    user = UserFactory()

    result = area_import_geojson(jurisdiction=jurisdiction, data=CITY, by=user, channel=Channel.WEB)

    assert [area.slug for area in result] == ["plaza", "centro", "ciudad"]
    assert [area.slug for area in result.created] == ["ciudad", "centro", "plaza"]  # parents first
    assert (result.updated, result.unchanged) == ([], [])
    assert tree(jurisdiction) == {
        "ciudad": ("Ciudad", "city", "", None),
        "centro": ("Centro", "district", "7", "ciudad"),
        "plaza": ("Plaza", "ward", "CE-01-01", "centro"),
    }
    centro = Area.objects.get(slug="centro")
    assert (centro.min_lon, centro.min_lat, centro.max_lon, centro.max_lat) == (0, 0, 2, 2)
    assert centro.geometry == square(0, 0, 2)
    assert jurisdiction.areas_version == 1


def test_area_import_geojson_audits_each_created_area(jurisdiction):
    user = UserFactory()
    area_import_geojson(jurisdiction=jurisdiction, data=CITY, by=user, channel=Channel.WEB)

    events = AuditEvent.objects.order_by("pk")
    assert [(e.action, e.object_repr, e.actor, e.channel, e.jurisdiction, e.before) for e in events] == [
        ("area.create", "Ciudad", user, "web", jurisdiction, None),
        ("area.create", "Centro", user, "web", jurisdiction, None),
        ("area.create", "Plaza", user, "web", jurisdiction, None),
    ]
    ciudad, centro = Area.objects.get(slug="ciudad"), Area.objects.get(slug="centro")
    assert events[1].after == {
        "name": "Centro",
        "slug": "centro",
        "level": "district",
        "code": "7",
        "parent": ciudad.pk,
        "geometry": square(0, 0, 2),
        "min_lon": 0.0,
        "min_lat": 0.0,
        "max_lon": 2.0,
        "max_lat": 2.0,
    }
    assert events[1].object_id == str(centro.pk)


def test_area_import_geojson_again_changes_nothing(jurisdiction):
    area_import_geojson(jurisdiction=jurisdiction, data=CITY)
    before = counts(jurisdiction)

    result = area_import_geojson(jurisdiction=jurisdiction, data=CITY)

    assert (len(result), result.created, result.updated, len(result.unchanged)) == (3, [], [], 3)
    assert counts(jurisdiction) == before  # no event, no version bump


def test_area_import_geojson_updates_changed_fields_only(jurisdiction):
    area_import_geojson(jurisdiction=jurisdiction, data=CITY)
    plaza = Area.objects.get(slug="plaza")
    changed = collection(
        feature(square(0.5, 0.5, 1), name="Plaza Mayor", slug="plaza", level="ward", parent="centro", code="CE-01-01")
    )

    result = area_import_geojson(jurisdiction=jurisdiction, data=changed, by=None)

    assert result.updated == [plaza]
    event = AuditEvent.objects.get(action="area.update")
    assert (event.before, event.after, event.actor, event.channel) == (
        {
            "name": "Plaza",
            "geometry": square(0, 0, 1),
            "min_lon": 0.0,
            "min_lat": 0.0,
            "max_lon": 1.0,
            "max_lat": 1.0,
        },
        {
            "name": "Plaza Mayor",
            "geometry": square(0.5, 0.5, 1),
            "min_lon": 0.5,
            "min_lat": 0.5,
            "max_lon": 1.5,
            "max_lat": 1.5,
        },
        None,
        "system",
    )
    assert jurisdiction.areas_version == 2


def test_area_import_geojson_moves_an_area_to_another_parent(jurisdiction):
    area_import_geojson(jurisdiction=jurisdiction, data=CITY)
    area_import_geojson(
        jurisdiction=jurisdiction,
        data=collection(feature(name="Plaza", level="ward", parent="ciudad", code="CE-01-01")),
    )
    event = AuditEvent.objects.get(action="area.update")
    assert (event.before, event.after) == (
        {"parent": Area.objects.get(slug="centro").pk},
        {"parent": Area.objects.get(slug="ciudad").pk},
    )


def test_area_import_geojson_leaves_areas_missing_from_the_file_alone(jurisdiction):
    area_import_geojson(jurisdiction=jurisdiction, data=CITY)
    area_import_geojson(
        jurisdiction=jurisdiction,
        data=collection(feature(square(1, 1, 1), name="Norte", level="ward", parent="centro")),
    )
    assert sorted(tree(jurisdiction)) == ["centro", "ciudad", "norte", "plaza"]


def test_area_import_geojson_accepts_defaults_and_optional_properties(jurisdiction):
    multipolygon = {
        "type": "MultiPolygon",
        "coordinates": [square(0, 0, 1)["coordinates"], square(5, 5, 1)["coordinates"]],
    }
    data = collection(
        {
            "type": "Feature",
            "properties": {"name": "  Río Claro ", "parent": None, "code": None},
            "geometry": multipolygon,
        },
        {
            "type": "Feature",
            "properties": {"name": "Bajo", "slug": "bajo_2", "parent": ""},
            "geometry": square(0, 0, 1),
        },
    )

    area_import_geojson(jurisdiction=jurisdiction, data=data, default_level="ward")

    assert tree(jurisdiction) == {"rio-claro": ("Río Claro", "ward", "", None), "bajo_2": ("Bajo", "ward", "", None)}
    assert Area.objects.get(slug="rio-claro").max_lon == 6


def test_area_import_geojson_takes_a_parent_already_in_the_database(jurisdiction):
    AreaFactory(jurisdiction=jurisdiction, slug="old-district")
    area_import_geojson(
        jurisdiction=jurisdiction, data=collection(feature(name="New", level="ward", parent="old-district"))
    )
    assert tree(jurisdiction)["new"] == ("New", "ward", "", "old-district")


def test_area_import_geojson_keeps_only_type_and_coordinates_of_the_geometry(jurisdiction):
    geometry = {**square(0, 0, 1), "bbox": [0, 0, 1, 1], "crs": {"type": "name"}}
    area_import_geojson(jurisdiction=jurisdiction, data=collection(feature(geometry, name="A", level="ward")))
    assert Area.objects.get().geometry == square(0, 0, 1)


def test_area_import_geojson_lists_every_problem_and_saves_nothing(jurisdiction):
    AreaFactory(jurisdiction=jurisdiction, slug="kept", name="Kept")
    before = counts(jurisdiction)
    data = collection(
        feature(name="Good", level="ward"),
        feature(level="ward"),
        feature(BOWTIE, name="Crossed", level="ward"),
        feature(name="Twin", level="ward"),
        feature(name="Twin", level="district"),
        feature(name="Orphan", level="ward", parent="atlantis"),
        feature(name="No level"),
        "not a feature",
        feature(name="Loop A", level="ward", parent="loop-b"),
        feature(name="Loop B", level="ward", parent="loop-a"),
        feature(name="Narcissus", level="ward", parent="narcissus"),
    )

    with pytest.raises(CoreError) as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)

    assert str(excinfo.value).splitlines() == [
        "Nothing was imported: 8 problems were found. Fix them and import again.",
        '- Feature 2 (features[1]) has no name. Add a "name" property, such as "Centro".',
        (
            "- Feature 3 (features[2], “Crossed”): The geometry is not valid: Self-intersection[1 1]. "
            "Fix the boundary so its edges do not cross or overlap."
        ),
        (
            '- Feature 7 (features[6], “No level”) has no level. Add a "level" property, such as "province", '
            '"district" or "ward".'
        ),
        '- Feature 8 (features[7]) is not a GeoJSON Feature: it needs "type": "Feature".',
        (
            '- Feature 4 (features[3], “Twin”) and Feature 5 (features[4], “Twin”) share the slug "twin". '
            'Give each feature its own "slug" property.'
        ),
        (
            '- Feature 6 (features[5], “Orphan”): the parent "atlantis" is neither in the file nor an area of this '
            'jurisdiction. Use the slug of an existing area, add the parent to the file, or remove "parent".'
        ),
        (
            "- Parent links form a loop: Feature 9 (features[8], “Loop A”) → Feature 10 (features[9], “Loop B”) → "
            "Feature 9 (features[8], “Loop A”). An area cannot contain itself; remove or change one of these parents."
        ),
        (
            "- Parent links form a loop: Feature 11 (features[10], “Narcissus”) → Feature 11 (features[10], "
            "“Narcissus”). An area cannot contain itself; remove or change one of these parents."
        ),
    ]
    assert counts(jurisdiction) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "The data is not a GeoJSON FeatureCollection (found 'list')."),
        (square(0, 0, 1), "The data is not a GeoJSON FeatureCollection (found 'Polygon')."),
        ({"type": "FeatureCollection", "features": []}, "The FeatureCollection has no features"),
        ({"type": "FeatureCollection"}, "The FeatureCollection has no features"),
    ],
)
def test_area_import_geojson_refuses_what_is_not_a_feature_collection(jurisdiction, data, message):
    with pytest.raises(CoreError, match="Nothing was imported: 1 problem was found") as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)
    assert message in str(excinfo.value)
    assert counts(jurisdiction) == (0, 0, 0)


def test_area_import_geojson_refuses_a_loop_through_stored_areas(jurisdiction):
    area_import_geojson(jurisdiction=jurisdiction, data=CITY)
    before = counts(jurisdiction)
    # Ciudad (stored) contains Centro (stored); making Ciudad a child of Plaza closes a loop.
    data = collection(feature(square(0, 0, 4), name="Ciudad", level="city", parent="plaza"))

    with pytest.raises(CoreError) as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)

    assert str(excinfo.value).splitlines()[1] == (
        '- Parent links form a loop: Feature 1 (features[0], “Ciudad”) → "plaza" → "centro" → '
        "Feature 1 (features[0], “Ciudad”). An area cannot contain itself; remove or change one of these parents."
    )
    assert counts(jurisdiction) == before


@pytest.mark.parametrize(
    ("properties", "message"),
    [
        ({"name": "x" * 201, "level": "ward"}, '"name" is 201 characters long; the most allowed is 200.'),
        ({"name": "A", "slug": "a b", "level": "ward"}, "the slug 'a b' may only hold ASCII letters"),
        ({"name": "北京", "level": "ward"}, "no slug can be made from the name"),
        ({"name": "A", "level": "ward", "code": ["x"]}, "\"code\" must be text, got ['x']."),
        ({"name": "A", "level": "ward", "parent": 3}, '"parent" must be the slug of another area, got 3.'),
        ({"name": "A", "level": "w" * 51}, '"level" is 51 characters long; the most allowed is 50.'),
    ],
)
def test_area_import_geojson_checks_each_property(jurisdiction, properties, message):
    data = collection({"type": "Feature", "properties": properties, "geometry": square(0, 0, 1)})
    with pytest.raises(CoreError) as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)
    assert message in str(excinfo.value)
    assert counts(jurisdiction) == (0, 0, 0)


def test_area_import_geojson_refuses_a_feature_without_properties(jurisdiction):
    data = collection({"type": "Feature", "properties": None, "geometry": square(0, 0, 1)})
    with pytest.raises(CoreError, match=r"Feature 1 \(features\[0\]\) has no name") as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)
    assert "has no level" in str(excinfo.value)


# --- The command ------------------------------------------------------------------------


@pytest.fixture
def geojson_file(tmp_path):
    def write(data, name="areas.geojson") -> str:
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return write


def areas(*args: str) -> str:
    out = StringIO()
    call_command("areas", *args, stdout=out)
    return out.getvalue()


def test_areas_import_command_prints_a_summary(jurisdiction, geojson_file):
    path = geojson_file(CITY)
    output = areas("import", path, "--jurisdiction", "ciudad-esperanza")
    assert output == "Imported 3 areas (3 created, 0 updated, 0 unchanged) into Ciudad Esperanza (ciudad-esperanza).\n"

    changed = collection(*CITY["features"][:2], feature(square(0, 0, 5), name="Ciudad", level="city"))
    output = areas("import", geojson_file(changed), "--jurisdiction", "ciudad-esperanza", "-v", "2")
    assert output.splitlines() == [
        "  updated: Ciudad (city, ciudad)",
        "Imported 3 areas (0 created, 1 updated, 2 unchanged) into Ciudad Esperanza (ciudad-esperanza).",
    ]
    assert AuditEvent.objects.filter(action="area.update", channel="system", actor=None).count() == 1


def test_areas_import_command_uses_the_level_option(jurisdiction, geojson_file):
    path = geojson_file(collection({"type": "Feature", "properties": {"name": "Alto"}, "geometry": square(0, 0, 1)}))
    areas("import", path, "--jurisdiction", "ciudad-esperanza", "--level", "ward")
    assert tree(jurisdiction) == {"alto": ("Alto", "ward", "", None)}


def test_areas_import_command_with_a_broken_file_writes_nothing(jurisdiction, geojson_file, tmp_path):
    areas("import", geojson_file(CITY), "--jurisdiction", "ciudad-esperanza")
    before = counts(jurisdiction)
    broken = collection(
        feature(square(0, 0, 9), name="Ciudad", level="city"),  # a valid change, not saved either
        feature(BOWTIE, name="Crossed", level="ward"),
    )

    with pytest.raises(CommandError) as excinfo:
        areas("import", geojson_file(broken, "broken.geojson"), "--jurisdiction", "ciudad-esperanza")

    assert str(excinfo.value).splitlines() == [
        f"{tmp_path / 'broken.geojson'} was not imported into Ciudad Esperanza.",
        "Nothing was imported: 1 problem was found. Fix it and import again.",
        (
            "- Feature 2 (features[1], “Crossed”): The geometry is not valid: Self-intersection[1 1]. "
            "Fix the boundary so its edges do not cross or overlap."
        ),
    ]
    assert counts(jurisdiction) == before
    assert Area.objects.get(slug="ciudad").max_lon == 4


def test_areas_import_command_reports_invalid_json_with_its_position(jurisdiction, geojson_file):
    path = geojson_file('{"type": "FeatureCollection",\n  "features": [}\n')
    with pytest.raises(CommandError, match=r"is not valid JSON: Expecting value at line 2, column 16\."):
        areas("import", path, "--jurisdiction", "ciudad-esperanza")
    assert counts(jurisdiction) == (0, 0, 0)


def test_areas_import_command_reports_a_missing_file(jurisdiction, tmp_path):
    missing = tmp_path / "nope.geojson"
    with pytest.raises(CommandError, match=f"File {missing} does not exist. Check the path and try again."):
        areas("import", str(missing), "--jurisdiction", "ciudad-esperanza")


def test_areas_import_command_reports_a_directory_and_non_utf8(jurisdiction, tmp_path):
    with pytest.raises(CommandError, match="is a directory; give the path of a GeoJSON file"):
        areas("import", str(tmp_path), "--jurisdiction", "ciudad-esperanza")
    latin1 = tmp_path / "latin1.geojson"
    latin1.write_bytes('{"name": "Peñalolén"}'.encode("latin-1"))
    with pytest.raises(CommandError, match=r"is not UTF-8 text \(byte 12\); save the GeoJSON as UTF-8"):
        areas("import", str(latin1), "--jurisdiction", "ciudad-esperanza")


def test_areas_import_command_accepts_a_byte_order_mark(jurisdiction, tmp_path):
    path = tmp_path / "bom.geojson"
    path.write_text(json.dumps(CITY), encoding="utf-8-sig")
    assert areas("import", str(path), "--jurisdiction", "ciudad-esperanza").startswith("Imported 3 areas")


def test_areas_command_lists_valid_jurisdictions_for_an_unknown_one(jurisdiction, geojson_file):
    JurisdictionFactory(slug="another-town")
    with pytest.raises(
        CommandError, match=r"^No jurisdiction 'atlantis'\. Valid jurisdictions: another-town, ciudad-esperanza\.$"
    ):
        areas("import", geojson_file(CITY), "--jurisdiction", "atlantis")
    with pytest.raises(CommandError, match=r"^Say which jurisdiction with --jurisdiction SLUG\. Valid jurisdictions: "):
        areas("list")


def test_areas_command_without_jurisdiction_uses_the_only_one(jurisdiction, geojson_file):
    assert areas("import", geojson_file(CITY)).startswith("Imported 3 areas (3 created")


def test_areas_command_without_any_jurisdiction_says_how_to_make_one(geojson_file):
    with pytest.raises(CommandError, match="There is no jurisdiction yet"):
        areas("import", geojson_file(CITY))


def test_areas_command_requires_a_subcommand(jurisdiction):
    with pytest.raises(CommandError, match=r"the following arguments are required: {import,list}"):
        areas()


def test_areas_list_command_prints_a_tree(jurisdiction):
    area_import_geojson(
        jurisdiction=jurisdiction,
        data=collection(
            *CITY["features"],
            feature(square(1, 1, 1), name="Alameda", level="ward", parent="centro"),
            feature(square(2, 2, 2), name="Borde", level="district", parent="ciudad"),
        ),
    )
    AreaFactory(jurisdiction=JurisdictionFactory(), slug="elsewhere")

    assert areas("list", "--jurisdiction", "ciudad-esperanza").splitlines() == [
        "Areas of Ciudad Esperanza (ciudad-esperanza): 5",
        "Ciudad (city, ciudad)",
        "  Borde (district, borde)",
        "  Centro (district, centro, code 7)",
        "    Alameda (ward, alameda)",
        "    Plaza (ward, plaza, code CE-01-01)",
    ]


def test_areas_list_command_without_areas_says_how_to_import(jurisdiction):
    assert areas("list", "--jurisdiction", "ciudad-esperanza") == (
        "Ciudad Esperanza (ciudad-esperanza) has no areas yet. Import them with: "
        "civicloop areas import FILE --jurisdiction ciudad-esperanza\n"
    )


def test_area_import_geojson_checks_links_of_features_that_have_other_problems(jurisdiction):
    data = collection(
        feature(BOWTIE, name="Crossed", level="ward", parent="atlantis"),
        feature(name="Crossed", level="ward"),
    )
    with pytest.raises(CoreError) as excinfo:
        area_import_geojson(jurisdiction=jurisdiction, data=data)
    assert [line.split(":")[0] for line in str(excinfo.value).splitlines()] == [
        "Nothing was imported",
        "- Feature 1 (features[0], “Crossed”)",
        '- Feature 1 (features[0], “Crossed”) and Feature 2 (features[1], “Crossed”) share the slug "crossed". Give each feature its own "slug" property.',
        "- Feature 1 (features[0], “Crossed”)",
    ]
    assert 'the parent "atlantis" is neither in the file' in str(excinfo.value)
