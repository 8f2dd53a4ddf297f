#!/usr/bin/env bash
# The whole suite: on SQLite, then on PostgreSQL where a server answers.
# With CI=true PostgreSQL is required: a missing server fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
PG_URL=${HUIFANG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}

$BIN/ruff check huifang tests bench
$BIN/python -m compileall -q huifang >/dev/null

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$(pwd)/data/test.sqlite3" $BIN/pytest "$@"

if $BIN/python scripts/pg_ready.py "$PG_URL"; then
    echo "== tests on PostgreSQL"
    DATABASE_URL="$PG_URL" $BIN/pytest "$@"
elif [[ "${CI:-}" == "true" ]]; then
    echo "PostgreSQL at $PG_URL is not reachable, and CI=true requires it." >&2
    exit 1
else
    echo "== PostgreSQL at $PG_URL not reachable: skipped (set CI=true to require it)"
fi
