"""Fast inserts of many rows: COPY on PostgreSQL, executemany in one transaction on SQLite.

The ORM's bulk_create builds a model instance per row, which dominates the
time for millions of schedule or visit rows; these helpers take plain tuples.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert rows (tuples in `columns` order) into `table`; returns how many. Call inside a transaction."""
    count = 0
    qn = connection.ops.quote_name
    column_sql = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY {qn(table)} ({column_sql}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {qn(table)} ({column_sql}) VALUES ({placeholders})"
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 5000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
    return count


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
