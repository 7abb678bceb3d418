"""Time a SneakyScanner scan of loopback test services against the bare nmap commands it runs.

Usage: .venv/bin/python bench/scan_overhead.py [--runs N]

Prints the median wall time of (1) the bare nmap commands, run by hand with subprocess,
(2) scanner.run_scan (python-nmap + XML mapping), and (3) the whole app pipeline
(POST /api/scans -> rows -> JSON/HTML/ZIP reports -> status completed), and the ratios.
"""

import argparse
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import run_scan  # noqa: E402
from tests import peers  # noqa: E402
from tests.conftest import SERVICES_CONFIG, login, make_app, wait_for_scan, write_config  # noqa: E402
from web import jobs  # noqa: E402


def timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs

    plain, banner = peers.serve_plain_http(), peers.serve_banner_http()
    ports = {"http_port": plain.server_address[1], "banner_port": banner.server_address[1],
             "closed_port": peers.free_port()}
    config_text = SERVICES_CONFIG.format(**ports)
    commands = run_scan(parse_config(config_text)).nmap_commands

    def bare_nmap():
        for command in commands:
            subprocess.run(shlex.split(command), check=True, capture_output=True)

    def engine():
        run_scan(parse_config(config_text))

    with tempfile.TemporaryDirectory() as base:
        app = make_app(base)
        write_config(app, "services.yaml", config_text)
        client = app.test_client()
        login(client)

        def pipeline():
            scan_id = client.post("/api/scans", json={"config_file": "services.yaml"}).get_json()["scan_id"]
            assert wait_for_scan(client, scan_id)["status"] == "completed"

        results = {}
        for name, func in (("bare nmap", bare_nmap), ("scanner.run_scan", engine), ("app pipeline", pipeline)):
            results[name] = statistics.median(timed(func) for _ in range(runs))
        jobs.stop(app, wait=True)

    print("nmap commands:")
    for command in commands:
        print(f"  {command}")
    baseline = results["bare nmap"]
    for name, seconds in results.items():
        print(f"{name:18s} {seconds:7.2f} s   ratio to bare nmap {seconds / baseline:5.2f}")


if __name__ == "__main__":
    main()
