"""Stage 5, entity tables: resolution across the archive, then mentions (re-labelled), entities,
aliases, article_entities and cooccurrences.

At every publish the batches' mentions (within-article entity ids, kept in the version's
``.batch/mentions``) are resolved across the whole archive (:mod:`pipeline.resolution`), and the
published ``mentions`` table is written anew with the resolved ``entity_id``; the other tables
are built from it. Everything that touches mentions is a DuckDB query over Parquet (spilling
to disk past its memory limit) written in streamed record batches, so millions of mentions
build in bounded memory; Python holds one row per distinct name form. Recomputed from all
mentions on every run, so runs that add articles re-resolve the archive.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .characters import clean_name, stacked_marks
from .resolve import POSSESSIVE, bare_words, strip_edges
from .schemas import SCHEMAS
from .store import batch_dir, parquet_sql, write_parts

MEMORY_LIMIT = "2GB"


def display_form(text: str, person: bool) -> str:
    """A surface form made presentable: no invisible characters or stacked accents
    (:func:`pipeline.characters.clean_name`), quotes, possessive or leading article, and for a
    person no leading title: the words :func:`pipeline.resolve.key_words` keeps, as written."""
    text = strip_edges(clean_name(text))
    text = strip_edges(POSSESSIVE.sub("", text))
    return " ".join(bare_words(text, person))


def well_formed(form: str) -> bool:
    """Not all lower case, not all upper case unless an acronym, has a letter."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and not form.islower() and (not form.isupper() or " " not in form)


def best_name(forms: list[tuple[str, int]], person: bool) -> str:
    """The canonical name among (surface form, count): the longest well-formed display form.

    A form with stacked combining marks ("zalgo") comes last: it is chosen only when the entity
    has no other, and then without its extra marks, as every display form is."""
    scored = []
    for text, n in forms:
        form = display_form(text, person) or clean_name(text) or text
        length = sum(not unicodedata.combining(c) for c in form)  # letters, not the marks on them
        scored.append((not stacked_marks(text), well_formed(form), len(form.split()), length, n, form))
    scored.sort(key=lambda s: (*s[:5], [-ord(c) for c in s[5]]), reverse=True)
    return scored[0][5]


def _batches(con: duckdb.DuckDBPyConnection, sql: str, rows: int) -> pa.RecordBatchReader:
    """Stream a query's result as Arrow batches (DuckDB 2 renamed the method)."""
    relation = con.sql(sql)
    if hasattr(relation, "to_arrow_reader"):
        return relation.to_arrow_reader(rows)
    return relation.fetch_arrow_reader(rows)


_NAMES = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("aliases", pa.list_(pa.string()))])

QUERIES = {
    "article_entities": """
        SELECT article_id, entity_id, count(*) AS mentions, min(start_char) AS first_char
        FROM mentions GROUP BY article_id, entity_id ORDER BY article_id, first_char
    """,
    "entities": """
        SELECT m.entity_id, any_value(m.type) AS type, any_value(nm.name) AS name,
               any_value(nm.aliases) AS aliases, count(*) AS mention_count,
               count(DISTINCT m.article_id) AS article_count,
               min(a.published) AS first_published, max(a.published) AS last_published
        FROM mentions m JOIN names nm USING (entity_id) LEFT JOIN articles a USING (article_id)
        GROUP BY m.entity_id ORDER BY mention_count DESC, m.entity_id
    """,
    "mentions": """
        SELECT m.* REPLACE (u.entity_id AS entity_id)
        FROM local m JOIN units u ON m.type = u.type AND m.text = u.text AND m.entity_id = u.group_id
        ORDER BY m.article_id, m.mention_idx
    """,
    "cooccurrences": """
        WITH ae AS (SELECT DISTINCT article_id, entity_id FROM mentions),
             se AS (SELECT DISTINCT article_id, sent_idx, entity_id FROM mentions),
             pa AS (SELECT x.entity_id AS entity_a, y.entity_id AS entity_b, count(*) AS articles
                    FROM ae x JOIN ae y ON x.article_id = y.article_id AND x.entity_id < y.entity_id
                    GROUP BY ALL),
             ps AS (SELECT x.entity_id AS entity_a, y.entity_id AS entity_b, count(*) AS sentences
                    FROM se x JOIN se y ON x.article_id = y.article_id AND x.sent_idx = y.sent_idx
                                        AND x.entity_id < y.entity_id
                    GROUP BY ALL)
        SELECT pa.entity_a, pa.entity_b, pa.articles, coalesce(ps.sentences, 0) AS sentences
        FROM pa LEFT JOIN ps USING (entity_a, entity_b)
        ORDER BY articles DESC, sentences DESC, entity_a, entity_b
    """,
}


#: The analyst's corrections a version was resolved with, kept for the next runs
CORRECTIONS_FILE = ".corrections.csv"


def stored_corrections(version: Path | None):
    """The corrections a published version was resolved with (None when it had none)."""
    from .resolution.corrections import parse

    if version is None or not (version / CORRECTIONS_FILE).is_file():
        return None
    stored = parse((version / CORRECTIONS_FILE).read_text(encoding="utf-8"), CORRECTIONS_FILE)
    manifest = version / "manifest.json"
    if manifest.is_file():
        import json

        before = json.loads(manifest.read_text(encoding="utf-8")).get("corrections") or {}
        stored.path, stored.sha256 = before.get("path"), before.get("sha256") or stored.sha256
    return stored


def build(version: Path, threads: int = 2, temp_dir: Path | None = None, corrections=None) -> dict:
    """Resolve the mentions of the version folder ``version`` across the archive and write its
    mentions and derived tables. Returns what the manifest records about the resolution."""
    from .resolution import resolve
    from .resolution.archive import Archive

    config = {"memory_limit": MEMORY_LIMIT, "threads": max(1, threads), "preserve_insertion_order": False}
    if temp_dir is not None:
        temp_dir.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_dir)
    con = duckdb.connect(config=config)
    try:
        con.execute(f"CREATE VIEW local AS SELECT * FROM {parquet_sql(batch_dir(version, 'mentions'))}")
        for view, columns in (("articles", "article_id, published"), ("article_text", "article_id, text")):
            con.execute(f"CREATE VIEW {view} AS SELECT {columns} FROM {parquet_sql(version / 'articles')}")
        result = resolve(Archive(con), corrections)
        units = pa.table(
            {
                "type": [k[0] for k in result.units],
                "text": [k[1] for k in result.units],
                "group_id": [k[2] for k in result.units],
                "entity_id": list(result.units.values()),
            },
            schema=pa.schema([(c, pa.string()) for c in ("type", "text", "group_id", "entity_id")]),
        )
        con.register("units", units)
        folder = version / "mentions"
        folder.mkdir(exist_ok=True)
        write_parts(_batches(con, QUERIES["mentions"], 100_000), "mentions", folder)
        con.unregister("units")
        del units
        con.execute(f"CREATE VIEW mentions AS SELECT * FROM {parquet_sql(folder)}")
        names = version / ".names.parquet"
        _write_names(names, result.names)
        con.execute(f"CREATE VIEW names AS SELECT * FROM {parquet_sql(version, '.names.parquet')}")
        for name, sql in QUERIES.items():
            if name == "mentions":
                continue
            folder = version / name
            folder.mkdir(exist_ok=True)
            write_parts(_batches(con, sql, 100_000), name, folder)
        names.unlink()
        (version / "aliases").mkdir(exist_ok=True)
        rows = result.aliases
        columns = {c: [r[i] for r in rows] for i, c in enumerate(SCHEMAS["aliases"].names)}
        aliases = pa.Table.from_pydict(columns, schema=SCHEMAS["aliases"])
        write_parts(aliases.to_batches(), "aliases", version / "aliases")
    finally:
        con.close()
    if corrections is not None and corrections.rows:
        (version / CORRECTIONS_FILE).write_text(corrections.text, encoding="utf-8")
    summary = {"resolution": {"rules": sorted({r[3] for r in result.aliases}), "entities": len(result.names)}}
    if corrections is not None:
        summary["corrections"] = {**corrections.summary(), "unused_lines": result.unused}
    return summary


def _write_names(path: Path, names: dict[str, tuple[str, list[str]]]) -> None:
    ids = sorted(names)
    table = pa.table(
        {"entity_id": ids, "name": [names[i][0] for i in ids], "aliases": [names[i][1] for i in ids]},
        schema=_NAMES,
    )
    pq.write_table(table, path)
