"""Full-text search of the directory's services: one selector, a backend per database.

The searched text of a service is its name, alternate name and description, its
organization's name and the names of the taxonomy terms attached to it (HSDS attributes).
Both indexes are built and kept current by database triggers (migrations/0002_search.py).

A service matches when every word of the query occurs in its text; the last word may be the
start of a word (search as you type: "foo" finds "food"). Only the words of the query count:
punctuation and search-syntax characters in it are ignored, never an error.

- PostgreSQL: `directory_service.search_document` (tsvector, GIN index) holds the text stemmed in
  the jurisdiction's main language (english, spanish; `simple` for Indonesian and any other
  language PostgreSQL has no stemmer for), so "foods" finds "food", and unstemmed, so a word of
  the directory's other languages is found as written; diacritics folded (unaccent). When nothing matches, a service whose
  name is similar to the query (pg_trgm word similarity) does: "foood" finds "Food bank".
- SQLite: the FTS5 table `directory_service_fts` (case and diacritics folded, no stemming).
  When nothing matches, each query word the index does not know is replaced by the most similar
  word it does (same first letter, at most two letters longer or shorter), and the search runs
  again: "fod bank" finds "Food bank".
"""

from __future__ import annotations

import difflib
import re
import unicodedata

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from civicloop.core.models import Jurisdiction
from civicloop.directory.models import Service

#: PostgreSQL text-search configuration by language code (the ones it ships a stemmer for).
#: migrations/0002_search.py copies this mapping into the database's `directory_search_config`.
TEXT_SEARCH_CONFIGS = {"en": "english", "es": "spanish"}
SIMPLE_CONFIG = "simple"

#: pg_trgm word similarity a service name needs to match a query with a typo (pg_trgm's default).
TYPO_SIMILARITY = 0.6
#: How similar (difflib ratio) an indexed word must be to a misspelt query word to replace it.
SPELLING_SIMILARITY = 0.7

_WORD = re.compile(r"\w+", re.UNICODE)


def text_search_config(language: str | None) -> str:
    """The PostgreSQL text-search configuration for a language code such as "es" or "en-GB"."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return TEXT_SEARCH_CONFIGS.get(code, SIMPLE_CONFIG)


def search_words(text: str) -> list[str]:
    return _WORD.findall(text)


def service_search(jurisdiction: Jurisdiction, text: str) -> QuerySet[Service]:
    """The jurisdiction's services matching every word of text (none when text has no word);
    when none does, the services matching a typo-corrected text."""
    services = Service.objects.filter(jurisdiction=jurisdiction)
    words = search_words(text)
    if not words:
        return services.none()
    if connection.vendor == "postgresql":
        return _postgresql_search(services, jurisdiction, words, text)
    return _sqlite_search(services, words)


def _postgresql_search(
    services: QuerySet[Service], jurisdiction: Jurisdiction, words: list[str], text: str
) -> QuerySet[Service]:
    # Each word in the main language's form or as written; the last one as a prefix. Words are
    # quoted lexemes (\w+ holds no quote), so to_tsquery never sees operators from the user.
    config = "directory_" + text_search_config((jurisdiction.languages or [""])[0])
    conditions, params = [], []
    for position, word in enumerate(words):
        lexeme = f"'{word.lower()}'" + (":*" if position == len(words) - 1 else "")
        conditions.append("(to_tsquery(%s::regconfig, %s) || to_tsquery('directory_simple', %s))")
        params += [config, lexeme, lexeme]
    # Constant SQL fragments, one per word; the words themselves are parameters.
    full_text = RawSQL(  # noqa: S611
        '"directory_service"."search_document" @@ (' + " && ".join(conditions) + ")",
        params,
        output_field=BooleanField(),
    )
    matching = services.filter(full_text)
    if matching.exists():
        return matching
    # `<%` (the query's words are similar to words of the name) is what the trigram index serves.
    similar = RawSQL('%s <%% "directory_service"."name"', [text], output_field=BooleanField())
    return services.filter(similar)


def _fts5_query(words: list[str]) -> str:
    # Every word a quoted FTS5 string (a quote inside doubled), the last one a prefix: FTS5's
    # operators (AND, NEAR, ^, :, *, parentheses...) in the input are then plain text.
    quoted = ['"' + word.replace('"', '""') + '"' for word in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _fts5_matches(services: QuerySet[Service], words: list[str]) -> QuerySet[Service]:
    ids = RawSQL(
        "SELECT r.service_id FROM directory_service_fts f JOIN directory_servicesearch r ON r.rowid = f.rowid "
        "WHERE directory_service_fts MATCH %s",
        [_fts5_query(words)],
    )
    return services.filter(id__in=ids)


def _sqlite_search(services: QuerySet[Service], words: list[str]) -> QuerySet[Service]:
    matching = _fts5_matches(services, words)
    if matching.exists():
        return matching
    corrected = [_spelling(word, prefix=position == len(words) - 1) for position, word in enumerate(words)]
    if corrected == [word.lower() for word in words]:
        return matching
    return _fts5_matches(services, corrected)


def _folded(word: str) -> str:
    """word as the FTS5 index stores it: lower case, without diacritics."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _spelling(word: str, *, prefix: bool) -> str:
    """word when the index knows it (as the start of a word, if prefix), else the most similar
    word it knows, else word."""
    folded = _folded(word)
    with connection.cursor() as cursor:
        if prefix:
            cursor.execute(
                "SELECT 1 FROM directory_service_fts_vocab WHERE term >= %s AND term < %s LIMIT 1",
                [folded, folded + "\U0010ffff"],
            )
        else:
            cursor.execute("SELECT 1 FROM directory_service_fts_vocab WHERE term = %s", [folded])
        if cursor.fetchone() is not None or len(folded) < 3:
            return folded
        cursor.execute(
            "SELECT term, doc FROM directory_service_fts_vocab WHERE term >= %s AND term < %s "
            "AND length(term) BETWEEN %s AND %s",
            [folded[0], folded[0] + "\U0010ffff", len(folded) - 2, len(folded) + 2],
        )
        candidates = cursor.fetchall()
    best, best_score = folded, (SPELLING_SIMILARITY, 0)
    for term, documents in candidates:
        score = (difflib.SequenceMatcher(None, folded, term).ratio(), documents)
        if score >= best_score:
            best, best_score = term, score
    return best
