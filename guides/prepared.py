"""Queries whose SQL is compiled once per process: the public pages' hottest reads.

Building a queryset and compiling its SQL took longer than running it (an article page's five
queries spent most of their time in Django's compiler, not in the database). A `Prepared` query is
built and compiled once per database connection vendor and shape with stand-in values, remembering
where each stand-in sits among the SQL's parameters; each call then runs the same SQL with the
real values, and Django's own iterable turns the rows into model instances (select_related and
annotations included), so the objects are exactly those the queryset would give.
"""

from __future__ import annotations

import copy
import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, QuerySet


@dataclass(frozen=True)
class Param:
    """A value the query is built with: `stand_in` while compiling, a real one on each call, turned
    into a database value as `field` would (dates and times differ between databases)."""

    name: str
    field: Field
    stand_in: Any


class Prepared:
    """`build(**stand-ins)` compiled once; `run(**values)` → the model instances of
    `build(**values)`. Every parameter must reach the SQL as itself (an equality or a comparison), and
    each stand-in must appear nowhere else among the parameters."""

    def __init__(self, build: Callable[..., QuerySet], *params: Param) -> None:
        self.build = build
        self.params = params
        self.compiled: dict[tuple, tuple[QuerySet, Any, str, list, list[tuple[int, Param]]]] = {}
        self.lock = threading.Lock()

    def _compile(self, alias: str, shape: tuple) -> tuple[QuerySet, Any, str, list, list[tuple[int, Param]]]:
        connection = connections[alias]
        queryset = self.build(**{p.name: p.stand_in for p in self.params})
        compiler = queryset.query.get_compiler(using=alias)
        sql, sql_params = compiler.as_sql()
        slots: list[tuple[int, Param]] = []
        for param in self.params:
            value = param.field.get_db_prep_value(param.stand_in, connection, prepared=False)
            found = [i for i, v in enumerate(sql_params) if v == value]
            if not found:
                raise ValueError(f"{param.name} does not reach the SQL")
            slots.extend((i, param) for i in found)
        return queryset, compiler, sql, list(sql_params), slots

    def run(self, **values: Any) -> list:
        alias = DEFAULT_DB_ALIAS  # the public pages read the one database
        connection = connections[alias]
        key = (connection.vendor, alias)
        found = self.compiled.get(key)
        if found is None:
            with self.lock:
                found = self.compiled.setdefault(key, self._compile(alias, key))
        template, compiler, sql, sql_params, slots = found
        params = list(sql_params)
        for i, param in slots:
            params[i] = param.field.get_db_prep_value(values[param.name], connection, prepared=False)
        runner = copy.copy(compiler)
        runner.connection = connection  # this thread's (the compiler was made in whichever thread came first)
        runner.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        queryset = template._chain()  # type: ignore[attr-defined]
        queryset.query.get_compiler = lambda *args, **kwargs: runner
        return list(queryset)


def now_stand_in() -> datetime.datetime:
    """A moment no real request uses (for a `Param` of a published-at comparison)."""
    return datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
