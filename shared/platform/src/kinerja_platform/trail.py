"""``kinerja-trail <skp_id>``: the journey of one SKP across the services,
from their JSON logs, in time order (docs/operations.md, "The journey of one SKP").

A line belongs to the trail when it names the SKP (``skp_id``), or when it
names no SKP but shares a ``correlation_id`` with a line that does (what a
request or handler logged before it knew the SKP, and the mails of an event
about it). Reads ``var/logs/*.log`` by default (``$KINERJA_DEV_VAR/logs``
when that is set, as for ``make run``), other files when given, or
standard input for ``-`` (``kubectl logs ... | kinerja-trail <id> -``).
Lines that are not JSON (a console-format log, a banner) are skipped.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

#: fields printed first, in this order; the others follow as key=value
_HEAD = ("timestamp", "service", "level", "event")
_SKIP = frozenset({*_HEAD, "logger", "correlation_id", "causation_id", "skp_id"})


def records(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for line in lines:
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict):
            yield rec


def _read(paths: list[str]) -> Iterator[dict[str, Any]]:
    for path in paths:
        if path == "-":
            yield from records(sys.stdin)
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            yield from records(f)


def trail(skp_id: str, recs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of one SKP's journey, oldest first."""
    skp_id = skp_id.strip().lower()
    about: list[dict[str, Any]] = []
    unnamed: list[dict[str, Any]] = []
    correlations: set[str] = set()
    for rec in recs:
        named = str(rec.get("skp_id") or "").lower()
        if named == skp_id:
            about.append(rec)
            if rec.get("correlation_id"):
                correlations.add(str(rec["correlation_id"]))
        elif not named and rec.get("correlation_id"):
            unnamed.append(rec)
    about.extend(r for r in unnamed if str(r["correlation_id"]) in correlations)
    about.sort(key=lambda r: str(r.get("timestamp", "")))
    return about


def format_record(rec: dict[str, Any]) -> str:
    head = " ".join(str(rec.get(k, "-")) for k in _HEAD)
    rest = " ".join(f"{k}={rec[k]}" for k in rec if k not in _SKIP)
    cid = rec.get("correlation_id")
    return f"{head}  {rest}" + (f"  correlation_id={cid}" if cid else "")


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kinerja-trail", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("skp_id", help="the SKP's id")
    parser.add_argument("files", nargs="*", help="JSON log files (default: var/logs/*.log, or $KINERJA_DEV_VAR/logs/*.log; - for standard input)")
    parser.add_argument("--json", action="store_true", help="print the matching records as JSON lines")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    var = os.environ.get("KINERJA_DEV_VAR", "var")  # where make run keeps its logs
    paths = args.files or sorted(glob.glob(os.path.join(var, "logs", "*.log")))
    if not paths:
        print("kinerja-trail: no log files (run it in the folder holding var/logs, or name the files)", file=sys.stderr)
        return 2
    found = trail(args.skp_id, _read(paths))
    for rec in found:
        print(json.dumps(rec, ensure_ascii=False) if args.json else format_record(rec), file=out)
    if not found:
        print(f"kinerja-trail: no line names SKP {args.skp_id}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
