"""Exports every lead as CSV: `python -m leads.export [--out FILE]` (stdout by default).

A file gets a UTF-8 byte-order mark so that spreadsheet programs read names like "Siân" right;
cells a spreadsheet would run as formulas are prefixed with an apostrophe.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from leads import ConsultancyError, DatabaseError, NotificationError, configured


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m leads.export", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="the CSV file to write (its folder is created); stdout when absent")
    args = parser.parse_args(argv)
    try:
        store = configured().store
        if args.out is None:
            count = store.export_csv(sys.stdout)
        else:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            partial = args.out.with_name(args.out.name + ".partial")
            with open(partial, "w", encoding="utf-8-sig", newline="") as out:
                count = store.export_csv(out)
            partial.replace(args.out)
    except (ConsultancyError, DatabaseError, NotificationError) as error:
        print(f"leads export: {error}", file=sys.stderr)
        return 2
    print(f"{count} lead(s) exported{f' to {args.out.resolve()}' if args.out else ''}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
