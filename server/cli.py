"""``rapport-server``: run the service (uvicorn, or granian with ``--server granian``), with
flags over ``RAPPORT_*`` variables.

``rapport-server backup PATH`` writes an online, consistent copy of the database.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from server.settings import Settings, default_database


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rapport-server",
        description=(
            "Serve the Rapport API. Every setting can also come from an environment variable "
            "RAPPORT_<NAME> (e.g. RAPPORT_BACKDATE_DAYS=2); flags win over the environment."
        ),
        epilog=(
            "Other commands: 'rapport-server backup PATH [--database DB]' writes a consistent "
            "copy of the database while the server runs; 'rapport-server check [--repair]' "
            "recomputes derived state and reports drift; 'rapport-server migrate-data --from DB"
            " --to postgresql://...' moves a SQLite deployment to PostgreSQL (see"
            " docs/operations.md)."
        ),
    )
    parser.add_argument("--host", help="address to listen on (RAPPORT_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (RAPPORT_PORT, default 8000)")
    parser.add_argument(
        "--database",
        help=(
            "SQLite file path, or a postgresql://user@host/name URL (RAPPORT_DATABASE,"
            f" default {default_database()})"
        ),
    )
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="log level (RAPPORT_LOG_LEVEL, default info)",
    )
    parser.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="text, or one JSON object per line for log shippers (RAPPORT_LOG_FORMAT)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes on this port (PostgreSQL only; default 1)",
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "granian"],
        default="uvicorn",
        help="ASGI server (default uvicorn); granian is optional: pip install granian",
    )
    return parser.parse_args(argv)


def backup_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="rapport-server backup",
        description="Write an online backup of the database to PATH (SQLite backup API).",
    )
    parser.add_argument("path", help="where to write the copy (must not exist)")
    parser.add_argument("--database", help="the database to copy (default: RAPPORT_DATABASE)")
    args = parser.parse_args(argv)
    from pathlib import Path

    from server.store.backends import sqlite_path
    from server.store.sqlite import backup

    source = args.database or Settings.from_env().database
    if sqlite_path(source) is None:
        print(
            "rapport-server backup: copies a SQLite database; back up PostgreSQL with pg_dump"
            " (docs/operations.md)",
            file=sys.stderr,
        )
        return 2
    source = sqlite_path(source) or source
    if not Path(source).exists():
        print(f"rapport-server backup: no database at {source}", file=sys.stderr)
        return 2
    if Path(args.path).exists():
        print(f"rapport-server backup: {args.path} exists; not overwriting", file=sys.stderr)
        return 2
    pages = backup(source, args.path)
    print(f"backed up {source} to {args.path} ({pages} pages)")
    return 0


def check_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="rapport-server check",
        description=(
            "Recompute streaks, totals, balance counts and boards from the check-ins and the "
            "ledger, and report any drift. Exit status 1 when drift was found (and not repaired)."
        ),
    )
    parser.add_argument("--database", help="the database to check (default: RAPPORT_DATABASE)")
    parser.add_argument("--repair", action="store_true", help="rewrite drifted derived values")
    args = parser.parse_args(argv)
    import asyncio

    report = asyncio.run(_run_check(Settings.from_env(database=args.database), args.repair))
    for d in report.drifts:
        print(f"drift: user {d.user_id}: {d.what}: kept {d.kept}, derived {d.derived}")
    verdict = "repaired" if report.repaired else ("clean" if not report.drifts else "DRIFT")
    print(f"checked {report.users} users, {report.habits} habits: {verdict}")
    return 1 if report.drifts and not report.repaired else 0


def migrate_data_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="rapport-server migrate-data",
        description=(
            "Copy a whole SQLite deployment into an empty PostgreSQL database, then check that "
            "every user's export reads the same on both sides and that the target has no "
            "drift. Stop the server first. Exit status 1 when the check finds a difference."
        ),
    )
    parser.add_argument("--from", dest="source", required=True, help="the SQLite file")
    parser.add_argument("--to", dest="target", required=True, help="a postgresql:// URL")
    args = parser.parse_args(argv)
    import asyncio
    from pathlib import Path

    from server.store.backends import sqlite_path
    from server.store.postgres import is_postgres_url

    source = sqlite_path(args.source)
    if source is None or not Path(source).exists():
        print(f"rapport-server migrate-data: no SQLite database at {args.source}", file=sys.stderr)
        return 2
    if not is_postgres_url(args.target):
        print("rapport-server migrate-data: --to takes a postgresql:// URL", file=sys.stderr)
        return 2
    return asyncio.run(_move(source, args.target))


async def _move(source_path: str, target_url: str) -> int:
    from server.catalog import load_catalog
    from server.clock import system_clock
    from server.services.context import Context
    from server.services.moving import differences
    from server.services.portability import signing_key
    from server.store.backends import shown
    from server.store.postgres import PostgresDatabase
    from server.store.sqlite import SqliteDatabase
    from server.store.transfer import TargetNotEmpty, copy_all

    source, target = SqliteDatabase(source_path), PostgresDatabase(target_url)
    await source.open()
    try:
        await target.open()
        try:
            catalog = load_catalog()
            contexts = [
                Context(db=db, clock=system_clock, settings=Settings.from_env(), catalog=catalog)
                for db in (source, target)
            ]
            # Exports this server signed must verify on the new one: bring the key along.
            await signing_key(contexts[0])
            try:
                copied = await copy_all(source, target)
            except TargetNotEmpty as exc:
                print(f"rapport-server migrate-data: {exc}", file=sys.stderr)
                return 2
            for table, rows in copied.items():
                print(f"copied {rows:>9} rows of {table}")
            found = await differences(*contexts)
        finally:
            await target.close()
    finally:
        await source.close()
    for line in found:
        print(line)
    verdict = "DIFFERENCES" if found else "every user's data reads the same"
    print(f"moved {source_path} to {shown(target_url)}: {verdict}")
    return 1 if found else 0


async def _run_check(settings: Settings, repair: bool) -> Any:
    from server.catalog import load_catalog
    from server.clock import system_clock
    from server.services.audit import check
    from server.services.context import Context
    from server.store.backends import database_for

    db = database_for(settings)
    await db.open()
    try:
        ctx = Context(db=db, clock=system_clock, settings=settings, catalog=load_catalog())
        return await check(ctx, repair=repair)
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["backup"]:
        return backup_main(argv[1:])
    if argv[:1] == ["check"]:
        return check_main(argv[1:])
    if argv[:1] == ["migrate-data"]:
        return migrate_data_main(argv[1:])
    args = parse_args(argv)
    try:
        settings = Settings.from_env(
            host=args.host,
            port=args.port,
            database=args.database,
            log_level=args.log_level,
            log_format=args.log_format,
        )
    except Exception as exc:  # msgspec.ValidationError names the bad variable's field
        print(f"rapport-server: bad setting: {exc}", file=sys.stderr)
        return 2
    from server.store.backends import UnsupportedDatabase, database_for, shown

    try:
        database_for(settings)
    except UnsupportedDatabase as exc:
        print(f"rapport-server: bad setting: database: {exc}", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("rapport-server: --workers must be 1 or more", file=sys.stderr)
        return 2
    if args.workers > 1 and not database_for(settings).shared:
        # Each SQLite process would have its own write queue, live-event broker and
        # limits: events would reach only the streams open on the same worker.
        print(
            "rapport-server: --workers needs PostgreSQL; a SQLite database is served by one"
            " process (its single writer, live events and limits live in it)",
            file=sys.stderr,
        )
        return 2
    if args.server == "granian":
        return serve_granian(settings)
    import uvicorn

    from server.logs import configure as configure_logs

    where = shown(settings.database)
    print(f"Rapport on http://{settings.host}:{settings.port}  (database: {where})")
    served: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": settings.trusted_proxies or None,
    }
    log_config = configure_logs(settings.log_format, settings.log_level)
    if log_config is not None:
        served["log_config"] = log_config
    if args.workers > 1:
        # Each worker builds its own app from the environment: hand it these settings.
        os.environ.update(settings.as_env())
        uvicorn.run("server.app:create_app", factory=True, workers=args.workers, **served)
        return 0
    from server.app import create_app

    uvicorn.run(create_app(settings), **served)
    return 0


def serve_granian(settings: Settings) -> int:
    """One granian worker process (one process owns the SQLite writer and the in-memory
    event broker), the app built in it; an access log at info and debug, like uvicorn's."""
    # Optional, so not in pyproject.toml: mypy may run where granian is not installed.
    try:
        from granian.constants import Interfaces  # type: ignore[import-not-found, unused-ignore]
        from granian.log import LogLevels  # type: ignore[import-not-found, unused-ignore]
        from granian.server import Server  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("rapport-server: --server granian needs it: pip install granian", file=sys.stderr)
        return 2
    if settings.trusted_proxies:
        print(
            "rapport-server: RAPPORT_TRUSTED_PROXIES is read by the uvicorn server only",
            file=sys.stderr,
        )
        return 2
    from functools import partial

    from server.store.backends import shown

    where = shown(settings.database)
    print(f"Rapport on http://{settings.host}:{settings.port}  (database: {where})")
    Server(
        "server.app:create_app",  # shown in granian's log; the app comes from the loader
        address=settings.host,
        port=settings.port,
        interface=Interfaces.ASGI,
        workers=1,
        log_level=LogLevels(settings.log_level),
        log_access=settings.log_level in ("debug", "info"),
    ).serve(target_loader=partial(_granian_app, settings), wrap_loader=False)
    return 0


def _granian_app(settings: Settings) -> Any:
    """Runs in granian's worker: only the worker imports and builds the app, so the
    supervisor process stays small."""
    from server.app import create_app

    return create_app(settings)
