"""``tsm migrate --to URL``: copy the store (``--store``, a SQLite file) into another store,
typically a PostgreSQL database (``postgresql://...``) that several replicas then share.

The target must be empty; the copy is one transaction of the target, so an interrupted
migration leaves it empty. The source is only read: keep it as the backup.
"""

from __future__ import annotations

import argparse
import sys

import config
from cli.table import format_table
from data.store import Store, StoreError

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "migrate", help="copy the store into another (e.g. SQLite -> PostgreSQL)",
        description="Copy every table of the store (--store or TSM_STORE) into the empty store at "
                    "--to (a SQLite path or a postgresql:// URL), in one transaction.")
    parser.add_argument("--to", required=True, metavar="STORE", help="target store (path or URL)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target_location = config.store_path(args.to)
    if str(target_location) == str(args.store):
        print("migrate: --to is the store itself", file=sys.stderr)
        return 2
    try:
        with Store.open(args.store, create=False) as source, Store.open(target_location) as target:
            counts = source.copy_to(target)
    except StoreError as exc:
        print(f"migrate failed: {exc}", file=sys.stderr)
        return 1
    print(format_table(["table", "rows"], [[t, n] for t, n in counts.items()]))
    print(f"copied {args.store} -> {target_location}; point TSM_STORE at the new store")
    return 0
