"""`make bench`: the product's speed figures, printed with the conditions they were measured under.

Each benchmark runs the real commands in a subprocess against a fresh database
(SQLite in a temporary folder; PostgreSQL too when a server answers).
"""

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.data import write_loans_csv

ROOT = Path(__file__).resolve().parent.parent
HUIFANG = [sys.executable, "-m", "huifang.cli"]
PG_URL = os.environ.get(
    "HUIFANG_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/huifang_bench"
)


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([*HUIFANG, *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def fresh_env(database_url: str, data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HUIFANG_DATA_DIR": str(data_dir),
        "HUIFANG_DATA_KEY": "bench-key",
        "HUIFANG_SECRET_KEY": "bench",
    }
    return env


def pg_database_reset(url: str) -> bool:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgres://", "postgresql://", 1) + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return False
    return True


def bench_import(loans: int, work: Path) -> list[tuple[str, str]]:
    csv_path = work / f"loans_{loans}.csv"
    write_loans_csv(csv_path, loans)
    results = []
    targets = [("SQLite", f"sqlite:///{work / 'bench.sqlite3'}")]
    if pg_database_reset(PG_URL):
        targets.append(("PostgreSQL", PG_URL))
    for name, url in targets:
        env = fresh_env(url, work)
        run(["migrate", "-v0"], env)
        seconds = run(["import_loans", str(csv_path)], env)
        again = run(["import_loans", str(csv_path)], env)
        results.append(
            (
                f"import {loans:,} loans ({name}), first import",
                f"{seconds:.1f} s ({loans / seconds:,.0f} loans/s)",
            )
        )
        results.append(
            (f"import {loans:,} loans ({name}), same file again (all unchanged)", f"{again:.1f} s")
        )
    return results


def bench_planning(loans: int, work: Path) -> list[tuple[str, str]]:
    return bench_in_process("bench.plan_main", loans, work, "plan")


def bench_restructuring(loans: int, work: Path) -> list[tuple[str, str]]:
    return bench_in_process("bench.restructuring_main", loans, work, "restructuring")


def bench_in_process(module: str, loans: int, work: Path, name: str) -> list[tuple[str, str]]:
    """Each database in its own process (settings are read once per process)."""
    results = []
    targets = [("SQLite", f"sqlite:///{work / f'{name}.sqlite3'}")]
    if pg_database_reset(PG_URL):
        targets.append(("PostgreSQL", PG_URL))
    for _name, url in targets:
        env = fresh_env(url, work)
        out = subprocess.run(
            [sys.executable, "-m", module, str(loans)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        for line in out.splitlines():
            if "\t" in line:
                label, figure = line.split("\t", 1)
                results.append((label, figure))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--loans", type=int, default=100_000, help="loans for the import benchmark")
    parser.add_argument(
        "--plan-loans", type=int, default=1_000_000, help="loans for the planning benchmark"
    )
    parser.add_argument(
        "--restructuring-loans",
        type=int,
        default=10_000,
        help="loans in the portfolio of the restructuring benchmark",
    )
    parser.add_argument(
        "--only", choices=["import", "planning", "restructuring"], help="run one benchmark"
    )
    args = parser.parse_args()
    print(
        f"Huifang benchmarks — {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory(prefix="huifang-bench-") as tmp:
        if args.only in (None, "import"):
            for label, figure in bench_import(args.loans, Path(tmp)):
                print(f"  {label:<66} {figure}", flush=True)
        if args.only in (None, "planning"):
            for label, figure in bench_planning(args.plan_loans, Path(tmp)):
                print(f"  {label:<66} {figure}", flush=True)
        if args.only in (None, "restructuring"):
            for label, figure in bench_restructuring(args.restructuring_loans, Path(tmp)):
                print(f"  {label:<66} {figure}", flush=True)


if __name__ == "__main__":
    main()
