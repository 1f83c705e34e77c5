"""Compile the translation catalogs with Babel, so no GNU gettext is needed to run civicloop.

Every ``*.po`` under ``settings.LOCALE_PATHS`` becomes the ``.mo`` file Django reads. A catalog
that does not parse, has a fuzzy entry (a guess nobody checked) or a translation whose
placeholders do not match the original stops the command: a wrong translation is worse than
none, because it can crash a page or say something untrue.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# A .po line outside comments: an optional keyword, then one complete, properly escaped string.
_PO_LINE = re.compile(r'^(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"$')


def syntax_problems(text: str) -> list[str]:
    """Lines Babel's lenient parser would silently skip or misread (an unclosed quote, a typo)."""
    problems = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _PO_LINE.match(stripped):
            problems.append(f"line {lineno}: not valid .po syntax: {stripped[:80]!r}")
    return problems


def catalog_problems(catalog: Catalog) -> list[str]:
    """Everything that makes a catalog unfit to compile, one readable line each."""
    problems = []
    if catalog.fuzzy:
        problems.append('the header is marked "#, fuzzy": check it and remove the flag')
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        where = f"line {message.lineno}" if message.lineno else "an entry"
        if message.fuzzy:
            problems.append(f"{where}: msgid {msgid!r} is marked fuzzy: check the translation and remove the flag")
    for message, errors in catalog.check():
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        for error in errors:
            problems.append(f"line {message.lineno}: msgid {msgid!r}: {error}")
    return problems


def compile_catalog(po_path: Path) -> tuple[Path, int]:
    """Compile one .po file next to itself; return the .mo path and the number of translations."""
    locale = po_path.parent.parent.name
    try:
        text = po_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{po_path}: the catalog is not UTF-8 ({exc}). Save it as UTF-8.") from exc
    problems = syntax_problems(text)
    if problems:
        listing = "\n  ".join(problems)
        raise CommandError(f"{po_path}: the catalog cannot be read, nothing compiled for {locale}:\n  {listing}")
    try:
        catalog = read_po(io.BytesIO(text.encode("utf-8")), domain=po_path.stem, abort_invalid=True)
    except (PoFileError, ValueError) as exc:
        raise CommandError(
            f"{po_path}: the catalog cannot be read ({exc}). Fix the file and run the command again."
        ) from exc
    problems = catalog_problems(catalog)
    if problems:
        listing = "\n  ".join(problems)
        raise CommandError(f"{po_path}: {len(problems)} problem(s), nothing compiled for {locale}:\n  {listing}")
    mo_path = po_path.with_suffix(".mo")
    # Write to a temporary file and rename, so a running server never reads half a catalog.
    fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".mo.tmp", dir=po_path.parent)
    try:
        with os.fdopen(fd, "wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        Path(tmp_name).replace(mo_path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    translated = sum(1 for message in catalog if message.id and message.string and any(message.string))
    return mo_path, translated


class Command(BaseCommand):
    help = "Compile every .po catalog under LOCALE_PATHS to .mo with Babel (no GNU gettext needed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--locale",
            "-l",
            action="append",
            default=[],
            help="Only these locales (repeat for several). Default: all.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = set(options["locale"])
        catalogs = sorted(
            po_path
            for locale_path in settings.LOCALE_PATHS
            for po_path in Path(locale_path).glob("*/LC_MESSAGES/*.po")
            if not wanted or po_path.parent.parent.name in wanted
        )
        if not catalogs:
            where = ", ".join(str(path) for path in settings.LOCALE_PATHS) or "(LOCALE_PATHS is empty)"
            raise CommandError(f"No .po catalogs found under {where}.")
        failures = []
        for po_path in catalogs:
            try:
                mo_path, translated = compile_catalog(po_path)
            except CommandError as exc:
                failures.append(str(exc))
                continue
            self.stdout.write(f"Compiled {mo_path} ({translated} translations)")
        if failures:
            raise CommandError("\n".join(failures))
