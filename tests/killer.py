"""A spaCy component that kills the process running it on a marker text, like the out-of-memory
killer ends a worker on a huge article. Found by spaCy through an entry point
(:func:`tests.test_lifecycle.killer_model`), so the fork server and workers load it too."""

from __future__ import annotations

import os
import signal

from spacy.language import Language

MARKER = "WORKERKILLER"


@Language.factory("worker_killer")
def make_worker_killer(nlp: Language, name: str):
    def kill_on_marker(doc):
        if MARKER in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return doc

    return kill_on_marker
