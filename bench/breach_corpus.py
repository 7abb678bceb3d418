"""Breach corpus speed: importing a large dump and a monitoring pass, next to ripgrep.

Usage: .venv/bin/python bench/breach_corpus.py [--lines N] [--watchlist N]

Generates a dump of N lines (default 5,000,000; `email:password`, a few malformed lines) and a
watchlist of M addresses (default 100,000; half of them in the dump), then times in one run:
(a) the import (web.breaches.import_dump, what `flask breach import` runs), as lines per second;
(b) a monitoring pass over the watchlist (all entries monitored, local corpus only);
(c) `rg -F -f watchlist dump` on the same files, the baseline for (b).
Targets: (a) >= 500,000 lines/s; (b) faster than (c). Needs ripgrep (apt-get install ripgrep).
"""

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from tests.conftest import make_app  # noqa: E402
from web import jobs  # noqa: E402
from web.breaches import import_dump  # noqa: E402
from web.extensions import db  # noqa: E402
from web.models import WatchedEmail  # noqa: E402
from web.models.watchlist import opaque_id  # noqa: E402
from web.watchlist.monitor import run_monitoring_pass  # noqa: E402


def write_files(folder, lines, watchlist):
    rng = random.Random(7)
    domains = [f"corp{n}.example" for n in range(2000)] + ["gmail.com", "yahoo.com", "outlook.com"]
    dump_path, watch_path = folder / "dump.txt", folder / "watchlist.txt"
    in_dump = []
    with open(dump_path, "w") as dump:
        batch = []
        for i in range(lines):
            domain = domains[-1 - i % 3] if i % 4 == 0 else domains[rng.randrange(2000)]
            address = f"user{i}.{rng.randrange(10**6)}@{domain}"
            if i % 1000 == 999:
                batch.append(f"garbage line {i} without an address\n")
                continue
            batch.append(f"{address}:Pw{rng.randrange(10**9)}\n")
            if len(in_dump) < watchlist // 2 and i % (lines // watchlist) == 0:
                in_dump.append(address)
            if len(batch) == 100000:
                dump.write("".join(batch))
                batch = []
        dump.write("".join(batch))
    absent = [f"nobody{i}@{domains[i % 2000]}" for i in range(watchlist - len(in_dump))]
    watch_path.write_text("\n".join(in_dump + absent) + "\n")
    return dump_path, watch_path, in_dump + absent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5_000_000)
    parser.add_argument("--watchlist", type=int, default=100_000)
    options = parser.parse_args()
    if shutil.which("rg") is None:
        sys.exit("ripgrep is needed for the baseline: apt-get install ripgrep")
    with tempfile.TemporaryDirectory() as base:
        folder = Path(base)
        dump_path, watch_path, watched = write_files(folder, options.lines, options.watchlist)
        app = make_app(folder / "app")
        with app.app_context():
            start = time.perf_counter()
            source, _ = import_dump(str(dump_path), "Bench dump", "2024-01-01", "Passwords")
            import_seconds = time.perf_counter() - start
            addresses = source.addresses
            db.session.execute(insert(WatchedEmail), [
                {"id": opaque_id(), "user_id": 1, "email": email.lower(), "monitoring": True} for email in watched])
            db.session.commit()
        start = time.perf_counter()
        new = run_monitoring_pass(app)
        pass_seconds = time.perf_counter() - start
        start = time.perf_counter()
        rg = subprocess.run(["rg", "-F", "-c", "-f", str(watch_path), str(dump_path)], capture_output=True, text=True)
        rg_seconds = time.perf_counter() - start
        dump_mb = os.path.getsize(dump_path) / 1e6
        jobs.stop(app, wait=True)
    print(f"dump: {options.lines:,} lines ({dump_mb:,.0f} MB), {addresses:,} addresses stored; "
          f"watchlist: {options.watchlist:,} addresses")
    print(f"(a) import              {import_seconds:6.2f} s  = {options.lines / import_seconds:,.0f} lines/s (target >= 500,000)")
    print(f"(b) monitoring pass     {pass_seconds:6.2f} s  ({new:,} new breach records)")
    print(f"(c) rg -F -f watchlist  {rg_seconds:6.2f} s  ({rg.stdout.strip() or 0} matching lines)")
    print(f"pass / ripgrep ratio    {pass_seconds / rg_seconds:6.2f}   (target < 1)")


if __name__ == "__main__":
    main()
