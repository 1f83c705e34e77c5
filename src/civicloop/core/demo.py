"""The demo jurisdiction: Ciudad Esperanza, a fictional city to try civicloop with.

Everything here is invented: the city, its boundary (placed in the open Pacific, where no
city exists), districts, wards, agencies, holidays and people. The demo is loaded through
the same services a real jurisdiction uses (area import, role grants, agency updates), so
trying the demo exercises the real code paths and fills the audit trail like real work.

`demo_load()` is idempotent: it creates what is missing and leaves what exists alone, so
`make run` can call it on every start without undoing changes made while exploring. With
`reset=True` it also puts every demo object back to its definition (passwords, names,
roles, agency details, areas, holidays). Either way a second run changes nothing and
writes no audit event.

The boundaries are generated from a seed (a noisy ring split by relaxed Voronoi cells)
and committed as `data/demo/areas.geojson`; `demo_areas_write()` regenerates that file
and a test checks the committed file still equals the generator's output.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from shapely.geometry import MultiPoint, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import RoleAssignment, User
from civicloop.accounts.services import role_grant, role_revoke
from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import AgencyKind, Channel
from civicloop.core.models import Agency, Area, AuditEvent, Holiday, Jurisdiction
from civicloop.core.services import agency_update, area_import_geojson
from civicloop.directory.demo import directory_demo_load
from civicloop.reports.demo import demo_reports_load, reports_demo_load

DEMO_SLUG = "esperanza"
DEMO_DOMAIN = "esperanza.example.org"
DEMO_PASSWORD = "demo-civicloop-2026"  # noqa: S105 — published on purpose: demo accounts only
DEFAULT_SEED = 2026
AREAS_FILE = Path(__file__).resolve().parent / "data" / "demo" / "areas.geojson"
DEMO_URL = "http://127.0.0.1:8000/"

# --- Geography ----------------------------------------------------------------------------
# Open ocean about 1,000 km west of the Chilean coast: clearly not a real city.
CENTRE = (-84.5, -30.5)
CITY_RADIUS_KM = 6.5
GRID = 1e-6  # coordinates are kept on a 1e-6° grid (~0.1 m), so shared edges are bit-identical
CITY = ("Ciudad Esperanza", "ciudad-esperanza", "CE")
# District name and slug, then its wards. The structure is fixed; the seed only moves the
# lines, so every seed gives the same slugs and a re-seeded demo updates areas in place.
DISTRICTS: list[tuple[str, str, list[str]]] = [
    ("Centro", "centro", ["Plaza de Armas", "Mercado Central", "Estación", "Barrio Cívico"]),
    ("Puerto", "puerto", ["Muelle Viejo", "Caleta Norte", "Astilleros"]),
    ("Los Aromos", "los-aromos", ["Aromos Alto", "Aromos Bajo", "Villa Las Flores"]),
    ("La Quebrada", "la-quebrada", ["Quebrada Honda", "El Mirador"]),
    ("Cerro Azul", "cerro-azul", ["Cerro Azul Norte", "Cerro Azul Sur", "Las Terrazas"]),
    ("San Isidro", "san-isidro", ["San Isidro Centro", "Villa Magisterio", "Los Olivos"]),
]
LEVELS = ("city", "district", "ward")


def _km(dx: float, dy: float) -> tuple[float, float]:
    """Kilometres east/north of the centre as degrees of longitude/latitude."""
    return dx / (111.32 * math.cos(math.radians(CENTRE[1]))), dy / 110.57


def _boundary(rng: random.Random) -> Polygon:
    """A star-shaped ring with a few smooth bulges and a little jitter: it looks drawn, not computed."""
    harmonics = [(k, rng.uniform(0.03, 0.12) / math.sqrt(k), rng.uniform(0, 2 * math.pi)) for k in range(2, 7)]
    points = []
    for i in range(72):
        angle = 2 * math.pi * i / 72
        bulge = sum(amplitude * math.cos(k * angle + phase) for k, amplitude, phase in harmonics)
        radius = CITY_RADIUS_KM * (1 + bulge + rng.uniform(-0.025, 0.025))
        dx, dy = _km(radius * math.cos(angle), radius * math.sin(angle))
        points.append((CENTRE[0] + dx, CENTRE[1] + dy))
    return shapely.set_precision(Polygon(points), GRID)


def _relax(region: Any, points: list[tuple[float, float]], iterations: int) -> list[tuple[float, float]]:
    """Lloyd relaxation: move each seed to its cell's centroid, so cells come out even-sized."""
    for _ in range(iterations):
        cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=region, ordered=True)
        points = [shapely.intersection(cell, region).centroid.coords[0] for cell in cells.geoms]
    return points


def _points_inside(rng: random.Random, region: Any, count: int) -> list[tuple[float, float]]:
    min_lon, min_lat, max_lon, max_lat = region.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        point = (rng.uniform(min_lon, max_lon), rng.uniform(min_lat, max_lat))
        if region.contains(shapely.Point(point)):
            points.append(point)
    return points


def _edges(region: Any, seeds: list[tuple[float, float]]) -> Any:
    # Edges overshoot the region by ~1 m so that, once snapped to the grid, they still
    # cross its border and split it; the overshoot is a dangle that polygonize drops.
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=region, only_edges=True)
    return shapely.intersection(edges, region.buffer(1e-5))


def _nearest(point: tuple[float, float], seeds: list[tuple[float, float]]) -> int:
    return min(range(len(seeds)), key=lambda i: (point[0] - seeds[i][0]) ** 2 + (point[1] - seeds[i][1]) ** 2)


def _partition(rng: random.Random) -> tuple[Any, list[Any], list[list[Any]]] | None:
    """City, districts and wards that tile each other exactly, or None if this draw came out ugly.

    All lines (city ring, district and ward Voronoi edges) are noded together on the grid
    and polygonized once; every area is then a union of the same faces, so a ward's edge is
    bit-for-bit its neighbour's and its district's.
    """
    city = _boundary(rng)
    seeds = [CENTRE]
    for i in range(len(DISTRICTS) - 1):
        angle = 2 * math.pi * i / (len(DISTRICTS) - 1) + rng.uniform(-0.3, 0.3)
        dx, dy = _km(4 * math.cos(angle), 4 * math.sin(angle))
        seeds.append((CENTRE[0] + dx, CENTRE[1] + dy))
    seeds = _relax(city, seeds, 3)
    cells = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=city, ordered=True)
    lines = [city.boundary, _edges(city, seeds)]
    ward_seeds = []
    for cell, (_district_name, _district_slug, wards) in zip(cells.geoms, DISTRICTS, strict=True):
        district = shapely.intersection(cell, city)
        points = _relax(district, _points_inside(rng, district, len(wards)), 4)
        ward_seeds.append(points)
        lines.append(_edges(district, points))
    network = shapely.union_all(lines, grid_size=GRID)
    faces: dict[tuple[int, int], list[Any]] = {}
    for face in shapely.polygonize(list(shapely.get_parts(network))).geoms:
        point = face.representative_point()
        if not city.contains(point):
            continue
        district_index = _nearest(point.coords[0], seeds)
        key = (district_index, _nearest(point.coords[0], ward_seeds[district_index]))
        faces.setdefault(key, []).append(face)
    wards = [
        [shapely.union_all(faces.get((d, w), [])) for w in range(len(DISTRICTS[d][2]))] for d in range(len(DISTRICTS))
    ]
    districts = [shapely.union_all(district_wards) for district_wards in wards]
    for district, district_wards in zip(districts, wards, strict=True):
        for ward in district_wards:
            # Each ward one polygon, none a sliver (under a quarter of its fair share).
            if ward.geom_type != "Polygon" or ward.area < district.area / len(district_wards) / 4:
                return None
    if any(district.geom_type != "Polygon" for district in districts):
        return None
    return shapely.union_all(districts), districts, wards


def _geometry(polygon: Any) -> dict[str, Any]:
    """GeoJSON for a grid-aligned polygon: counter-clockwise outer ring (RFC 7946), 6 decimals."""
    geometry = mapping(orient(polygon, 1.0))
    return {
        "type": geometry["type"],
        "coordinates": [[[round(lon, 6), round(lat, 6)] for lon, lat in ring] for ring in geometry["coordinates"]],
    }


def _feature(*, name: str, slug: str, level: str, parent: str | None, code: str, polygon: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"name": name, "slug": slug, "level": level, "parent": parent, "code": code},
        "geometry": _geometry(polygon),
    }


def demo_areas_geojson(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The demo's areas as a GeoJSON FeatureCollection: one city, its districts, their wards.

    Deterministic for a seed (Python's own random, not the platform's), so the committed
    file can be checked against it.
    """
    rng = random.Random(seed)  # noqa: S311 — reproducible shapes, not secrets
    for _attempt in range(50):
        partition = _partition(rng)
        if partition is not None:
            break
    else:  # pragma: no cover — no seed tried so far needs more than a few draws
        raise RuntimeError(f"Could not draw tidy demo areas from seed {seed}; try another seed.")
    city, districts, wards = partition
    name, city_slug, city_code = CITY
    features = [_feature(name=name, slug=city_slug, level="city", parent=None, code=city_code, polygon=city)]
    for index, ((district_name, district_slug, _wards), polygon) in enumerate(zip(DISTRICTS, districts, strict=True)):
        code = f"{city_code}-{index + 1:02d}"
        features.append(
            _feature(
                name=district_name, slug=district_slug, level="district", parent=city_slug, code=code, polygon=polygon
            )
        )
    for index, (_district_name, district_slug, ward_names) in enumerate(DISTRICTS):
        for ward_index, (ward_name, polygon) in enumerate(zip(ward_names, wards[index], strict=True)):
            code = f"{city_code}-{index + 1:02d}-{ward_index + 1:02d}"
            features.append(
                _feature(
                    name=ward_name,
                    slug=slugify(ward_name),
                    level="ward",
                    parent=district_slug,
                    code=code,
                    polygon=polygon,
                )
            )
    return {"type": "FeatureCollection", "features": features}


def demo_areas_text(seed: int = DEFAULT_SEED) -> str:
    """The FeatureCollection as committed: one feature per line, so a diff shows which area moved."""
    features = ",\n".join(json.dumps(feature, ensure_ascii=False) for feature in demo_areas_geojson(seed)["features"])
    return f'{{"type": "FeatureCollection", "features": [\n{features}\n]}}\n'


def demo_areas_write(path: Path = AREAS_FILE, seed: int = DEFAULT_SEED) -> Path:
    """Regenerate the committed areas file (after changing the generator or the names)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo_areas_text(seed), encoding="utf-8")
    return path


def demo_areas(seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """The committed file for the default seed (no geometry work at start-up), else generated."""
    if seed == DEFAULT_SEED:
        return json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    return demo_areas_geojson(seed)


# --- Calendar -----------------------------------------------------------------------------
WORKING_HOURS = {
    **{str(day): [["08:30", "13:00"], ["14:00", "17:30"]] for day in range(4)},  # Monday–Thursday, lunch 13–14
    "4": [["08:30", "16:30"]],  # Friday
}
FIXED_HOLIDAYS = [
    (1, 1, "Año Nuevo"),
    (3, 14, "Aniversario de la Fundación de Ciudad Esperanza"),
    (5, 1, "Día del Trabajo"),
    (6, 21, "Día de los Pueblos Originarios"),
    (9, 18, "Fiestas Patrias"),
    (9, 19, "Fiestas Patrias (segundo día)"),
    (10, 12, "Día del Encuentro de Dos Mundos"),
    (11, 1, "Día de Todos los Santos"),
    (12, 8, "Inmaculada Concepción"),
    (12, 25, "Navidad"),
]


def _easter(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm), so no holiday data is needed."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def demo_holidays(years: list[int]) -> dict[dt.date, str]:
    holidays = {}
    for year in years:
        holidays.update({dt.date(year, month, day): name for month, day, name in FIXED_HOLIDAYS})
        holidays[_easter(year) - dt.timedelta(days=2)] = "Viernes Santo"
    return dict(sorted(holidays.items()))


# --- Agencies and people ------------------------------------------------------------------
@dataclass(frozen=True)
class DemoAgency:
    slug: str
    kind: AgencyKind
    name: str  # Spanish: the jurisdiction's first language
    description: str
    en: tuple[str, str]
    id: tuple[str, str]
    email: str
    areas: tuple[str, ...] = (CITY[1],)


AGENCIES = [
    DemoAgency(
        "obras-publicas",
        AgencyKind.GOVERNMENT,
        "Dirección de Obras Públicas y Vialidad",
        "Calles, veredas, baches, puentes y señalización vial de la ciudad.",
        ("Public Works & Roads", "Streets, pavements, potholes, bridges and road signs across the city."),
        (
            "Dinas Pekerjaan Umum dan Jalan",
            "Jalan, trotoar, lubang jalan, jembatan, dan rambu lalu lintas di seluruh kota.",
        ),
        f"obras@{DEMO_DOMAIN}",
    ),
    DemoAgency(
        "aseo",
        AgencyKind.GOVERNMENT,
        "Dirección de Aseo y Gestión de Residuos",
        "Recolección de basura, reciclaje, microbasurales y limpieza de espacios públicos.",
        ("Sanitation & Waste", "Rubbish collection, recycling, illegal dumping and street cleaning."),
        ("Dinas Kebersihan dan Persampahan", "Pengangkutan sampah, daur ulang, pembuangan liar, dan kebersihan jalan."),
        f"aseo@{DEMO_DOMAIN}",
    ),
    DemoAgency(
        "parques",
        AgencyKind.GOVERNMENT,
        "Departamento de Parques y Áreas Verdes",
        "Plazas, parques, arbolado urbano, juegos infantiles y riego.",
        ("Parks & Green Spaces", "Squares, parks, street trees, playgrounds and irrigation."),
        ("Dinas Pertamanan dan Ruang Terbuka Hijau", "Alun-alun, taman, pohon peneduh, taman bermain, dan penyiraman."),
        f"parques@{DEMO_DOMAIN}",
    ),
    DemoAgency(
        "aguas-esperanza",
        AgencyKind.CONTRACTOR,
        "Aguas Esperanza S.A.",
        "Empresa concesionaria del agua potable y el alcantarillado: cortes, fugas y presión del agua.",
        (
            "Esperanza Water Company",
            "The contracted water and sewerage provider: outages, leaks and water pressure.",
        ),
        (
            "Perusahaan Air Esperanza",
            "Penyedia air minum dan saluran pembuangan yang dikontrak: gangguan, kebocoran, dan tekanan air.",
        ),
        f"aguas@{DEMO_DOMAIN}",
        ("centro", "puerto", "los-aromos", "cerro-azul", "san-isidro"),
    ),
    DemoAgency(
        "desarrollo-social",
        AgencyKind.GOVERNMENT,
        "Dirección de Desarrollo Social",
        "Apoyo a familias, personas mayores y personas con discapacidad; subsidios y programas sociales.",
        (
            "Social Services",
            "Support for families, older people and people with disabilities; benefits and social programmes.",
        ),
        (
            "Dinas Sosial",
            "Dukungan bagi keluarga, lansia, dan penyandang disabilitas; bantuan dan program sosial.",
        ),
        f"social@{DEMO_DOMAIN}",
    ),
    DemoAgency(
        "seguridad-alumbrado",
        AgencyKind.GOVERNMENT,
        "Dirección de Seguridad Pública y Alumbrado",
        "Alumbrado público, cámaras, patrullaje preventivo y prevención del delito en los barrios.",
        (
            "Public Safety & Lighting",
            "Street lighting, cameras, preventive patrols and crime prevention in the neighbourhoods.",
        ),
        (
            "Dinas Keamanan Publik dan Penerangan Jalan",
            "Penerangan jalan umum, kamera, patroli pencegahan, dan pencegahan kejahatan di lingkungan.",
        ),
        f"seguridad@{DEMO_DOMAIN}",
    ),
    DemoAgency(
        "fundacion-barrio-solidario",
        AgencyKind.NONPROFIT,
        "Fundación Barrio Solidario",
        "Organización sin fines de lucro asociada: agua en camión aljibe, ollas comunes y apoyo vecinal "
        "en los sectores altos.",
        (
            "Barrio Solidario Foundation",
            "A partner non-profit: water by tanker truck, community kitchens and neighbourhood support in the hills.",
        ),
        (
            "Yayasan Barrio Solidario",
            "Organisasi nirlaba mitra: air dengan truk tangki, dapur umum, dan dukungan warga di daerah perbukitan.",
        ),
        f"barrio.solidario@{DEMO_DOMAIN}",
        ("la-quebrada", "cerro-azul"),
    ),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role | None  # None: a citizen (every signed-in person is one)
    agency: str = ""
    organisation: str = ""


ACCOUNTS = [
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Camila Soto Riquelme", Role.ADMINISTRATOR),
    DemoAccount(
        f"supervisor@{DEMO_DOMAIN}",
        "Rodrigo Fuentes Lagos",
        Role.SUPERVISOR,
        organisation="Defensoría Ciudadana de Esperanza",
    ),
    DemoAccount(
        f"monitor@{DEMO_DOMAIN}",
        "Ana María Pérez Olave",
        Role.MONITOR,
        organisation="Observatorio Ciudadano Esperanza",
    ),
    DemoAccount(f"obras.manager@{DEMO_DOMAIN}", "Jorge Muñoz Tapia", Role.AGENCY_MANAGER, "obras-publicas"),
    DemoAccount(f"obras.staff@{DEMO_DOMAIN}", "Daniela Castro Vidal", Role.AGENCY_STAFF, "obras-publicas"),
    DemoAccount(f"aseo.manager@{DEMO_DOMAIN}", "Patricia Vergara Rojas", Role.AGENCY_MANAGER, "aseo"),
    DemoAccount(f"aseo.staff@{DEMO_DOMAIN}", "Felipe Araya Núñez", Role.AGENCY_STAFF, "aseo"),
    DemoAccount(f"citizen@{DEMO_DOMAIN}", "Luis Morales Pinto", None),
]


# --- Loading ------------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoResult:
    jurisdiction: Jurisdiction
    areas_per_level: dict[str, int]
    agencies: int
    holidays: int
    accounts: list[DemoAccount]
    changes: int  # audit events written by this run; 0 when the demo was already in place


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, reset: bool = False) -> DemoResult:
    """Load Ciudad Esperanza, all or nothing. See the module docstring for what reset does."""
    events_before = AuditEvent.objects.count()
    jurisdiction = _jurisdiction_upsert(reset=reset)
    _holidays_upsert(jurisdiction=jurisdiction, reset=reset)
    _areas_upsert(jurisdiction=jurisdiction, seed=seed, reset=reset)
    agencies = {spec.slug: _agency_upsert(jurisdiction=jurisdiction, spec=spec, reset=reset) for spec in AGENCIES}
    for account in ACCOUNTS:
        _account_upsert(jurisdiction=jurisdiction, account=account, agencies=agencies, reset=reset)
    reports_demo_load(jurisdiction=jurisdiction, reset=reset)
    demo_reports_load(jurisdiction=jurisdiction)
    directory_demo_load(jurisdiction, seed=seed, reset=reset)
    per_level = {level: Area.objects.filter(jurisdiction=jurisdiction, level=level).count() for level in LEVELS}
    return DemoResult(
        jurisdiction=jurisdiction,
        areas_per_level=per_level,
        agencies=Agency.objects.filter(jurisdiction=jurisdiction).count(),
        holidays=Holiday.objects.filter(jurisdiction=jurisdiction).count(),
        accounts=list(ACCOUNTS),
        changes=AuditEvent.objects.count() - events_before,
    )


def _sync(obj: Any, values: dict[str, Any], *, jurisdiction: Jurisdiction | None, agency: Agency | None = None) -> None:
    """Bring an existing object's fields to values; save and audit only what differs."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return
    before = snapshot(obj, changed)
    for name in changed:
        setattr(obj, name, values[name])
    obj.full_clean()
    update_fields = [*changed, "updated_at"] if hasattr(obj, "updated_at") else changed
    obj.save(update_fields=update_fields)
    audit_log(
        action=f"{obj._meta.model_name}.update",
        obj=obj,
        agency=agency,
        jurisdiction=jurisdiction,
        before=before,
        after=snapshot(obj, changed),
        channel=Channel.SYSTEM,
    )


def _create(model: type, values: dict[str, Any], *, jurisdiction: Jurisdiction | None = None) -> Any:
    obj = model(**values)
    obj.full_clean()
    obj.save()
    audit_log(
        action=f"{model._meta.model_name}.create",
        obj=obj,
        agency=obj if isinstance(obj, Agency) else None,
        jurisdiction=jurisdiction or (obj if isinstance(obj, Jurisdiction) else None),
        after=snapshot(obj, [name for name in values if name not in {"jurisdiction", "password"}]),
        channel=Channel.SYSTEM,
    )
    return obj


def _jurisdiction_upsert(*, reset: bool) -> Jurisdiction:
    values = {
        "name": "Ciudad Esperanza",
        "domain": DEMO_DOMAIN,
        "description": (
            "Ciudad Esperanza es una ciudad ficticia para conocer civicloop: sus límites, barrios, "
            "servicios y personas son inventados."
        ),
        "translations": {
            "en": {
                "name": "Ciudad Esperanza",
                "description": (
                    "Ciudad Esperanza is a fictional city for getting to know civicloop: its boundaries, "
                    "neighbourhoods, services and people are made up."
                ),
            },
            "id": {
                "name": "Ciudad Esperanza",
                "description": (
                    "Ciudad Esperanza adalah kota fiktif untuk mengenal civicloop: batas wilayah, lingkungan, "
                    "layanan, dan orang-orangnya adalah rekaan."
                ),
            },
        },
        "time_zone": "America/Santiago",
        "languages": ["es", "en", "id"],
        "working_hours": WORKING_HOURS,
    }
    jurisdiction = Jurisdiction.objects.filter(slug=DEMO_SLUG).first()
    if jurisdiction is None:
        return _create(Jurisdiction, {"slug": DEMO_SLUG, **values})
    if reset:
        _sync(jurisdiction, values, jurisdiction=jurisdiction)
    return jurisdiction


def _holidays_upsert(*, jurisdiction: Jurisdiction, reset: bool) -> None:
    year = timezone.now().astimezone(jurisdiction.tzinfo).year
    wanted = demo_holidays([year, year + 1])
    existing = {holiday.date: holiday for holiday in Holiday.objects.filter(jurisdiction=jurisdiction)}
    for date, name in wanted.items():
        holiday = existing.get(date)
        if holiday is None:
            _create(Holiday, {"jurisdiction": jurisdiction, "date": date, "name": name}, jurisdiction=jurisdiction)
        elif reset:
            _sync(holiday, {"name": name}, jurisdiction=jurisdiction)
    if reset:
        for date, holiday in existing.items():
            if date.year in (year, year + 1) and date not in wanted:
                audit_log(
                    action="holiday.delete",
                    obj=holiday,
                    jurisdiction=jurisdiction,
                    before=snapshot(holiday, ["date", "name"]),
                    channel=Channel.SYSTEM,
                )
                holiday.delete()


def _areas_upsert(*, jurisdiction: Jurisdiction, seed: int, reset: bool) -> None:
    data = demo_areas(seed)
    stored = {area.slug: area for area in Area.objects.filter(jurisdiction=jurisdiction).select_related("parent")}
    missing = any(feature["properties"]["slug"] not in stored for feature in data["features"])
    if missing or (reset and not _areas_match(stored, data)):
        area_import_geojson(jurisdiction=jurisdiction, data=data, by=None, channel=Channel.SYSTEM)


def _areas_match(stored: dict[str, Area], data: dict[str, Any]) -> bool:
    for feature in data["features"]:
        properties = feature["properties"]
        area = stored[properties["slug"]]
        parent = area.parent.slug if area.parent else None
        if (area.name, area.level, area.code, parent) != (
            properties["name"],
            properties["level"],
            properties["code"],
            properties["parent"],
        ):
            return False
        # Topological equality: an importer that normalises ring order must not cause churn.
        if not shape(area.geometry).equals(shape(feature["geometry"])):
            return False
    return True


def _agency_upsert(*, jurisdiction: Jurisdiction, spec: DemoAgency, reset: bool) -> Agency:
    details = {
        "name": spec.name,
        "description": spec.description,
        "contact_email": spec.email,
        "translations": {
            "en": {"name": spec.en[0], "description": spec.en[1]},
            "id": {"name": spec.id[0], "description": spec.id[1]},
        },
    }
    areas = list(Area.objects.filter(jurisdiction=jurisdiction, slug__in=spec.areas).order_by("pk"))
    agency = Agency.objects.filter(jurisdiction=jurisdiction, slug=spec.slug).first()
    if agency is None:
        agency = Agency(jurisdiction=jurisdiction, slug=spec.slug, kind=spec.kind, **details)
        agency.full_clean()
        agency.save()
        agency.areas.set(areas)
        audit_log(
            action="agency.create",
            obj=agency,
            agency=agency,
            jurisdiction=jurisdiction,
            after=snapshot(agency, ["name", "slug", "kind", "contact_email", "areas"]),
            channel=Channel.SYSTEM,
        )
        return agency
    if reset:
        # by=None: the system acts, not a person (audit_log records no actor).
        agency_update(agency=agency, by=None, channel=Channel.SYSTEM, **details)
        _sync(agency, {"kind": spec.kind, "is_active": True}, jurisdiction=jurisdiction, agency=agency)
        before = snapshot(agency, ["areas"])
        if before["areas"] != sorted(area.pk for area in areas):
            agency.areas.set(areas)
            audit_log(
                action="agency.update",
                obj=agency,
                agency=agency,
                jurisdiction=jurisdiction,
                before=before,
                after=snapshot(agency, ["areas"]),
                channel=Channel.SYSTEM,
            )
    return agency


def _account_upsert(
    *, jurisdiction: Jurisdiction, account: DemoAccount, agencies: dict[str, Agency], reset: bool
) -> User:
    from allauth.account.models import EmailAddress

    is_admin = account.role == Role.ADMINISTRATOR
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = User.objects.create_user(account.email, DEMO_PASSWORD, name=account.name)
        audit_log(
            action="user.create",
            obj=user,
            jurisdiction=jurisdiction,
            after={"email": user.email, "name": user.name},
            channel=Channel.SYSTEM,
        )
    elif reset:
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            audit_log(action="user.password_reset", obj=user, jurisdiction=jurisdiction, channel=Channel.SYSTEM)
        _sync(
            user,
            {"name": account.name, "is_active": True, "is_staff": is_admin, "is_superuser": False},
            jurisdiction=jurisdiction,
        )

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        audit_log(
            action="emailaddress.create",
            obj=address,
            jurisdiction=jurisdiction,
            after={"email": address.email, "verified": True, "primary": True},
            channel=Channel.SYSTEM,
        )
    elif not (address.verified and address.primary):
        # Sign-in needs a verified address; a demo account must not wait for an e-mail.
        before = {"verified": address.verified, "primary": address.primary}
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
        audit_log(
            action="emailaddress.update",
            obj=address,
            jurisdiction=jurisdiction,
            before=before,
            after={"verified": True, "primary": True},
            channel=Channel.SYSTEM,
        )

    kept: list[int] = []
    if account.role is not None:
        assignment = role_grant(
            user=user,
            role=account.role,
            jurisdiction=jurisdiction,
            agency=agencies[account.agency] if account.role in AGENCY_ROLES else None,
            organisation=account.organisation,
            channel=Channel.SYSTEM,
        )
        kept.append(assignment.pk)
        if reset:
            _sync(assignment, {"organisation": account.organisation}, jurisdiction=jurisdiction)
    if reset:
        # Roles handed out while exploring the demo go, so each account shows its one role again.
        for extra in RoleAssignment.objects.filter(user=user, jurisdiction=jurisdiction).exclude(pk__in=kept):
            role_revoke(assignment=extra, channel=Channel.SYSTEM)
    return user
