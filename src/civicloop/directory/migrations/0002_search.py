"""Search indexes of the directory's services, one per database, kept current by triggers.

Triggers (not the services that write) keep the index current because every way a service's
searched text changes - an import's bulk writes, an edit, an organization or taxonomy term being
renamed, an attribute added or removed - goes through these tables; no writer can forget it.
The searched text of a service: its name, alternate name and description, its organization's name
and the names of the taxonomy terms attached to it (HSDS attributes).

SQLite: `directory_servicesearch` gives each service a stable integer rowid (a UUID-keyed
table's own rowid may change on VACUUM); `directory_service_fts` is the FTS5 index under that
rowid (case and diacritics folded); `directory_service_fts_vocab` lists its words, for spelling
suggestions.

PostgreSQL: `directory_service.search_document`, a tsvector with a GIN index, holding the text
twice: stemmed in the jurisdiction's main language (english, spanish; `simple` otherwise) and
unstemmed (`simple`), so words of the directory's other languages are found as written; both
fold diacritics (the `directory_*` configurations add unaccent). pg_trgm
and a trigram index on the service name serve the typo-tolerant fallback. The column is not a
model field: no Django query should load it.
"""

from django.db import migrations, models

SQLITE_FORWARD = [
    """CREATE TABLE directory_servicesearch (
        rowid INTEGER PRIMARY KEY,
        service_id char(32) NOT NULL UNIQUE REFERENCES directory_service (id) DEFERRABLE INITIALLY DEFERRED
    )""",
    """CREATE VIRTUAL TABLE directory_service_fts USING fts5(
        name, alternate_name, description, organization_name, term_names,
        tokenize = 'unicode61 remove_diacritics 2'
    )""",
    "CREATE VIRTUAL TABLE directory_service_fts_vocab USING fts5vocab(directory_service_fts, row)",
    # The searched text of one service, as a SELECT over its id (used by every trigger below).
    """CREATE VIEW directory_service_fts_source AS
        SELECT s.id AS service_id, s.name, s.alternate_name, s.description,
               COALESCE(o.name, '') AS organization_name,
               COALESCE((SELECT group_concat(t.name, ' ') FROM directory_attribute a
                         JOIN directory_taxonomyterm t ON t.id = a.taxonomy_term_id
                         WHERE a.link_id = s.id), '') AS term_names
        FROM directory_service s LEFT JOIN directory_organization o ON o.id = s.organization_id""",
    """CREATE TRIGGER directory_service_fts_ai AFTER INSERT ON directory_service BEGIN
        INSERT INTO directory_servicesearch (service_id) VALUES (new.id);
        INSERT INTO directory_service_fts (rowid, name, alternate_name, description, organization_name, term_names)
            SELECT r.rowid, v.name, v.alternate_name, v.description, v.organization_name, v.term_names
            FROM directory_service_fts_source v JOIN directory_servicesearch r ON r.service_id = v.service_id
            WHERE v.service_id = new.id;
    END""",
    """CREATE TRIGGER directory_service_fts_au AFTER UPDATE OF name, alternate_name, description, organization_id
        ON directory_service
        WHEN old.name IS NOT new.name OR old.alternate_name IS NOT new.alternate_name
          OR old.description IS NOT new.description OR old.organization_id IS NOT new.organization_id
        BEGIN
        DELETE FROM directory_service_fts
            WHERE rowid = (SELECT rowid FROM directory_servicesearch WHERE service_id = new.id);
        INSERT INTO directory_service_fts (rowid, name, alternate_name, description, organization_name, term_names)
            SELECT r.rowid, v.name, v.alternate_name, v.description, v.organization_name, v.term_names
            FROM directory_service_fts_source v JOIN directory_servicesearch r ON r.service_id = v.service_id
            WHERE v.service_id = new.id;
    END""",
    """CREATE TRIGGER directory_service_fts_ad AFTER DELETE ON directory_service BEGIN
        DELETE FROM directory_service_fts
            WHERE rowid = (SELECT rowid FROM directory_servicesearch WHERE service_id = old.id);
        DELETE FROM directory_servicesearch WHERE service_id = old.id;
    END""",
    # Organization names, attributes and term names: refresh the affected services' rows.
    """CREATE TRIGGER directory_service_fts_org_au AFTER UPDATE OF name ON directory_organization
        WHEN old.name IS NOT new.name BEGIN
        UPDATE directory_service_fts SET organization_name = new.name
            WHERE rowid IN (SELECT r.rowid FROM directory_servicesearch r
                            JOIN directory_service s ON s.id = r.service_id WHERE s.organization_id = new.id);
    END""",
    """CREATE TRIGGER directory_service_fts_attr_ai AFTER INSERT ON directory_attribute BEGIN
        UPDATE directory_service_fts
            SET term_names = (SELECT term_names FROM directory_service_fts_source WHERE service_id = new.link_id)
            WHERE rowid = (SELECT rowid FROM directory_servicesearch WHERE service_id = new.link_id);
    END""",
    """CREATE TRIGGER directory_service_fts_attr_ad AFTER DELETE ON directory_attribute BEGIN
        UPDATE directory_service_fts
            SET term_names = (SELECT term_names FROM directory_service_fts_source WHERE service_id = old.link_id)
            WHERE rowid = (SELECT rowid FROM directory_servicesearch WHERE service_id = old.link_id);
    END""",
    """CREATE TRIGGER directory_service_fts_attr_au AFTER UPDATE OF link_id, taxonomy_term_id ON directory_attribute
        WHEN old.link_id IS NOT new.link_id OR old.taxonomy_term_id IS NOT new.taxonomy_term_id BEGIN
        UPDATE directory_service_fts
            SET term_names = (SELECT term_names FROM directory_service_fts_source WHERE service_id = r.service_id)
            FROM directory_servicesearch r
            WHERE r.service_id IN (old.link_id, new.link_id) AND directory_service_fts.rowid = r.rowid;
    END""",
    """CREATE TRIGGER directory_service_fts_term_au AFTER UPDATE OF name ON directory_taxonomyterm
        WHEN old.name IS NOT new.name BEGIN
        UPDATE directory_service_fts
            SET term_names = (SELECT term_names FROM directory_service_fts_source WHERE service_id = r.service_id)
            FROM directory_servicesearch r
            WHERE directory_service_fts.rowid = r.rowid
              AND r.service_id IN (SELECT link_id FROM directory_attribute WHERE taxonomy_term_id = new.id);
    END""",
    # Services that exist already.
    """INSERT INTO directory_servicesearch (service_id) SELECT id FROM directory_service ORDER BY id""",
    """INSERT INTO directory_service_fts (rowid, name, alternate_name, description, organization_name, term_names)
        SELECT r.rowid, v.name, v.alternate_name, v.description, v.organization_name, v.term_names
        FROM directory_service_fts_source v JOIN directory_servicesearch r ON r.service_id = v.service_id""",
]

SQLITE_BACKWARD = [
    "DROP TRIGGER directory_service_fts_term_au",
    "DROP TRIGGER directory_service_fts_attr_au",
    "DROP TRIGGER directory_service_fts_attr_ad",
    "DROP TRIGGER directory_service_fts_attr_ai",
    "DROP TRIGGER directory_service_fts_org_au",
    "DROP TRIGGER directory_service_fts_ad",
    "DROP TRIGGER directory_service_fts_au",
    "DROP TRIGGER directory_service_fts_ai",
    "DROP VIEW directory_service_fts_source",
    "DROP TABLE directory_service_fts_vocab",
    "DROP TABLE directory_service_fts",
    "DROP TABLE directory_servicesearch",
]

# The text-search configuration of a jurisdiction's main language: search.TEXT_SEARCH_CONFIGS
# as of this migration (a later change to the mapping needs a migration that rebuilds documents).
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Text-search configurations that also fold diacritics ("inscripcion" finds "inscripción").
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION directory_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION directory_english ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
    "CREATE TEXT SEARCH CONFIGURATION directory_spanish (COPY = spanish)",
    "ALTER TEXT SEARCH CONFIGURATION directory_spanish ALTER MAPPING FOR hword, hword_part, word WITH unaccent, spanish_stem",
    "CREATE TEXT SEARCH CONFIGURATION directory_simple (COPY = simple)",
    "ALTER TEXT SEARCH CONFIGURATION directory_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
    """CREATE FUNCTION directory_search_config(jurisdiction bigint) RETURNS regconfig
        LANGUAGE sql STABLE AS $$
        SELECT (CASE split_part(split_part(lower(COALESCE(j.languages ->> 0, '')), '-', 1), '_', 1)
                    WHEN 'en' THEN 'directory_english' WHEN 'es' THEN 'directory_spanish'
                    ELSE 'directory_simple' END)::regconfig
        FROM core_jurisdiction j WHERE j.id = jurisdiction
    $$""",
    """CREATE FUNCTION directory_service_document(
            jurisdiction bigint, service uuid, organization uuid, name text, alternate_name text, description text
        ) RETURNS tsvector LANGUAGE sql STABLE AS $$
        SELECT setweight(to_tsvector(c.config, t.title), 'A') || setweight(to_tsvector('directory_simple', t.title), 'A')
            || setweight(to_tsvector(c.config, t.body), 'B') || setweight(to_tsvector('directory_simple', t.body), 'B')
        FROM (SELECT COALESCE(directory_search_config(jurisdiction), 'directory_simple'::regconfig) AS config) c,
             (SELECT name || ' ' || alternate_name AS title,
                     description || ' '
                     || COALESCE((SELECT o.name FROM directory_organization o WHERE o.id = organization), '') || ' '
                     || COALESCE((SELECT string_agg(tt.name, ' ' ORDER BY tt.name) FROM directory_attribute a
                                  JOIN directory_taxonomyterm tt ON tt.id = a.taxonomy_term_id
                                  WHERE a.link_id = service), '') AS body) t
    $$""",
    "ALTER TABLE directory_service ADD COLUMN search_document tsvector NOT NULL DEFAULT ''::tsvector",
    """CREATE FUNCTION directory_service_document_set() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.search_document := directory_service_document(
                NEW.jurisdiction_id, NEW.id, NEW.organization_id, NEW.name, NEW.alternate_name, NEW.description);
            RETURN NEW;
        END
    $$""",
    """CREATE TRIGGER directory_service_document_insert BEFORE INSERT ON directory_service
        FOR EACH ROW EXECUTE FUNCTION directory_service_document_set()""",
    """CREATE TRIGGER directory_service_document_update
        BEFORE UPDATE OF name, alternate_name, description, organization_id, jurisdiction_id ON directory_service
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.alternate_name IS DISTINCT FROM NEW.alternate_name
            OR OLD.description IS DISTINCT FROM NEW.description
            OR OLD.organization_id IS DISTINCT FROM NEW.organization_id
            OR OLD.jurisdiction_id IS DISTINCT FROM NEW.jurisdiction_id)
        EXECUTE FUNCTION directory_service_document_set()""",
    # Recompute the documents of the services a related row's change touches.
    """CREATE FUNCTION directory_service_document_refresh(services uuid[]) RETURNS void LANGUAGE sql AS $$
        UPDATE directory_service s SET search_document = directory_service_document(
            s.jurisdiction_id, s.id, s.organization_id, s.name, s.alternate_name, s.description)
        WHERE s.id = ANY(services)
    $$""",
    """CREATE FUNCTION directory_service_document_related() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_TABLE_NAME = 'directory_attribute' THEN
                IF TG_OP IN ('UPDATE', 'DELETE') THEN
                    PERFORM directory_service_document_refresh(ARRAY[OLD.link_id]);
                END IF;
                IF TG_OP IN ('UPDATE', 'INSERT') THEN
                    PERFORM directory_service_document_refresh(ARRAY[NEW.link_id]);
                END IF;
            ELSIF TG_TABLE_NAME = 'directory_organization' THEN
                PERFORM directory_service_document_refresh(
                    ARRAY(SELECT id FROM directory_service WHERE organization_id = NEW.id));
            ELSIF TG_TABLE_NAME = 'directory_taxonomyterm' THEN
                PERFORM directory_service_document_refresh(
                    ARRAY(SELECT link_id FROM directory_attribute WHERE taxonomy_term_id = NEW.id));
            ELSIF TG_TABLE_NAME = 'core_jurisdiction' THEN
                PERFORM directory_service_document_refresh(
                    ARRAY(SELECT id FROM directory_service WHERE jurisdiction_id = NEW.id));
            END IF;
            RETURN NULL;
        END
    $$""",
    """CREATE TRIGGER directory_service_document_attribute
        AFTER INSERT OR DELETE OR UPDATE OF link_id, taxonomy_term_id ON directory_attribute
        FOR EACH ROW EXECUTE FUNCTION directory_service_document_related()""",
    """CREATE TRIGGER directory_service_document_organization AFTER UPDATE OF name ON directory_organization
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION directory_service_document_related()""",
    """CREATE TRIGGER directory_service_document_term AFTER UPDATE OF name ON directory_taxonomyterm
        FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION directory_service_document_related()""",
    """CREATE TRIGGER directory_service_document_jurisdiction AFTER UPDATE OF languages ON core_jurisdiction
        FOR EACH ROW WHEN (OLD.languages ->> 0 IS DISTINCT FROM NEW.languages ->> 0)
        EXECUTE FUNCTION directory_service_document_related()""",
    # Services that exist already.
    """UPDATE directory_service SET search_document = directory_service_document(
        jurisdiction_id, id, organization_id, name, alternate_name, description)""",
    "CREATE INDEX directory_service_search_document ON directory_service USING gin (search_document)",
    "CREATE INDEX directory_service_name_trgm ON directory_service USING gin (name gin_trgm_ops)",
]

POSTGRESQL_BACKWARD = [
    "DROP INDEX directory_service_name_trgm",
    "DROP TRIGGER directory_service_document_jurisdiction ON core_jurisdiction",
    "DROP TRIGGER directory_service_document_term ON directory_taxonomyterm",
    "DROP TRIGGER directory_service_document_organization ON directory_organization",
    "DROP TRIGGER directory_service_document_attribute ON directory_attribute",
    "DROP TRIGGER directory_service_document_update ON directory_service",
    "DROP TRIGGER directory_service_document_insert ON directory_service",
    "DROP FUNCTION directory_service_document_related()",
    "DROP FUNCTION directory_service_document_refresh(uuid[])",
    "DROP FUNCTION directory_service_document_set()",
    "ALTER TABLE directory_service DROP COLUMN search_document",
    "DROP FUNCTION directory_service_document(bigint, uuid, uuid, text, text, text)",
    "DROP FUNCTION directory_search_config(bigint)",
    "DROP TEXT SEARCH CONFIGURATION directory_simple",
    "DROP TEXT SEARCH CONFIGURATION directory_spanish",
    "DROP TEXT SEARCH CONFIGURATION directory_english",
]


def _run(schema_editor, statements_by_vendor):
    for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD})


def backward(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_jurisdiction_translations"),
        ("directory", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["jurisdiction", "name", "id"], name="directory_organization_list"),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(fields=["jurisdiction", "name", "id"], name="directory_service_list"),
        ),
        migrations.AddIndex(
            model_name="taxonomy",
            index=models.Index(fields=["jurisdiction", "name", "id"], name="directory_taxonomy_list"),
        ),
        migrations.AddIndex(
            model_name="taxonomyterm",
            index=models.Index(fields=["jurisdiction", "name", "id"], name="directory_taxonomyterm_list"),
        ),
        migrations.RunPython(forward, backward),
    ]
