"""Who may do what in the service directory (autodiscovered by django-rules, like accounts/rules.py)."""

import rules

from civicloop.accounts.rules import is_admin

# The admin site: administrators look at every HSDS table (objects change through an import or
# the directory's services, which keep the change log) and link organizations to agencies.
rules.add_perm("directory", is_admin)
for _model in (
    "organization",
    "organizationidentifier",
    "program",
    "service",
    "location",
    "serviceatlocation",
    "address",
    "contact",
    "phone",
    "schedule",
    "funding",
    "servicearea",
    "requireddocument",
    "language",
    "accessibility",
    "taxonomy",
    "taxonomyterm",
    "costoption",
    "attribute",
    "metadata",
    "metatabledescription",
):
    rules.add_perm(f"directory.view_{_model}", is_admin)
rules.add_perm("directory.change_organization", is_admin)
