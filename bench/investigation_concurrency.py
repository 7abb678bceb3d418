"""Wall time of an investigation with every module against the slowest single module.

Usage: .venv/bin/python bench/investigation_concurrency.py [--runs N]

Every source (local stand-ins of HIBP, EmailRep, Gravatar, GitHub, Wayback; DNS answers at
once) delays its answer by a different amount, 0.4 s to 1.6 s. The script times each module
alone, then the whole investigation (through the app: POST /api/investigate until complete),
and prints the ratio of the investigation to the slowest module (target: <= 1.2).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.investigations.base import Deadline  # noqa: E402
from scanner.investigations.registry import MODULES  # noqa: E402
from tests import intel_peers  # noqa: E402
from tests.conftest import login, make_app  # noqa: E402
from web import jobs  # noqa: E402

DELAYS = {"hibp": 1.6, "emailrep": 0.4, "gravatar": 0.8, "github": 1.2, "wayback": 1.0}
MODULE_NAMES = ["hibp", "emailrep", "gravatar", "domain_intel", "github_commits", "wayback"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    peers = intel_peers.IntelPeers()
    peers.behaviour.delay.update(DELAYS)
    settings = {**peers.settings(), "emailrep_api_key": "", "github_token": ""}

    singles = {}
    for name in MODULE_NAMES:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            MODULES[name].run(intel_peers.BREACHED, settings, Deadline(20))
            times.append(time.perf_counter() - start)
        singles[name] = statistics.median(times)

    with tempfile.TemporaryDirectory() as base:
        app = make_app(base)
        client = app.test_client()
        login(client)
        for key, value in peers.settings().items():
            client.put(f"/api/settings/{key}", json={"value": value})
        totals = []
        for _ in range(runs):
            start = time.perf_counter()
            investigation_id = client.post("/api/investigate", json={"email": intel_peers.BREACHED}).get_json()["id"]
            while client.get(f"/api/report/{investigation_id}").get_json()["status"] != "complete":
                time.sleep(0.02)
            totals.append(time.perf_counter() - start)
            report = client.get(f"/api/report/{investigation_id}").get_json()
            assert all(r["status"] == "success" for r in report["module_runs"]), report["module_runs"]
        jobs.stop(app, wait=True)
    peers.stop()

    slowest = max(singles, key=singles.get)
    total = statistics.median(totals)
    print(f"{runs} runs (medians); each source delays its answer, DNS answers at once")
    for name, seconds in singles.items():
        print(f"  {name:15s} alone {seconds:5.2f} s")
    print(f"all {len(MODULE_NAMES)} modules together {total:5.2f} s (through the app, polling every 20 ms)")
    print(f"ratio to the slowest module ({slowest}) {total / singles[slowest]:5.2f}   (target <= 1.2)")


if __name__ == "__main__":
    main()
