import csv
import json
from pathlib import Path

import pytest

from civicloop.directory.hsds.export import export_datapackage
from civicloop.directory.models import HSDS_MODELS, Metadata, Service
from civicloop.directory.services import directory_import_hsds
from tests.directory.conftest import EXAMPLE_PACKAGE


def _read_tables(directory: Path) -> dict[str, tuple[list[str], list[list[str]]]]:
    tables = {}
    for path in sorted(directory.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        tables[path.name] = (header, sorted(rows))
    return tables


@pytest.mark.django_db
def test_example_package_imports_every_table(jurisdiction):
    result = directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    assert result.created == {model.hsds_name: 1 for model in HSDS_MODELS}
    assert Service.objects.get().name == "Community Counselling"


@pytest.mark.django_db
def test_example_package_round_trips_field_by_field(jurisdiction, tmp_path):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    export_datapackage(out=tmp_path / "out", jurisdiction=jurisdiction)

    assert _read_tables(tmp_path / "out") == _read_tables(EXAMPLE_PACKAGE)
    exported = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    assert exported == json.loads((EXAMPLE_PACKAGE / "datapackage.json").read_text())


@pytest.mark.django_db
def test_example_package_reimport_changes_nothing(jurisdiction):
    directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    result = directory_import_hsds(jurisdiction=jurisdiction, path=EXAMPLE_PACKAGE)

    assert (result.created, result.updated, result.changes) == ({}, {}, 0)
    assert Metadata.objects.count() == 1  # the package's own entry
