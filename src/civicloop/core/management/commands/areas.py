"""`civicloop areas import FILE` and `civicloop areas list`: a jurisdiction's boundaries from the command line.

Thin wrappers: the import is services.area_import_geojson (all or nothing, audited), the
listing is selectors.area_list.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicloop.core import selectors
from civicloop.core.commands import jurisdiction_from_option
from civicloop.core.models import Area, Jurisdiction
from civicloop.core.services import CoreError, area_import_geojson


class Command(BaseCommand):
    help = "Import a jurisdiction's areas from a GeoJSON file, or list them as a tree."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,list}")

        importer = subcommands.add_parser(
            "import",
            help="Create or update areas from a GeoJSON FeatureCollection (all or nothing).",
            description=(
                "Each feature is a Polygon or MultiPolygon in WGS 84 with properties name (required), "
                "level (required unless --level is given), slug, code and parent (the slug of the parent area). "
                "Areas are matched by slug: existing ones are updated, new ones created, others left alone. "
                "If any feature has a problem, every problem is listed and nothing is saved."
            ),
        )
        importer.add_argument("file", help="Path to a GeoJSON file (UTF-8).")
        _jurisdiction_argument(importer)
        importer.add_argument("--level", help='Level for features without a "level" property, e.g. ward.')

        lister = subcommands.add_parser("list", help="Print the jurisdiction's areas as a tree.")
        _jurisdiction_argument(lister)

    def handle(self, *args: Any, subcommand: str, jurisdiction: str | None, **options: Any) -> None:
        target = jurisdiction_from_option(jurisdiction)
        if subcommand == "import":
            self._import(target, Path(options["file"]), level=options.get("level"), verbosity=options["verbosity"])
        else:
            self._list(target)

    def _import(self, jurisdiction: Jurisdiction, path: Path, *, level: str | None, verbosity: int) -> None:
        data = _read_geojson(path)
        try:
            result = area_import_geojson(jurisdiction=jurisdiction, data=data, default_level=level)
        except CoreError as exc:
            raise CommandError(f"{path} was not imported into {jurisdiction.name}.\n{exc}") from exc
        if verbosity >= 2:
            for status, areas in (("created", result.created), ("updated", result.updated)):
                for area in areas:
                    self.stdout.write(f"  {status}: {area.name} ({area.level}, {area.slug})")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {len(result)} areas ({len(result.created)} created, {len(result.updated)} updated, "
                f"{len(result.unchanged)} unchanged) into {jurisdiction.name} ({jurisdiction.slug})."
            )
        )

    def _list(self, jurisdiction: Jurisdiction) -> None:
        areas = list(selectors.area_list(jurisdiction=jurisdiction))
        if not areas:
            self.stdout.write(
                f"{jurisdiction.name} ({jurisdiction.slug}) has no areas yet. Import them with: "
                f"civicloop areas import FILE --jurisdiction {jurisdiction.slug}"
            )
            return
        known = {area.pk for area in areas}
        children: dict[int | None, list[Area]] = {}
        for area in areas:
            parent = area.parent_id if area.parent_id in known else None
            children.setdefault(parent, []).append(area)
        self.stdout.write(f"Areas of {jurisdiction.name} ({jurisdiction.slug}): {len(areas)}")
        printed: set[int] = set()

        def show(area: Area, depth: int) -> None:
            printed.add(area.pk)
            code = f", code {area.code}" if area.code else ""
            self.stdout.write(f"{'  ' * depth}{area.name} ({area.level}, {area.slug}{code})")
            for child in sorted(children.get(area.pk, []), key=lambda a: (a.name, a.pk)):
                if child.pk not in printed:
                    show(child, depth + 1)

        for root in sorted(children.get(None, []), key=lambda a: (a.name, a.pk)):
            show(root, 0)
        for area in areas:  # only reached if stored parent links loop, which the import refuses
            if area.pk not in printed:
                show(area, 0)


def _jurisdiction_argument(parser: CommandParser) -> None:
    # Django's -v sits on the main parser; repeat it here so `areas import FILE -v 2` works too.
    parser.add_argument(
        "-v",
        "--verbosity",
        type=int,
        choices=[0, 1, 2, 3],
        default=argparse.SUPPRESS,
        help="Verbosity level; 2 lists every created or updated area.",
    )
    parser.add_argument(
        "--jurisdiction",
        metavar="SLUG",
        help="The jurisdiction's slug (may be left out when there is only one jurisdiction).",
    )


def _read_geojson(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")  # tolerate the byte-order mark some GIS tools write
    except FileNotFoundError as exc:
        raise CommandError(f"File {path} does not exist. Check the path and try again.") from exc
    except IsADirectoryError as exc:
        raise CommandError(f"{path} is a directory; give the path of a GeoJSON file.") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text (byte {exc.start}); save the GeoJSON as UTF-8.") from exc
    except OSError as exc:
        raise CommandError(f"{path} could not be read: {exc.strerror}.") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. "
            "Fix the file (a GeoJSON validator or `python -m json.tool FILE` shows the spot) and try again."
        ) from exc
