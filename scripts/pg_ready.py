"""Exit 0 when the PostgreSQL server named by the URL accepts a connection."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1].replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
    print(f"PostgreSQL: {exc}", file=sys.stderr)
    sys.exit(1)
