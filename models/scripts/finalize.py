"""Turn spaCy's training output into the shipped pipeline ``models/nl_entities_ner``.

Sets the meta that ``spacy package`` and the run manifest read (name, version, license,
sources) and drops the training paths from the config, so the folder is self-contained.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import spacy

#: Bump on every retrain: tables are keyed on the model's version, so tables made with an older
#: model ask for --replace instead of mixing two models' mentions.
VERSION = "0.2.0"


def main(src: str, dst: str) -> None:
    nlp = spacy.load(src)
    nlp.meta.update(
        {
            "name": "entities_ner",
            "version": VERSION,
            "description": "Dutch people/places/organisations NER (tok2vec + ner, sentencizer), trained by "
            "nl-entities on UD Dutch LassySmall and Alpino sentences typed by the project, "
            "19th-century KB newspaper pages with their partial tags (Europeana, CC0), and the "
            "project's own news-style text.",
            "author": "nl-entities",
            "license": "CC BY-SA 4.0",
            "sources": [
                {
                    "name": "UD Dutch LassySmall",
                    "license": "CC BY-SA 4.0",
                    "url": "https://github.com/UniversalDependencies/UD_Dutch-LassySmall",
                },
                {
                    "name": "UD Dutch Alpino",
                    "license": "CC BY-SA 4.0",
                    "url": "https://github.com/UniversalDependencies/UD_Dutch-Alpino",
                },
                {
                    "name": "Europeana Newspapers NER, Dutch (KB)",
                    "license": "CC0 1.0",
                    "url": "https://github.com/EuropeanaNewspapers/ner-corpora",
                },
            ],
        }
    )
    nlp.config["paths"]["train"] = None
    nlp.config["paths"]["dev"] = None
    out = Path(dst)
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    print(f"wrote {out} ({sum(f.stat().st_size for f in out.rglob('*') if f.is_file()) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(*sys.argv[1:3])
