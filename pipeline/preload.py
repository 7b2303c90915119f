"""Imported by the local engine's fork server before it forks any worker: the worker code, spaCy
and the model.

Workers are forked from that server, so each starts with the model already in memory (its
pages shared copy-on-write) instead of importing spaCy and loading the model itself. Importing
modules is all a fork server can be told to do, so the model comes through the environment the
engine starts it with (:data:`pipeline.engines.PRELOAD_ENV`). Never import this module elsewhere.

The fork server dies with the run and its workers with the fork server (:mod:`pipeline.children`),
so a run that is killed leaves no process behind.
"""

from __future__ import annotations

import gc
import logging
import os

from .children import die_with_parent, forks_die_with_this_process

# first, before the imports below take their second or two: the run may be killed meanwhile
die_with_parent(os.getppid())
forks_die_with_this_process()

from . import worker  # noqa: E402, F401  (the code every worker runs, imported once here)
from .engines import PRELOAD_ENV  # noqa: E402
from .models import NlpSettings  # noqa: E402
from .nlp import get_nlp  # noqa: E402

log = logging.getLogger(__name__)


def preload() -> None:
    """Load the model named in the environment, if any."""
    raw = os.environ.get(PRELOAD_ENV)
    if not raw:
        return
    try:
        get_nlp(NlpSettings.from_json(raw))
    except Exception:  # each worker tries again and the run reports why (pipeline.engines._warm)
        log.debug("fork server could not preload the model", exc_info=True)


preload()
# What is loaded now (the model's Python objects, the name lists) is never freed: out of the
# collector's sight, so a worker's collections do not write to those objects' pages and copy them
# (copy-on-write) into every worker.
gc.freeze()
