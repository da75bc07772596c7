"""``tsm import PATH...``: import data files into the store (format detected from content).

Every file is parsed before anything is written; a bad file stops the import with one line
``import failed: FILE line N, column C: problem; nothing was written`` and exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from cli.state_step import build_state_step
from cli.table import format_table
from data.importer import ImportFileError, ImportReport, import_paths
from data.store import Store, StoreError

__all__ = ["register", "run", "format_report"]

#: Series ids listed per file before "+N more".
SHOWN_SERIES = 3


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import data files (FRED, Treasury, NY Fed, CFTC, GSW, H.15 or tidy CSV)",
        description=(
            "Import files into the store. The format is detected from each file's content: FRED "
            "CSV/JSON/XML, Treasury yield curve CSV, NY Fed JSON, CFTC TFF text/zip/JSON, GSW "
            "feds200628.csv, H.15 DDP CSV, 'date,value' CSV named after its series, or a CSV with "
            "a date column and one column per series id. All files are checked before anything "
            "is written."
        ),
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files to import")
    parser.set_defaults(func=run)


def format_report(report: ImportReport) -> str:
    """The per-file table and a total line."""
    rows: list[list[object]] = []
    for item in report.files:
        shown = ", ".join(item.series[:SHOWN_SERIES])
        if len(item.series) > SHOWN_SERIES:
            shown += f" +{len(item.series) - SHOWN_SERIES} more"
        rows.append([str(item.path), item.format, shown, item.rows, item.inserted, item.updated,
                     item.unchanged])
    table = format_table(["file", "format", "series", "rows", "new", "revised", "unchanged"], rows)
    total = report.total
    notes = "".join(f"note: {item.path}: {n}\n" for item in report.files for n in item.notes)
    return (f"{table}\n{notes}{len(report.files)} file(s): {total.inserted} new, {total.updated} revised, "
            f"{total.unchanged} unchanged rows")


def run(args: argparse.Namespace) -> int:
    try:
        store = Store.open(args.store)
    except StoreError as exc:
        print(f"import failed: {exc}", file=sys.stderr)
        return 1
    with store:
        try:
            report = import_paths(store, args.paths)
        except ImportFileError as exc:
            print(f"import failed: {exc.describe()}; nothing was written", file=sys.stderr)
            return 2
        except StoreError as exc:
            print(f"import failed: {exc}", file=sys.stderr)
            return 1
    print(format_report(report))
    build_state_step(args.store)
    return 0
