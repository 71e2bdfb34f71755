"""Benchmark of `lossbot import`'s memory: the peak resident size importing two 100 MB JSONL files.

Run from the project root:

    .venv/bin/python -m bench.bench_import_memory [--mb 100]

1. "records": one report a day of the war, each line padded with an unknown field to reach --mb MB.
2. "short lines": one report, then --mb MB of blank lines (a list of every line was the 2.5 GB case).

Each import runs as its own `lossbot import` process into a fresh SQLite file; its peak resident set
size is its ru_maxrss (Linux). The baseline is the same process importing a one-line file (the
interpreter and the imports alone). Goal: the peak stays near the baseline, far below the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

RECORD_DAYS = 1_700
LOSSBOT = Path(sys.executable).with_name("lossbot")


def write_records(path: Path, mb: int) -> None:
    pad = "x" * (mb * 2**20 // RECORD_DAYS)
    with path.open("w", encoding="utf-8") as out:
        for i in range(RECORD_DAYS):
            day = date(2022, 2, 25) + timedelta(days=i)
            record = {"date": day.isoformat(), "totals": {"tanks": 10 + i}, "source": "bench", "note": pad}
            out.write(json.dumps(record) + "\n")


def write_short_lines(path: Path, mb: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(json.dumps({"date": "2024-10-25", "totals": {"tanks": 9097}, "source": "bench"}) + "\n")
        chunk = "  \n" * 2**16
        for _i in range(mb * 2**20 // len(chunk)):
            out.write(chunk)


#: Run by a fresh interpreter for each import, so that its children's peak is this import's alone.
_MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def peak_mb(path: Path, folder: Path) -> float:
    """The peak resident size, in MB, of one `lossbot import PATH` into a fresh database."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / (path.stem + '.db')}"}
    command = [sys.executable, "-c", _MEASURE, str(LOSSBOT), "import", str(path)]
    done = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024  # ru_maxrss is in KB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=int, default=100, help="size of each file (MB)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline = folder / "baseline.jsonl"
        baseline.write_text(json.dumps({"date": "2024-10-25", "totals": {"tanks": 1}}) + "\n")
        rows = [("baseline (one line)", baseline.stat().st_size, peak_mb(baseline, folder))]
        for name, write in (("records", write_records), ("short lines", write_short_lines)):
            path = folder / f"{name.replace(' ', '_')}.jsonl"
            write(path, args.mb)
            rows.append((name, path.stat().st_size, peak_mb(path, folder)))
            path.unlink()
    print(f"{'file':<22} {'size MB':>8} {'peak RSS MB':>12}")
    for name, size, peak in rows:
        print(f"{name:<22} {size / 2**20:>8.1f} {peak:>12.1f}")


if __name__ == "__main__":
    main()
