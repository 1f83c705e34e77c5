import shutil
from pathlib import Path

import pytest

from tests.factories import JurisdictionFactory

#: Unchanged copies of the HSDS 3.0 examples and per-object JSON schemas (see hsds_spec/README.md).
SPEC = Path(__file__).parent / "hsds_spec"
EXAMPLE_PACKAGE = SPEC / "examples" / "csv"
JSON_EXAMPLES = SPEC / "examples"


@pytest.fixture
def jurisdiction(db):
    return JurisdictionFactory()


@pytest.fixture
def package(tmp_path) -> Path:
    """A writable copy of the standard's example data package."""
    target = tmp_path / "package"
    shutil.copytree(EXAMPLE_PACKAGE, target)
    for path in target.iterdir():
        path.chmod(0o644)
    return target
