"""The `tsm` command line: one module per subcommand, each with `register(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

import config

#: Subcommand modules, in the order `tsm --help` lists them.
SUBCOMMANDS: tuple[str, ...] = (
    "cli.refresh",
    "cli.importer",
    "cli.status",
    "cli.snapshot",
    "cli.risk",
    "cli.scenario",
    "cli.serve",
    "cli.migrate",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsm",
        description="Treasury Stress Monitor: data store, analytics and risk from the shell.",
    )
    parser.add_argument(
        "--store",
        default=None,
        help=(f"store: a SQLite file or a postgresql:// URL (env TSM_STORE; default "
              f"{config.DEFAULT_STORE_PATH})"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.store = config.store_path(args.store)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
