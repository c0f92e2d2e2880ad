"""The demo content, loaded by the real `load_demo` once per test session and put back in bulk
wherever a test asks for it (tests/conftest.py's `demo`, `shared_demo` and `site` fixtures).

Loading the demo saves every row through the ORM (history, search index, Markdown rendering):
about two seconds a time. Its rows are kept in snapshot tables beside the real ones (outside any
test's transaction, and not Django's, so no test empties them), and putting them back is one
INSERT … SELECT per table: a few hundredths of a second. tests/test_demo_content.py proves the
rows put back equal a real run's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction

# One public page of each type in the demo content.
PAGE_OF_EACH_TYPE = {
    "home": "/",
    "region": "/nanchang/",
    "province": "/jiangxi/",
    "article": "/nanchang/bujiao-duoshao-qian/",
    "national-article": "/wenda/zhuanyi-zenme-banli/",
    "topics": "/topics/",
    "topic": "/topics/bujiao/",
}


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    columns: list[str]
    snapshot: str  # the table holding the demo's rows of model's table

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    @property
    def column_list(self) -> str:
        return ", ".join(quote(c) for c in self.columns)

    @property
    def params(self) -> str:
        return ", ".join(["%s"] * len(self.columns))


def model_tables() -> list[type[models.Model]]:
    """Every model with a table of its own (m2m tables and simple-history's tables included), each
    after the models it points to, so rows go in before the rows that refer to them."""
    remaining = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [
            m
            for m in remaining
            if all(
                f.related_model in ordered or f.related_model is m or f.related_model not in remaining
                for f in m._meta.concrete_fields
                if f.is_relation
            )
        ]
        ordered += ready or remaining[:1]  # a cycle (none today): constraints are deferred to the commit anyway
        remaining = [m for m in remaining if m not in ordered]
    return ordered


def read(model: type[models.Model]) -> list[tuple]:
    return list(model._base_manager.values_list(*(f.attname for f in model._meta.concrete_fields)).order_by("pk"))


def take() -> list[Table]:
    """Run the real load_demo inside a transaction, read the rows it added to each table, undo it,
    and keep those rows in snapshot tables (committed: call this outside any test's transaction).

    Refuses a load_demo that changes or deletes rows that were there before it (the migrations'
    groups, say): putting rows back could not repeat that."""
    name = str(connection.settings_dict["NAME"])
    if not (name == connection.settings_dict["TEST"].get("NAME") or name.startswith("test_") or "memory" in name):
        raise RuntimeError(f"{name} is no test database: a test using the demo content needs the django_db mark")
    ordered = model_tables()
    added = []
    with transaction.atomic():
        before = {model: read(model) for model in ordered}
        restart_ids(ordered)
        call_command("load_demo", verbosity=0)
        for model in ordered:
            after = read(model)
            if after == before[model]:
                continue
            kept = {repr(row) for row in before[model]}  # repr: JSON values (dicts) are not hashable
            if kept - {repr(row) for row in after}:
                raise RuntimeError(f"load_demo changed rows that were there before it in {model._meta.db_table}")
            fields = model._meta.concrete_fields
            rows = [
                tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True))
                for row in after
                if repr(row) not in kept
            ]
            added.append((model, [f.column for f in fields], rows))
        transaction.set_rollback(True)
    tables = []
    with connection.cursor() as cursor:
        for model, columns, rows in added:
            table = Table(model, columns, f"demo_snapshot__{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {quote(table.snapshot)}")
            cursor.execute(f"CREATE TABLE {quote(table.snapshot)} AS SELECT * FROM {quote(table.name)} WHERE 1 = 0")
            cursor.executemany(
                f"INSERT INTO {quote(table.snapshot)} ({table.column_list}) VALUES ({table.params})", rows
            )
            tables.append(table)
    return tables


def restore(tables: list[Table]) -> None:
    """Put the demo's rows back, table by table. On PostgreSQL, move each id sequence past the
    ids put in by hand, so the rows a test creates next do not collide with them."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"INSERT INTO {quote(table.name)} ({table.column_list}) "
                f"SELECT {table.column_list} FROM {quote(table.snapshot)}"
            )
        restart_ids([t.model for t in tables])
        if connection.features.can_defer_constraint_checks:
            # Check the foreign keys now, once. Left deferred (PostgreSQL), they would be checked again at
            # the end of every test that shares these rows (TestCase checks them before its rollback).
            connection.check_constraints()


def restart_ids(models: list[type[models.Model]]) -> None:
    """Make each table's next id follow its highest (1 when empty), as on a fresh database: an id
    is never given twice, so after rows were deleted (a transactional test empties every table)
    or, on PostgreSQL, after a transaction was undone, the next id would be higher."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for model in models:
                table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
                cursor.execute(
                    f"UPDATE sqlite_sequence SET seq = (SELECT COALESCE(MAX({pk}), 0) FROM {table}) WHERE name = %s",
                    [model._meta.db_table],
                )
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def quote(name: str) -> str:
    return connection.ops.quote_name(name)
