"""Benchmark of the reports app at scale: 1,000,000 reports on PostgreSQL behind gunicorn.

Run it under a throwaway PostgreSQL (it needs an empty database and refuses SQLite):

    scripts/with-postgres .venv/bin/python bench/reports_load.py                  # 1,000,000 reports
    scripts/with-postgres .venv/bin/python bench/reports_load.py --reports 20000  # a quick check

What it does:

1. Migrates the empty database and loads the demo city (`demo_load(seed=2026)`: categories,
   areas, agencies, routing rules, the demo Open311 key).
2. Generates --reports reports over the last --months months (default 13, ending now) in
   Python and loads them with PostgreSQL COPY: reports_report, reports_report_agencies and the
   public timeline (reports_reportupdate, about three entries a report). Categories,
   wards, routing and targets are the demo's; statuses follow each report's history as it
   would have happened by now (acknowledged on time or late, in progress, fixed, closed without
   fix, reopened, transferred, rated, escalated, duplicates, never confirmed). Secondary indexes
   are dropped during COPY and built again afterwards, foreign keys are not checked row by row
   (session_replication_role = replica; the rows are right by construction), then VACUUM
   ANALYZE. Due times are approximated (working hours × 2.8, working days × 1.4 in calendar
   time) instead of running the working calendar a million times.
3. Starts the server exactly as `civicloop serve --no-worker --workers N` does (gunicorn, sync
   workers, civicloop.wsgi) on a free loopback port, with DEBUG off, ALLOWED_HOSTS set to the demo
   city's host and static files collected into a temporary CIVICLOOP_VAR_DIR. Every request
   carries `Host: esperanza.example.org`.
4. Measures, in --rounds interleaved rounds (each round runs every operation for its share of
   --duration seconds, so a noisy neighbour slows all of them alike):
   - with --clients concurrent clients: /livez (the trivial JSON view: the baseline), Open311
     POST requests.json (a fresh Idempotency-Key per request), GET requests.json with a mix of
     filters, and the agency performance page for the last 12 months: throughput and latency
     percentiles, throughput ÷ the baseline's throughput;
   - with one client: the same plus each filter of the GET mix on its own: latency p50/p95/p99.
   After a warm-up that is not counted (each worker's first requests build its area index).
5. Checks the POSTs: every 2xx answer's service_request_id is a row with the Idempotency-Key
   that was sent, no other row was created (zero lost, no duplicates), and a sample of requests
   sent again with the same key gets the same id and creates nothing.
6. Prints the machine, the load times and markdown tables for docs/benchmarks.md, including the
   CPU used by the load generator, gunicorn and PostgreSQL during each phase (the load generator
   shares the machine's CPUs; its share says how much it can have held the figures down).

Options: --reports N (default 1,000,000), --months N (13), --seed N (2026), --workers N (gunicorn
sync workers, default 2 × nproc), --clients N (concurrent clients, default 2 × workers),
--duration S (seconds per operation and concurrency, split over the rounds; default 30),
--rounds N (3), --load-only (stop after loading: to time the load), --explain (at the end, fetch
each measured page once in-process and EXPLAIN ANALYZE its queries slower than 20 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script (python bench/reports_load.py): make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import Phase, Request, Target, merge, percentile_ms, run_phase, send_one

HOST = "esperanza.example.org"
DAY = 86_400.0
HOUR = 3_600.0
CHUNK = 50_000  # reports generated and copied per batch
RETRIES_CHECKED = 100
PERFORMANCE_CACHE_SECONDS = 4 * 3600
UNIQUE_PER_CLIENT = 40  # distinct requests per client and phase for cache-missing operations
FIRST_NAMES = ["Ana", "Luis", "Marta", "Jorge", "Carmen", "Pedro", "Rosa", "Tomás", "Inés", "Diego", "Lucía", "Raúl"]
LAST_NAMES = ["Soto", "Rojas", "Muñoz", "Díaz", "Vega", "Araya", "Pinto", "Lagos", "Fuentes", "Olave", "Tapia"]
ACK_TEXTS = [
    "Recibimos su reporte y lo revisaremos esta semana.",
    "Gracias por avisar. Una cuadrilla irá a revisar.",
    "Su reporte fue asignado al equipo del sector.",
]
STATUS_TEXTS = ["Los trabajos comenzaron.", "Programamos la reparación para la próxima semana."]
FIX_TEXTS = ["Reparado. Gracias por su reporte.", "El equipo dejó el lugar en orden.", "Trabajo terminado hoy."]
CLOSE_TEXTS = [
    "No corresponde a un bien municipal; lo informamos al propietario.",
    "Revisamos el lugar y no encontramos el problema descrito.",
]
DESCRIPTIONS = [
    "El problema lleva varios días y nadie lo ha revisado.",
    "Es peligroso para los niños que pasan por aquí camino al colegio.",
    "Por favor revisen pronto, ya hubo un accidente.",
    "Lo vi esta mañana al salir de la casa.",
    "Los vecinos estamos preocupados.",
]
# Share of reports per demo category code: potholes and rubbish lead, as in every city.
CATEGORY_WEIGHTS = {
    "001": 18,
    "002": 8,
    "003": 5,
    "004": 16,
    "005": 9,
    "006": 6,
    "007": 3,
    "008": 12,
    "009": 7,
    "010": 8,
    "011": 7,
    "012": 0.4,
}
REPORT_COLUMNS = [
    "id",
    "jurisdiction_id",
    "reference",
    "kind",
    "category_id",
    "title",
    "description",
    "lon",
    "lat",
    "address_string",
    "area_id",
    "visibility",
    "public_name",
    "status",
    "submitted_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "owner_id",
    "in_triage",
    "reporter_id",
    "channel",
    "attributes",
    "assigned_to_id",
    "duplicate_of_id",
    "acknowledged_at",
    "fixed_at",
    "closed_at",
    "close_reason",
    "reopened_count",
    "transferred_count",
    "escalation_level",
    "escalated_at",
    "supporter_count",
    "rating",
    "media_url",
    "open311_token",
    "idempotency_key",
    "idempotency_digest",
    "created_at",
    "updated_at",
]
UPDATE_COLUMNS = [
    "report_id",
    "kind",
    "status",
    "text",
    "is_internal",
    "agency_id",
    "by_id",
    "from_agency_id",
    "to_agency_id",
    "channel",
    "created_at",
]


# --- Set-up -----------------------------------------------------------------------------------


def django_setup(var_dir: Path) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench.reports_load: set DATABASE_URL to an empty PostgreSQL database; the simplest is to run it "
            "under scripts/with-postgres (a throwaway server). It loads up to millions of rows with COPY, "
            "so it never uses the default database in var/ and does not run on SQLite."
        )
    os.environ.setdefault("CIVICLOOP_HOME", str(Path(__file__).resolve().parent.parent))
    # What production has: DEBUG off (so no query log grows in memory), the demo city's host
    # allowed, and a private var/ for the secret key and the collected static files.
    os.environ["DEBUG"] = "false"
    os.environ["ALLOWED_HOSTS"] = f"{HOST},127.0.0.1,localhost"
    os.environ["CIVICLOOP_VAR_DIR"] = str(var_dir)
    # The task worker does not run (its periodic jobs would compete for the CPU), so cached performance
    # figures are kept for the whole run, as the worker's refresh every 5 minutes would keep them.
    os.environ["PERFORMANCE_CACHE_SECONDS"] = str(PERFORMANCE_CACHE_SECONDS)
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicloop.settings"
    import django

    django.setup()


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "fsync", "synchronous_commit", "max_connections"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    import gunicorn

    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "memory": memory,
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "database": version.split(" on ")[0],
        "database settings": ", ".join(f"{name} {value}" for name, value in settings.items()),
        "load average (1/5/15 min)": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def prepare() -> tuple[Any, dict[str, float]]:
    """Migrate the empty database and load the demo city."""
    from django.core.management import call_command

    from civicloop.core.demo import demo_load
    from civicloop.core.models import Jurisdiction

    times: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    times["migrate"] = time.perf_counter() - t0
    if Jurisdiction.objects.exists():
        sys.exit(
            "bench.reports_load: the database already holds jurisdictions; use an empty one (scripts/with-postgres)."
        )
    t0 = time.perf_counter()
    jurisdiction = demo_load(seed=2026).jurisdiction
    times["demo"] = time.perf_counter() - t0
    return jurisdiction, times


# --- Generating reports ------------------------------------------------------------------------


@dataclass
class CategoryInfo:
    pk: int
    code: str
    sensitive: bool
    ack_seconds: float
    resolve_seconds: float
    answers: list[str]  # JSON texts of plausible answers to its questions
    routes: dict[int, list[int]]  # ward id → agency ids (empty: triage)


@dataclass
class Ward:
    pk: int
    name: str
    points: list[tuple[float, float]]


@dataclass
class World:
    jurisdiction_id: int
    categories: list[CategoryInfo]
    weights: list[float]
    wards: list[Ward]
    agencies: list[int]
    agency_slugs: list[str]
    references: set[str]


@dataclass
class LoadResult:
    reports: int = 0
    updates: int = 0
    links: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    public_references: list[str] = field(default_factory=list)  # a sample, for GET by id
    seconds: dict[str, float] = field(default_factory=dict)
    first_submitted: dt.datetime | None = None
    last_submitted: dt.datetime | None = None


def _target_seconds(amount: int, unit: str) -> float:
    # Working time → calendar time, roughly: 8.5 working hours a day, 5 days a week.
    return amount * (2.8 * HOUR if unit == "hours" else 1.4 * DAY)


def _answers(category: Any, rng: random.Random) -> list[str]:
    from civicloop.reports.enums import LIST_DATATYPES, AttributeDatatype

    questions = [question for question in category.attributes.order_by("order", "code") if question.variable]
    variants = []
    for _variant in range(8):
        answers: dict[str, Any] = {}
        for question in questions:
            if not question.required and rng.random() < 0.6:
                continue
            if question.datatype in LIST_DATATYPES:
                key = rng.choice(question.values)["key"]
                answers[question.code] = [key] if question.datatype == AttributeDatatype.MULTIVALUELIST else key
            elif question.datatype == AttributeDatatype.NUMBER:
                answers[question.code] = rng.randint(1, 40)
            elif question.datatype == AttributeDatatype.DATETIME:
                answers[question.code] = "2026-05-04T12:00:00+00:00"
            else:
                answers[question.code] = rng.choice(["AP-1234", "Frente al número 120", "Junto al paradero"])
        variants.append(json.dumps(answers, ensure_ascii=False))
    return variants


def _ward_points(geometry: dict[str, Any], rng: random.Random, count: int) -> list[tuple[float, float]]:
    import shapely
    from shapely.geometry import shape

    polygon = shape(geometry)
    min_lon, min_lat, max_lon, max_lat = polygon.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        lons = [round(rng.uniform(min_lon, max_lon), 6) for _ in range(4 * count)]
        lats = [round(rng.uniform(min_lat, max_lat), 6) for _ in range(4 * count)]
        inside = shapely.contains_xy(polygon, lons, lats)
        points += [(lon, lat) for lon, lat, hit in zip(lons, lats, inside, strict=True) if hit]
    return points[:count]


def world(jurisdiction: Any, rng: random.Random) -> World:
    from civicloop.core.models import Agency, Area
    from civicloop.reports.models import Category, Report
    from civicloop.reports.selectors import routing_agencies_for_area

    ward_areas = {area.pk: area for area in Area.objects.filter(jurisdiction=jurisdiction, level="ward")}
    wards = [
        Ward(area.pk, area.name, _ward_points(area.geometry, rng, 400))
        for area in sorted(ward_areas.values(), key=lambda area: area.slug)
    ]
    categories = []
    weights = []
    for category in Category.objects.filter(jurisdiction=jurisdiction).order_by("code"):
        routes = {
            ward.pk: [agency.pk for agency in routing_agencies_for_area(category=category, area=ward_areas[ward.pk])]
            for ward in wards
        }
        categories.append(
            CategoryInfo(
                pk=category.pk,
                code=category.code,
                sensitive=category.is_sensitive,
                ack_seconds=_target_seconds(category.acknowledge_within, category.acknowledge_unit),
                resolve_seconds=_target_seconds(category.resolve_within, category.resolve_unit),
                answers=_answers(category, rng),
                routes=routes,
            )
        )
        weights.append(CATEGORY_WEIGHTS.get(category.code, 5))
    return World(
        jurisdiction_id=jurisdiction.pk,
        categories=categories,
        weights=weights,
        wards=wards,
        agencies=list(Agency.objects.filter(jurisdiction=jurisdiction, is_active=True).values_list("pk", flat=True)),
        agency_slugs=list(
            Agency.objects.filter(jurisdiction=jurisdiction).order_by("slug").values_list("slug", flat=True)
        ),
        references=set(Report.objects.values_list("reference", flat=True)),
    )


def _reference(rng: random.Random, taken: set[str]) -> str:
    from civicloop.reports.models import REFERENCE_ALPHABET, REFERENCE_LENGTH

    while True:
        reference = "".join(rng.choices(REFERENCE_ALPHABET, k=REFERENCE_LENGTH))
        if reference not in taken:
            taken.add(reference)
            return reference


def _lognormal(rng: random.Random, median: float, sigma: float) -> float:
    return median * math.exp(rng.gauss(0.0, sigma))


def _submitted_times(rng: random.Random, count: int, start: float, end: float) -> list[float]:
    """Sorted epoch seconds: uniform days, most reports in the city's daytime (UTC−3/−4)."""
    days = (end - start) / DAY
    times = []
    for _ in range(count):
        day = math.floor(rng.random() * days)
        # 80% between 08:00 and 21:00 local time, the rest at any hour.
        seconds = rng.uniform(11 * HOUR, 24 * HOUR) if rng.random() < 0.8 else rng.uniform(0, 24 * HOUR)
        moment = start + day * DAY + seconds
        times.append(min(moment, end - 1))
    times.sort()
    return times


@dataclass
class History:
    """One report's life, played from its submission up to now with the odds of a busy city.

    Each step happens only if its moment is already past; the fields end as the services
    would have left them, and `timeline` holds the public (and a few internal) entries.
    """

    rng: random.Random
    now: float
    submitted: float
    category: CategoryInfo
    owner: int | None
    agencies: list[int]
    status: str = "submitted"
    last: float = 0.0
    acknowledged: float | None = None
    fixed: float | None = None
    closed: float | None = None
    close_reason: str = ""
    reopened: int = 0
    transferred: int = 0
    escalation: int = 0
    escalated: float | None = None
    rating: int | None = None
    duplicate_of: int | None = None
    timeline: list[tuple[float, str, str, bool, int | None, int | None, int | None, str]] = field(default_factory=list)

    def record(self, moment: float, kind: str, text: str = "", *, internal: bool = False, **agencies: Any) -> None:
        self.timeline.append(
            (
                moment,
                kind,
                text,
                internal,
                agencies.get("agency", self.owner),
                agencies.get("from_agency"),
                agencies.get("to_agency"),
                self.status,
            )
        )

    def play(self, *, first_id: int, offset: int, all_agencies: list[int]) -> None:
        self.last = self.submitted
        fate = self.rng.random()
        if fate < 0.03:
            self.status = "unverified"  # never confirmed by its reporter
            return
        if fate < 0.06 and offset > 0:
            self.duplicate(first_id + self.rng.randrange(offset))
            return
        if self.rng.random() < 0.05 and len(all_agencies) > 1 and self.owner is not None:
            self.transfer(all_agencies)
        if self.acknowledge():
            self.progress()
            if self.resolve():
                self.reopen()
                self.rate()
        self.escalate()

    def duplicate(self, original: int) -> None:
        moment = self.submitted + self.rng.uniform(HOUR, 3 * DAY)
        if moment <= self.now:
            self.status, self.duplicate_of, self.closed, self.last = "duplicate", original, moment, moment
            self.record(moment, "duplicate", "Es el mismo problema que otro reporte; siga ese reporte.")

    def transfer(self, all_agencies: list[int]) -> None:
        moment = self.submitted + _lognormal(self.rng, 0.5 * DAY, 0.8)
        if moment > self.now:
            return
        new_owner = self.rng.choice([agency for agency in all_agencies if agency != self.owner])
        self.transferred, self.last = 1, moment
        self.record(
            moment,
            "transferred",
            "Lo traspasamos a la dirección que corresponde.",
            from_agency=self.owner,
            to_agency=new_owner,
        )
        self.owner, self.agencies = new_owner, [new_owner]

    def acknowledge(self) -> bool:
        moment = max(self.last, self.submitted + _lognormal(self.rng, 0.6 * self.category.ack_seconds, 0.9))
        if moment > self.now:
            return False
        self.status, self.acknowledged, self.last = "acknowledged", moment, moment
        self.record(moment, "acknowledged", self.rng.choice(ACK_TEXTS))
        return True

    def progress(self) -> None:
        if self.rng.random() < 0.4:
            moment = self.last + _lognormal(self.rng, DAY, 0.8)
            if moment <= self.now:
                self.status = "in_progress" if self.rng.random() < 0.75 else "action_scheduled"
                self.last = moment
                self.record(moment, "status", self.rng.choice(STATUS_TEXTS))
        if self.rng.random() < 0.1:
            self.record(self.last + HOUR, "note", "Revisar con la cuadrilla del sector.", internal=True)

    def resolve(self) -> bool:
        outcome = self.rng.random()
        moment = max(self.last + HOUR, self.submitted + _lognormal(self.rng, 0.7 * self.category.resolve_seconds, 0.9))
        if outcome >= 0.86 or moment > self.now:
            return False  # still being worked on
        self.last = self.closed = moment
        if outcome < 0.72:
            self.status, self.fixed = "fixed", moment
            self.record(moment, "fixed", self.rng.choice(FIX_TEXTS))
        else:
            self.status = "closed_without_fix"
            self.close_reason = self.rng.choice(["not_possible", "no_further_action"])
            self.record(moment, "closed", self.rng.choice(CLOSE_TEXTS))
        return True

    def reopen(self) -> None:
        """'Not fixed' from the reporter within the window; most are fixed again later."""
        moment = self.last + self.rng.uniform(HOUR, 10 * DAY)
        if self.rng.random() >= 0.06 or moment > self.now:
            return
        self.reopened, self.fixed, self.closed, self.close_reason = 1, None, None, ""
        self.status, self.last = "acknowledged", moment
        self.record(moment, "reopened", "La persona que reportó dice que no está resuelto.")
        moment = self.last + _lognormal(self.rng, 3 * DAY, 0.7)
        if self.rng.random() < 0.7 and moment <= self.now:
            self.status, self.fixed, self.closed, self.last = "fixed", moment, moment, moment
            self.record(moment, "fixed", self.rng.choice(FIX_TEXTS))

    def rate(self) -> None:
        moment = self.last + self.rng.uniform(HOUR, 5 * DAY)
        closed = self.status in ("fixed", "closed_without_fix")
        if not closed or self.rng.random() >= 0.35 or moment > self.now:
            return
        weights = [5, 8, 12, 30, 45] if self.status == "fixed" else [35, 25, 20, 12, 8]
        self.rating = self.rng.choices([1, 2, 3, 4, 5], weights=weights)[0]
        self.last = moment
        self.record(moment, "feedback", "", agency=None)

    def escalate(self) -> None:
        """Open and overdue: first the agency's manager (after the grace hours), then the supervisor."""
        due = self.submitted + self.category.resolve_seconds
        if self.status not in ("submitted", "acknowledged", "in_progress", "action_scheduled"):
            return
        if self.now > due + 3 * DAY:
            self.escalation, self.escalated = 2, due + 3 * DAY
        elif self.now > due + 8 * HOUR:
            self.escalation, self.escalated = 1, due + 8 * HOUR


def generate(
    world: World, rng: random.Random, *, count: int, start: float, now: float, first_id: int, result: LoadResult
) -> Iterator[tuple[list[tuple], list[tuple], list[tuple]]]:
    """Batches of (report rows, agency link rows, timeline rows), in REPORT_COLUMNS / UPDATE_COLUMNS order."""
    submitted_times = _submitted_times(rng, count, start, now)
    category_picks = rng.choices(range(len(world.categories)), weights=world.weights, k=count)
    kinds = ["complaint"] * 85 + ["suggestion"] * 7 + ["information_request"] * 5 + ["compliment"] * 3
    channels = ["web"] * 55 + ["api"] * 25 + ["sms"] * 10 + ["counter"] * 10
    reports: list[tuple] = []
    links: list[tuple] = []
    updates: list[tuple] = []
    for offset in range(count):
        pk = first_id + offset
        category = world.categories[category_picks[offset]]
        ward = world.wards[rng.randrange(len(world.wards))]
        lon, lat = ward.points[rng.randrange(len(ward.points))]
        routed = category.routes[ward.pk]
        history = History(rng, now, submitted_times[offset], category, routed[0] if routed else None, list(routed))
        history.play(first_id=first_id, offset=offset, all_agencies=world.agencies)
        u = rng.random()
        visibility = "public" if u < 0.6 else "anonymous" if u < 0.95 else "confidential"
        public_name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if visibility == "public" else ""
        result.statuses[history.status] = result.statuses.get(history.status, 0) + 1
        reference = _reference(rng, world.references)
        listed = visibility != "confidential" and not category.sensitive and history.status != "unverified"
        if listed and len(result.public_references) < 20_000 and rng.random() < 0.05:
            result.public_references.append(reference)
        reports.append(
            (
                pk,
                world.jurisdiction_id,
                reference,
                kinds[rng.randrange(100)],
                category.pk,
                "",
                f"{rng.choice(DESCRIPTIONS)} Sector {ward.name}.",
                lon,
                lat,
                "",
                ward.pk,
                visibility,
                public_name,
                history.status,
                _at(history.submitted),
                _at(history.submitted + category.ack_seconds),
                _at(history.submitted + category.resolve_seconds),
                history.owner,
                history.owner is None,
                None,
                channels[rng.randrange(100)],
                category.answers[rng.randrange(len(category.answers))],
                None,
                history.duplicate_of,
                _at(history.acknowledged),
                _at(history.fixed),
                _at(history.closed),
                history.close_reason,
                history.reopened,
                history.transferred,
                history.escalation,
                _at(history.escalated),
                0,
                history.rating,
                "",
                None,
                None,
                "",
                _at(history.submitted),
                _at(history.last),
            )
        )
        if history.owner is not None:
            links.extend((pk, agency) for agency in history.agencies)
        updates.extend(
            (pk, kind, after, text, internal, agency, None, from_agency, to_agency, "system", _at(moment))
            for moment, kind, text, internal, agency, from_agency, to_agency, after in history.timeline
        )
        if len(reports) >= CHUNK:
            yield reports, links, updates
            reports, links, updates = [], [], []
    if reports:
        yield reports, links, updates


def _at(seconds: float | None) -> dt.datetime | None:
    return None if seconds is None else dt.datetime.fromtimestamp(seconds, dt.UTC)


def copy_text(rows: Sequence[tuple]) -> str:
    """Rows in COPY's text format. The generated texts hold no tab, newline or backslash, so
    nothing needs escaping; None is \\N, and str() of a datetime or bool is what PostgreSQL reads."""
    return "".join("\t".join("\\N" if value is None else str(value) for value in row) + "\n" for row in rows)


@contextlib.contextmanager
def secondary_indexes_dropped(cursor: Any, tables: Sequence[str]) -> Iterator[list[str]]:
    """Drop the tables' indexes that back no constraint; build them again on the way out."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(tables)],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    try:
        yield [name for name, _definition in indexes]
    finally:
        for _name, definition in indexes:
            cursor.execute(definition)


def _check_columns() -> None:
    """Stop if the models gained or lost a column: the COPY rows would no longer fit."""
    from civicloop.reports.models import Report, ReportUpdate

    for model, columns in ((Report, set(REPORT_COLUMNS)), (ReportUpdate, {"id", *UPDATE_COLUMNS})):
        changed = {field.column for field in model._meta.concrete_fields} ^ columns
        if changed:
            sys.exit(
                f"bench.reports_load: {model.__name__}'s columns changed ({sorted(changed)}); update the generator."
            )


def _copy(cursor: Any, batches: Iterator[tuple[list[tuple], list[tuple], list[tuple]]], result: LoadResult) -> None:
    """COPY every batch; add up the time spent generating rows and copying them."""
    from civicloop.reports.models import Report

    tables = [("reports_report", REPORT_COLUMNS), (Report.agencies.through._meta.db_table, ["report_id", "agency_id"])]
    tables.append(("reports_reportupdate", UPDATE_COLUMNS))
    generating = copying = 0.0
    while True:
        t0 = time.perf_counter()
        batch = next(batches, None)
        generating += time.perf_counter() - t0
        if batch is None:
            break
        t0 = time.perf_counter()
        for (table, columns), rows in zip(tables, batch, strict=True):
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(copy_text(rows))
        copying += time.perf_counter() - t0
        result.reports += len(batch[0])
        result.links += len(batch[1])
        result.updates += len(batch[2])
        if result.reports % 200_000 < CHUNK:
            print(f"  {result.reports:,} reports loaded", file=sys.stderr)
    result.seconds["generate rows (Python)"] = generating
    result.seconds["COPY"] = copying


def load(world: World, *, count: int, months: int, seed: int) -> LoadResult:
    """Generate and COPY the reports, their agency links and timelines; VACUUM ANALYZE."""
    from django.db import connection, transaction

    from civicloop.reports.models import Report

    _check_columns()
    rng = random.Random(seed)
    result = LoadResult()
    now = time.time()
    start = now - months * 30.44 * DAY
    first_id = (Report.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    tables = ["reports_report", Report.agencies.through._meta.db_table, "reports_reportupdate"]
    t_all = time.perf_counter()
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no per-row foreign key triggers
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        with secondary_indexes_dropped(cursor, tables):
            batches = generate(world, rng, count=count, start=start, now=now, first_id=first_id, result=result)
            _copy(cursor, batches, result)
            t_indexes = time.perf_counter()
        result.seconds["build indexes"] = time.perf_counter() - t_indexes
        for table in tables:  # table names are ours, not input
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
    result.seconds["VACUUM ANALYZE"] = time.perf_counter() - t0
    result.seconds["total"] = time.perf_counter() - t_all
    result.first_submitted = dt.datetime.fromtimestamp(start, dt.UTC)
    result.last_submitted = dt.datetime.fromtimestamp(now, dt.UTC)
    return result


def check_load(result: LoadResult) -> list[str]:
    """Count what was loaded, and check the foreign keys COPY did not check."""
    from django.db import connection

    checks = []
    with connection.cursor() as cursor:
        queries = {
            "reports without their category, area or owner": """
                SELECT count(*) FROM reports_report r
                LEFT JOIN reports_category c ON c.id = r.category_id
                LEFT JOIN core_area a ON a.id = r.area_id
                LEFT JOIN core_agency o ON o.id = r.owner_id
                WHERE c.id IS NULL OR (r.area_id IS NOT NULL AND a.id IS NULL)
                   OR (r.owner_id IS NOT NULL AND o.id IS NULL)""",
            "duplicates pointing nowhere": """
                SELECT count(*) FROM reports_report r LEFT JOIN reports_report d ON d.id = r.duplicate_of_id
                WHERE r.duplicate_of_id IS NOT NULL AND d.id IS NULL""",
            "timeline entries of no report": """
                SELECT count(*) FROM reports_reportupdate u LEFT JOIN reports_report r ON r.id = u.report_id
                WHERE r.id IS NULL""",
        }
        for label, sql in queries.items():
            cursor.execute(sql)
            found = cursor.fetchone()[0]
            if found:
                sys.exit(f"bench.reports_load: {found} {label} after the load.")
            checks.append(f"0 {label}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_report'))")
        checks.append(f"reports_report with its indexes: {cursor.fetchone()[0]}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('reports_reportupdate'))")
        checks.append(f"reports_reportupdate with its indexes: {cursor.fetchone()[0]}")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        checks.append(f"database: {cursor.fetchone()[0]}")
    return checks


# --- The server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(*, port: int, workers: int, log: Path) -> Iterator[subprocess.Popen]:
    """`civicloop serve --no-worker` in its own process group; stopped (SIGTERM, then SIGKILL) on the way out."""
    command = [sys.executable, "-m", "civicloop", "serve", "--no-worker", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, process_group=0)  # noqa: S603
        try:
            target = Target("127.0.0.1", port, HOST)
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    sys.exit(
                        f"bench.reports_load: the server stopped at start-up; see {log}:\n{log.read_text()[-2000:]}"
                    )
                with contextlib.suppress(OSError):
                    if send_one(target, Request("GET", "/livez"))[0] == 200:
                        break
                if time.monotonic() > deadline:
                    sys.exit(f"bench.reports_load: the server did not answer /livez within 60 s; see {log}.")
                time.sleep(0.2)
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=45)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def postmaster_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    stat = Path(f"/proc/{backend}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


# --- The operations ----------------------------------------------------------------------------


def _query(path: str, params: dict[str, Any]) -> str:
    return f"{path}?{urllib.parse.urlencode(params)}" if params else path


def post_requests(world: World, rng: random.Random, count: int, path: str) -> list[Request]:
    """Open311 POST requests.json bodies: the demo key, a point in a ward, the category's required answers."""
    from civicloop.reports.demo import DEMO_OPEN311_KEY
    from civicloop.reports.models import CategoryAttribute

    required: dict[int, list[CategoryAttribute]] = {}
    for question in CategoryAttribute.objects.filter(required=True, variable=True):
        required.setdefault(question.category_id, []).append(question)
    postable = [(category, weight) for category, weight in zip(world.categories, world.weights, strict=True)]
    postable = [(category, weight) for category, weight in postable if not category.sensitive]
    headers = (("Content-Type", "application/x-www-form-urlencoded"),)
    requests = []
    for _ in range(count):
        category = rng.choices([c for c, _w in postable], weights=[w for _c, w in postable])[0]
        ward = rng.choice(world.wards)
        lon, lat = rng.choice(ward.points)
        fields: list[tuple[str, str]] = [
            ("api_key", DEMO_OPEN311_KEY),
            ("service_code", category.code),
            ("lat", f"{lat:.6f}"),
            ("long", f"{lon:.6f}"),
            ("description", f"{rng.choice(DESCRIPTIONS)} Sector {ward.name}."),
        ]
        for question in required.get(category.pk, []):
            if question.datatype == "multivaluelist":
                fields.append((f"attribute[{question.code}][]", rng.choice(question.values)["key"]))
            elif question.datatype == "singlevaluelist":
                fields.append((f"attribute[{question.code}]", rng.choice(question.values)["key"]))
            elif question.datatype == "datetime":
                fields.append((f"attribute[{question.code}]", "2026-05-04T12:00:00-04:00"))
            elif question.datatype == "number":
                fields.append((f"attribute[{question.code}]", str(rng.randint(1, 20))))
            else:
                fields.append((f"attribute[{question.code}]", "Frente al número 120"))
        if rng.random() < 0.5:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            fields += [
                ("first_name", first),
                ("last_name", last),
                ("email", f"vecino{rng.randrange(10**6)}@example.org"),
            ]
        body = urllib.parse.urlencode(fields).encode()
        requests.append(Request("POST", path, body, headers))
    return requests


def _w3c(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def get_variants(world: World, rng: random.Random, load: LoadResult, path: str, count: int) -> dict[str, list[Request]]:
    """GET requests.json with filters, by kind; dates and codes drawn across the loaded months."""
    assert load.first_submitted is not None
    assert load.last_submitted is not None
    codes = [category.code for category in world.categories if not category.sensitive]
    span = (load.last_submitted - load.first_submitted).total_seconds()

    def day(back_days: float = 0.0) -> dt.datetime:
        moment = load.first_submitted + dt.timedelta(seconds=rng.uniform(0, span - back_days * DAY))  # type: ignore[operator]
        return moment.replace(hour=0, minute=0, second=0, microsecond=0)

    variants: dict[str, list[Request]] = {
        "service_code + status=open, last 90 days (defaults: up to 1000)": [],
        "service_code + status=closed, one week, page_size=100": [],
        "all services, one day, page_size=100, page 1–3": [],
        "status=open, last 90 days, page_size=50": [],
        "service_request_id = 10 references": [],
    }
    names = list(variants)
    for _ in range(count):
        variants[names[0]].append(Request("GET", _query(path, {"service_code": rng.choice(codes), "status": "open"})))
        start = day(7)
        variants[names[1]].append(
            Request(
                "GET",
                _query(
                    path,
                    {
                        "service_code": rng.choice(codes),
                        "status": "closed",
                        "start_date": _w3c(start),
                        "end_date": _w3c(start + dt.timedelta(days=7)),
                        "page_size": 100,
                    },
                ),
            )
        )
        start = day(1)
        variants[names[2]].append(
            Request(
                "GET",
                _query(
                    path,
                    {
                        "start_date": _w3c(start),
                        "end_date": _w3c(start + dt.timedelta(days=1)),
                        "page_size": 100,
                        "page": rng.randint(1, 3),
                    },
                ),
            )
        )
        variants[names[3]].append(Request("GET", _query(path, {"status": "open", "page_size": 50})))
        references = rng.sample(load.public_references, min(10, len(load.public_references)))
        variants[names[4]].append(Request("GET", _query(path, {"service_request_id": ",".join(references)})))
    return variants


def agency_path(slug: str) -> str | None:
    return _url("reports:performance_agency", slug=slug)


def performance_operations(the_world: World, loaded: LoadResult, rng: random.Random, path: str) -> list[Operation]:
    """The overview and each agency's page: the default period (last 12 months), whose figures are
    cached (the worker keeps them fresh), and other periods, computed on request from the
    performance rollups (built after loading, as the worker keeps them) plus today's reports."""
    assert loaded.last_submitted is not None
    today = loaded.last_submitted.date()
    periods = [
        {
            "from": (today - dt.timedelta(days=back + length)).isoformat(),
            "to": (today - dt.timedelta(days=back)).isoformat(),
        }
        for back in range(1, 91)
        for length in range(350, 365)
    ]
    rng.shuffle(periods)
    agencies = [agency_path(slug) or "" for slug in the_world.agency_slugs]
    mixed = [(rng.choice(agencies), period) for period in periods * 2]
    # Other chosen periods (from the rollups plus the days not rolled up): the last 30 days ending on
    # any of the last 60, a calendar quarter, a calendar year's span, one category over 12 months.
    quarters = []
    for back in range(1, 5):  # the last four whole calendar quarters
        index = (today.year * 12 + (today.month - 1) // 3 * 3) - 3 * back
        first = dt.date(index // 12, index % 12 + 1, 1)
        following = dt.date((index + 3) // 12, (index + 3) % 12 + 1, 1)
        quarters.append({"from": first.isoformat(), "to": (following - dt.timedelta(days=1)).isoformat()})
    chosen = {
        "last 30 days": [
            {
                "from": (today - dt.timedelta(days=back + 29)).isoformat(),
                "to": (today - dt.timedelta(days=back)).isoformat(),
            }
            for back in range(60)
        ],
        "a calendar quarter": quarters,
        "a year from the 1st of a month": [
            {
                "from": (today.replace(day=1) - dt.timedelta(days=365 + 31 * back)).replace(day=1).isoformat(),
                "to": (today - dt.timedelta(days=31 * back)).isoformat(),
            }
            for back in range(4)
        ],
        "one category over 12 months": [
            {**period, "category": category.code}
            for period in periods[:40]
            for category in [c for c in the_world.categories if not c.sensitive][:1]
        ],
    }
    extra = [
        Operation(
            f"performance overview, {name} (not cached)",
            [Request("GET", _query(path, period)) for period in chosen_periods],
        )
        for name, chosen_periods in chosen.items()
    ]
    return [
        Operation("performance overview, default period (cached figures)", [Request("GET", path)]),
        Operation(
            "performance overview, other 12-month periods (not cached)",
            [Request("GET", _query(path, period)) for period in periods],
            unique=True,
        ),
        Operation(
            "performance of one agency, default period (cached figures)",
            [Request("GET", agency) for agency in agencies],
        ),
        Operation(
            "performance of one agency, other 12-month periods (not cached)",
            list({request.path: request for request in (Request("GET", _query(a, p)) for a, p in mixed)}.values()),
            unique=True,
        ),
        *extra,
    ]


def _url(name: str, **kwargs: Any) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


# --- Measuring ---------------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    requests: list[Request]
    post: bool = False
    unique: bool = False  # never send the same request twice (each one a cache miss)
    used: int = 0  # unique: how many of requests were handed out


def _phase_requests(operation: Operation, clients: int, rng: random.Random) -> list[list[Request]]:
    """What each client cycles through in one phase: unique operations get fresh requests each time."""
    if not operation.unique:
        return _split(operation.requests, clients, rng)
    take = clients * UNIQUE_PER_CLIENT
    fresh = operation.requests[operation.used : operation.used + take]
    if len(fresh) < take:
        sys.exit(f"bench.reports_load: {operation.name} ran out of distinct requests; generate more.")
    operation.used += take
    return [fresh[index::clients] for index in range(clients)]


def _split(requests: Sequence[Request], clients: int, rng: random.Random) -> list[list[Request]]:
    shuffled = list(requests)
    rng.shuffle(shuffled)
    return [shuffled[index::clients] or shuffled for index in range(clients)]


def measure(
    operations: list[Operation],
    *,
    target: Target,
    clients: int,
    rounds: int,
    duration: float,
    run_id: str,
    rng: random.Random,
    watch: dict[str, int],
    label: str,
    sent: dict[str, list[list[Request]]],
) -> list[Phase]:
    """Every operation for duration seconds in total, interleaved in rounds; merged per operation.

    sent gets, per Idempotency-Key prefix, what each client cycled through (to send a POST again).
    """
    collected: dict[str, list[Phase]] = {operation.name: [] for operation in operations}
    for round_number in range(rounds):
        for operation in operations:
            prefix = f"{run_id}-{label}{round_number}" if operation.post else None
            split = _phase_requests(operation, clients, rng)
            if prefix is not None:
                sent[prefix] = split
            phase = run_phase(
                operation.name,
                target=target,
                requests=split,
                duration=duration / rounds,
                idempotency_prefix=prefix,
                watch=watch,
            )
            collected[operation.name].append(phase)
            print(
                f"  [{label} round {round_number + 1}/{rounds}] {operation.name}: {phase.ok}/{phase.n} ok, "
                f"{phase.throughput:,.1f}/s, p50 {percentile_ms(phase.latencies_ns, 50):.1f} ms",
                file=sys.stderr,
            )
    return [merge(collected[operation.name]) for operation in operations]


def sent_request(key: str, sent: dict[str, list[list[Request]]]) -> Request:
    """The request that was sent with an Idempotency-Key (loadgen.idempotency_key: prefix-client-sequence)."""
    prefix, client, sequence = key.rsplit("-", 2)
    own = sent[prefix][int(client)]
    return own[int(sequence) % len(own)]


@dataclass
class PostCheck:
    answered_2xx: int
    non_2xx: int
    rows_found: int
    missing: list[str]
    wrong_reference: list[str]
    extra_rows: int
    created_during: int
    retried: int
    retry_mismatches: list[str]


def check_posts(
    phases: Sequence[Phase],
    *,
    run_id: str,
    target: Target,
    reports_before: int,
    retry_sample: list[tuple[str, Request]],
) -> PostCheck:
    from civicloop.reports.models import Report

    answered = {key: reference for phase in phases for key, status, reference in phase.created if 200 <= status < 300}
    non_2xx = sum(1 for phase in phases for _key, status, _reference in phase.created if not 200 <= status < 300)
    stored = dict(
        Report.objects.filter(idempotency_key__startswith=f"{run_id}-").values_list("idempotency_key", "reference")
    )
    missing = [key for key in answered if key not in stored]
    wrong = [key for key, reference in answered.items() if key in stored and stored[key] != reference]
    extra = len(set(stored) - set(answered))
    created = Report.objects.count() - reports_before
    mismatches = []
    for key, request in retry_sample:
        status, body = send_one(target, request, {"Idempotency-Key": key})
        reference = ""
        with contextlib.suppress(ValueError, LookupError, AttributeError):
            reference = json.loads(body)[0].get("service_request_id", "")
        if not 200 <= status < 300 or reference != answered.get(key):
            mismatches.append(f"{key}: {status} {body[:200]!r}")
    created_after_retries = Report.objects.count() - reports_before
    if created_after_retries != created:
        mismatches.append(f"retries created {created_after_retries - created} reports")
    return PostCheck(
        answered_2xx=len(answered),
        non_2xx=non_2xx,
        rows_found=len(answered) - len(missing),
        missing=missing[:10],
        wrong_reference=wrong[:10],
        extra_rows=extra,
        created_during=created,
        retried=len(retry_sample),
        retry_mismatches=mismatches[:10],
    )


def explain_slow_queries(paths: Sequence[str], threshold_ms: float) -> list[str]:
    """Markdown: each path fetched once in this process, and EXPLAIN ANALYZE of its queries slower than threshold_ms."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST=HOST)
    lines = []
    for path in paths:
        # Cached performance figures would hide the queries that compute them.
        with override_settings(CIVICLOOP_PERFORMANCE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            status = client.get(path).status_code
            elapsed = (time.perf_counter() - t0) * 1000
        total_sql = sum(float(query["time"]) for query in captured.captured_queries) * 1000
        lines.append(
            f"- `{path[:150]}`: {status}, {elapsed:.0f} ms in this process, {len(captured.captured_queries)} queries "
            f"taking {total_sql:.0f} ms"
        )
        for query in captured.captured_queries:
            if float(query["time"]) * 1000 < threshold_ms or not query["sql"].startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
                plan = [row[0] for row in cursor.fetchall()]
            lines.append(f"  - query of {float(query['time']) * 1000:.0f} ms: `{query['sql'][:300]}…`")
            lines.append("")
            lines += [f"        {line}" for line in plan[:40]]
            lines.append("")
    return lines


# --- Output ------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def table(phases: Sequence[Phase], baseline: Phase) -> str:
    lines = [
        "| operation | clients | requests | non-2xx | req/s | ÷ baseline req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in phases:
        ratio = phase.throughput / baseline.throughput if baseline.throughput else math.nan
        lines.append(
            f"| {phase.name} | {phase.clients} | {phase.n:,} | {phase.n - phase.ok:,} | {phase.throughput:,.1f} "
            f"| {ratio:.1%} | {_ms(percentile_ms(phase.latencies_ns, 50))} "
            f"| {_ms(percentile_ms(phase.latencies_ns, 95))} | {_ms(percentile_ms(phase.latencies_ns, 99))} |"
        )
    return "\n".join(lines)


def cpu_table(phases: Sequence[Phase], nproc: int) -> str:
    lines = [
        "| operation | clients | machine busy | load generator | gunicorn | PostgreSQL | generator CPU ms / request |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in phases:
        capacity = phase.elapsed_s * nproc
        lines.append(
            f"| {phase.name} | {phase.clients} | {phase.machine_busy_share:.0%} "
            f"| {phase.client_cpu_s / capacity:.0%} | {phase.tree_cpu_s.get('gunicorn', 0) / capacity:.0%} "
            f"| {phase.tree_cpu_s.get('postgresql', 0) / capacity:.0%} "
            f"| {1000 * phase.client_cpu_s / max(1, phase.n):.2f} |"
        )
    return "\n".join(lines)


# --- Main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python bench/reports_load.py",
        description=__doc__.split("\n\n")[0],
        epilog="Run under scripts/with-postgres; see the module docstring and docs/benchmarks.md.",
    )
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports to load (default 1000000)")
    parser.add_argument("--months", type=int, default=13, help="months the reports span, ending now (default 13)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--workers", type=int, default=2 * nproc, help=f"gunicorn sync workers (default 2 × nproc = {2 * nproc})"
    )
    parser.add_argument("--clients", type=int, default=None, help="concurrent clients (default 2 × workers)")
    parser.add_argument(
        "--duration", type=float, default=30.0, help="seconds per operation and concurrency, over all rounds (30)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--load-only", action="store_true", help="stop after loading the reports")
    parser.add_argument(
        "--explain", action="store_true", help="at the end, EXPLAIN ANALYZE the slow queries of each GET measured"
    )
    args = parser.parse_args(argv)
    if args.clients is None:
        args.clients = 2 * args.workers
    if args.reports < 1000 or args.months < 1 or args.workers < 1 or args.clients < 1 or args.rounds < 1:
        parser.error("--reports must be at least 1000; --months, --workers, --clients and --rounds at least 1.")
    args.nproc = nproc
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="civicloop-bench-") as var_dir:
        django_setup(Path(var_dir))
        run(args, Path(var_dir))
    print(f"\nTotal time: {time.perf_counter() - started:,.0f} s", file=sys.stderr)


def run(args: argparse.Namespace, var_dir: Path) -> None:
    from django.core.management import call_command
    from django.db import connection

    rng = random.Random(args.seed)
    jurisdiction, setup = prepare()
    print(f"Migrated in {setup['migrate']:.1f} s, demo loaded in {setup['demo']:.1f} s.", file=sys.stderr)
    t0 = time.perf_counter()
    the_world = world(jurisdiction, rng)
    setup["prepare generator (ward points, routing)"] = time.perf_counter() - t0
    print(f"Loading {args.reports:,} reports…", file=sys.stderr)
    loaded = load(the_world, count=args.reports, months=args.months, seed=args.seed)
    # The performance page's rollups, as production has them (the worker keeps them every minute).
    from civicloop.reports.services.performance import performance_rollup_refresh

    t0 = time.perf_counter()
    days = performance_rollup_refresh(rebuild=True)
    setup[f"performance rollups ({days} days)"] = time.perf_counter() - t0
    print_data(loaded, setup)
    if args.load_only and not args.explain:
        return
    t0 = time.perf_counter()
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest (DEBUG is off)
    print(f"Static files collected in {time.perf_counter() - t0:.1f} s.", file=sys.stderr)
    if args.load_only:
        print_explain(operations(the_world, loaded, rng)[1])
        return
    connection.close()  # the server's workers open their own
    serve_and_measure(args, var_dir, the_world, loaded, rng)


def print_data(loaded: LoadResult, setup: dict[str, float]) -> None:
    from django.db import connection

    checks = check_load(loaded)
    print("\n## Machine\n")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    print("\n## Data\n")
    print(
        f"- {loaded.reports:,} reports ({loaded.first_submitted:%Y-%m-%d} to {loaded.last_submitted:%Y-%m-%d %H:%M} "
        f"UTC), {loaded.links:,} agency links, {loaded.updates:,} timeline entries; plus the demo's own reports."
    )
    print("- statuses: " + ", ".join(f"{name} {n:,}" for name, n in sorted(loaded.statuses.items())))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE reopened_count > 0), count(*) FILTER (WHERE transferred_count > 0), "
            "count(rating), count(*) FILTER (WHERE escalation_level > 0), count(*) FILTER (WHERE visibility = "
            "'confidential') FROM reports_report"
        )
        reopened, transferred, rated, escalated, confidential = cursor.fetchone()
    print(
        f"- reopened {reopened:,}, transferred {transferred:,}, rated {rated:,}, escalated {escalated:,}, "
        f"confidential {confidential:,}"
    )
    print("- " + "; ".join(checks))
    print("- set-up times: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in setup.items()))
    print("- load times: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in loaded.seconds.items()))
    sys.stdout.flush()


def operations(
    the_world: World, loaded: LoadResult, rng: random.Random
) -> tuple[list[Operation], list[Operation], list[str]]:
    """What is measured with concurrent clients, what with one client, and notes on what is missing."""
    requests_path = _url("open311:requests", fmt="json")
    performance_path = _url("reports:performance")
    baseline = Operation("GET /livez (baseline)", [Request("GET", "/livez")])
    concurrent = [baseline]
    single = [Operation(baseline.name, baseline.requests)]
    notes = []
    if requests_path:
        post = Operation("Open311 POST requests.json", post_requests(the_world, rng, 4000, requests_path), post=True)
        variants = get_variants(the_world, rng, loaded, requests_path, 400)
        mix = [request for requests in variants.values() for request in requests]
        concurrent += [post, Operation("Open311 GET requests.json, filter mix", mix)]
        single.append(Operation(post.name, post.requests, post=True))
        single += [Operation(f"GET requests.json: {name}", requests) for name, requests in variants.items()]
    else:
        notes.append("Open311 requests.json is not installed (no URL open311:requests): not measured.")
    if performance_path and agency_path("x"):
        for operation in performance_operations(the_world, loaded, rng, performance_path):
            concurrent.append(operation)
            single.append(operation)  # the same object: unique requests are never handed out twice
    else:
        notes.append("The performance pages are not installed (reports:performance, _agency): not measured.")
    return concurrent, single, notes


def serve_and_measure(
    args: argparse.Namespace, var_dir: Path, the_world: World, loaded: LoadResult, rng: random.Random
) -> None:
    from django.db import connection

    from civicloop.reports.models import Report

    concurrent_ops, single_ops, notes = operations(the_world, loaded, rng)
    target = Target("127.0.0.1", free_port(), HOST)
    run_id = f"bench{int(time.time())}"
    log = var_dir / "server.log"
    sent: dict[str, list[list[Request]]] = {}
    with server(port=target.port, workers=args.workers, log=log) as process:
        watch = {"gunicorn": process.pid, "postgresql": postmaster_pid()}
        reports_before = Report.objects.count()
        connection.close()
        print("Warming up…", file=sys.stderr)
        for operation in concurrent_ops:
            if not operation.post and not operation.unique:  # a POST warm-up would only add reports
                split = _split(operation.requests, args.clients, rng)
                run_phase("warm-up", target=target, requests=split, duration=2.0, watch=watch)
        common = {"target": target, "rounds": args.rounds, "duration": args.duration, "run_id": run_id, "rng": rng}
        common |= {"watch": watch, "sent": sent}
        concurrent = measure(concurrent_ops, clients=args.clients, label="c", **common)
        single = measure(single_ops, clients=1, label="1", **common)
        post_check = None
        post_phases = [
            phase
            for phases, ops in ((concurrent, concurrent_ops), (single, single_ops))
            for phase, operation in zip(phases, ops, strict=True)
            if operation.post
        ]
        if post_phases:
            answered = [key for phase in post_phases for key, status, _ref in phase.created if 200 <= status < 300]
            chosen = rng.sample(answered, min(RETRIES_CHECKED, len(answered)))
            post_check = check_posts(
                post_phases,
                run_id=run_id,
                target=target,
                reports_before=reports_before,
                retry_sample=[(key, sent_request(key, sent)) for key in chosen],
            )
        connection.close()
    print_results(args=args, concurrent=concurrent, single=single, post_check=post_check, notes=notes, log=log)
    if args.explain:
        print_explain(single_ops)


def print_explain(single_ops: Sequence[Operation]) -> None:
    paths = [
        operation.requests[0].path
        for operation in single_ops
        if operation.requests[0].method == "GET" and operation.requests[0].path != "/livez"
    ]
    print("\n## Slow queries (EXPLAIN ANALYZE of queries over 20 ms, one request per operation)\n")
    print("\n".join(explain_slow_queries(paths, threshold_ms=20)))


def print_results(
    *,
    args: argparse.Namespace,
    concurrent: list[Phase],
    single: list[Phase],
    post_check: PostCheck | None,
    notes: list[str],
    log: Path,
) -> None:
    print("\n## Throughput and latency, concurrent clients\n")
    print(
        f"gunicorn: {args.workers} sync workers (`civicloop serve --no-worker --workers {args.workers}`); "
        f"{args.clients} clients; {args.duration:g} s per operation in {args.rounds} interleaved rounds.\n"
    )
    print(table(concurrent, concurrent[0]))
    print("\n## Latency, one client\n")
    print(table(single, single[0]))
    print("\n## CPU during each phase (share of all the machine's CPUs)\n")
    print(cpu_table(concurrent + single, args.nproc))
    if post_check is not None:
        print("\n## POST check\n")
        print(
            f"- {post_check.answered_2xx:,} POSTs answered 2xx ({post_check.non_2xx} other answers); "
            f"{post_check.rows_found:,} of them have their row with the same service_request_id and "
            f"Idempotency-Key; {len(post_check.wrong_reference)} rows with another reference; "
            f"{post_check.extra_rows} rows for keys that got no 2xx; reports created during the POST phases: "
            f"{post_check.created_during:,}."
        )
        print(
            f"- {post_check.retried} requests sent again with their Idempotency-Key: "
            f"{post_check.retried - len(post_check.retry_mismatches)} got the same id and created nothing."
        )
        for problem in post_check.missing + post_check.wrong_reference + post_check.retry_mismatches:
            print(f"  - problem: {problem}")
    errors = [error for phase in concurrent + single for error in phase.errors]
    if errors:
        print("\n## First non-2xx answers\n")
        for error in errors[:10]:
            print(f"- {error}")
    for note in notes:
        print(f"\n- {note}")
    tail = log.read_text(errors="replace").splitlines()
    problems = [line for line in tail if "ERROR" in line or "Traceback" in line or "WORKER TIMEOUT" in line]
    if problems:
        print("\n## Server errors (from its log)\n")
        for line in problems[:20]:
            print(f"    {line}")


if __name__ == "__main__":
    main()
