"""The demo city's categories, extra questions and routing rules (see civicloop.core.demo).

Spanish is stored (the city's first language); English and Indonesian are translations.
Codes are zero-padded numbers, as many cities use, so clients that read "001" as a number
show their bug at once. "Abuso o acoso de funcionarios" is sensitive and has no routing
rule on purpose: such complaints go to the supervisor (the city ombudsman) to triage.

The demo also has one Open311 API key, DEMO_OPEN311_KEY: a fixed, published string so that
`civicloop demo` can print it on every run (only its digest is stored). It is for the demo
only; real integrations get random keys from the admin or `civicloop open311 create-key`.

Loading is idempotent, like the rest of the demo: what exists is left alone, and with
reset=True it is put back to this definition; a second run writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from shapely.geometry import shape

from civicloop.accounts.enums import Role
from civicloop.accounts.models import RoleAssignment, User
from civicloop.accounts.services import token_digest
from civicloop.core.audit import audit_log, snapshot
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.enums import (
    LIST_DATATYPES,
    PrivacyClass,
    ReporterVisibility,
    ReportKind,
    ReportStatus,
    TargetUnit,
)
from civicloop.reports.enums import AttributeDatatype as D
from civicloop.reports.models import Category, CategoryAttribute, Open311ApiKey, Report, RoutingRule
from civicloop.reports.services import (
    category_attribute_create,
    category_attribute_update,
    category_create,
    category_update,
    open311_key_create,
    report_acknowledge,
    report_close_without_fix,
    report_feedback_submit,
    report_fix,
    report_status_set,
    report_submit,
    report_transfer,
    routing_rule_set,
)

Text = tuple[str, str]  # (name, description)

# DEMO ONLY. Published in the README and printed by `civicloop demo`: anyone can use it, so it
# must never exist on a server people rely on.
DEMO_OPEN311_KEY_NAME = "Demo integration"
DEMO_OPEN311_KEY = "o311_demo0000_DEMO-ONLY-ciudad-esperanza-not-a-secret"


@dataclass(frozen=True)
class DemoAttribute:
    code: str
    datatype: str
    question: tuple[str, str, str]  # es, en, id
    required: bool = False
    variable: bool = True
    hint: tuple[str, str, str] = ("", "", "")
    values: tuple[tuple[str, str, str, str], ...] = ()  # key, es, en, id


@dataclass(frozen=True)
class DemoCategory:
    code: str
    es: Text
    en: Text
    id: Text
    groups: tuple[str, ...]  # keys of GROUPS
    keywords: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
    acknowledge: tuple[int, str] = (1, TargetUnit.DAYS)
    resolve: tuple[int, str] = (10, TargetUnit.DAYS)
    routes: dict[str | None, tuple[str, ...]] = field(default_factory=dict)  # area slug (None: anywhere) → agencies
    attributes: tuple[DemoAttribute, ...] = ()
    sensitive: bool = False


GROUPS = {
    "calles": ("Calles y veredas", "Streets and pavements", "Jalan dan trotoar"),
    "aseo": ("Aseo y residuos", "Waste and cleaning", "Sampah dan kebersihan"),
    "parques": ("Parques y áreas verdes", "Parks and green spaces", "Taman dan ruang hijau"),
    "agua": ("Agua y alcantarillado", "Water and sewerage", "Air dan saluran pembuangan"),
    "seguridad": ("Seguridad y alumbrado", "Safety and lighting", "Keamanan dan penerangan"),
    "social": ("Atención social", "Social support", "Layanan sosial"),
    "conducta": ("Conducta de funcionarios", "Conduct of officials", "Perilaku pegawai"),
}

CATEGORIES = [
    DemoCategory(
        "001",
        ("Bache en la calzada", "Hoyos o hundimientos en calles y pasajes."),
        ("Pothole", "Holes or sunken patches in streets and lanes."),
        ("Jalan berlubang", "Lubang atau amblesan di jalan dan gang."),
        ("calles",),
        (("bache", "hoyo", "calle"), ("pothole", "hole", "road"), ("lubang", "jalan rusak")),
        resolve=(5, TargetUnit.DAYS),
        routes={None: ("obras-publicas",)},
        attributes=(
            DemoAttribute(
                "size",
                D.SINGLEVALUELIST,
                ("¿De qué tamaño es?", "How big is it?", "Seberapa besar?"),
                required=True,
                values=(
                    ("small", "Pequeño (cabe un pie)", "Small (a foot fits)", "Kecil (muat satu kaki)"),
                    ("medium", "Mediano (cabe una rueda)", "Medium (a wheel fits)", "Sedang (muat satu roda)"),
                    ("large", "Grande (ocupa la pista)", "Large (takes up the lane)", "Besar (memenuhi lajur)"),
                ),
            ),
            DemoAttribute(
                "depth_cm",
                D.NUMBER,
                ("Profundidad aproximada", "Approximate depth", "Perkiraan kedalaman"),
                hint=("En centímetros", "In centimetres", "Dalam sentimeter"),
            ),
        ),
    ),
    DemoCategory(
        "002",
        ("Vereda en mal estado", "Veredas quebradas, levantadas por raíces o con baldosas sueltas."),
        ("Broken pavement", "Cracked pavements, lifted by roots or with loose tiles."),
        ("Trotoar rusak", "Trotoar retak, terangkat akar, atau ubin lepas."),
        ("calles",),
        (("vereda", "acera"), ("pavement", "sidewalk"), ("trotoar",)),
        routes={None: ("obras-publicas",)},
    ),
    DemoCategory(
        "003",
        ("Señalización vial dañada", "Señales de tránsito caídas, tapadas o faltantes."),
        ("Damaged road sign", "Traffic signs that are down, covered or missing."),
        ("Rambu lalu lintas rusak", "Rambu lalu lintas yang roboh, tertutup, atau hilang."),
        ("calles", "seguridad"),
        (("señal", "disco pare"), ("sign", "stop sign"), ("rambu",)),
        acknowledge=(8, TargetUnit.HOURS),
        resolve=(3, TargetUnit.DAYS),
        routes={None: ("obras-publicas",)},
        attributes=(
            DemoAttribute(
                "sign",
                D.SINGLEVALUELIST,
                ("¿Qué señal es?", "Which sign is it?", "Rambu apa?"),
                values=(
                    ("stop", "Pare", "Stop", "Berhenti"),
                    ("yield", "Ceda el paso", "Give way", "Beri jalan"),
                    ("other", "Otra", "Other", "Lainnya"),
                ),
            ),
        ),
    ),
    DemoCategory(
        "004",
        ("Basura no retirada", "El camión recolector no pasó en el día y horario de su sector."),
        ("Missed rubbish collection", "The collection truck did not come on your area's day and time."),
        ("Sampah tidak diangkut", "Truk sampah tidak datang pada hari dan jam untuk wilayah Anda."),
        ("aseo",),
        (("basura", "recolección"), ("rubbish", "garbage", "bin"), ("sampah", "pengangkutan")),
        acknowledge=(4, TargetUnit.HOURS),
        resolve=(2, TargetUnit.DAYS),
        routes={None: ("aseo",)},
        attributes=(
            DemoAttribute(
                "expected_at",
                D.DATETIME,
                ("¿Cuándo debía pasar el camión?", "When should the truck have come?", "Kapan truk seharusnya datang?"),
                required=True,
            ),
            DemoAttribute(
                "waste",
                D.MULTIVALUELIST,
                ("¿Qué quedó sin retirar?", "What was left behind?", "Apa yang tidak diangkut?"),
                values=(
                    ("household", "Basura domiciliaria", "Household rubbish", "Sampah rumah tangga"),
                    ("recycling", "Reciclaje", "Recycling", "Daur ulang"),
                    ("green", "Restos de poda", "Garden waste", "Sampah kebun"),
                ),
            ),
        ),
    ),
    DemoCategory(
        "005",
        ("Microbasural", "Basura o escombros botados en la vía pública o en sitios eriazos."),
        ("Illegal dumping", "Rubbish or rubble dumped in the street or on empty lots."),
        ("Pembuangan sampah liar", "Sampah atau puing dibuang di jalan atau lahan kosong."),
        ("aseo",),
        (("microbasural", "escombros"), ("fly-tipping", "rubble"), ("sampah liar", "puing")),
        routes={None: ("aseo",)},
        attributes=(
            DemoAttribute(
                "note",
                D.TEXT,
                (
                    "No se acerque a residuos peligrosos (químicos, jeringas): descríbalos y los retiraremos.",
                    "Keep away from hazardous waste (chemicals, needles): describe it and we will remove it.",
                    "Jauhi limbah berbahaya (bahan kimia, jarum suntik): jelaskan dan kami akan mengangkatnya.",
                ),
                variable=False,
            ),
        ),
    ),
    DemoCategory(
        "006",
        ("Árbol caído o con riesgo de caer", "Árboles o ramas caídas, o que amenazan con caer."),
        ("Fallen or unsafe tree", "Trees or branches that have fallen or may fall."),
        ("Pohon tumbang atau rawan tumbang", "Pohon atau dahan yang tumbang atau hampir tumbang."),
        ("parques", "calles"),
        (("árbol", "rama"), ("tree", "branch"), ("pohon", "dahan")),
        acknowledge=(4, TargetUnit.HOURS),
        resolve=(2, TargetUnit.DAYS),
        routes={None: ("parques",)},
        attributes=(
            DemoAttribute(
                "blocking",
                D.SINGLEVALUELIST,
                ("¿Bloquea el paso?", "Is it blocking the way?", "Apakah menghalangi jalan?"),
                required=True,
                values=(
                    ("no", "No", "No", "Tidak"),
                    ("pavement", "Bloquea la vereda", "Blocks the pavement", "Menghalangi trotoar"),
                    ("road", "Bloquea la calle", "Blocks the road", "Menghalangi jalan"),
                ),
            ),
        ),
    ),
    DemoCategory(
        "007",
        ("Juegos infantiles dañados", "Juegos de plazas y parques rotos o peligrosos."),
        ("Damaged playground", "Broken or dangerous play equipment in squares and parks."),
        ("Taman bermain rusak", "Permainan anak di alun-alun dan taman yang rusak atau berbahaya."),
        ("parques",),
        (("juegos", "plaza"), ("playground", "swing"), ("taman bermain", "ayunan")),
        routes={None: ("parques",)},
    ),
    DemoCategory(
        "008",
        ("Luminaria apagada", "Postes de alumbrado público apagados o intermitentes."),
        ("Street light out", "Street lights that are off or flickering."),
        ("Lampu jalan mati", "Lampu penerangan jalan yang mati atau berkedip."),
        ("seguridad",),
        (("luminaria", "poste", "luz"), ("street light", "lamp"), ("lampu jalan", "tiang")),
        acknowledge=(8, TargetUnit.HOURS),
        resolve=(3, TargetUnit.DAYS),
        routes={None: ("seguridad-alumbrado",)},
        attributes=(
            DemoAttribute(
                "pole",
                D.STRING,
                ("Número del poste", "Pole number", "Nomor tiang"),
                hint=(
                    "Está pintado en el poste, p. ej. AP-1234",
                    "Painted on the pole, e.g. AP-1234",
                    "Tertulis di tiang, mis. AP-1234",
                ),
            ),
        ),
    ),
    DemoCategory(
        "009",
        ("Corte de agua", "Sin agua potable o con muy baja presión en el domicilio."),
        ("No water supply", "No tap water, or very low pressure, at home."),
        ("Air mati", "Tidak ada air minum atau tekanan sangat rendah di rumah."),
        ("agua",),
        (("agua", "corte", "presión"), ("water", "outage", "pressure"), ("air", "gangguan", "tekanan")),
        acknowledge=(2, TargetUnit.HOURS),
        resolve=(1, TargetUnit.DAYS),
        # The hills have no mains water: the foundation brings a tanker, social services follow up.
        routes={None: ("aguas-esperanza",), "la-quebrada": ("fundacion-barrio-solidario", "desarrollo-social")},
        attributes=(
            DemoAttribute(
                "households",
                D.NUMBER,
                (
                    "¿Cuántos hogares están sin agua?",
                    "How many households have no water?",
                    "Berapa rumah tangga tanpa air?",
                ),
            ),
        ),
    ),
    DemoCategory(
        "010",
        ("Fuga de agua", "Agua que corre por la calle o brota de una cañería o medidor."),
        ("Water leak", "Water running down the street or coming out of a pipe or meter."),
        ("Kebocoran air", "Air mengalir di jalan atau keluar dari pipa atau meteran."),
        ("agua",),
        (("fuga", "cañería", "matriz"), ("leak", "burst pipe"), ("bocor", "pipa")),
        acknowledge=(4, TargetUnit.HOURS),
        resolve=(2, TargetUnit.DAYS),
        routes={None: ("aguas-esperanza",), "la-quebrada": ("obras-publicas",)},
    ),
    DemoCategory(
        "011",
        ("Solicitud de apoyo social", "Ayuda para familias, personas mayores o con discapacidad."),
        ("Request for social support", "Help for families, older people or people with disabilities."),
        ("Permohonan bantuan sosial", "Bantuan bagi keluarga, lansia, atau penyandang disabilitas."),
        ("social",),
        (("apoyo", "subsidio", "ayuda"), ("support", "benefit", "help"), ("bantuan", "subsidi")),
        acknowledge=(2, TargetUnit.DAYS),
        resolve=(15, TargetUnit.DAYS),
        routes={None: ("desarrollo-social",)},
        attributes=(
            DemoAttribute(
                "support",
                D.MULTIVALUELIST,
                (
                    "¿Qué tipo de apoyo necesita?",
                    "What kind of support do you need?",
                    "Bantuan apa yang Anda butuhkan?",
                ),
                required=True,
                values=(
                    ("food", "Alimentación", "Food", "Pangan"),
                    ("housing", "Vivienda", "Housing", "Perumahan"),
                    ("care", "Cuidados", "Care", "Perawatan"),
                ),
            ),
            DemoAttribute(
                "people",
                D.NUMBER,
                (
                    "¿Cuántas personas viven en el hogar?",
                    "How many people live in the household?",
                    "Berapa orang tinggal di rumah?",
                ),
            ),
        ),
    ),
    DemoCategory(
        "012",
        (
            "Abuso o acoso de funcionarios",
            "Malos tratos, acoso, cobros indebidos o abuso de poder de un funcionario municipal.",
        ),
        (
            "Abuse or harassment by officials",
            "Mistreatment, harassment, undue charges or abuse of power by a city official.",
        ),
        (
            "Penyalahgunaan atau pelecehan oleh pegawai",
            "Perlakuan buruk, pelecehan, pungutan liar, atau penyalahgunaan wewenang oleh pegawai kota.",
        ),
        ("conducta",),
        (("abuso", "acoso", "cobro indebido"), ("abuse", "harassment", "bribe"), ("pelecehan", "pungli")),
        resolve=(15, TargetUnit.DAYS),
        sensitive=True,
        attributes=(
            DemoAttribute(
                "happened_at",
                D.DATETIME,
                ("¿Cuándo ocurrió?", "When did it happen?", "Kapan terjadi?"),
            ),
            DemoAttribute(
                "account",
                D.TEXT,
                ("Cuéntenos qué pasó", "Tell us what happened", "Ceritakan apa yang terjadi"),
                required=True,
                hint=(
                    "Solo la Defensoría Ciudadana lee este relato.",
                    "Only the Citizens' Ombudsman reads this account.",
                    "Hanya Ombudsman Warga yang membaca cerita ini.",
                ),
            ),
        ),
    ),
]


def _category_values(spec: DemoCategory, order: int) -> dict[str, Any]:
    def groups(language: int) -> list[str]:
        return [GROUPS[key][language] for key in spec.groups]

    return {
        "name": spec.es[0],
        "description": spec.es[1],
        "groups": groups(0),
        "keywords": list(spec.keywords[0]),
        "privacy": PrivacyClass.SENSITIVE if spec.sensitive else PrivacyClass.NORMAL,
        "acknowledge_within": spec.acknowledge[0],
        "acknowledge_unit": spec.acknowledge[1],
        "resolve_within": spec.resolve[0],
        "resolve_unit": spec.resolve[1],
        "is_active": True,
        "order": order,
        "translations": {
            "en": {
                "name": spec.en[0],
                "description": spec.en[1],
                "groups": groups(1),
                "keywords": list(spec.keywords[1]),
            },
            "id": {
                "name": spec.id[0],
                "description": spec.id[1],
                "groups": groups(2),
                "keywords": list(spec.keywords[2]),
            },
        },
    }


def _attribute_values(spec: DemoAttribute, order: int) -> dict[str, Any]:
    def translation(language: int) -> dict[str, Any]:
        text: dict[str, Any] = {"description": spec.question[language]}
        if spec.hint[language]:
            text["datatype_description"] = spec.hint[language]
        if spec.values:
            text["values"] = {value[0]: value[1 + language] for value in spec.values}
        return text

    return {
        "datatype": str(spec.datatype),
        "required": spec.required,
        "variable": spec.variable,
        "description": spec.question[0],
        "datatype_description": spec.hint[0],
        "order": order,
        "values": [{"key": value[0], "name": value[1]} for value in spec.values],
        "translations": {"en": translation(1), "id": translation(2)},
    }


def reports_demo_load(*, jurisdiction: Jurisdiction, reset: bool) -> list[Category]:
    """Create the demo categories, questions and routing rules that are missing (reset: restore them all)."""
    agencies = {agency.slug: agency for agency in Agency.objects.filter(jurisdiction=jurisdiction)}
    areas = {area.slug: area for area in Area.objects.filter(jurisdiction=jurisdiction)}
    stored = {category.code: category for category in Category.objects.filter(jurisdiction=jurisdiction)}
    result = []
    for order, spec in enumerate(CATEGORIES, start=1):
        values = _category_values(spec, order * 10)
        category = stored.get(spec.code)
        if category is None:
            category = category_create(
                jurisdiction=jurisdiction, by=None, channel=Channel.SYSTEM, code=spec.code, **values
            )
        elif reset:
            category_update(category=category, by=None, channel=Channel.SYSTEM, **values)
        _attributes_load(category=category, specs=spec.attributes, reset=reset)
        rules = {
            rule.area.slug if rule.area else None: rule
            for rule in RoutingRule.objects.filter(category=category).select_related("area")
        }
        for area_slug, agency_slugs in spec.routes.items():
            if area_slug not in rules or reset:
                routing_rule_set(
                    category=category,
                    area=areas[area_slug] if area_slug else None,
                    agencies=[agencies[slug] for slug in agency_slugs],
                    by=None,
                    channel=Channel.SYSTEM,
                )
        result.append(category)
    demo_open311_key_load(jurisdiction=jurisdiction, reset=reset)
    return result


def demo_open311_key_load(*, jurisdiction: Jurisdiction, reset: bool) -> Open311ApiKey:
    """Issue the demo's fixed Open311 key if missing; reset: make it work again as defined."""
    prefix = DEMO_OPEN311_KEY.split("_")[1]
    key = Open311ApiKey.objects.filter(prefix=prefix).first()
    if key is None:
        key, _raw = open311_key_create(
            jurisdiction=jurisdiction,
            name=DEMO_OPEN311_KEY_NAME,
            channel=Channel.SYSTEM,
            raw=DEMO_OPEN311_KEY,
            can_post_updates=True,  # so the demo can try FixMyStreet's servicerequestupdates too
        )
        return key
    wanted = {
        "jurisdiction": jurisdiction.pk,
        "name": DEMO_OPEN311_KEY_NAME,
        "digest": token_digest(DEMO_OPEN311_KEY),
        "revoked_at": None,
    }
    fields = list(wanted)
    before = snapshot(key, fields)
    changed = [name for name in fields if before[name] != wanted[name]]
    if reset and changed:
        key.jurisdiction_id = jurisdiction.pk
        key.name, key.digest, key.revoked_at = DEMO_OPEN311_KEY_NAME, wanted["digest"], None
        key.save(update_fields=["jurisdiction", "name", "digest", "revoked_at"])
        audit_log(
            action="open311_key.restore",
            obj=key,
            jurisdiction=jurisdiction,
            before={name: before[name] for name in changed},
            after={name: wanted[name] for name in changed},
            channel=Channel.SYSTEM,
        )
    return key


def _attributes_load(*, category: Category, specs: tuple[DemoAttribute, ...], reset: bool) -> None:
    stored = {attribute.code: attribute for attribute in CategoryAttribute.objects.filter(category=category)}
    for order, spec in enumerate(specs, start=1):
        values = _attribute_values(spec, order)
        attribute = stored.get(spec.code)
        if attribute is None:
            category_attribute_create(category=category, by=None, channel=Channel.SYSTEM, code=spec.code, **values)
        elif reset:
            category_attribute_update(attribute=attribute, by=None, channel=Channel.SYSTEM, **values)


# --- Demo reports -----------------------------------------------------------------------------
@dataclass(frozen=True)
class DemoReport:
    """One demo report and what happened to it since, played through the real services."""

    category: str
    ward: str
    description: str
    steps: tuple[tuple[Any, ...], ...] = ()
    kind: str = ReportKind.COMPLAINT
    visibility: str = ReporterVisibility.PUBLIC


DEMO_REPORTS = (
    DemoReport(
        "001",
        "plaza-de-armas",
        "Bache grande frente a la pileta; los autos lo esquivan por la vereda.",
        (("ack", "Recibido, la cuadrilla lo revisará esta semana."), ("progress", ""), ("fix", "Bache reparado.")),
    ),
    DemoReport("001", "muelle-viejo", "Hundimiento en el pasaje que baja al muelle.", (("ack", ""),)),
    DemoReport(
        "002",
        "estacion",
        "La vereda está levantada por las raíces y una vecina se cayó.",
        (
            ("ack", ""),
            ("fix", "Se niveló la vereda."),
            ("feedback", False, 2),
            ("fix", "Se reemplazaron las baldosas sueltas que quedaban."),
            ("feedback", True, 4),
        ),
    ),
    DemoReport(
        "004",
        "aromos-bajo",
        "El camión de la basura no pasó el martes ni el jueves.",
        (("ack", ""), ("fix", "Se recuperó el retiro en el sector."), ("feedback", True, 5)),
    ),
    DemoReport(
        "005",
        "caleta-norte",
        "Microbasural en el sitio eriazo junto a la caleta.",
        (("ack", ""), ("close", "not_possible", "El terreno es privado; se notificó al propietario.")),
    ),
    DemoReport("007", "cerro-azul-norte", "Juegos infantiles con tornillos sueltos en la plaza.", ()),
    DemoReport(
        "008",
        "villa-magisterio",
        "Luminaria apagada hace dos semanas en la esquina.",
        (
            ("transfer", "obras-publicas", "El alumbrado de esta calle lo mantiene Obras Públicas."),
            ("ack", ""),
        ),
    ),
    DemoReport(
        "010",
        "quebrada-honda",
        "Fuga de agua en la matriz; corre agua por la calle desde anoche.",
        (("ack", "Cuadrilla en camino."), ("scheduled", "Corte programado para mañana a las 9:00.")),
    ),
    DemoReport(
        "003",
        "barrio-civico",
        "Sería bueno pintar un paso de cebra frente a la escuela.",
        (("ack", ""),),
        kind=ReportKind.SUGGESTION,
    ),
    DemoReport(
        "006",
        "los-olivos",
        "Gracias al equipo de parques por la poda de los árboles de la avenida.",
        (),
        kind=ReportKind.COMPLIMENT,
        visibility=ReporterVisibility.ANONYMOUS,
    ),
)
DEMO_REPORT_KEY = "civicloop-demo-report-{index}"
DEMO_CITIZEN_EMAIL = "citizen@esperanza.example.org"
DEMO_SUPERVISOR_EMAIL = "supervisor@esperanza.example.org"


def _demo_answers(category: Category) -> dict[str, Any]:
    """Plausible answers to a category's required questions, so the demo passes intake's validation."""
    answers: dict[str, Any] = {}
    for question in category.attributes.filter(required=True):
        if question.datatype in LIST_DATATYPES:
            first = question.values[0]["key"]
            answers[question.code] = [first] if question.datatype == D.MULTIVALUELIST else first
        elif question.datatype == D.NUMBER:
            answers[question.code] = 1
        elif question.datatype == D.DATETIME:
            answers[question.code] = timezone.now().isoformat(timespec="seconds")
        else:
            answers[question.code] = "—"
    return answers


def demo_reports_load(*, jurisdiction: Jurisdiction) -> list[Report]:
    """File the demo reports that are missing and play their history through the life-cycle
    services (so the timeline, audit trail and figures are real). Existing ones are left as they
    are, even with reset: they are history, and people exploring the demo may have acted on them."""
    citizen = User.objects.filter(email=DEMO_CITIZEN_EMAIL).first()
    supervisor = User.objects.filter(email=DEMO_SUPERVISOR_EMAIL).first()
    staff = {
        assignment.agency_id: assignment.user
        for assignment in RoleAssignment.objects.filter(
            jurisdiction=jurisdiction, role=Role.AGENCY_STAFF
        ).select_related("user")
    }
    agencies = {agency.slug: agency for agency in Agency.objects.filter(jurisdiction=jurisdiction)}
    areas = {area.slug: area for area in Area.objects.filter(jurisdiction=jurisdiction)}
    filed = []
    for index, spec in enumerate(DEMO_REPORTS, start=1):
        key = DEMO_REPORT_KEY.format(index=index)
        if Report.objects.filter(jurisdiction=jurisdiction, idempotency_key=key).exists():
            continue
        category = Category.objects.get(jurisdiction=jurisdiction, code=spec.category)
        point = shape(areas[spec.ward].geometry).representative_point()
        report = report_submit(
            jurisdiction=jurisdiction,
            category_code=spec.category,
            kind=spec.kind,
            description=spec.description,
            lon=round(point.x, 6),
            lat=round(point.y, 6),
            attributes=_demo_answers(category),
            visibility=spec.visibility,
            reporter=citizen,
            channel=Channel.WEB,
            idempotency_key=key,
        )
        for step in spec.steps:
            report.refresh_from_db()
            by = staff.get(report.owner_id) or supervisor
            _demo_step(report=report, step=step, by=by, agencies=agencies)
        filed.append(report)
    return filed


def _demo_step(*, report: Report, step: tuple[Any, ...], by: User | None, agencies: dict[str, Agency]) -> None:
    action, *args = step
    if action == "ack":
        report_acknowledge(report=report, by=by, text=args[0], channel=Channel.SYSTEM)
    elif action in {"progress", "scheduled"}:
        status = ReportStatus.IN_PROGRESS if action == "progress" else ReportStatus.ACTION_SCHEDULED
        report_status_set(report=report, by=by, status=status, text=args[0], channel=Channel.SYSTEM)
    elif action == "fix":
        report_fix(report=report, by=by, text=args[0], channel=Channel.SYSTEM)
    elif action == "close":
        report_close_without_fix(report=report, by=by, reason=args[0], text=args[1], channel=Channel.SYSTEM)
    elif action == "transfer":
        report_transfer(report=report, to_agency=agencies[args[0]], by=by, reason=args[1], channel=Channel.SYSTEM)
    elif action == "feedback":
        report_feedback_submit(report=report, fixed=args[0], rating=args[1], channel=Channel.SYSTEM)
    else:
        raise ValueError(f"unknown demo step {action!r}")
