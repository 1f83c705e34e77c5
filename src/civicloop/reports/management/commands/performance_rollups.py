"""`civicloop performance_rollups [--rebuild]`: bring the performance page's rollups up to date.

The worker does the same every few minutes (`performance_rollup_refresh`); run this after
loading or importing reports in bulk, or with --rebuild to roll up every day again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from civicloop.core.commands import jurisdiction_from_option
from civicloop.reports.services.performance import performance_rollup_jurisdiction, performance_rollup_refresh


class Command(BaseCommand):
    help = "Bring the rollups of the public performance page up to date (or rebuild them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="Roll up every day again, not only changed ones.")
        parser.add_argument("--jurisdiction", metavar="SLUG", help="Only this jurisdiction (default: all).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        if options["jurisdiction"]:
            jurisdiction = jurisdiction_from_option(options["jurisdiction"])
            days = performance_rollup_jurisdiction(jurisdiction=jurisdiction, rebuild=options["rebuild"])
        else:
            days = performance_rollup_refresh(rebuild=options["rebuild"])
        self.stdout.write(f"Rolled up {days} days in {time.monotonic() - started:.1f} s.")
