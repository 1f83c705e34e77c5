"""Who may manage categories and routing (autodiscovered by django-rules, like accounts/rules.py)."""

import rules

from civicloop.accounts.rules import is_admin

# The admin site: administrators manage categories, their questions and routing rules.
# Categories are retired by unticking "active", never deleted: reports will point at them,
# and a deletion would not move Open311 discovery's changeset.
rules.add_perm("reports", is_admin)
for _action in ("view", "add", "change"):
    rules.add_perm(f"reports.{_action}_category", is_admin)
for _model in ("categoryattribute", "routingrule"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"reports.{_action}_{_model}", is_admin)
# Open311 API keys are issued and revoked (the "change" permission runs the revoke action),
# never edited or deleted: the audit trail must keep pointing at them.
for _action in ("view", "add", "change"):
    rules.add_perm(f"reports.{_action}_open311apikey", is_admin)
