"""`civicloop directory import|export`: the service directory in and out as HSDS 3.0.

Thin wrappers over directory.services (import) and directory.hsds.export.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from civicloop.core.commands import jurisdiction_from_option
from civicloop.directory.hsds.export import export_datapackage, export_json
from civicloop.directory.hsds.sources import SourceError
from civicloop.directory.hsds.validate import Validated
from civicloop.directory.services import HsdsImportError, directory_import_hsds


class Command(BaseCommand):
    help = "Import or export the service directory as HSDS 3.0 (data package or JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,export}")
        importer = subcommands.add_parser(
            "import",
            help="Import an HSDS data package or HSDS JSON file; nothing is written if it has any error.",
        )
        importer.add_argument(
            "path", metavar="PATH", help="A datapackage.json, a directory holding one, or an HSDS .json file."
        )
        importer.add_argument("--jurisdiction", metavar="SLUG", help="The jurisdiction whose directory to fill.")
        importer.add_argument(
            "--strict",
            action="store_true",
            help="Refuse optional references to objects that are neither in the import nor in the directory.",
        )
        exporter = subcommands.add_parser("export", help="Write the directory as HSDS.")
        exporter.add_argument("out", metavar="OUT", help="A directory (datapackage) or a .json file (json).")
        exporter.add_argument("--format", choices=["datapackage", "json"], default="datapackage")
        exporter.add_argument("--jurisdiction", metavar="SLUG", help="Only this jurisdiction's directory.")
        exporter.add_argument(
            "--with-editors",
            action="store_true",
            help="Keep civicloop users' names in the change log's updated_by (personal data: do not publish).",
        )

    def handle(self, *args: Any, subcommand: str, **options: Any) -> None:
        if subcommand == "import":
            self._import(Path(options["path"]), options["jurisdiction"], strict=options["strict"])
        else:
            self._export(Path(options["out"]), options["format"], options["jurisdiction"], options["with_editors"])

    def _import(self, path: Path, slug: str | None, *, strict: bool) -> None:
        jurisdiction = jurisdiction_from_option(slug)
        bar: tqdm[Any] | None = None

        def start(validated: Validated) -> None:
            nonlocal bar
            bar = tqdm(total=validated.count(), unit="rows", disable=not sys.stderr.isatty(), file=sys.stderr)

        def step(count: int) -> None:
            if bar is not None:
                bar.update(count)

        try:
            result = directory_import_hsds(
                jurisdiction=jurisdiction, path=path, strict=strict, progress=step, on_validated=start
            )
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        except HsdsImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc)) from exc
        finally:
            if bar is not None:
                bar.close()
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(_("warning: %(problem)s") % {"problem": warning}))
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(path)s into %(jurisdiction)s: %(created)d created, %(updated)d updated, "
                    "%(unchanged)d unchanged, %(changes)d changes logged, %(warnings)d warnings."
                )
                % {
                    "path": path,
                    "jurisdiction": jurisdiction.name,
                    "created": sum(result.created.values()),
                    "updated": sum(result.updated.values()),
                    "unchanged": result.unchanged,
                    "changes": result.changes,
                    "warnings": len(result.warnings),
                }
            )
        )

    def _export(self, out: Path, fmt: str, slug: str | None, include_editors: bool) -> None:
        jurisdiction = jurisdiction_from_option(slug) if slug is not None else None
        if fmt == "datapackage":
            if out.suffix.lower() == ".json":
                raise CommandError(_("%(out)s: a data package is a directory; give a directory name.") % {"out": out})
            count = export_datapackage(out=out, jurisdiction=jurisdiction, include_editors=include_editors)
            message = _("Wrote %(count)d rows in 21 tables to %(path)s.") % {
                "count": count,
                "path": out / "datapackage.json",
            }
        else:
            count = export_json(out=out, jurisdiction=jurisdiction, include_editors=include_editors)
            message = _("Wrote %(count)d services to %(path)s.") % {"count": count, "path": out}
        self.stdout.write(self.style.SUCCESS(message))
