"""Which model runs: resolved once per run, recorded in the manifest, no spaCy import needed.

Kept apart from :mod:`pipeline.nlp` so the process that reads the input and publishes the
tables never imports spaCy: it only needs to know the model's name, version and path.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

PREFERRED = ("nl_core_news_lg", "nl_core_news_md", "nl_core_news_sm")
PROJECT_MODEL = "nl_entities_ner"
PROJECT_MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / PROJECT_MODEL
#: Components that fill tokens.pos and tokens.lemma, or help them; run only with --with-tags.
TAG_COMPONENTS = ("tagger", "morphologizer", "lemmatizer", "attribute_ruler", "trainable_lemmatizer")
#: Of those, the ones that fill the columns: --with-tags needs one of them.
TAGGERS = ("tagger", "morphologizer", "lemmatizer", "trainable_lemmatizer")
GET_LG = "run `make model-lg` (needs network access to the spaCy model wheels) to install nl_core_news_lg"


class ModelError(Exception):
    """The requested model cannot be loaded (a usage error: exit code 2)."""


@dataclass(frozen=True)
class ModelRef:
    """What the manifest says of a model: ``name`` is what ``spacy.load`` accepts here.

    ``package`` says, with ``version``, which model made a set of tables: the package name
    for an installed package (pip keeps name and version honest); for a folder, its meta name
    and a hash of its files, since every folder spaCy trains is ``pipeline`` 0.0.0. The same
    folder copied elsewhere is the same model; a retrained one is not.
    """

    name: str
    version: str
    path: str
    lang: str
    spacy_version: str
    package: str = ""

    @property
    def identity(self) -> str:
        return self.package or self.name

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class NlpSettings:
    model: ModelRef
    with_tags: bool = False
    chunk_chars: int | None = None  # None: the model's max_length

    def fingerprint(self) -> dict[str, Any]:
        return {"model": self.model.identity, "model_version": self.model.version, "with_tags": self.with_tags}

    def to_json(self) -> str:
        return json.dumps({"model": self.model.as_dict(), "with_tags": self.with_tags, "chunk_chars": self.chunk_chars})

    @classmethod
    def from_json(cls, raw: str) -> NlpSettings:
        data = json.loads(raw)
        return cls(ModelRef(**data["model"]), bool(data["with_tags"]), data["chunk_chars"])


def _installed(name: str) -> bool:
    """Is ``name`` an installed package (what spacy.util.is_package checks, without spaCy)?"""
    for candidate in (name, name.replace("_", "-")):
        try:
            importlib.metadata.distribution(candidate)
            return True
        except importlib.metadata.PackageNotFoundError:
            continue
    return False


def pipeline_dir(path: Path) -> Path:
    """The folder with a pipeline's own files (config.cfg, meta.json, one folder per component):
    ``path`` itself, or for an installed package the versioned data folder inside it."""
    if (path / "config.cfg").is_file():
        return path
    return next(iter(sorted(c.parent for c in path.glob("*/config.cfg"))), path)


def _folder_identity(path: Path, meta: dict[str, Any]) -> str:
    """``lang_name@hash`` of a pipeline folder: its files' relative paths and contents (~1 s for
    a 500 MB model, read once per run)."""
    h = hashlib.blake2b(digest_size=8)
    for f in sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(f.relative_to(path).as_posix().encode() + b"\0")
        with f.open("rb") as data:
            while chunk := data.read(1 << 20):
                h.update(chunk)
    return f"{meta.get('lang', '')}_{meta.get('name', 'pipeline')}@{h.hexdigest()}"


def components(model: ModelRef) -> list[str]:
    """The model's components by its meta.json ([] when it does not say)."""
    try:
        meta = _meta(pipeline_dir(Path(model.path)) / "meta.json")
    except (OSError, ValueError):
        return []
    return [str(c) for c in meta.get("components") or meta.get("pipeline") or []]


def _meta(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        meta = json.load(f)
    if not isinstance(meta, dict):
        raise ValueError("meta.json is not an object")
    return meta


def resolve_model(requested: str | None) -> ModelRef:
    """The model to run: the one asked for, else the best installed Dutch model."""
    if requested is None:
        candidates = [n for n in (*PREFERRED, PROJECT_MODEL) if _installed(n)]
        if not candidates and PROJECT_MODEL_DIR.exists():
            candidates = [str(PROJECT_MODEL_DIR)]
        if not candidates:
            raise ModelError(f"no Dutch model installed; run `make setup` (project model) or {GET_LG}")
        requested = candidates[0]
    path = Path(requested).expanduser()
    if path.exists():
        try:
            meta = _meta(path / "meta.json")
        except (OSError, ValueError) as exc:
            raise ModelError(f"{requested}: not a spaCy pipeline folder ({exc})") from exc
        return ModelRef(
            name=str(path.resolve()),
            version=str(meta.get("version", "")),
            path=str(path.resolve()),
            lang=str(meta.get("lang", "")),
            spacy_version=str(meta.get("spacy_version", "")),
            package=_folder_identity(path.resolve(), meta),
        )
    if not _installed(requested):
        hint = GET_LG if requested.startswith("nl_core_news") else "pass an installed package or a pipeline folder"
        raise ModelError(f"unknown model '{requested}': not installed here; {hint}")
    spec = importlib.util.find_spec(requested)
    if spec is None or spec.origin is None:
        raise ModelError(f"unknown model '{requested}': installed but not importable")
    model_path = Path(spec.origin).parent
    try:
        meta = _meta(pipeline_dir(model_path) / "meta.json")
    except (OSError, ValueError):
        meta = {}
    return ModelRef(
        name=requested,
        version=str(meta.get("version", importlib.metadata.version(requested))),
        path=str(model_path),
        lang=str(meta.get("lang", "")),
        spacy_version=str(meta.get("spacy_version", "")),
        package=requested,
    )


def advice(model: ModelRef) -> str | None:
    """What to tell the user when the model that ran is not nl_core_news_lg."""
    if model.identity == "nl_core_news_lg":
        return None
    return f"model {model.name} ran, not nl_core_news_lg; for the reference model {GET_LG}"
