"""`civicloop demo`: load Ciudad Esperanza, the fictional demo jurisdiction (see docs/demo.md)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicloop.accounts.services import AccountError
from civicloop.core.demo import AGENCIES, DEFAULT_SEED, DEMO_PASSWORD, DEMO_URL, demo_load
from civicloop.core.services import CoreError
from civicloop.reports.demo import DEMO_OPEN311_KEY


class Command(BaseCommand):
    help = (
        "Load the fictional demo city Ciudad Esperanza with its areas, agencies and one account per role. "
        "Safe to run again: only what is missing is created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Seed for the district and ward boundaries (default: %(default)s, the committed map).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Also put existing demo data back as defined: passwords, names, roles, agencies, areas, holidays.",
        )

    def handle(self, *, seed: int, reset: bool, **options) -> None:
        try:
            result = demo_load(seed=seed, reset=reset)
        except (CoreError, AccountError) as exc:
            raise CommandError(f"The demo could not be loaded, nothing was saved: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"The demo could not be loaded, nothing was saved: {'; '.join(exc.messages)}") from exc

        jurisdiction = result.jurisdiction
        levels = ", ".join(
            f"{count} {level}{'s' if count != 1 else ''}" for level, count in result.areas_per_level.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"{jurisdiction.name} ({jurisdiction.domain}) is loaded: areas {levels}; "
                f"{result.agencies} agencies; {result.holidays} public holidays; {len(result.accounts)} demo accounts."
            )
        )
        if result.changes:
            self.stdout.write(f"{result.changes} change(s) recorded in the audit trail.")
        else:
            self.stdout.write("Nothing changed: the demo was already in place.")

        agency_names = {spec.slug: spec.name for spec in AGENCIES}
        rows = [
            (
                account.email,
                account.role.label if account.role else "Citizen",
                agency_names.get(account.agency, account.organisation),
            )
            for account in result.accounts
        ]
        widths = [
            max(len(str(row[i])) for row in [("E-mail", "Role", "Agency / organisation"), *rows]) for i in range(3)
        ]
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for row in [("E-mail", "Role", "Agency / organisation"), *rows]:
            cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
        self.stdout.write("")
        self.stdout.write(f"Open311 demo api_key: {DEMO_OPEN311_KEY}  (demo only)")
        self.stdout.write(f"Sign in at {DEMO_URL}")
        self.stdout.write(
            self.style.WARNING(
                "These credentials are for the demo only. Demo accounts must never exist in production: "
                "do not run `civicloop demo` on a server people rely on."
            )
        )
