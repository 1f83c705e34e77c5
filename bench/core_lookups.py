"""Benchmark of the foundation's hot paths: point-in-area lookup and working-time arithmetic.

Run against a database that holds nothing yet (the script migrates it and writes its own data):

    CIVICLOOP_HOME=/work/main DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m bench.core_lookups
    scripts/with-postgres .venv/bin/python -m bench.core_lookups

Options: --points N (timed lookups per jurisdiction and baseline queries, default 20,000),
--wards N (wards in the generated jurisdiction, default 10,000), --starts N (timed calls per
calendar function, default 5,000), --cold N (index builds timed per jurisdiction, default 5),
--seed N (default 2026; same seed, same points and start times).

What is timed, each call on its own with time.perf_counter_ns (garbage collector left on, as
in production):

- baseline: ``Jurisdiction.objects.filter(pk=...).values_list("areas_version", flat=True).first()``,
  the one small query every warm lookup makes anyway. Figures are reported as a ratio of
  their p50 to the baseline's p50 measured in the same run, because the machines are shared
  and noisy: absolute microseconds move from run to run, ratios much less.
- areas_containing() cold (the first call after clear_area_indexes(): one query for the
  rows, then the STRtree build) and warm (uniform random points in the areas' bounding box),
  on the demo city and on a generated grid of square wards, cut into 10 × 10 districts, in
  one province.
- add_working_days() and add_working_hours() on the demo city, random start times in 2026.

The warm operations are measured interleaved — ten rounds, each running a tenth of every
operation's calls — so a noisy neighbour slows all of them alike instead of one of them.
The warm lookup results are then checked — grid lookups against the grid arithmetic (the ward,
district and province the point lies in), demo lookups against a brute-force shapely test of
every area — so a fast wrong answer cannot pass as a result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROUNDS = 10
GRID_ORIGIN = (10.0, 40.0)  # lon, lat of the grid's south-west corner: open sea, nobody's city
GRID_STEP = 0.01  # ward side in degrees (about 1 km)
GRID_SLUG = "bench-grid"
DISTRICTS_PER_SIDE = 10


# --- Statistics -----------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    samples_ns: list[int]

    @property
    def n(self) -> int:
        return len(self.samples_ns)

    @property
    def mean_us(self) -> float:
        return sum(self.samples_ns) / len(self.samples_ns) / 1000

    def percentile_us(self, p: float) -> float:
        """Nearest-rank percentile, in microseconds."""
        ordered = sorted(self.samples_ns)
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] / 1000


def _fmt(us: float) -> str:
    if us >= 10_000:
        return f"{us:,.0f}"
    if us >= 100:
        return f"{us:.0f}"
    return f"{us:.1f}"


def table(rows: list[Figures], baseline: Figures) -> str:
    base = baseline.percentile_us(50)
    lines = [
        "| operation | n | mean µs | p50 µs | p95 µs | p99 µs | p50 ÷ baseline p50 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        p50 = row.percentile_us(50)
        lines.append(
            f"| {row.name} | {row.n:,} | {_fmt(row.mean_us)} | {_fmt(p50)} | {_fmt(row.percentile_us(95))} "
            f"| {_fmt(row.percentile_us(99))} | {p50 / base:,.1f} |"
        )
    return "\n".join(lines)


def timed(call: Callable[[], Any]) -> tuple[int, Any]:
    start = time.perf_counter_ns()
    result = call()
    return time.perf_counter_ns() - start, result


# --- Set-up -----------------------------------------------------------------------------------


def django_setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        sys.exit(
            "bench.core_lookups: set DATABASE_URL to an empty database, e.g. "
            "DATABASE_URL=sqlite:////tmp/bench.sqlite3 (a file that does not exist yet), or run it "
            "under scripts/with-postgres. It writes thousands of rows, so it never uses the default "
            "database in var/."
        )
    os.environ.setdefault("CIVICLOOP_HOME", str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "civicloop.settings"
    import django

    django.setup()


def machine() -> dict[str, str]:
    import shapely
    from django.db import connection

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    if connection.vendor == "sqlite":
        import sqlite3

        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0]}"
    import django

    return {
        "platform": platform.platform(),
        "cpu": cpu,
        "nproc": str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()),
        "python": platform.python_version(),
        "django": django.get_version(),
        "shapely": f"{shapely.__version__} (GEOS {shapely.geos_version_string})",
        "database": database,
        "load average (1/5/15 min)": " / ".join(f"{value:.2f}" for value in os.getloadavg()),
    }


def _square(col: int, row: int) -> list[list[float]]:
    # The same formula for every corner, so neighbouring wards share bit-identical edges.
    x0, y0 = (round(GRID_ORIGIN[0] + col * GRID_STEP, 6), round(GRID_ORIGIN[1] + row * GRID_STEP, 6))
    x1, y1 = (round(GRID_ORIGIN[0] + (col + 1) * GRID_STEP, 6), round(GRID_ORIGIN[1] + (row + 1) * GRID_STEP, 6))
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


@dataclass(frozen=True)
class Grid:
    wards: int
    cols: int
    rows: int
    block: int  # wards per district side

    @classmethod
    def of(cls, wards: int) -> Grid:
        cols = math.ceil(math.sqrt(wards))
        return cls(wards=wards, cols=cols, rows=math.ceil(wards / cols), block=math.ceil(cols / DISTRICTS_PER_SIDE))

    def cells(self) -> list[tuple[int, int]]:
        return [(i % self.cols, i // self.cols) for i in range(self.wards)]

    def district_of(self, col: int, row: int) -> str:
        return f"d-{row // self.block:03d}-{col // self.block:03d}"

    def bbox(self) -> tuple[float, float, float, float]:
        return (
            GRID_ORIGIN[0],
            GRID_ORIGIN[1],
            GRID_ORIGIN[0] + self.cols * GRID_STEP,
            GRID_ORIGIN[1] + self.rows * GRID_STEP,
        )

    def feature_collection(self) -> dict[str, Any]:
        import shapely

        def feature(name: str, slug: str, level: str, parent: str | None, geometry: dict[str, Any]) -> dict:
            properties = {"name": name, "slug": slug, "level": level, "code": slug}
            if parent:
                properties["parent"] = parent
            return {"type": "Feature", "properties": properties, "geometry": geometry}

        def geojson(squares: list[list[list[float]]]) -> dict[str, Any]:
            union = shapely.union_all([shapely.Polygon(square) for square in squares]).simplify(0)
            return json.loads(shapely.to_geojson(union))

        by_district: dict[str, list[list[list[float]]]] = {}
        wards = []
        for col, row in self.cells():
            square = _square(col, row)
            district = self.district_of(col, row)
            by_district.setdefault(district, []).append(square)
            slug = f"w-{row:04d}-{col:04d}"
            wards.append(
                feature(f"Ward {row}/{col}", slug, "ward", district, {"type": "Polygon", "coordinates": [square]})
            )
        districts = [
            feature(f"District {slug[2:]}", slug, "district", "province", geojson(squares))
            for slug, squares in by_district.items()
        ]
        province = feature(
            "Bench Province", "province", "province", None, geojson([_square(c, r) for c, r in self.cells()])
        )
        return {"type": "FeatureCollection", "features": [province, *districts, *wards]}

    def expected(self, lon: float, lat: float) -> list[str] | None:
        """Slugs the point must find (deepest first), or None if it is on an edge or outside."""
        x = (lon - GRID_ORIGIN[0]) / GRID_STEP
        y = (lat - GRID_ORIGIN[1]) / GRID_STEP
        col, row = math.floor(x), math.floor(y)
        near_edge = min(x - col, col + 1 - x, y - row, row + 1 - y) < 1e-6
        if near_edge or not (0 <= col < self.cols and 0 <= row < self.rows) or row * self.cols + col >= self.wards:
            return None
        return [f"w-{row:04d}-{col:04d}", self.district_of(col, row), "province"]


def create_grid_jurisdiction(grid: Grid) -> Any:
    from civicloop.core.models import Jurisdiction
    from civicloop.core.services import area_import_geojson

    jurisdiction = Jurisdiction.objects.create(
        name="Bench Province",
        slug=GRID_SLUG,
        domain="bench-grid.example.org",
        time_zone="UTC",
        languages=["en"],
    )
    area_import_geojson(jurisdiction=jurisdiction, data=grid.feature_collection())
    jurisdiction.refresh_from_db()
    return jurisdiction


def random_points(rng: random.Random, bbox: tuple[float, float, float, float], n: int) -> list[tuple[float, float]]:
    min_lon, min_lat, max_lon, max_lat = bbox
    return [(rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat)) for _ in range(n)]


# --- Measurements ----------------------------------------------------------------------------


def measure_cold(name: str, jurisdiction: Any, point: tuple[float, float], times: int) -> Figures:
    from civicloop.core.geo import areas_containing, clear_area_indexes

    samples = []
    for _ in range(times):
        clear_area_indexes()
        gc.collect()
        elapsed, _result = timed(lambda: areas_containing(jurisdiction=jurisdiction, lon=point[0], lat=point[1]))
        samples.append(elapsed)
    return Figures(name, samples)


def measure_warm(operations: list[tuple[str, list[Callable[[], Any]]]]) -> tuple[list[Figures], dict[str, list]]:
    """Time every call of every operation, interleaved in ROUNDS rounds; return figures and results."""
    samples: dict[str, list[int]] = {name: [] for name, _calls in operations}
    results: dict[str, list[Any]] = {name: [] for name, _calls in operations}
    for call in (calls[0] for _name, calls in operations):
        call()  # one untimed call each: connections opened, indexes built, code paths warm
    gc.collect()
    for round_number in range(ROUNDS):
        for name, calls in operations:
            size = math.ceil(len(calls) / ROUNDS)
            for call in calls[round_number * size : (round_number + 1) * size]:
                elapsed, result = timed(call)
                samples[name].append(elapsed)
                results[name].append(result)
    return [Figures(name, samples[name]) for name, _calls in operations], results


def check_grid_results(grid: Grid, points: list[tuple[float, float]], results: list[list[Any]]) -> int:
    """Count of points checked; exits if any lookup found the wrong areas."""
    checked = 0
    for (lon, lat), found in zip(points, results, strict=True):
        expected = grid.expected(lon, lat)
        if expected is None:
            continue
        slugs = [area.slug for area in found]
        if slugs != expected:
            sys.exit(f"bench.core_lookups: lookup at ({lon}, {lat}) found {slugs}, expected {expected}.")
        checked += 1
    return checked


def check_demo_results(demo: Any, points: list[tuple[float, float]], results: list[list[Any]]) -> int:
    """Points inside some area; exits if a lookup disagrees with testing every area's polygon."""
    import shapely
    from shapely.geometry import shape

    from civicloop.core.demo import LEVELS
    from civicloop.core.models import Area

    areas = list(Area.objects.filter(jurisdiction=demo).values_list("slug", "level", "geometry"))
    lons, lats = [lon for lon, _lat in points], [lat for _lon, lat in points]
    covering = [set() for _ in points]
    for slug, _level, geometry in areas:
        for position in shapely.intersects_xy(shape(geometry), lons, lats).nonzero()[0]:
            covering[position].add(slug)
    depth = {slug: LEVELS.index(level) for slug, level, _geometry in areas}
    for point, expected, found in zip(points, covering, results, strict=True):
        slugs = [area.slug for area in found]
        depths = [depth[slug] for slug in slugs]
        if set(slugs) != expected or depths != sorted(depths, reverse=True):
            sys.exit(f"bench.core_lookups: demo lookup at {point} found {slugs}, expected {sorted(expected)}.")
    return sum(1 for expected in covering if expected)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.core_lookups", description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=20_000, help="timed lookups per jurisdiction (default 20000)")
    parser.add_argument("--wards", type=int, default=10_000, help="wards in the generated jurisdiction (default 10000)")
    parser.add_argument("--starts", type=int, default=5_000, help="timed calls per calendar function (default 5000)")
    parser.add_argument("--cold", type=int, default=5, help="index builds timed per jurisdiction (default 5)")
    parser.add_argument("--seed", type=int, default=2026, help="random seed for points and start times (default 2026)")
    args = parser.parse_args(argv)
    if min(args.points, args.starts) < ROUNDS or args.wards < 1 or args.cold < 1:
        parser.error(f"--points and --starts must be at least {ROUNDS}; --wards and --cold at least 1.")
    return args


@dataclass
class Data:
    demo: Any
    big: Any
    grid: Grid
    demo_areas: int
    grid_areas: int
    districts: int
    demo_bbox: tuple[float, float, float, float]
    setup_seconds: dict[str, float]


def prepare(grid: Grid) -> Data:
    """Migrate the empty database, load the demo city and import the grid jurisdiction."""
    from django.core.management import call_command
    from django.db.models import Max, Min

    from civicloop.core.demo import demo_load
    from civicloop.core.models import Area, Jurisdiction

    setup: dict[str, float] = {}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    setup["migrate"] = time.perf_counter() - t0
    if Jurisdiction.objects.exists():
        sys.exit(
            "bench.core_lookups: the database already holds jurisdictions; the benchmark needs an empty one "
            "(delete the SQLite file, or use scripts/with-postgres)."
        )
    t0 = time.perf_counter()
    demo = demo_load(seed=2026).jurisdiction
    setup["demo_load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    big = create_grid_jurisdiction(grid)
    setup["grid import"] = time.perf_counter() - t0
    box = Area.objects.filter(jurisdiction=demo).aggregate(
        a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat")
    )
    return Data(
        demo=demo,
        big=big,
        grid=grid,
        demo_areas=Area.objects.filter(jurisdiction=demo).count(),
        grid_areas=Area.objects.filter(jurisdiction=big).count(),
        districts=Area.objects.filter(jurisdiction=big, level="district").count(),
        demo_bbox=(box["a"], box["b"], box["c"], box["d"]),
        setup_seconds=setup,
    )


def measure(args: argparse.Namespace, data: Data) -> tuple[list[Figures], list[str]]:
    """All figures (baseline first) and the lines saying what was checked."""
    from civicloop.core.calendar import add_working_days, add_working_hours
    from civicloop.core.geo import areas_containing
    from civicloop.core.models import Jurisdiction

    demo, big = data.demo, data.big
    rng = random.Random(args.seed)
    demo_points = random_points(rng, data.demo_bbox, args.points)
    grid_points = random_points(rng, data.grid.bbox(), args.points)
    year = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    starts = [year + dt.timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(args.starts)]
    day_counts = [rng.randint(1, 15) for _ in range(args.starts)]
    hour_counts = [rng.uniform(0.5, 40.0) for _ in range(args.starts)]
    demo_label, grid_label = f"demo ({data.demo_areas} areas)", f"grid ({data.grid_areas:,} areas)"

    cold = [
        measure_cold(f"lookup cold, {demo_label}", demo, demo_points[0], args.cold),
        measure_cold(f"lookup cold, {grid_label}", big, grid_points[0], args.cold),
    ]
    operations: list[tuple[str, list[Callable[[], Any]]]] = [
        (
            "baseline: areas_version query",
            [
                lambda: Jurisdiction.objects.filter(pk=demo.pk).values_list("areas_version", flat=True).first()
                for _ in range(args.points)
            ],
        ),
        (
            f"lookup warm, {demo_label}",
            [lambda p=p: areas_containing(jurisdiction=demo, lon=p[0], lat=p[1]) for p in demo_points],
        ),
        (
            f"lookup warm, {grid_label}",
            [lambda p=p: areas_containing(jurisdiction=big, lon=p[0], lat=p[1]) for p in grid_points],
        ),
        (
            "add_working_days (1–15 days), demo",
            [lambda s=s, d=d: add_working_days(demo, s, d) for s, d in zip(starts, day_counts, strict=True)],
        ),
        (
            "add_working_hours (0.5–40 h), demo",
            [lambda s=s, h=h: add_working_hours(demo, s, h) for s, h in zip(starts, hour_counts, strict=True)],
        ),
    ]
    warm, results = measure_warm(operations)
    checked = check_grid_results(data.grid, grid_points, results[operations[2][0]])
    demo_hits = check_demo_results(demo, demo_points, results[operations[1][0]])
    notes = [
        (
            f"all {checked:,} grid lookups at points inside a ward found that ward, its district and the province, "
            f"in that order (grid arithmetic; points within 1e-6 of an edge or outside every ward are not checked)"
        ),
        (
            f"all {len(demo_points):,} demo lookups found the same areas as a brute-force shapely test of every "
            f"area, deepest level first; {demo_hits:,} points fell inside the city, the rest in the corners "
            f"of its bounding box"
        ),
    ]
    return [warm[0], *cold, *warm[1:]], notes


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    django_setup()
    data = prepare(Grid.of(args.wards))
    figures, notes = measure(args, data)
    total = time.perf_counter() - started

    grid = data.grid
    print("## core lookups benchmark\n")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    print(
        f"- data: demo city {data.demo_areas} areas (seed 2026); grid {grid.wards:,} wards ({grid.cols}×{grid.rows}, "
        f"{GRID_STEP}° squares) in {data.districts} districts in 1 province = {data.grid_areas:,} areas"
    )
    print(
        f"- samples: {args.points:,} per warm lookup and baseline, {args.starts:,} per calendar function, "
        f"{args.cold} cold builds per jurisdiction, seed {args.seed}"
    )
    print("- set-up: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in data.setup_seconds.items()))
    for note in notes:
        print(f"- check: {note}")
    print(f"- total run time: {total:.0f} s\n")
    print(table(figures, figures[0]))


if __name__ == "__main__":
    main()
