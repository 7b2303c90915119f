"""One small registry type for every "name -> function" table in the pipeline.

Readers by file suffix, engines by name, mention filters, gold-file readers: each is a
:class:`Registry` filled by a decorator where the function is defined, so adding a format or
an engine is a new function, never another branch in an if-chain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


class Registry(dict[str, F]):
    def register(self, *names: str) -> Callable[[F], F]:
        def add(fn: F) -> F:
            for name in names:
                self[name] = fn
            return fn

        return add
