import json

from civicloop.directory.models import HSDS_MODELS, Organization, TaxonomyTerm
from tests.directory.conftest import EXAMPLE_PACKAGE


def test_models_have_exactly_the_standards_fields_in_its_order():
    resources = json.loads((EXAMPLE_PACKAGE / "datapackage.json").read_text())["resources"]

    ours = {model.hsds_name: list(model.hsds_columns()) for model in HSDS_MODELS}

    assert ours == {resource["name"]: [f["name"] for f in resource["schema"]["fields"]] for resource in resources}


def test_models_name_references_by_their_hsds_column():
    assert Organization.hsds_columns()["parent_organization_id"] == "parent_organization_id"
    assert TaxonomyTerm.hsds_columns()["taxonomy_id"] == "taxonomy_detail_id"
    assert TaxonomyTerm.hsds_columns()["taxonomy"] == "taxonomy"
