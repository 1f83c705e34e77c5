"""`civicloop open311 create-key|list-keys|revoke-key`: Open311 API keys for integrations.

Thin wrappers over reports.services (audited, channel `system`) and reports.selectors.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicloop.core.commands import jurisdiction_from_option
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Jurisdiction
from civicloop.reports.models import Open311ApiKey
from civicloop.reports.selectors import open311_key_list
from civicloop.reports.services import ReportsError, open311_key_create, open311_key_revoke


class Command(BaseCommand):
    help = "Issue, list and revoke the Open311 API keys (api_key) of integrations."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{create-key,list-keys,revoke-key}"
        )
        create = subcommands.add_parser(
            "create-key",
            help="Issue a key for an integration and print it once.",
            description="The key is printed once and stored only as a digest: copy it now.",
        )
        create.add_argument("name", metavar="NAME", help="The integration that will use the key, e.g. 'City app'.")
        _jurisdiction_argument(create)
        create.add_argument("--email", default="", help="Contact e-mail of the integration's maintainers.")
        create.add_argument(
            "--updates",
            action="store_true",
            help="Allow the key to change reports' status (POST servicerequestupdates), e.g. for a work-order system.",
        )
        create.add_argument(
            "--agency",
            default="",
            metavar="SLUG",
            help="With --updates: only on the reports this agency handles.",
        )

        lister = subcommands.add_parser("list-keys", help="List a jurisdiction's keys (prefixes only).")
        _jurisdiction_argument(lister)

        revoke = subcommands.add_parser("revoke-key", help="Stop a key working at once.")
        revoke.add_argument("prefix", metavar="PREFIX", help="The key's prefix, as list-keys shows it.")

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "create-key":
            self._create(
                jurisdiction_from_option(options["jurisdiction"]),
                options["name"],
                options["email"],
                updates=options["updates"],
                agency_slug=options["agency"],
            )
        elif subcommand == "list-keys":
            self._list(jurisdiction_from_option(options["jurisdiction"]))
        else:
            self._revoke(options["prefix"])

    def _create(self, jurisdiction: Jurisdiction, name: str, email: str, *, updates: bool, agency_slug: str) -> None:
        agency = None
        if agency_slug:
            if not updates:
                raise CommandError("--agency limits status updates; give --updates as well.")
            agency = Agency.objects.filter(jurisdiction=jurisdiction, slug=agency_slug).first()
            if agency is None:
                slugs = ", ".join(Agency.objects.filter(jurisdiction=jurisdiction).values_list("slug", flat=True))
                raise CommandError(f"No agency {agency_slug!r} in {jurisdiction.name}. Agencies: {slugs}.")
        try:
            key, raw = open311_key_create(
                jurisdiction=jurisdiction,
                name=name,
                contact_email=email,
                can_post_updates=updates,
                agency=agency,
                channel=Channel.SYSTEM,
            )
        except ReportsError as exc:
            raise CommandError(f"No key was issued: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Issued Open311 API key {key.prefix} for {key.name} in {jurisdiction.name}:")
        )
        self.stdout.write(raw)
        self.stdout.write(
            self.style.WARNING("Copy it now: it is shown only once. Clients send it as the api_key parameter.")
        )

    def _list(self, jurisdiction: Jurisdiction) -> None:
        keys = list(open311_key_list(jurisdiction=jurisdiction))
        if not keys:
            self.stdout.write(
                f"{jurisdiction.name} ({jurisdiction.slug}) has no Open311 API keys. Issue one with: "
                f"civicloop open311 create-key NAME --jurisdiction {jurisdiction.slug}"
            )
            return
        header = ("Prefix", "Integration", "Contact", "Created", "Last used", "Status")
        rows = [header] + [
            (
                key.prefix,
                key.name,
                key.contact_email or "—",
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never",
                f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active",
            )
            for key in keys
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            self.stdout.write(("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))).rstrip())

    def _revoke(self, prefix: str) -> None:
        prefix = prefix.strip().removeprefix("o311_").split("_")[0]
        key = Open311ApiKey.objects.select_related("jurisdiction").filter(prefix=prefix).first()
        if key is None:
            raise CommandError(
                f"No Open311 API key with prefix '{prefix}'. "
                "See the prefixes with: civicloop open311 list-keys --jurisdiction SLUG"
            )
        if key.revoked_at is not None:
            self.stdout.write(f"Key {key.prefix} ({key.name}) was already revoked on {key.revoked_at:%Y-%m-%d %H:%M}.")
            return
        open311_key_revoke(key=key, by=None, channel=Channel.SYSTEM)
        self.stdout.write(
            self.style.SUCCESS(f"Revoked key {key.prefix} ({key.name}) of {key.jurisdiction.name}: it no longer works.")
        )


def _jurisdiction_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--jurisdiction",
        metavar="SLUG",
        help="The jurisdiction's slug; may be left out when there is only one.",
    )
