"""``rapport-server``: run the service (uvicorn), with flags over ``RAPPORT_*`` variables."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from server.settings import Settings, default_database


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="rapport-server",
        description=(
            "Serve the Rapport API. Every setting can also come from an environment variable "
            "RAPPORT_<NAME> (e.g. RAPPORT_BACKDATE_DAYS=2); flags win over the environment."
        ),
    )
    parser.add_argument("--host", help="address to listen on (RAPPORT_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (RAPPORT_PORT, default 8000)")
    parser.add_argument(
        "--database",
        help=f"SQLite file path (RAPPORT_DATABASE, default {default_database()})",
    )
    parser.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        help="log level (RAPPORT_LOG_LEVEL, default info)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = Settings.from_env(
            host=args.host, port=args.port, database=args.database, log_level=args.log_level
        )
    except Exception as exc:  # msgspec.ValidationError names the bad variable's field
        print(f"rapport-server: bad setting: {exc}", file=sys.stderr)
        return 2
    import uvicorn

    from server.app import create_app

    print(f"Rapport on http://{settings.host}:{settings.port}  (database: {settings.database})")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=False,
    )
    return 0
