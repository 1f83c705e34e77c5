import json

import pytest
from django.core.management import CommandError, call_command

from civicloop.directory.models import Service
from tests.directory.conftest import EXAMPLE_PACKAGE, JSON_EXAMPLES
from tests.directory.test_hsds_validation import UNKNOWN, _edit
from tests.factories import JurisdictionFactory


@pytest.mark.django_db
def test_directory_import_package_reports_counts_and_warnings(jurisdiction, capsys):
    call_command("directory", "import", str(EXAMPLE_PACKAGE), "--jurisdiction", jurisdiction.slug)

    out, err = capsys.readouterr()
    assert f"into {jurisdiction.name}: 21 created, 0 updated, 0 unchanged, 0 changes logged, 7 warnings." in out
    assert "warning: locations.csv, row 2, organization_id: refers to organization" in err
    assert Service.objects.get().jurisdiction == jurisdiction


@pytest.mark.django_db
def test_directory_import_broken_package_lists_errors_and_fails(jurisdiction, package, capsys):
    _edit(package, "services.csv", status="open")
    _edit(package, "attributes.csv", taxonomy_term_id=UNKNOWN)

    with pytest.raises(CommandError, match=r"The import has 2 errors; nothing was imported\."):
        call_command("directory", "import", str(package / "datapackage.json"), "--jurisdiction", jurisdiction.slug)

    assert capsys.readouterr().err.splitlines() == [
        "services.csv, row 2, status: expected one of: active, inactive, defunct, temporarily closed",
        f"attributes.csv, row 2, taxonomy_term_id: unknown taxonomy term {UNKNOWN}",
    ]
    assert Service.objects.count() == 0


@pytest.mark.django_db
def test_directory_import_missing_path_fails(jurisdiction, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("directory", "import", str(tmp_path / "nothing.json"), "--jurisdiction", jurisdiction.slug)


@pytest.mark.django_db
def test_directory_export_json_writes_services(jurisdiction, tmp_path, capsys):
    JurisdictionFactory()
    call_command("directory", "import", str(JSON_EXAMPLES / "service_full.json"), "--jurisdiction", jurisdiction.slug)

    call_command(
        "directory", "export", "--format", "json", str(tmp_path / "out.json"), "--jurisdiction", jurisdiction.slug
    )

    assert json.loads((tmp_path / "out.json").read_text()) == [
        json.loads((JSON_EXAMPLES / "service_full.json").read_text())
    ]
    assert "Wrote 1 services to" in capsys.readouterr().out


@pytest.mark.django_db
def test_directory_export_datapackage_writes_every_table(jurisdiction, tmp_path):
    call_command("directory", "import", str(EXAMPLE_PACKAGE), "--jurisdiction", jurisdiction.slug)

    call_command("directory", "export", str(tmp_path / "pkg"))

    assert sorted(path.name for path in (tmp_path / "pkg").iterdir()) == sorted(
        path.name for path in EXAMPLE_PACKAGE.iterdir()
    )
