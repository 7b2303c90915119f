# nl-entities: `make run` then `make test` on a fresh clone. Every target calls `setup` itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MODEL_DIR := models/nl_entities_ner
SAMPLE_OUT := out/sample
# The reference model for users with network access (spaCy 3.8 compatible, pinned).
LG_VERSION := 3.8.0
LG_URL := https://github.com/explosion/spacy-models/releases/download/nl_core_news_lg-$(LG_VERSION)/nl_core_news_lg-$(LG_VERSION)-py3-none-any.whl
WORKERS ?=

.PHONY: setup run test lint notebooks bench model-lg train-model evaluate-model evaluate-resolution clean

setup: $(VENV)/.setup-done

# Re-run only when the dependencies or the shipped model change.
$(VENV)/.setup-done: pyproject.toml $(MODEL_DIR)/meta.json
	@$(PYTHON) -c 'import sys; sys.exit("nl-entities needs Python 3.11+, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -rf $(VENV)/model-pkg && mkdir -p $(VENV)/model-pkg
	$(PY) -m spacy package $(MODEL_DIR) $(VENV)/model-pkg --name entities_ner --force --build sdist > /dev/null
	$(PY) -m pip install --quiet --no-deps --no-build-isolation --force-reinstall $(VENV)/model-pkg/nl_entities_ner-*/dist/nl_entities_ner-*.tar.gz
	@touch $@

# --replace: the sample's tables are rebuilt, not refused, once another model is installed (make model-lg)
run: setup
	$(BIN)/nl-entities run data/sample --out $(SAMPLE_OUT) --replace $(if $(WORKERS),--workers $(WORKERS))
	@echo "tables in $(SAMPLE_OUT)/ (articles, tokens, mentions, rejects, entities, aliases, article_entities, cooccurrences)"

test: setup
	$(BIN)/pytest -q tests --nbmake notebooks

lint: setup
	$(BIN)/ruff check pipeline tests models/scripts benchmarks

notebooks: setup
	$(BIN)/pytest -q --nbmake notebooks

# cross-document resolution on data/resolution/ (B-cubed, per-rule precision; docs/entities.md)
evaluate-resolution: setup
	$(PY) benchmarks/resolution.py --json out/resolution-scores.json

bench: setup
	$(PY) benchmarks/bench.py --out docs/benchmarks.md

# nl_core_news_lg from spaCy's model releases: needs network access to the release host.
model-lg: setup
	@$(PY) -m pip install --quiet "$(LG_URL)" || { \
	  echo "make model-lg: could not download nl_core_news_lg $(LG_VERSION) from $(LG_URL)." >&2; \
	  echo "This needs network access to the spaCy model release host; the project's offline model stays the default." >&2; \
	  exit 1; }
	@echo "nl_core_news_lg $(LG_VERSION) installed: it is now the default model of nl-entities run."

# Rebuild the offline model from the committed annotations (needs ../shared/data/ud-dutch).
train-model: setup
	$(PY) models/scripts/build_corpus.py
	$(PY) models/scripts/corpus.py
	OMP_NUM_THREADS=2 $(PY) -m spacy train models/config.cfg --output models/build/train --paths.train models/build/corpus/train.spacy --paths.dev models/build/corpus/dev.spacy
	$(PY) models/scripts/finalize.py models/build/train/model-best $(MODEL_DIR)
	$(MAKE) evaluate-model

# The dev benchmark (models/data/bench_gold.jsonl: real text of four sources, annotated twice and
# adjudicated, never trained on), scored per source with an error list per source in
# models/build/bench/; then the sample gold. Needs ../shared/data for the benchmark's text.
evaluate-model: setup
	$(PY) models/scripts/benchmark.py --model $(MODEL_DIR) --out models/build/bench
	$(BIN)/nl-entities evaluate models/data/sample_gold.jsonl --model $(MODEL_DIR) --json models/build/scores-sample_gold.json

clean:
	rm -rf $(VENV) out models/build .pytest_cache .ruff_cache
