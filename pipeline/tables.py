"""Reading the output in a notebook: ``load(DIR)`` gives pandas DataFrames and a DuckDB connection.

>>> from pipeline import tables
>>> t = tables.load("out/sample")
>>> t.entities.head()                                   # pandas
>>> t.sql("SELECT name, mention_count FROM entities ORDER BY 2 DESC LIMIT 10").df()  # DuckDB

DataFrames are read lazily on first use, so ``load`` on a big output costs nothing until a
table is asked for; the DuckDB views read the Parquet files directly, out of core.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .schemas import SCHEMAS
from .store import parquet_sql


class Tables:
    """The tables of one output folder, as published when it was opened.

    The folder's ``current`` link is followed once, here: every table then comes from that one
    version, even if a run publishes a new one meanwhile (the store keeps the version before
    the newest on disk for such readers).
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not (self.root / "manifest.json").exists():
            raise FileNotFoundError(f"{self.root} has no nl-entities output (no manifest.json); run `nl-entities run`")
        self.version = (self.root / "current").resolve()
        self.con = duckdb.connect()
        for name in SCHEMAS:
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {parquet_sql(self.version / name)}")

    @cached_property
    def manifest(self) -> dict[str, Any]:
        return json.loads((self.version / "manifest.json").read_text(encoding="utf-8"))

    def table(self, name: str, columns: list[str] | None = None) -> pd.DataFrame:
        if name not in SCHEMAS:
            raise KeyError(f"no table {name!r}; tables: {', '.join(SCHEMAS)}")
        return pd.read_parquet(self.version / name, columns=columns)

    def sql(self, query: str) -> duckdb.DuckDBPyRelation:
        return self.con.sql(query)

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in SCHEMAS:
            df = self.table(name)
            self.__dict__[name] = df
            return df
        raise AttributeError(name)

    def mentions_with_names(self) -> pd.DataFrame:
        """Mentions joined with their entity's canonical name and the article's date and source."""
        return self.sql(
            "SELECT m.*, e.name AS entity_name, a.published, a.source FROM mentions m "
            "JOIN entities e USING (entity_id) JOIN articles a USING (article_id)"
        ).df()

    def top(self, type_: str | None = None, n: int = 10) -> pd.DataFrame:
        """The most mentioned entities, optionally of one type (PERSON, PLACE, ORGANISATION)."""
        where = "WHERE type = $type" if type_ else ""
        return self.con.execute(
            f"SELECT name, type, mention_count, article_count FROM entities {where} "
            f"ORDER BY mention_count DESC, name LIMIT {int(n)}",
            {"type": type_} if type_ else None,
        ).df()


def load(root: str | Path) -> Tables:
    """Open the output folder of a run."""
    return Tables(Path(root))
