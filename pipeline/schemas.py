"""The one place that knows the output tables: their names, columns and types.

Every writer builds its Arrow tables through :func:`table` and every reader can check what
it got against :data:`SCHEMAS`, so a column renamed here is renamed everywhere. Bump
:data:`SCHEMA_VERSION` when a column changes meaning or type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pyarrow as pa

SCHEMA_VERSION = 2
#: Bump when the same input and model give other rows (normalising, entity keys and ids): a run
#: refuses to add to tables made under other rules (see pipeline.run._check_settings). Package
#: releases that change neither leave existing tables growing.
RULES_VERSION = 4

ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("source", pa.string()),
        ("title", pa.string()),
        ("published", pa.date32()),
        ("url", pa.string()),
        ("text", pa.string()),  # the normalised text every offset refers to
        ("text_sha256", pa.string()),
        ("repairs", pa.list_(pa.string())),  # what normalising changed: control_chars, mojibake; [] none
        ("n_tokens", pa.int32()),
        ("n_sentences", pa.int32()),
    ]
)

TOKENS = pa.schema(
    [
        ("article_id", pa.string()),
        ("sent_idx", pa.int32()),
        ("token_idx", pa.int32()),  # position in the article, from 0
        ("text", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("whitespace", pa.string()),  # the whitespace after the token ("" or " ")
        ("is_punct", pa.bool_()),
        ("lemma", pa.string()),  # null unless the model assigns lemmas
        ("pos", pa.string()),  # null unless the model assigns part-of-speech tags
    ]
)

MENTIONS = pa.schema(
    [
        ("article_id", pa.string()),
        ("mention_idx", pa.int32()),
        ("sent_idx", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),  # == articles.text[start_char:end_char]
        ("label", pa.string()),  # the model's own label (PER, GPE, ...)
        ("type", pa.string()),  # PERSON, PLACE or ORGANISATION
        ("entity_id", pa.string()),  # refers to entities.entity_id
        ("model", pa.string()),
    ]
)

REJECTS = pa.schema(
    [
        ("input", pa.string()),  # the input file
        ("record", pa.string()),  # "line 12", "row 3" or "file"
        ("article_id", pa.string()),  # when known
        ("reason", pa.string()),  # short code, see pipeline.records.REASONS
        ("detail", pa.string()),  # a message for people
    ]
)

ENTITIES = pa.schema(
    [
        ("entity_id", pa.string()),
        ("type", pa.string()),
        ("name", pa.string()),  # canonical display name: the longest well-formed form seen
        ("aliases", pa.list_(pa.string())),
        ("mention_count", pa.int64()),
        ("article_count", pa.int64()),
        ("first_published", pa.date32()),
        ("last_published", pa.date32()),
    ]
)

ARTICLE_ENTITIES = pa.schema(
    [
        ("article_id", pa.string()),
        ("entity_id", pa.string()),
        ("mentions", pa.int64()),
        ("first_char", pa.int32()),
    ]
)

ALIASES = pa.schema(
    [
        ("type", pa.string()),
        ("alias", pa.string()),  # a name form of the entity as written (display form: no title, possessive)
        ("entity_id", pa.string()),  # refers to entities.entity_id
        # why the form is this entity's: same_key, surname_in_article, surname_in_archive, acronym,
        # variant, exonym, user (docs/entities.md)
        ("rule", pa.string()),
        ("evidence", pa.int64()),  # the count the rule decided on (docs/entities.md, per rule)
        ("mentions", pa.int64()),  # mentions of this form that reached the entity by this rule
    ]
)

COOCCURRENCES = pa.schema(
    [
        ("entity_a", pa.string()),  # entity_a < entity_b
        ("entity_b", pa.string()),
        ("articles", pa.int64()),  # articles that mention both
        ("sentences", pa.int64()),  # sentences that mention both
    ]
)

SCHEMAS: Mapping[str, pa.Schema] = {
    "articles": ARTICLES,
    "tokens": TOKENS,
    "mentions": MENTIONS,
    "rejects": REJECTS,
    "entities": ENTITIES,
    "article_entities": ARTICLE_ENTITIES,
    "cooccurrences": COOCCURRENCES,
    "aliases": ALIASES,
}

#: Tables written per batch by the NLP workers; the others are derived from them at publish.
BATCH_TABLES: Sequence[str] = ("articles", "tokens", "mentions", "rejects")
#: Tables computed from the published mentions (pipeline.entities).
DERIVED_TABLES: Sequence[str] = ("entities", "article_entities", "cooccurrences", "aliases")
#: Batch tables whose published rows are rewritten at publish: mentions.entity_id is resolved
#: across the whole archive. Their batch parts (within-article ids) live in <version>/.batch/<name>
#: and are carried from version to version; the published folder is written anew each time.
REWRITTEN_TABLES: Sequence[str] = ("mentions",)

#: The entity types the pipeline reports.
TYPES: Sequence[str] = ("PERSON", "PLACE", "ORGANISATION")


def table(name: str, columns: Mapping[str, Sequence]) -> pa.Table:
    """Build table ``name`` from column lists; missing nullable columns become nulls."""
    schema = SCHEMAS[name]
    n = len(next(iter(columns.values()))) if columns else 0
    arrays = [pa.array(columns[f.name], type=f.type) if f.name in columns else pa.nulls(n, type=f.type) for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def from_objects(name: str, objects: Sequence[object], **columns: Sequence) -> pa.Table:
    """Build table ``name`` from objects whose attributes are named as its columns, plus ``columns``."""
    data = dict(columns)
    for f in SCHEMAS[name]:
        if f.name not in data and objects and hasattr(objects[0], f.name):
            data[f.name] = [getattr(o, f.name) for o in objects]
    if not objects and not columns:
        return empty(name)
    return table(name, data)


def empty(name: str) -> pa.Table:
    return SCHEMAS[name].empty_table()
