"""The demo city's service directory: Ciudad Esperanza's agencies and a few NGOs, 100+ services.

Everything is invented, like the rest of the demo (see civicloop.core.demo): organizations,
addresses, phone numbers (+56 45 555 01xx, a block read as fictional) and e-mail addresses
under example.org. Contacts are desks ("Mesa de atención"), never people.

Languages. HSDS has one name per object, so the directory is written the way a Spanish-speaking
city publishes it: names and descriptions in Spanish, the English name in `alternate_name` (so a
search in English finds "food"), and `language` rows saying which languages the staff speak
(es, en, id; Lengua de Señas Chilena, Mapudungun and Quechua where realistic). The migrants'
association publishes a handful of services in Indonesian and English for its community.

Loading goes through the directory's own import (`directory_import_hsds`) from a data package
written to a temporary directory, so the demo passes the same validation as any real import.
Ids are UUIDv5 of the jurisdiction and a key, so loading is idempotent: objects already in the
directory are left alone (what people changed while exploring stays), missing ones are
created; with reset=True every demo object is put back to this definition, each change in the
change log. Either way a second run changes nothing. Coordinates are drawn inside each
location's ward from the stored boundaries with a seeded generator.

Dates follow the calendar like the demo's holidays: seasonal programmes (winter shelter,
summer holiday club) fall in the current season, and "last verified" dates count back from
the first of the current month (a few listings are over a year old, so the "not verified"
flag has something to show). A reset in a later month or year moves them, in the change log.

The organization of each agency is linked to it (`Organization.agency`, not HSDS, so not in
the package) after the import, with an audit event.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from civicloop.core.audit import audit_log
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.directory.hsds.spec import format_cell, tables
from civicloop.directory.models import MODEL_BY_TABLE, Organization
from civicloop.directory.services import ImportResult, directory_import_hsds

DEFAULT_SEED = 2026
_NAMESPACE = uuid.UUID("6f1d3c1e-5b8a-4c1e-9d3e-2a7f0e5c9b41")
DOMAIN = "esperanza.example.org"
CITY = "Ciudad Esperanza"
REGION = "Provincia de Esperanza"
COUNTRY = "CL"


def demo_id(jurisdiction: Jurisdiction, kind: str, key: str) -> uuid.UUID:
    """The stable id of a demo object: the same on every run, different in every jurisdiction."""
    return uuid.uuid5(_NAMESPACE, f"{jurisdiction.slug}/{kind}/{key}")


# --- Organizations ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    english: str
    description: str
    email: str
    agency: str = ""  # slug of the civicloop agency it is
    legal_status: str = "Municipalidad"
    tax_id: str = ""
    year: int | None = None
    website: str = ""
    coverage: tuple[str, ...] = ()  # area slugs it serves; () = the whole city
    languages: tuple[str, ...] = ("es",)


ORGANIZATIONS = [
    DemoOrganization(
        "obras-publicas",
        "Dirección de Obras Públicas y Vialidad",
        "Public Works & Roads",
        "Permisos de edificación, certificados de la vivienda, calles, veredas y señalización vial.",
        f"obras@{DOMAIN}",
        agency="obras-publicas",
    ),
    DemoOrganization(
        "aseo",
        "Dirección de Aseo y Gestión de Residuos",
        "Sanitation & Waste",
        "Recolección de basura, reciclaje, puntos limpios y retiro de residuos voluminosos.",
        f"aseo@{DOMAIN}",
        agency="aseo",
    ),
    DemoOrganization(
        "parques",
        "Departamento de Parques y Áreas Verdes",
        "Parks & Green Spaces",
        "Plazas, parques, arbolado urbano, vivero municipal y huertos comunitarios.",
        f"parques@{DOMAIN}",
        agency="parques",
    ),
    DemoOrganization(
        "aguas-esperanza",
        "Aguas Esperanza S.A.",
        "Esperanza Water Company",
        "Empresa concesionaria del agua potable y el alcantarillado de la ciudad.",
        f"aguas@{DOMAIN}",
        agency="aguas-esperanza",
        legal_status="Sociedad anónima concesionaria",
        tax_id="96.555.010-4",
        year=1994,
        coverage=("centro", "puerto", "los-aromos", "cerro-azul", "san-isidro"),
    ),
    DemoOrganization(
        "desarrollo-social",
        "Dirección de Desarrollo Social",
        "Social Services",
        "Apoyo a familias, personas mayores, personas con discapacidad y personas migrantes; "
        "subsidios, empleo y programas sociales.",
        f"social@{DOMAIN}",
        agency="desarrollo-social",
        languages=("es", "en", "id"),
    ),
    DemoOrganization(
        "seguridad-alumbrado",
        "Dirección de Seguridad Pública y Alumbrado",
        "Public Safety & Lighting",
        "Seguridad vecinal, mediación, atención a víctimas y alumbrado público.",
        f"seguridad@{DOMAIN}",
        agency="seguridad-alumbrado",
    ),
    DemoOrganization(
        "fundacion-barrio-solidario",
        "Fundación Barrio Solidario",
        "Barrio Solidario Foundation",
        "Organización sin fines de lucro: agua en camión aljibe, ollas comunes y apoyo vecinal en los sectores altos.",
        f"barrio.solidario@{DOMAIN}",
        agency="fundacion-barrio-solidario",
        legal_status="Fundación sin fines de lucro",
        tax_id="65.555.011-2",
        year=2009,
        coverage=("la-quebrada", "cerro-azul"),
    ),
    DemoOrganization(
        "banco-alimentos",
        "Banco de Alimentos Esperanza",
        "Esperanza Food Bank",
        "Recupera alimentos aptos para el consumo y los reparte a familias y organizaciones sociales.",
        "contacto@bancoalimentos.example.org",
        legal_status="Corporación sin fines de lucro",
        tax_id="65.555.012-0",
        year=2012,
        website="https://bancoalimentos.example.org/",
        languages=("es", "en"),
    ),
    DemoOrganization(
        "clinica-juridica",
        "Clínica Jurídica Popular de Esperanza",
        "People's Legal Aid Clinic",
        "Abogados y estudiantes de derecho que orientan y representan gratis a personas de bajos ingresos.",
        "orientacion@clinicajuridica.example.org",
        legal_status="Corporación sin fines de lucro",
        tax_id="65.555.013-9",
        year=2004,
        website="https://clinicajuridica.example.org/",
        languages=("es", "en", "id"),
    ),
    DemoOrganization(
        "red-violeta",
        "Red Violeta de Casas de Acogida",
        "Violeta Women's Shelter Network",
        "Red de casas de acogida y atención para mujeres que viven violencia, y sus hijas e hijos.",
        "ayuda@redvioleta.example.org",
        legal_status="Fundación sin fines de lucro",
        tax_id="65.555.014-7",
        year=2015,
        website="https://redvioleta.example.org/",
        languages=("es", "en"),
    ),
    DemoOrganization(
        "migrantes",
        "Asociación de Migrantes Puentes",
        "Puentes Migrants' Association",
        "Asociación de personas migrantes: acogida, clases de español, trámites y comunidad. "
        "Comunidad indonesia y angloparlante.",
        "hola@puentes.example.org",
        legal_status="Asociación sin fines de lucro",
        tax_id="65.555.015-5",
        year=2018,
        website="https://puentes.example.org/",
        languages=("es", "en", "id"),
    ),
    DemoOrganization(
        "incluir",
        "Corporación Incluir",
        "Incluir Disability Support",
        "Rehabilitación comunitaria, ayudas técnicas y apoyo a personas con discapacidad y sus cuidadores.",
        "contacto@incluir.example.org",
        legal_status="Corporación sin fines de lucro",
        tax_id="65.555.016-3",
        year=2001,
        website="https://incluir.example.org/",
        languages=("es", "csg"),
    ),
]

LANGUAGE_NAMES = {
    "es": "Español",
    "en": "English",
    "id": "Bahasa Indonesia",
    "csg": "Lengua de Señas Chilena",
    "arn": "Mapudungun",
    "qu": "Quechua",
}


# --- Locations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLocation:
    key: str
    organization: str
    name: str
    ward: str
    street: str
    accessibility: tuple[str, ...] = ()
    transportation: str = ""


_RAMP = "Acceso con rampa y baño accesible."
_STEPS = "Dos peldaños en la entrada; se atiende en la vereda a quien lo pida."
_LOOP = "Mesón de atención con bucle magnético para audífonos."
_LIFT = "Ascensor al segundo piso."

LOCATIONS = [
    DemoLocation(
        "edificio-consistorial",
        "desarrollo-social",
        "Edificio Consistorial",
        "plaza-de-armas",
        "Av. Libertador 1250",
        (_RAMP, _LOOP, _LIFT),
        "Buses 101 y 104, paradero Plaza de Armas.",
    ),
    DemoLocation(
        "dom", "obras-publicas", "Dirección de Obras (DOM)", "barrio-civico", "Calle Prat 455", (_RAMP, _LIFT)
    ),
    DemoLocation(
        "punto-limpio-norte", "aseo", "Punto Limpio Caleta Norte", "caleta-norte", "Camino Costero 3100", (_RAMP,)
    ),
    DemoLocation("punto-limpio-sur", "aseo", "Punto Limpio San Isidro", "los-olivos", "Av. Los Olivos 2280", (_RAMP,)),
    DemoLocation("aseo-oficina", "aseo", "Oficina de Aseo", "estacion", "Calle Ferroviaria 77", (_STEPS,)),
    DemoLocation("vivero", "parques", "Vivero Municipal", "villa-las-flores", "Pasaje Los Aromos 15", (_RAMP,)),
    DemoLocation("parque-borde", "parques", "Parque Borde Río", "aromos-bajo", "Av. del Río s/n", (_RAMP,)),
    DemoLocation(
        "aguas-oficina",
        "aguas-esperanza",
        "Oficina Comercial Aguas Esperanza",
        "mercado-central",
        "Calle Comercio 610",
        (_RAMP, _LOOP),
    ),
    DemoLocation(
        "dideco-norte",
        "desarrollo-social",
        "Centro Comunitario Muelle Viejo",
        "muelle-viejo",
        "Calle Pescadores 220",
        (_RAMP,),
    ),
    DemoLocation(
        "dideco-sur",
        "desarrollo-social",
        "Centro Comunitario San Isidro",
        "san-isidro-centro",
        "Av. San Isidro 1800",
        (_RAMP, _LOOP),
    ),
    DemoLocation(
        "centro-dia",
        "desarrollo-social",
        "Centro de Día Personas Mayores",
        "villa-magisterio",
        "Calle Maestra Lucila 340",
        (_RAMP, _LOOP),
    ),
    DemoLocation("albergue", "desarrollo-social", "Albergue Municipal", "estacion", "Calle Andén 12", (_RAMP,)),
    DemoLocation(
        "omil", "desarrollo-social", "Oficina de Empleo (OMIL)", "barrio-civico", "Calle Prat 470", (_RAMP, _LIFT)
    ),
    DemoLocation(
        "seguridad-central",
        "seguridad-alumbrado",
        "Central de Seguridad Ciudadana",
        "barrio-civico",
        "Calle Prat 480",
        (_RAMP,),
    ),
    DemoLocation(
        "mediacion",
        "seguridad-alumbrado",
        "Centro de Mediación Vecinal",
        "aromos-alto",
        "Av. Los Aromos 900",
        (_STEPS,),
    ),
    DemoLocation(
        "sede-quebrada",
        "fundacion-barrio-solidario",
        "Sede Quebrada Honda",
        "quebrada-honda",
        "Pasaje El Estero 44",
        (_STEPS,),
    ),
    DemoLocation(
        "sede-mirador", "fundacion-barrio-solidario", "Sede El Mirador", "el-mirador", "Calle Mirador 1020", (_RAMP,)
    ),
    DemoLocation(
        "sede-cerro", "fundacion-barrio-solidario", "Sede Cerro Azul", "cerro-azul-sur", "Calle Los Pinos 310", (_RAMP,)
    ),
    DemoLocation(
        "bodega-alimentos",
        "banco-alimentos",
        "Bodega Banco de Alimentos",
        "astilleros",
        "Av. Astilleros 2500",
        (_RAMP,),
    ),
    DemoLocation(
        "despensa-centro",
        "banco-alimentos",
        "Despensa Solidaria Centro",
        "mercado-central",
        "Calle Mercado 88",
        (_RAMP,),
    ),
    DemoLocation(
        "despensa-terrazas",
        "banco-alimentos",
        "Despensa Solidaria Las Terrazas",
        "las-terrazas",
        "Calle Terraza 5 n.º 140",
        (_STEPS,),
    ),
    DemoLocation(
        "clinica",
        "clinica-juridica",
        "Clínica Jurídica",
        "plaza-de-armas",
        "Calle Bello 301, oficina 12",
        (_LIFT, _LOOP),
    ),
    DemoLocation(
        "casa-violeta",
        "red-violeta",
        "Centro de Atención Red Violeta",
        "villa-magisterio",
        "Dirección reservada: llame antes",
        (),
    ),
    DemoLocation("puentes", "migrantes", "Casa Puentes", "caleta-norte", "Calle Marinero 56", (_RAMP,)),
    DemoLocation(
        "incluir",
        "incluir",
        "Centro Incluir",
        "cerro-azul-norte",
        "Av. Cerro Azul 1450",
        (_RAMP, _LOOP, "Señalética en braille."),
    ),
]


# --- Schedules ----------------------------------------------------------------------------


def _weekly(byday: str, opens: str, closes: str, **extra: Any) -> dict[str, Any]:
    return {"freq": "WEEKLY", "byday": byday, "opens_at": opens, "closes_at": closes, **extra}


def _monthly(byday: str, opens: str, closes: str, **extra: Any) -> dict[str, Any]:
    return {"freq": "MONTHLY", "byday": byday, "opens_at": opens, "closes_at": closes, **extra}


WEEKDAYS = "MO,TU,WE,TH,FR"
EVERY_DAY = "MO,TU,WE,TH,FR,SA,SU"


def _schedules(kind: str, today: dt.date) -> list[dict[str, Any]]:
    """The schedule rows of a kind of opening; seasonal ones follow the current year."""
    year = today.year
    winter = {"valid_from": dt.date(year, 6, 1), "valid_to": dt.date(year, 9, 30)}
    summer_year = year if today <= dt.date(year, 2, 27) else year + 1
    summer = {"valid_from": dt.date(summer_year, 1, 5), "valid_to": dt.date(summer_year, 2, 27)}
    kinds: dict[str, list[dict[str, Any]]] = {
        "office": [
            _weekly("MO,TU,WE,TH", "08:30", "13:00"),
            _weekly("MO,TU,WE,TH", "14:00", "17:30"),
            _weekly("FR", "08:30", "16:30"),
        ],
        "mornings": [_weekly(WEEKDAYS, "09:00", "13:00")],
        "long": [_weekly(WEEKDAYS, "08:00", "20:00")],
        "long_saturday": [_weekly(WEEKDAYS, "08:00", "20:00"), _weekly("SA", "09:00", "14:00")],
        "saturday": [_weekly("SA", "09:00", "13:00", description="Sábados en la mañana.")],
        "lunch": [_weekly(WEEKDAYS, "12:00", "15:00")],
        "afternoons": [_weekly("TU,TH", "15:00", "19:00")],
        "evenings": [_weekly("MO,WE", "18:30", "20:30")],
        "first_monday": [_monthly("1MO", "09:00", "13:00", description="Primer lunes de cada mes.")],
        "first_saturday": [_monthly("1SA", "10:00", "14:00", description="Primer sábado de cada mes.")],
        "last_friday": [_monthly("-1FR", "15:00", "18:00")],
        "fortnightly": [_weekly("WE", "10:00", "13:00", interval=2, dtstart=dt.date(2026, 1, 7))],
        "always": [_weekly(EVERY_DAY, "00:00", "00:00", description="Todos los días, las 24 horas.")],
        "night_winter": [_weekly(EVERY_DAY, "20:00", "08:00", description="Invierno: de 20:00 a 08:00.", **winter)],
        "night": [_weekly(EVERY_DAY, "20:00", "08:00")],
        "summer": [_weekly(WEEKDAYS, "09:00", "14:00", **summer)],
        "winter_weekdays": [_weekly(WEEKDAYS, "09:00", "13:00", **winter)],
        "by_appointment": [{"description": "Con hora agendada por teléfono o correo.", "attending_type": "Con cita"}],
    }
    return kinds[kind]


# --- Taxonomy -----------------------------------------------------------------------------

#: code -> (name, description, parent code)
TERMS: dict[str, tuple[str, str, str]] = {
    "alimentacion": ("Alimentación", "Comida, canastas y comedores.", ""),
    "canastas": ("Canastas y despensas", "Entrega de alimentos para preparar en casa.", "alimentacion"),
    "comedores": ("Comedores y ollas comunes", "Comidas preparadas servidas en el lugar.", "alimentacion"),
    "vivienda": ("Vivienda", "Techo, albergue y mejoramiento de la vivienda.", ""),
    "albergue": ("Albergue y acogida", "Alojamiento de emergencia o protegido.", "vivienda"),
    "subsidios-vivienda": ("Subsidios y mejoramiento de vivienda", "Postulación y apoyo técnico.", "vivienda"),
    "legal": ("Asesoría legal", "Orientación y representación jurídica.", ""),
    "familia-legal": ("Derecho de familia", "Pensión de alimentos, cuidado personal, divorcio.", "legal"),
    "migracion": ("Trámites migratorios", "Visas, residencia y documentos para personas migrantes.", "legal"),
    "salud": ("Salud", "Salud física y mental.", ""),
    "salud-mental": ("Salud mental", "Apoyo psicológico y grupos de apoyo.", "salud"),
    "rehabilitacion": ("Rehabilitación", "Rehabilitación física y ayudas técnicas.", "salud"),
    "empleo": ("Empleo y emprendimiento", "Búsqueda de trabajo, capacitación y emprendimiento.", ""),
    "educacion": ("Educación", "Cursos, reforzamiento escolar y becas.", ""),
    "familia": ("Familia e infancia", "Apoyo a familias, niñas, niños y adolescentes.", ""),
    "personas-mayores": ("Personas mayores", "Servicios para personas de 60 años o más.", "familia"),
    "mujeres": ("Mujeres", "Atención y protección frente a la violencia de género.", "familia"),
    "discapacidad": ("Discapacidad", "Apoyo a personas con discapacidad y a quienes las cuidan.", ""),
    "ingresos": ("Subsidios y ayudas económicas", "Beneficios monetarios y ayudas de emergencia.", ""),
    "barrio": ("Barrio y medio ambiente", "Residuos, reciclaje, áreas verdes y agua.", ""),
    "reciclaje": ("Reciclaje y residuos", "Retiro de residuos y puntos de reciclaje.", "barrio"),
    "areas-verdes": ("Áreas verdes", "Plazas, árboles y huertos.", "barrio"),
    "agua": ("Agua potable", "Suministro de agua, cuentas y emergencias.", "barrio"),
    "seguridad": ("Seguridad", "Prevención del delito, mediación y víctimas.", ""),
    "tramites": ("Trámites y certificados", "Permisos, certificados y registros.", ""),
    "emergencias": ("Emergencias", "Atención inmediata, día y noche.", ""),
}


# --- Services -----------------------------------------------------------------------------

_ID_CARD = "Cédula de identidad o pasaporte"
_RSH = "Cartola del Registro Social de Hogares"
_RESIDENCE = "Comprobante de domicilio (cuenta de luz o agua)"
_WALK_IN = "Acérquese a la mesa de atención en el horario indicado; se atiende por orden de llegada."
_BOOK = "Pida hora por teléfono o por correo electrónico; le confirmamos el día y la hora."
_ONLINE = "Presente la solicitud en línea o en la oficina de partes, con los documentos indicados."


@dataclass(frozen=True)
class DemoService:
    key: str
    organization: str
    name: str
    english: str
    description: str
    terms: tuple[str, ...]
    schedule: str
    locations: tuple[str, ...]
    fee: tuple[int, str] | None = None  # None: free of charge
    eligibility: str = "Residentes de Ciudad Esperanza."
    minimum_age: int | None = None
    maximum_age: int | None = None
    apply: str = _WALK_IN
    documents: tuple[str, ...] = (_ID_CARD,)
    wait: str = ""
    alert: str = ""
    status: str = "active"
    languages: tuple[str, ...] = ()  # besides the organization's
    areas: tuple[str, ...] | None = None  # area slugs; None: the organization's coverage
    interpretation: str = ""


def _s(*args: Any, **kwargs: Any) -> DemoService:
    return DemoService(*args, **kwargs)


_INDONESIAN_HELP = "Intérprete de indonesio (bahasa Indonesia) e inglés los martes y jueves."

SERVICES: list[DemoService] = [
    # Dirección de Obras Públicas y Vialidad
    _s(
        "permiso-edificacion",
        "obras-publicas",
        "Permiso de edificación",
        "Building permit",
        "Autorización para construir, ampliar o modificar una vivienda o un local.",
        ("tramites", "subsidios-vivienda"),
        "office",
        ("dom",),
        (45000, "Derechos municipales: 1,5 % del presupuesto de obra; mínimo indicado."),
        apply=_ONLINE,
        documents=("Planos firmados por arquitecto", "Certificado de informaciones previas", _ID_CARD),
        wait="30 días hábiles",
    ),
    _s(
        "certificado-numero",
        "obras-publicas",
        "Certificado de número",
        "House number certificate",
        "Certifica el número municipal asignado a una propiedad.",
        ("tramites",),
        "office",
        ("dom",),
        (3500, "Por certificado."),
        apply=_ONLINE,
        documents=("Rol de avalúo de la propiedad",),
        wait="3 días hábiles",
    ),
    _s(
        "certificado-informaciones-previas",
        "obras-publicas",
        "Certificado de informaciones previas",
        "Zoning information certificate",
        "Indica las normas urbanísticas que rigen un terreno antes de construir.",
        ("tramites",),
        "office",
        ("dom",),
        (6200, "Por certificado."),
        apply=_ONLINE,
        documents=("Rol de avalúo de la propiedad",),
        wait="5 días hábiles",
    ),
    _s(
        "recepcion-final",
        "obras-publicas",
        "Recepción final de obras",
        "Final inspection of works",
        "Inspección y certificado de que la obra terminada cumple el permiso otorgado.",
        ("tramites",),
        "office",
        ("dom",),
        (25000, "Derechos municipales según metros cuadrados."),
        apply=_ONLINE,
        documents=("Permiso de edificación", "Certificados de instalaciones"),
        wait="20 días hábiles",
    ),
    _s(
        "regularizacion-vivienda",
        "obras-publicas",
        "Regularización de ampliaciones de vivienda",
        "Regularising home extensions",
        "Procedimiento simplificado para regularizar ampliaciones de viviendas sociales.",
        ("tramites", "subsidios-vivienda"),
        "afternoons",
        ("dom",),
        eligibility="Viviendas sociales de hasta 140 m².",
        apply=_BOOK,
        documents=(_ID_CARD, "Escritura o certificado de dominio vigente", "Croquis de la ampliación"),
    ),
    _s(
        "asesoria-tecnica-vivienda",
        "obras-publicas",
        "Asesoría técnica para mejorar la vivienda",
        "Technical advice to improve your home",
        "Un equipo de arquitectos y constructores orienta a familias que postulan a subsidios de mejoramiento.",
        ("subsidios-vivienda", "vivienda"),
        "fortnightly",
        ("dideco-norte", "dideco-sur"),
        apply=_BOOK,
        documents=(_ID_CARD, _RSH),
    ),
    _s(
        "rotura-pavimento",
        "obras-publicas",
        "Permiso de rotura de pavimento",
        "Road opening permit",
        "Autorización para romper calzada o vereda para conectar servicios.",
        ("tramites",),
        "office",
        ("dom",),
        (18000, "Por metro lineal, más garantía de reposición."),
        eligibility="Empresas y particulares.",
        apply=_ONLINE,
        documents=("Plano de ubicación", "Boleta de garantía"),
    ),
    _s(
        "veredas-participativas",
        "obras-publicas",
        "Programa de veredas participativas",
        "Community pavement programme",
        "Los vecinos priorizan qué veredas de su barrio se reparan este año.",
        ("barrio",),
        "first_monday",
        ("edificio-consistorial",),
        eligibility="Juntas de vecinos y comités de adelanto.",
        apply=_BOOK,
        documents=(),
        status="inactive",
        alert="Postulaciones cerradas hasta el próximo año.",
    ),
    # Dirección de Aseo y Gestión de Residuos
    _s(
        "retiro-voluminosos",
        "aseo",
        "Retiro de voluminosos",
        "Bulky waste collection",
        "Retiro gratuito de muebles, colchones y electrodomésticos en desuso, el primer lunes de cada mes por sector.",
        ("reciclaje",),
        "first_monday",
        ("aseo-oficina",),
        apply=_BOOK,
        documents=(_RESIDENCE,),
        wait="Hasta 4 semanas",
    ),
    _s(
        "punto-limpio-norte",
        "aseo",
        "Punto Limpio Caleta Norte",
        "Caleta Norte recycling centre",
        "Reciba vidrio, papel, cartón, plásticos, latas y aceite usado.",
        ("reciclaje",),
        "long_saturday",
        ("punto-limpio-norte",),
        eligibility="Abierto a todo público.",
        documents=(),
    ),
    _s(
        "punto-limpio-sur",
        "aseo",
        "Punto Limpio San Isidro",
        "San Isidro recycling centre",
        "Reciba vidrio, papel, cartón, plásticos, latas y pilas.",
        ("reciclaje",),
        "saturday",
        ("punto-limpio-sur",),
        eligibility="Abierto a todo público.",
        documents=(),
    ),
    _s(
        "residuos-electronicos",
        "aseo",
        "Campaña de residuos electrónicos",
        "E-waste collection day",
        "Recibimos computadores, celulares, cables y pequeños electrodomésticos el primer sábado de cada mes.",
        ("reciclaje",),
        "first_saturday",
        ("punto-limpio-norte", "punto-limpio-sur"),
        documents=(),
    ),
    _s(
        "retiro-poda",
        "aseo",
        "Retiro de ramas y residuos de poda",
        "Garden waste collection",
        "Retiro de ramas y pasto cortado dejados en la vereda el día acordado.",
        ("reciclaje", "areas-verdes"),
        "office",
        ("aseo-oficina",),
        apply=_BOOK,
        documents=(_RESIDENCE,),
        wait="1 a 2 semanas",
    ),
    _s(
        "aceite-usado",
        "aseo",
        "Recolección de aceite de cocina usado",
        "Used cooking oil collection",
        "Lleve el aceite frío en botellas plásticas cerradas; se transforma en biodiésel.",
        ("reciclaje",),
        "long_saturday",
        ("punto-limpio-norte",),
        eligibility="Hogares y pequeños restaurantes.",
        documents=(),
    ),
    _s(
        "compostaje",
        "aseo",
        "Taller de compostaje domiciliario",
        "Home composting workshop",
        "Taller práctico y entrega de una compostera a quienes lo completan.",
        ("reciclaje", "educacion"),
        "evenings",
        ("aseo-oficina",),
        apply=_BOOK,
        documents=(_RESIDENCE,),
        minimum_age=18,
        alert="Cupos limitados: 25 personas por taller.",
    ),
    _s(
        "microbasurales",
        "aseo",
        "Limpieza de microbasurales",
        "Illegal dumping clean-up",
        "Limpieza de sitios eriazos y esquinas con basura acumulada, a pedido de los vecinos.",
        ("reciclaje", "barrio"),
        "office",
        ("aseo-oficina",),
        apply="Haga la solicitud en el formulario de reportes de la ciudad o por teléfono.",
        documents=(),
        wait="5 días hábiles",
    ),
    _s(
        "contenedores",
        "aseo",
        "Entrega de contenedores de basura",
        "Wheelie bin delivery",
        "Entrega de contenedores con ruedas a hogares que no tienen uno.",
        ("reciclaje",),
        "office",
        ("aseo-oficina",),
        (12000, "Valor subsidiado por contenedor; gratis con Registro Social de Hogares bajo el 40 %."),
        documents=(_ID_CARD, _RESIDENCE),
        status="temporarily closed",
        alert="Sin stock hasta nuevo aviso; puede dejar su solicitud.",
    ),
    # Departamento de Parques y Áreas Verdes
    _s(
        "vivero-arboles",
        "parques",
        "Entrega de árboles del vivero municipal",
        "Free trees from the council nursery",
        "Cada invierno el vivero entrega árboles nativos para plantar en veredas y patios.",
        ("areas-verdes",),
        "winter_weekdays",
        ("vivero",),
        eligibility="Un árbol por hogar por temporada.",
        documents=(_RESIDENCE,),
    ),
    _s(
        "solicitud-poda",
        "parques",
        "Solicitud de poda de árboles",
        "Tree pruning request",
        "Poda o evaluación de árboles en el espacio público que tocan cables o techos.",
        ("areas-verdes",),
        "office",
        ("vivero",),
        apply="Haga la solicitud en el formulario de reportes de la ciudad o por teléfono.",
        documents=(),
        wait="Hasta 30 días",
    ),
    _s(
        "huertos-comunitarios",
        "parques",
        "Huertos urbanos comunitarios",
        "Community gardens",
        "Parcelas en huertos comunitarios con agua, herramientas y asesoría.",
        ("areas-verdes", "alimentacion"),
        "saturday",
        ("parque-borde",),
        eligibility="Vecinas y vecinos de la ciudad; lista de espera por sector.",
        apply=_BOOK,
        wait="Lista de espera de 3 a 6 meses",
    ),
    _s(
        "talleres-jardineria",
        "parques",
        "Talleres de jardinería",
        "Gardening workshops",
        "Poda, injertos, riego eficiente y plantas nativas.",
        ("areas-verdes", "educacion"),
        "afternoons",
        ("vivero",),
        minimum_age=14,
        documents=(),
    ),
    _s(
        "plaza-activa",
        "parques",
        "Plaza Activa: gimnasia al aire libre",
        "Outdoor exercise classes",
        "Clases gratuitas de gimnasia con monitor en el Parque Borde Río.",
        ("areas-verdes", "salud"),
        "saturday",
        ("parque-borde",),
        eligibility="Todo público; menores de 14 años con un adulto.",
        documents=(),
    ),
    _s(
        "uso-plazas",
        "parques",
        "Permiso para eventos en plazas y parques",
        "Permit for events in parks",
        "Autorización para ferias, celebraciones y actividades en plazas y parques.",
        ("tramites", "areas-verdes"),
        "office",
        ("vivero",),
        (15000, "Por día; gratis para juntas de vecinos."),
        apply=_ONLINE,
        documents=(_ID_CARD, "Descripción de la actividad"),
        wait="10 días hábiles",
    ),
    # Aguas Esperanza
    _s(
        "aguas-atencion",
        "aguas-esperanza",
        "Atención comercial de Aguas Esperanza",
        "Water company customer service",
        "Cuentas, cambios de titular, lecturas de medidor y reclamos.",
        ("agua",),
        "office",
        ("aguas-oficina",),
        eligibility="Clientes de Aguas Esperanza.",
        documents=(_ID_CARD, "Número de cliente"),
    ),
    _s(
        "aguas-emergencias",
        "aguas-esperanza",
        "Emergencias de agua y alcantarillado",
        "Water emergencies line",
        "Cortes de agua, fugas en la calle y alcantarillado tapado: atención telefónica día y noche.",
        ("agua", "emergencias"),
        "always",
        ("aguas-oficina",),
        documents=(),
    ),
    _s(
        "aguas-convenio",
        "aguas-esperanza",
        "Convenio de pago de deuda de agua",
        "Water bill payment plan",
        "Repactación de deudas de agua en cuotas, sin corte del servicio mientras se cumpla el convenio.",
        ("agua", "ingresos"),
        "office",
        ("aguas-oficina",),
        eligibility="Clientes con deuda de agua.",
        documents=(_ID_CARD, "Última boleta de agua"),
    ),
    _s(
        "aguas-arranque",
        "aguas-esperanza",
        "Reparación de arranque domiciliario",
        "Service pipe repair",
        "Reparación de la cañería entre la matriz y el medidor.",
        ("agua",),
        "office",
        ("aguas-oficina",),
        (38000, "Valor referencial; se informa presupuesto en terreno."),
        documents=("Número de cliente",),
        wait="3 a 5 días hábiles",
    ),
    _s(
        "aguas-nueva-conexion",
        "aguas-esperanza",
        "Nueva conexión de agua potable",
        "New water connection",
        "Factibilidad y conexión de agua potable y alcantarillado para viviendas nuevas.",
        ("agua", "tramites"),
        "office",
        ("aguas-oficina",),
        (120000, "Valor base; varía según diámetro y distancia."),
        apply=_ONLINE,
        documents=("Certificado de número", "Permiso de edificación"),
        wait="45 días",
    ),
    # Dirección de Desarrollo Social
    _s(
        "rsh",
        "desarrollo-social",
        "Registro Social de Hogares",
        "Social Household Register",
        "Ingreso, actualización y rectificación del Registro Social de Hogares, la puerta a los beneficios sociales.",
        ("ingresos", "tramites"),
        "office",
        ("edificio-consistorial", "dideco-norte", "dideco-sur"),
        documents=(_ID_CARD, _RESIDENCE),
        wait="Hasta 20 días hábiles",
        interpretation=_INDONESIAN_HELP,
    ),
    _s(
        "ayuda-social-emergencia",
        "desarrollo-social",
        "Ayuda social de emergencia",
        "Emergency social assistance",
        "Canasta de alimentos, pañales o apoyo para gastos urgentes tras una evaluación con asistente social.",
        ("ingresos", "canastas"),
        "office",
        ("edificio-consistorial", "dideco-norte", "dideco-sur"),
        eligibility="Hogares en el 40 % más vulnerable del Registro Social de Hogares o con una emergencia acreditada.",
        documents=(_ID_CARD, _RSH),
        wait="Evaluación en 5 días hábiles",
        interpretation=_INDONESIAN_HELP,
    ),
    _s(
        "canasta-emergencia-24h",
        "desarrollo-social",
        "Canasta de alimentos de emergencia (turno 24 horas)",
        "Emergency food parcel (24-hour duty)",
        "Entrega inmediata de una canasta de alimentos a familias afectadas por incendios, inundaciones u otras "
        "emergencias, a cualquier hora.",
        ("canastas", "emergencias"),
        "always",
        ("edificio-consistorial",),
        eligibility="Familias afectadas por una emergencia en la ciudad.",
        documents=(),
    ),
    _s(
        "comedor-municipal",
        "desarrollo-social",
        "Comedor comunitario municipal",
        "Community dining hall (free food)",
        "Almuerzo caliente y gratuito de lunes a viernes, sin inscripción previa.",
        ("comedores",),
        "lunch",
        ("dideco-norte",),
        eligibility="Cualquier persona que lo necesite.",
        documents=(),
    ),
    _s(
        "comedor-san-isidro",
        "desarrollo-social",
        "Comedor comunitario San Isidro",
        "San Isidro community kitchen (free food)",
        "Desayuno y almuerzo gratuitos de lunes a viernes; sábados almuerzo.",
        ("comedores",),
        "long_saturday",
        ("dideco-sur",),
        eligibility="Cualquier persona que lo necesite.",
        documents=(),
    ),
    _s(
        "albergue-invierno",
        "desarrollo-social",
        "Albergue de invierno",
        "Winter night shelter",
        "Cama, cena, ducha y desayuno para personas en situación de calle durante el invierno.",
        ("albergue", "comedores"),
        "night_winter",
        ("albergue",),
        eligibility="Personas mayores de 18 años en situación de calle.",
        minimum_age=18,
        documents=(),
        apply="Llegue directamente o llame a la Central de Seguridad para ser trasladado.",
    ),
    _s(
        "programa-calle",
        "desarrollo-social",
        "Programa Calle: acompañamiento",
        "Street outreach programme",
        "Equipo que recorre la ciudad de noche con comida caliente, abrigo y orientación.",
        ("albergue", "comedores"),
        "night",
        ("albergue",),
        minimum_age=18,
        documents=(),
    ),
    _s(
        "alimentacion-mayores",
        "desarrollo-social",
        "Programa de alimentación para personas mayores",
        "Meals for older people",
        "Almuerzo en el Centro de Día y entrega a domicilio para quienes no pueden salir.",
        ("comedores", "personas-mayores"),
        "lunch",
        ("centro-dia",),
        eligibility="Personas de 60 años o más.",
        minimum_age=60,
        documents=(_ID_CARD, _RSH),
    ),
    _s(
        "centro-dia-mayores",
        "desarrollo-social",
        "Centro de Día para personas mayores",
        "Day centre for older people",
        "Talleres, actividad física, kinesiología y compañía para personas mayores autovalentes.",
        ("personas-mayores",),
        "office",
        ("centro-dia",),
        minimum_age=60,
        documents=(_ID_CARD,),
        wait="Lista de espera de 1 mes",
        languages=("arn",),
    ),
    _s(
        "cuidadores",
        "desarrollo-social",
        "Apoyo a personas cuidadoras",
        "Support for carers",
        "Orientación, respiro y talleres para quienes cuidan a un familiar dependiente.",
        ("personas-mayores", "discapacidad"),
        "afternoons",
        ("centro-dia",),
        documents=(_ID_CARD, _RSH),
    ),
    _s(
        "credencial-discapacidad",
        "desarrollo-social",
        "Oficina de la Discapacidad",
        "Disability office",
        "Orientación para obtener la credencial de discapacidad y acceder a beneficios.",
        ("discapacidad", "tramites"),
        "office",
        ("edificio-consistorial",),
        documents=(_ID_CARD, "Informes médicos"),
        languages=("csg",),
    ),
    _s(
        "ayudas-tecnicas",
        "desarrollo-social",
        "Ayudas técnicas",
        "Mobility aids",
        "Sillas de ruedas, bastones, andadores y colchones antiescaras para quienes no pueden comprarlos.",
        ("discapacidad", "rehabilitacion"),
        "office",
        ("edificio-consistorial",),
        documents=(_ID_CARD, _RSH, "Indicación médica"),
        wait="Hasta 60 días",
    ),
    _s(
        "opd",
        "desarrollo-social",
        "Oficina de Protección de Derechos de la Infancia",
        "Children's rights protection office",
        "Atención psicosocial y jurídica a niñas, niños y adolescentes cuyos derechos han sido vulnerados.",
        ("familia",),
        "office",
        ("dideco-sur",),
        maximum_age=17,
        documents=(),
    ),
    _s(
        "oficina-mujer",
        "desarrollo-social",
        "Oficina de la Mujer",
        "Women's office",
        "Orientación, talleres y derivación a atención especializada en violencia contra la mujer.",
        ("mujeres",),
        "office",
        ("edificio-consistorial",),
        documents=(),
    ),
    _s(
        "omil",
        "desarrollo-social",
        "Oficina Municipal de Intermediación Laboral (OMIL)",
        "Municipal job centre",
        "Bolsa de empleo, orientación laboral, certificado de cesantía y talleres para entrevistas.",
        ("empleo",),
        "office",
        ("omil",),
        minimum_age=18,
        documents=(_ID_CARD, "Currículum (si lo tiene)"),
        interpretation=_INDONESIAN_HELP,
    ),
    _s(
        "capacitacion-oficios",
        "desarrollo-social",
        "Capacitación en oficios",
        "Vocational training",
        "Cursos gratuitos de gasfitería, electricidad, cocina y peluquería con certificado.",
        ("empleo", "educacion"),
        "evenings",
        ("omil",),
        minimum_age=18,
        documents=(_ID_CARD, _RSH),
        wait="Próximo curso en marzo",
    ),
    _s(
        "fomento-productivo",
        "desarrollo-social",
        "Fomento productivo y emprendimiento",
        "Small business support",
        "Asesoría para formalizar un negocio, postular a fondos y vender en ferias municipales.",
        ("empleo",),
        "mornings",
        ("omil",),
        minimum_age=18,
        apply=_BOOK,
    ),
    _s(
        "subsidio-vivienda",
        "desarrollo-social",
        "Oficina de Vivienda",
        "Housing office",
        "Orientación y postulación a subsidios habitacionales y comités de vivienda.",
        ("subsidios-vivienda",),
        "office",
        ("edificio-consistorial",),
        documents=(_ID_CARD, _RSH, "Libreta de ahorro para la vivienda"),
    ),
    _s(
        "subsidio-agua",
        "desarrollo-social",
        "Subsidio al agua potable",
        "Water bill subsidy",
        "Descuento mensual en la cuenta de agua para hogares vulnerables.",
        ("agua", "ingresos"),
        "office",
        ("edificio-consistorial", "dideco-norte", "dideco-sur"),
        documents=(_ID_CARD, _RSH, "Última boleta de agua"),
        wait="El descuento se aplica desde la boleta siguiente",
    ),
    _s(
        "beca-municipal",
        "desarrollo-social",
        "Beca municipal de educación superior",
        "Municipal university grant",
        "Aporte anual para estudiantes de educación superior de familias de la ciudad.",
        ("educacion", "ingresos"),
        "mornings",
        ("edificio-consistorial",),
        minimum_age=17,
        maximum_age=29,
        documents=(_ID_CARD, _RSH, "Certificado de alumno regular", "Notas del año anterior"),
        alert="Postulaciones de marzo a abril.",
    ),
    _s(
        "utiles-escolares",
        "desarrollo-social",
        "Entrega de útiles escolares",
        "School supplies",
        "Set de útiles escolares para estudiantes de enseñanza básica y media.",
        ("educacion", "familia"),
        "summer",
        ("dideco-norte", "dideco-sur"),
        minimum_age=5,
        maximum_age=18,
        documents=(_ID_CARD, _RSH),
    ),
    _s(
        "vacaciones-verano",
        "desarrollo-social",
        "Escuela de verano",
        "Summer holiday club",
        "Actividades recreativas, deporte y almuerzo para niñas y niños durante las vacaciones de verano.",
        ("familia", "comedores"),
        "summer",
        ("dideco-norte", "dideco-sur"),
        minimum_age=6,
        maximum_age=13,
        documents=(_ID_CARD, "Autorización firmada por el apoderado"),
    ),
    _s(
        "sala-cuna",
        "desarrollo-social",
        "Jardín infantil y sala cuna municipal",
        "Municipal nursery",
        "Educación inicial para niñas y niños de 3 meses a 4 años, con alimentación.",
        ("familia", "educacion"),
        "long",
        ("dideco-sur",),
        maximum_age=4,
        documents=(_ID_CARD, "Certificado de nacimiento", _RSH),
        wait="Lista de espera de 2 a 4 meses",
    ),
    _s(
        "atencion-psicosocial",
        "desarrollo-social",
        "Atención psicosocial",
        "Counselling",
        "Psicólogas y trabajadores sociales atienden a personas y familias en crisis.",
        ("salud-mental", "familia"),
        "office",
        ("dideco-norte",),
        apply=_BOOK,
        wait="1 a 2 semanas",
    ),
    _s(
        "oficina-migrante",
        "desarrollo-social",
        "Oficina del Migrante",
        "Migrants' office",
        "Orientación sobre trámites, derechos y servicios de la ciudad para personas migrantes.",
        ("migracion",),
        "office",
        ("edificio-consistorial",),
        documents=(),
        interpretation="Atención en inglés e indonesio todos los días; otros idiomas con intérprete telefónico.",
    ),
    _s(
        "pension-garantizada",
        "desarrollo-social",
        "Orientación Pensión Garantizada Universal",
        "Guaranteed pension advice",
        "Ayuda para postular a la pensión garantizada y a otros beneficios de vejez.",
        ("personas-mayores", "ingresos"),
        "first_monday",
        ("centro-dia", "dideco-norte"),
        minimum_age=65,
        documents=(_ID_CARD,),
    ),
    _s(
        "operativo-salud",
        "desarrollo-social",
        "Operativo de salud en terreno",
        "Mobile health clinic",
        "Control de presión, glicemia, vacunas y orientación en salud, el último viernes de cada mes.",
        ("salud",),
        "last_friday",
        ("dideco-norte", "dideco-sur"),
        documents=(_ID_CARD,),
    ),
    _s(
        "canasta-navidad",
        "desarrollo-social",
        "Canasta navideña",
        "Christmas food hamper",
        "Entrega de una canasta de alimentos en diciembre a familias inscritas.",
        ("canastas",),
        "by_appointment",
        ("edificio-consistorial",),
        documents=(_ID_CARD, _RSH),
        status="defunct",
        alert="Reemplazada por la ayuda social de emergencia.",
    ),
    # Dirección de Seguridad Pública y Alumbrado
    _s(
        "central-seguridad",
        "seguridad-alumbrado",
        "Central de Seguridad Ciudadana",
        "Community safety hotline",
        "Atención telefónica las 24 horas: emergencias vecinales, patrullaje preventivo y coordinación con la policía.",
        ("seguridad", "emergencias"),
        "always",
        ("seguridad-central",),
        documents=(),
    ),
    _s(
        "mediacion-vecinal",
        "seguridad-alumbrado",
        "Mediación vecinal",
        "Neighbour mediation",
        "Mediadores ayudan a resolver conflictos entre vecinos: ruidos, deslindes, mascotas.",
        ("seguridad", "legal"),
        "office",
        ("mediacion",),
        apply=_BOOK,
        wait="2 semanas",
        languages=("en",),
    ),
    _s(
        "apoyo-victimas",
        "seguridad-alumbrado",
        "Apoyo a víctimas de delitos",
        "Support for victims of crime",
        "Orientación jurídica y psicológica a personas que han sufrido un delito.",
        ("seguridad", "salud-mental"),
        "office",
        ("seguridad-central",),
        documents=(_ID_CARD, "Copia de la denuncia (si la hizo)"),
    ),
    _s(
        "alarmas-comunitarias",
        "seguridad-alumbrado",
        "Alarmas comunitarias",
        "Community alarms",
        "Instalación de alarmas comunitarias para pasajes y villas organizadas.",
        ("seguridad",),
        "fortnightly",
        ("seguridad-central",),
        eligibility="Grupos de al menos 10 viviendas con una directiva.",
        apply=_BOOK,
        documents=("Acta de la organización",),
        wait="2 a 3 meses",
    ),
    _s(
        "grabaciones-camaras",
        "seguridad-alumbrado",
        "Solicitud de grabaciones de cámaras",
        "CCTV footage request",
        "Copia de grabaciones de las cámaras municipales para una investigación.",
        ("seguridad", "tramites"),
        "office",
        ("seguridad-central",),
        eligibility="Solo por orden de la fiscalía o de un tribunal.",
        apply=_ONLINE,
        documents=("Oficio de la fiscalía o del tribunal",),
    ),
    _s(
        "alumbrado-peatonal",
        "seguridad-alumbrado",
        "Mejoramiento de alumbrado peatonal",
        "Pedestrian lighting",
        "Solicitud de nuevas luminarias en pasajes y plazas oscuras.",
        ("seguridad", "barrio"),
        "office",
        ("seguridad-central",),
        apply="Haga la solicitud en el formulario de reportes de la ciudad o por teléfono.",
        documents=(),
        wait="Evaluación técnica en 30 días",
    ),
    _s(
        "barrio-seguro",
        "seguridad-alumbrado",
        "Talleres Barrio Seguro",
        "Safe neighbourhood workshops",
        "Talleres de prevención del delito y organización vecinal.",
        ("seguridad", "educacion"),
        "evenings",
        ("mediacion",),
        documents=(),
    ),
    # Fundación Barrio Solidario
    _s(
        "camion-aljibe",
        "fundacion-barrio-solidario",
        "Agua en camión aljibe",
        "Water by tanker truck",
        "Reparto de agua potable a viviendas sin conexión a la red en La Quebrada.",
        ("agua", "emergencias"),
        "mornings",
        ("sede-quebrada",),
        eligibility="Viviendas de La Quebrada sin agua potable.",
        documents=(_RESIDENCE,),
        areas=("la-quebrada",),
    ),
    _s(
        "olla-quebrada",
        "fundacion-barrio-solidario",
        "Olla común Quebrada Honda",
        "Quebrada Honda community kitchen (free food)",
        "Almuerzo gratuito preparado por vecinas y vecinos, de lunes a viernes.",
        ("comedores",),
        "lunch",
        ("sede-quebrada",),
        eligibility="Cualquier persona; traiga su envase.",
        documents=(),
        areas=("quebrada-honda",),
        languages=("qu",),
    ),
    _s(
        "olla-mirador",
        "fundacion-barrio-solidario",
        "Olla común El Mirador",
        "El Mirador community kitchen (free food)",
        "Desayuno, almuerzo y once gratuitos de lunes a viernes; despensa los sábados en la mañana.",
        ("comedores", "canastas"),
        "long_saturday",
        ("sede-mirador",),
        eligibility="Cualquier persona; traiga su envase.",
        documents=(),
        areas=("el-mirador",),
    ),
    _s(
        "reforzamiento",
        "fundacion-barrio-solidario",
        "Reforzamiento escolar",
        "After-school tutoring",
        "Voluntarios ayudan con tareas de lenguaje y matemáticas.",
        ("educacion", "familia"),
        "afternoons",
        ("sede-quebrada", "sede-cerro"),
        minimum_age=6,
        maximum_age=14,
        documents=(),
    ),
    _s(
        "ropero",
        "fundacion-barrio-solidario",
        "Ropero solidario",
        "Community clothes bank",
        "Ropa y calzado en buen estado para familias que lo necesitan.",
        ("familia",),
        "saturday",
        ("sede-cerro",),
        documents=(),
    ),
    _s(
        "apoyo-tramites-cerros",
        "fundacion-barrio-solidario",
        "Apoyo en trámites en línea",
        "Help with online forms",
        "Voluntarios ayudan a hacer trámites en línea: Registro Social de Hogares, bonos, horas médicas.",
        ("tramites",),
        "afternoons",
        ("sede-mirador",),
        documents=(_ID_CARD,),
    ),
    _s(
        "huerto-cerro",
        "fundacion-barrio-solidario",
        "Huerto comunitario Cerro Azul",
        "Cerro Azul community garden",
        "Huerto vecinal: cultive y lleve verduras a cambio de trabajo en el huerto.",
        ("areas-verdes", "alimentacion"),
        "saturday",
        ("sede-cerro",),
        documents=(),
        areas=("cerro-azul",),
    ),
    _s(
        "biblioteca-popular",
        "fundacion-barrio-solidario",
        "Biblioteca popular",
        "Community library",
        "Préstamo de libros, internet gratuito y cuentacuentos.",
        ("educacion",),
        "afternoons",
        ("sede-mirador",),
        documents=(),
    ),
    # Banco de Alimentos Esperanza
    _s(
        "canastas-familiares",
        "banco-alimentos",
        "Entrega de canastas familiares",
        "Food bank grocery boxes",
        "Canasta de alimentos no perecibles, frutas y verduras, de lunes a viernes.",
        ("canastas",),
        "long",
        ("despensa-centro",),
        eligibility="Familias derivadas por un asistente social o inscritas en la despensa.",
        documents=(_ID_CARD,),
    ),
    _s(
        "sabado-solidario",
        "banco-alimentos",
        "Sábado solidario: despensa abierta",
        "Saturday food pantry",
        "Despensa abierta los sábados en la mañana, sin inscripción: pan, verduras y abarrotes.",
        ("canastas",),
        "saturday",
        ("despensa-centro", "despensa-terrazas"),
        eligibility="Cualquier persona que lo necesite.",
        documents=(),
    ),
    _s(
        "despensa-terrazas",
        "banco-alimentos",
        "Despensa Solidaria Las Terrazas",
        "Las Terrazas food pantry",
        "Entrega de alimentos de lunes a viernes en la tarde.",
        ("canastas",),
        "afternoons",
        ("despensa-terrazas",),
        documents=(_ID_CARD,),
    ),
    _s(
        "leche-lactantes",
        "banco-alimentos",
        "Leche y alimentos para lactantes",
        "Baby milk and food",
        "Leche de fórmula, papillas y pañales para familias con bebés.",
        ("canastas", "familia"),
        "mornings",
        ("despensa-centro",),
        eligibility="Familias con niñas o niños menores de 2 años.",
        documents=(_ID_CARD, "Carné de control del niño sano"),
    ),
    _s(
        "alimentos-organizaciones",
        "banco-alimentos",
        "Alimentos para organizaciones sociales",
        "Food for community organisations",
        "Ollas comunes, comedores y hogares retiran alimentos recuperados en la bodega.",
        ("canastas", "comedores"),
        "mornings",
        ("bodega-alimentos",),
        (500, "Aporte solidario por kilo para gastos de logística."),
        eligibility="Organizaciones sociales con personalidad jurídica.",
        documents=("Certificado de vigencia",),
    ),
    _s(
        "cocina-saludable",
        "banco-alimentos",
        "Taller de cocina saludable y económica",
        "Healthy cooking on a budget",
        "Recetas con alimentos de temporada y aprovechamiento de sobras.",
        ("alimentacion", "educacion"),
        "evenings",
        ("despensa-centro",),
        (2000, "Aporte por sesión; gratis con canasta familiar."),
        minimum_age=16,
        documents=(),
    ),
    _s(
        "voluntariado-alimentos",
        "banco-alimentos",
        "Voluntariado en el Banco de Alimentos",
        "Food bank volunteering",
        "Clasificación de alimentos y reparto; turnos de tres horas.",
        ("empleo",),
        "long_saturday",
        ("bodega-alimentos",),
        minimum_age=16,
        apply=_ONLINE,
        documents=(),
    ),
    _s(
        "canastas-invierno",
        "banco-alimentos",
        "Canastas de invierno",
        "Winter food boxes",
        "Refuerzo de alimentos y abrigo para familias durante el invierno.",
        ("canastas",),
        "winter_weekdays",
        ("despensa-centro", "despensa-terrazas"),
        documents=(_ID_CARD,),
    ),
    # Clínica Jurídica Popular
    _s(
        "orientacion-legal",
        "clinica-juridica",
        "Orientación legal gratuita",
        "Free legal advice",
        "Una primera consulta con abogado sobre cualquier tema legal.",
        ("legal",),
        "office",
        ("clinica",),
        eligibility="Personas sin recursos para pagar un abogado.",
        documents=(_ID_CARD,),
    ),
    _s(
        "pension-alimentos",
        "clinica-juridica",
        "Demanda de pensión de alimentos",
        "Child maintenance claims",
        "Representación en juicios de pensión de alimentos y cumplimiento de pagos.",
        ("familia-legal",),
        "office",
        ("clinica",),
        apply=_BOOK,
        documents=(_ID_CARD, "Certificado de nacimiento de los hijos", "Gastos mensuales"),
    ),
    _s(
        "defensa-laboral",
        "clinica-juridica",
        "Defensa laboral",
        "Employment law advice",
        "Despidos, sueldos impagos, accidentes del trabajo y acoso laboral.",
        ("legal", "empleo"),
        "afternoons",
        ("clinica",),
        apply=_BOOK,
        documents=(_ID_CARD, "Contrato y liquidaciones de sueldo"),
    ),
    _s(
        "arriendo-desalojo",
        "clinica-juridica",
        "Arriendos y desalojos",
        "Tenancy and eviction help",
        "Orientación y defensa frente a desalojos, deudas de arriendo y garantías.",
        ("legal", "vivienda"),
        "office",
        ("clinica",),
        apply=_BOOK,
        documents=(_ID_CARD, "Contrato de arriendo"),
    ),
    _s(
        "regularizacion-migratoria",
        "clinica-juridica",
        "Regularización migratoria",
        "Immigration status help",
        "Asesoría para visas, residencia definitiva, reunificación familiar y recursos administrativos.",
        ("migracion",),
        "afternoons",
        ("clinica", "puentes"),
        apply=_BOOK,
        documents=("Pasaporte", "Documentos de viaje"),
        interpretation=_INDONESIAN_HELP,
    ),
    _s(
        "posesion-efectiva",
        "clinica-juridica",
        "Posesión efectiva y herencias",
        "Probate and inheritance",
        "Ayuda para tramitar la posesión efectiva de una herencia.",
        ("legal", "tramites"),
        "mornings",
        ("clinica",),
        documents=(_ID_CARD, "Certificado de defunción", "Certificados de nacimiento de los herederos"),
    ),
    _s(
        "clinica-movil",
        "clinica-juridica",
        "Clínica jurídica móvil",
        "Mobile legal clinic",
        "Abogados atienden en los cerros el primer sábado de cada mes.",
        ("legal",),
        "first_saturday",
        ("sede-mirador", "sede-cerro"),
        documents=(_ID_CARD,),
        areas=("la-quebrada", "cerro-azul"),
    ),
    _s(
        "mediacion-familiar",
        "clinica-juridica",
        "Mediación familiar",
        "Family mediation",
        "Acuerdos de cuidado personal, visitas y alimentos sin ir a juicio.",
        ("familia-legal",),
        "fortnightly",
        ("clinica",),
        apply=_BOOK,
        wait="3 semanas",
    ),
    # Red Violeta
    _s(
        "casa-acogida",
        "red-violeta",
        "Casa de acogida para mujeres",
        "Women's refuge",
        "Alojamiento protegido y confidencial para mujeres que viven violencia y sus hijas e hijos.",
        ("albergue", "mujeres"),
        "always",
        ("casa-violeta",),
        eligibility="Mujeres mayores de 18 años en riesgo, con o sin hijos.",
        minimum_age=18,
        apply="Llame a la línea de orientación a cualquier hora; la dirección es reservada.",
        documents=(),
    ),
    _s(
        "linea-violeta",
        "red-violeta",
        "Línea Violeta de orientación 24 horas",
        "24-hour women's helpline",
        "Orientación telefónica confidencial frente a la violencia de género, día y noche.",
        ("mujeres", "emergencias"),
        "always",
        ("casa-violeta",),
        documents=(),
        languages=("id",),
    ),
    _s(
        "grupo-apoyo-mujeres",
        "red-violeta",
        "Grupo de apoyo para mujeres",
        "Women's support group",
        "Encuentros semanales guiados por una psicóloga.",
        ("mujeres", "salud-mental"),
        "evenings",
        ("casa-violeta",),
        minimum_age=18,
        apply=_BOOK,
        documents=(),
    ),
    _s(
        "acompanamiento-judicial",
        "red-violeta",
        "Acompañamiento judicial",
        "Court accompaniment",
        "Abogadas acompañan a las mujeres en denuncias, medidas de protección y juicios.",
        ("mujeres", "familia-legal"),
        "office",
        ("casa-violeta",),
        apply=_BOOK,
        documents=(_ID_CARD,),
    ),
    _s(
        "autonomia-economica",
        "red-violeta",
        "Programa de autonomía económica",
        "Economic independence programme",
        "Capacitación y apoyo al emprendimiento para mujeres que salen de la violencia.",
        ("mujeres", "empleo"),
        "mornings",
        ("casa-violeta",),
        minimum_age=18,
        apply=_BOOK,
    ),
    _s(
        "psicologia-mujeres",
        "red-violeta",
        "Atención psicológica",
        "Counselling for women",
        "Sesiones individuales con psicóloga especializada en violencia de género.",
        ("mujeres", "salud-mental"),
        "office",
        ("casa-violeta",),
        (3000, "Aporte por sesión; gratis si no puede pagarlo."),
        minimum_age=15,
        apply=_BOOK,
        wait="1 semana",
    ),
    # Asociación de Migrantes Puentes (some services published in Indonesian and English)
    _s(
        "clases-espanol",
        "migrantes",
        "Clases de español para migrantes",
        "Spanish classes for newcomers",
        "Clases gratuitas de español en tres niveles, con cuidado de niños.",
        ("educacion", "migracion"),
        "evenings",
        ("puentes",),
        minimum_age=16,
        documents=(),
    ),
    _s(
        "bantuan-dokumen",
        "migrantes",
        "Bantuan dokumen imigrasi",
        "Immigration paperwork help",
        "Pendampingan dalam bahasa Indonesia untuk visa, izin tinggal, dan nomor identitas Chili (RUT). "
        "Acompañamiento en indonesio para visas, residencia y RUT.",
        ("migracion",),
        "afternoons",
        ("puentes",),
        documents=("Paspor / pasaporte",),
    ),
    _s(
        "komunitas-indonesia",
        "migrantes",
        "Pertemuan komunitas Indonesia",
        "Indonesian community meeting",
        "Pertemuan bulanan, informasi, dan dukungan untuk warga Indonesia di kota. "
        "Encuentro mensual de la comunidad indonesia.",
        ("migracion", "familia"),
        "first_saturday",
        ("puentes",),
        documents=(),
    ),
    _s(
        "welcome-desk",
        "migrantes",
        "Welcome desk for newcomers",
        "Welcome desk for newcomers",
        "Information in English about housing, work, health care and schools in the city. "
        "Información en inglés para personas recién llegadas.",
        ("migracion",),
        "mornings",
        ("puentes",),
        documents=(),
    ),
    _s(
        "english-conversation",
        "migrantes",
        "English conversation club",
        "English conversation club",
        "Practise English with volunteers; open to migrants and locals alike.",
        ("educacion",),
        "afternoons",
        ("puentes",),
        documents=(),
        status="inactive",
        alert="Paused until new volunteers join.",
    ),
    _s(
        "bolsa-trabajo-migrante",
        "migrantes",
        "Bolsa de trabajo migrante",
        "Jobs board for migrants",
        "Ofertas de trabajo, revisión de currículum y validación de títulos extranjeros.",
        ("empleo", "migracion"),
        "mornings",
        ("puentes",),
        minimum_age=18,
        documents=(_ID_CARD,),
    ),
    _s(
        "traduccion-documentos",
        "migrantes",
        "Traducción de documentos",
        "Document translation",
        "Traducción simple de documentos del indonesio y del inglés al español.",
        ("migracion", "tramites"),
        "by_appointment",
        ("puentes",),
        (8000, "Por página; gratis para socios."),
        apply=_BOOK,
        wait="1 semana",
    ),
    _s(
        "despensa-puentes",
        "migrantes",
        "Despensa Puentes (makanan gratis)",
        "Puentes free food pantry",
        "Alimentos gratuitos para familias migrantes recién llegadas, los sábados y entre semana en la tarde.",
        ("canastas", "migracion"),
        "long_saturday",
        ("puentes",),
        documents=(),
    ),
    # Corporación Incluir
    _s(
        "rehabilitacion-comunitaria",
        "incluir",
        "Rehabilitación comunitaria",
        "Community rehabilitation",
        "Kinesiología, terapia ocupacional y fonoaudiología cerca de casa.",
        ("rehabilitacion", "discapacidad"),
        "office",
        ("incluir",),
        (4500, "Por sesión; tarifa rebajada según Registro Social de Hogares."),
        apply=_BOOK,
        documents=(_ID_CARD, "Indicación médica"),
        wait="3 a 6 semanas",
    ),
    _s(
        "prestamo-ayudas",
        "incluir",
        "Préstamo de ayudas técnicas",
        "Mobility aid loans",
        "Préstamo temporal de sillas de ruedas, muletas y camas clínicas.",
        ("discapacidad", "rehabilitacion"),
        "mornings",
        ("incluir",),
        documents=(_ID_CARD, "Indicación médica"),
    ),
    _s(
        "lengua-senas",
        "incluir",
        "Curso de Lengua de Señas Chilena",
        "Chilean Sign Language course",
        "Curso básico e intermedio, impartido por docentes sordos.",
        ("discapacidad", "educacion"),
        "evenings",
        ("incluir",),
        (15000, "Por nivel de 8 semanas."),
        minimum_age=12,
    ),
    _s(
        "transporte-adaptado",
        "incluir",
        "Transporte adaptado",
        "Accessible transport",
        "Traslado en vehículo con rampa a controles médicos y terapias.",
        ("discapacidad",),
        "long",
        ("incluir",),
        (1500, "Por viaje."),
        apply="Reserve con 48 horas de anticipación por teléfono.",
        documents=(_ID_CARD,),
    ),
    _s(
        "respiro-cuidadores",
        "incluir",
        "Respiro para cuidadores",
        "Respite for carers",
        "Cuidado de la persona con discapacidad durante unas horas para que su cuidador descanse.",
        ("discapacidad", "familia"),
        "saturday",
        ("incluir",),
        apply=_BOOK,
    ),
    _s(
        "inclusion-laboral",
        "incluir",
        "Inclusión laboral",
        "Supported employment",
        "Apoyo para encontrar y mantener un trabajo, y asesoría a empresas.",
        ("discapacidad", "empleo"),
        "mornings",
        ("incluir",),
        minimum_age=18,
        apply=_BOOK,
    ),
    _s(
        "talleres-recreativos",
        "incluir",
        "Talleres recreativos inclusivos",
        "Inclusive leisure workshops",
        "Música, deporte adaptado y arte para jóvenes y adultos con discapacidad.",
        ("discapacidad", "educacion"),
        "afternoons",
        ("incluir",),
        minimum_age=12,
    ),
]

#: Programs: key -> (organization, name, description, services).
PROGRAMS: dict[str, tuple[str, str, str, tuple[str, ...]]] = {
    "invierno-solidario": (
        "desarrollo-social",
        "Invierno Solidario",
        "Albergue, comida caliente y abrigo para personas en situación de calle durante el invierno.",
        ("albergue-invierno", "programa-calle"),
    ),
    "vinculos": (
        "desarrollo-social",
        "Programa Vínculos",
        "Acompañamiento a personas mayores que viven solas: alimentación, compañía y beneficios.",
        ("alimentacion-mayores", "centro-dia-mayores", "pension-garantizada"),
    ),
}

#: Services whose listing was last verified long ago, so the "not verified" flag has something to show.
STALE = frozenset({"veredas-participativas", "canasta-navidad", "english-conversation", "biblioteca-popular"})


# --- Building the package -----------------------------------------------------------------


@dataclass(frozen=True)
class _Ward:
    slug: str
    name: str
    postcode: str
    inner: BaseGeometry  # the ward shrunk a little, so points are not on a boundary
    polygon: BaseGeometry


@dataclass
class _Package:
    jurisdiction: Jurisdiction
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    phones: int = 0

    def add(self, table: str, key: str, **values: Any) -> uuid.UUID:
        object_id = demo_id(self.jurisdiction, table, key)
        self.rows.setdefault(table, []).append({"id": object_id, **values})
        return object_id

    def phone_number(self) -> str:
        self.phones += 1
        return f"+56 45 555 {self.phones + 100:04d}"


def _postcode(code: str) -> str:
    """CE-01-02 -> 9120000: seven digits, as the country's postcodes have."""
    _city, district, ward = code.split("-")
    return f"9{int(district)}{int(ward)}0000"


def _wards(jurisdiction: Jurisdiction) -> dict[str, _Ward]:
    wards = {}
    for area in Area.objects.filter(jurisdiction=jurisdiction, level="ward").order_by("slug"):
        polygon = shape(area.geometry)
        inner = polygon.buffer(-0.0004)
        wards[area.slug] = _Ward(
            area.slug, area.name, _postcode(area.code), inner if not inner.is_empty else polygon, polygon
        )
    return wards


def _point_in(ward: _Ward, rng: random.Random) -> tuple[float, float]:
    min_x, min_y, max_x, max_y = ward.inner.bounds
    for _attempt in range(1000):
        x = round(rng.uniform(min_x, max_x), 6)
        y = round(rng.uniform(min_y, max_y), 6)
        if ward.inner.contains(Point(x, y)) and ward.polygon.contains(Point(x, y)):
            return x, y
    point = ward.polygon.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _extent(area: Area) -> str:
    return json.dumps(area.geometry, separators=(",", ":"), sort_keys=True)


def directory_demo_rows(
    jurisdiction: Jurisdiction, *, seed: int = DEFAULT_SEED, today: dt.date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The demo directory as HSDS rows per table (HSDS field -> value), ids included.

    Reads the jurisdiction's stored ward boundaries, so every location lies inside its ward
    whatever seed drew them."""
    if today is None:
        today = timezone.localdate(timezone=jurisdiction.tzinfo)
    package = _Package(jurisdiction)
    wards = _wards(jurisdiction)
    areas = {area.slug: area for area in Area.objects.filter(jurisdiction=jurisdiction).order_by("slug")}
    city_slug = next((slug for slug, area in areas.items() if area.level == "city"), "")

    taxonomy_id = package.add(
        "taxonomy",
        "servicios",
        name="Taxonomía de servicios de Ciudad Esperanza",
        description="Clasificación local de los servicios del directorio, por necesidad.",
        uri=f"https://{DOMAIN}/directorio/taxonomia",
        version="1.0",
    )
    term_ids = {code: demo_id(jurisdiction, "taxonomy_term", code) for code in TERMS}
    for code, (name, description, parent) in TERMS.items():
        package.add(
            "taxonomy_term",
            code,
            code=code,
            name=name,
            description=description,
            parent_id=term_ids[parent] if parent else None,
            taxonomy="Taxonomía de servicios de Ciudad Esperanza",
            language="es",
            taxonomy_id=taxonomy_id,
            term_uri=f"https://{DOMAIN}/directorio/taxonomia/{code}",
        )

    organizations = {spec.key: spec for spec in ORGANIZATIONS}
    org_ids: dict[str, uuid.UUID] = {}
    for spec in ORGANIZATIONS:
        org_id = org_ids[spec.key] = package.add(
            "organization",
            spec.key,
            name=spec.name,
            alternate_name=spec.english,
            description=spec.description,
            email=spec.email,
            website=spec.website or f"https://{DOMAIN}/directorio/{spec.key}",
            tax_status="Exenta" if spec.tax_id and not spec.agency else "",
            tax_id=spec.tax_id,
            year_incorporated=spec.year,
            legal_status=spec.legal_status,
        )
        if spec.tax_id:
            package.add(
                "organization_identifier",
                spec.key,
                organization_id=org_id,
                identifier_scheme="CL-RUT",
                identifier_type="Rol Único Tributario",
                identifier=spec.tax_id,
            )
        package.add(
            "phone",
            f"organization/{spec.key}",
            organization_id=org_id,
            number=package.phone_number(),
            type="voice",
            description="Mesa central",
        )
        contact_id = package.add(
            "contact",
            f"organization/{spec.key}",
            organization_id=org_id,
            name="Mesa de atención",
            title="Atención de público",
            department=spec.english,
            email=spec.email,
        )
        package.add(
            "phone",
            f"contact/{spec.key}",
            contact_id=contact_id,
            number=package.phone_number(),
            type="voice",
            description="Mesa de atención",
        )
        if not spec.agency:
            package.add(
                "funding",
                f"organization/{spec.key}",
                organization_id=org_id,
                source="Subvención municipal de Ciudad Esperanza y aportes de socios",
            )

    location_ids: dict[str, uuid.UUID] = {}
    missing = sorted({location.ward for location in LOCATIONS} - set(wards))
    if missing:
        msg = f"{jurisdiction.slug} has no ward {', '.join(missing)}: load the demo city (civicloop.core.demo) first."
        raise ValueError(msg)
    for location in LOCATIONS:
        ward = wards[location.ward]
        longitude, latitude = _point_in(ward, random.Random(f"{seed}:{location.key}"))  # noqa: S311 — reproducible
        location_id = location_ids[location.key] = package.add(
            "location",
            location.key,
            location_type="physical",
            organization_id=org_ids[location.organization],
            name=location.name,
            description=f"{location.name}, barrio {ward.name}.",
            transportation=location.transportation,
            latitude=latitude,
            longitude=longitude,
        )
        package.add(
            "address",
            location.key,
            location_id=location_id,
            address_1=location.street,
            address_2=ward.name,
            city=CITY,
            region=REGION,
            state_province=REGION,
            postal_code=ward.postcode,
            country=COUNTRY,
            address_type="physical",
        )
        package.add(
            "phone",
            f"location/{location.key}",
            location_id=location_id,
            number=package.phone_number(),
            type="voice",
            description="Recepción",
        )
        package.add(
            "contact",
            f"location/{location.key}",
            location_id=location_id,
            name="Mesa de atención",
            title="Recepción",
            department=location.name,
            email=organizations[location.organization].email,
        )
        for index, text in enumerate(location.accessibility):
            package.add("accessibility", f"{location.key}/{index}", location_id=location_id, description=text)

    program_of: dict[str, uuid.UUID] = {}
    for key, (organization, name, description, services) in PROGRAMS.items():
        program_id = package.add(
            "program", key, organization_id=org_ids[organization], name=name, description=description
        )
        program_of.update(dict.fromkeys(services, program_id))

    refs = _References(
        location_ids=location_ids,
        term_ids=term_ids,
        program_of=program_of,
        areas=areas,
        city_slug=city_slug,
        anchor=today.replace(day=1),
        seed=seed,
        today=today,
    )
    for service in SERVICES:
        _add_service(
            package,
            service,
            organization=organizations[service.organization],
            org_id=org_ids[service.organization],
            refs=refs,
        )
    return package.rows


@dataclass(frozen=True)
class _References:
    """What a service's rows point at, and the run's seed and dates."""

    location_ids: dict[str, uuid.UUID]
    term_ids: dict[str, uuid.UUID]
    program_of: dict[str, uuid.UUID]
    areas: dict[str, Area]
    city_slug: str
    anchor: dt.date  # assured dates count back from it
    seed: int
    today: dt.date


def _add_service(
    package: _Package, service: DemoService, *, organization: DemoOrganization, org_id: uuid.UUID, refs: _References
) -> None:
    seed, today, anchor = refs.seed, refs.today, refs.anchor
    location_ids, term_ids, areas, city_slug = refs.location_ids, refs.term_ids, refs.areas, refs.city_slug
    organization_id, program_id = org_id, refs.program_of.get(service.key)
    rng = random.Random(f"{seed}:{service.key}")  # noqa: S311 — reproducible demo data, not secrets
    age_days = rng.randint(500, 700) if service.key in STALE else rng.randint(0, 150)
    fees = "Gratuito." if service.fee is None else f"${service.fee[0]:,} CLP. {service.fee[1]}".replace(",", ".")
    service_id = package.add(
        "service",
        service.key,
        organization_id=organization_id,
        program_id=program_id,
        name=service.name,
        alternate_name=service.english,
        description=service.description,
        url=f"https://{DOMAIN}/directorio/servicios/{service.key}"
        if organization.agency
        else organization.website or f"https://{DOMAIN}/directorio/servicios/{service.key}",
        email=organization.email,
        status=service.status,
        interpretation_services=service.interpretation,
        application_process=service.apply,
        fees_description=fees,
        wait_time=service.wait,
        eligibility_description=service.eligibility,
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
        assured_date=anchor - dt.timedelta(days=age_days),
        assurer_email=f"directorio@{DOMAIN}",
        alert=service.alert,
    )
    for index, schedule in enumerate(_schedules(service.schedule, today)):
        package.add("schedule", f"{service.key}/{index}", service_id=service_id, **schedule)
    for location in service.locations:
        package.add(
            "service_at_location",
            f"{service.key}/{location}",
            service_id=service_id,
            location_id=location_ids[location],
        )
    languages = list(dict.fromkeys((*organization.languages, *service.languages)))
    if service.interpretation and "id" not in languages:
        languages.append("id")
    for code in languages:
        note = "Con intérprete en días indicados." if code == "id" and service.interpretation else ""
        package.add(
            "language", f"{service.key}/{code}", service_id=service_id, name=LANGUAGE_NAMES[code], code=code, note=note
        )
    if service.fee is None:
        package.add(
            "cost_option",
            service.key,
            service_id=service_id,
            option="Gratuito",
            currency="CLP",
            amount=0,
            amount_description="Sin costo para quien usa el servicio.",
        )
    else:
        package.add(
            "cost_option",
            service.key,
            service_id=service_id,
            option="Tarifa general",
            currency="CLP",
            amount=service.fee[0],
            amount_description=service.fee[1],
            valid_from=dt.date(today.year, 1, 1),
            valid_to=dt.date(today.year, 12, 31),
        )
    for index, document in enumerate(service.documents):
        package.add("required_document", f"{service.key}/{index}", service_id=service_id, document=document)
    for term in service.terms:
        package.add(
            "attribute",
            f"{service.key}/{term}",
            link_id=service_id,
            taxonomy_term_id=term_ids[term],
            link_type="service_type",
            link_entity="service",
        )
    slugs = service.areas if service.areas is not None else organization.coverage or (city_slug,)
    for slug in slugs:
        area = areas.get(slug)
        if area is None:
            continue
        package.add(
            "service_area",
            f"{service.key}/{slug}",
            service_id=service_id,
            name=area.name,
            description=f"Residentes de {area.name}.",
            extent=_extent(area),
            extent_type="geojson",
            uri=f"https://{DOMAIN}/areas/{slug}",
        )
    if service.schedule == "always":
        package.add(
            "phone",
            f"service/{service.key}",
            service_id=service_id,
            number=package.phone_number(),
            type="voice",
            description="Línea de atención las 24 horas",
        )
        package.add(
            "contact",
            f"service/{service.key}",
            service_id=service_id,
            name="Turno de guardia",
            title="Atención de emergencias",
            email=organization.email,
        )
    if organization.key != "desarrollo-social" or "ingresos" in service.terms:
        return
    package.add(
        "funding",
        f"service/{service.key}",
        service_id=service_id,
        source="Presupuesto municipal y convenios con el Ministerio de Desarrollo Social",
    )


def _write_package(directory: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """A tabular data package of the rows, with the columns the demo defines.

    Columns it leaves to others (a service's `last_modified`, which edits keep up to date)
    are not in the package, so a reset does not touch them."""
    resources = []
    for name, spec in tables().items():
        table_rows = rows.get(name)
        if not table_rows:
            continue
        given = set().union(*table_rows)
        columns = [column for column in spec.field_names if column in given]
        with (directory / spec.path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in table_rows:
                writer.writerow([format_cell(row.get(column)) for column in columns])
        resources.append({"name": name, "path": spec.path})
    path = directory / "datapackage.json"
    path.write_text(json.dumps({"name": "esperanza-directory-demo", "resources": resources}), encoding="utf-8")
    return path


def _missing(jurisdiction: Jurisdiction, rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    result = {}
    for name, table_rows in rows.items():
        stored = set(
            MODEL_BY_TABLE[name].objects.filter(id__in=[row["id"] for row in table_rows]).values_list("id", flat=True)
        )
        result[name] = [row for row in table_rows if row["id"] not in stored]
    return result


# --- Loading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryDemoResult:
    created: dict[str, int]
    updated: dict[str, int]
    changes: int  # change-log entries written
    linked: int  # organizations newly linked to their agency


@transaction.atomic
def directory_demo_load(
    jurisdiction: Jurisdiction, *, seed: int = DEFAULT_SEED, reset: bool = False
) -> DirectoryDemoResult:
    """Load the demo directory into jurisdiction (the demo city) through the HSDS import.

    Missing objects are created; with reset, existing ones are put back to the definition.
    A second run changes nothing."""
    rows = directory_demo_rows(jurisdiction, seed=seed)
    if not reset:
        rows = _missing(jurisdiction, rows)
    result = ImportResult()
    if any(rows.values()):
        with tempfile.TemporaryDirectory(prefix="civicloop-demo-") as directory:
            result = directory_import_hsds(jurisdiction=jurisdiction, path=_write_package(Path(directory), rows))
    linked = _link_agencies(jurisdiction, reset=reset)
    return DirectoryDemoResult(created=result.created, updated=result.updated, changes=result.changes, linked=linked)


def _link_agencies(jurisdiction: Jurisdiction, *, reset: bool) -> int:
    """Link each agency's organization to its civicloop agency (the import cannot: it is not HSDS)."""
    agencies = {agency.slug: agency for agency in Agency.objects.filter(jurisdiction=jurisdiction)}
    linked = 0
    for spec in ORGANIZATIONS:
        agency = agencies.get(spec.agency) if spec.agency else None
        organization = Organization.objects.filter(pk=demo_id(jurisdiction, "organization", spec.key)).first()
        if agency is None or organization is None or organization.agency_id == agency.pk:
            continue
        if organization.agency_id is not None and not reset:
            continue  # someone linked it elsewhere while exploring: left alone
        before = organization.agency_id
        organization.agency = agency
        organization.save(update_fields=["agency"])
        audit_log(
            action="organization.update",
            obj=organization,
            agency=agency,
            jurisdiction=jurisdiction,
            before={"agency": before},
            after={"agency": agency.pk},
            channel=Channel.SYSTEM,
        )
        linked += 1
    return linked
