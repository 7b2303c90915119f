"""Stage 5, entity tables: entities, article_entities and cooccurrences, from the mentions.

Computed out of core with DuckDB over the published Parquet (spilling to disk past its memory
limit) and written in streamed record batches, so millions of mentions build in bounded
memory. Recomputed from all mentions on every run, so runs that add articles update them and
ids stay those of :mod:`pipeline.resolve`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from .resolve import POSSESSIVE, bare_words, strip_edges
from .schemas import SCHEMAS, empty
from .store import parquet_sql

MEMORY_LIMIT = "2GB"


def display_form(text: str, person: bool) -> str:
    """A surface form made presentable: no quotes, possessive or leading article, and for a
    person no leading title: the words :func:`pipeline.resolve.key_words` keeps, as written."""
    text = strip_edges(" ".join(text.split()))
    text = strip_edges(POSSESSIVE.sub("", text))
    return " ".join(bare_words(text, person))


def well_formed(form: str) -> bool:
    """Not all lower case, not all upper case unless an acronym, has a letter."""
    letters = [c for c in form if c.isalpha()]
    return bool(letters) and not form.islower() and (not form.isupper() or " " not in form)


def best_name(forms: list[tuple[str, int]], person: bool) -> str:
    """The canonical name among (surface form, count): the longest well-formed display form."""
    scored = []
    for text, n in forms:
        form = display_form(text, person) or text
        scored.append((well_formed(form), len(form.split()), len(form), n, form))
    scored.sort(key=lambda s: (s[0], s[1], s[2], s[3], [-ord(c) for c in s[4]]), reverse=True)
    return scored[0][4]


def _names(con: duckdb.DuckDBPyConnection) -> Iterator[pa.RecordBatch]:
    """(entity_id, name, aliases) streamed in entity order, one entity's forms at a time."""
    reader = _batches(
        con,
        "SELECT entity_id, type, text, count(*) AS n FROM mentions GROUP BY ALL ORDER BY entity_id, n DESC, text",
        50_000,
    )
    current, person, forms = None, False, []
    out: dict[str, list] = {"entity_id": [], "name": [], "aliases": []}

    def emit():
        out["entity_id"].append(current)
        out["name"].append(best_name(forms, person))
        out["aliases"].append([f for f, _ in forms])

    for batch in reader:
        for eid, type_, text, n in zip(*(batch.column(i).to_pylist() for i in range(4)), strict=True):
            if eid != current:
                if current is not None:
                    emit()
                current, person, forms = eid, type_ == "PERSON", []
            forms.append((text, n))
        if len(out["entity_id"]) >= 50_000:
            yield pa.RecordBatch.from_pydict(out, schema=_NAMES)
            out = {k: [] for k in out}
    if current is not None:
        emit()
    if out["entity_id"]:
        yield pa.RecordBatch.from_pydict(out, schema=_NAMES)


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


def _write(reader, name: str, path: Path) -> None:
    schema = SCHEMAS[name]
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        writer.write_table(empty(name))
        for batch in reader:
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))
    tmp.replace(path)


def build(version: Path, threads: int = 2, temp_dir: Path | None = None) -> None:
    """Write the derived tables of the version folder ``version`` from its mentions and articles."""
    config = {"memory_limit": MEMORY_LIMIT, "threads": max(1, threads), "preserve_insertion_order": False}
    if temp_dir is not None:
        config["temp_directory"] = str(temp_dir)
    con = duckdb.connect(config=config)
    try:
        for view, columns in (("mentions", "*"), ("articles", "article_id, published")):
            con.execute(f"CREATE VIEW {view} AS SELECT {columns} FROM {parquet_sql(version / view)}")
        names = version / ".names.parquet"
        with pq.ParquetWriter(names, _NAMES) as writer:
            writer.write_table(_NAMES.empty_table())
            for batch in _names(con):
                writer.write_batch(batch)
        con.execute(f"CREATE VIEW names AS SELECT * FROM {parquet_sql(version, '.names.parquet')}")
        for name, sql in QUERIES.items():
            folder = version / name
            folder.mkdir(exist_ok=True)
            _write(_batches(con, sql, 100_000), name, folder / "part-0.parquet")
        names.unlink()
    finally:
        con.close()
