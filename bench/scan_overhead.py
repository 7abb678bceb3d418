"""Wall time of a full SneakyScanner scan against a bare `nmap -sV` of the same ports.

Usage: .venv/bin/python bench/scan_overhead.py [--runs N] [--http N]

The test bed on 127.0.0.1: N plain HTTP services (default 4) and one HTTPS service with a
self-signed certificate. The scan has service detection, TLS details and screenshots on and
goes through the whole app (POST /api/scans -> rows -> reports -> status completed). The
baseline is `nmap -n -Pn -sV -p <same ports> 127.0.0.1`, run by this script in the same
process tree. Prints the median of each over the runs and their ratio (target: <= 1.15).
"""

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import peers  # noqa: E402
from tests.conftest import login, make_app, wait_for_scan, write_config  # noqa: E402
from web import jobs  # noqa: E402

CONFIG = """\
title: Bench
scan: {{ports: "{ports}", service_detection: true, tls: true, screenshots: true}}
sites:
  - name: Loopback
    ips:
      - address: 127.0.0.1
        expected: {{ping: true, tcp_ports: [{ports}]}}
"""


def timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--http", type=int, default=4)
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as base:
        cert, key = peers.make_self_signed_certificate(base)
        servers = [peers.serve_plain_http() for _ in range(options.http)] + [peers.serve_https(cert, key)]
        ports = ",".join(str(server.server_address[1]) for server in servers)
        bare_command = ["nmap", "-n", "-Pn", "-sV", "-p", ports, "127.0.0.1"]

        app = make_app(Path(base) / "app")
        write_config(app, "bench.yaml", CONFIG.format(ports=ports))
        client = app.test_client()
        login(client)

        def bare_nmap():
            subprocess.run(bare_command, check=True, capture_output=True)

        def full_scan():
            scan_id = client.post("/api/scans", json={"config_file": "bench.yaml"}).get_json()["scan_id"]
            assert wait_for_scan(client, scan_id, timeout=300)["status"] == "completed"
            document = client.get(f"/api/scans/{scan_id}").get_json()
            services = [p["services"][0] for p in document["sites"][0]["ips"][0]["ports"]]
            assert sum(1 for s in services if s["screenshot_path"]) == len(servers)
            assert sum(1 for s in services if s["certificates"]) == 1

        bare_times, scan_times = [], []
        for _ in range(options.runs):  # interleaved, so load on the machine hits both alike
            bare_times.append(timed(bare_nmap))
            scan_times.append(timed(full_scan))
        jobs.stop(app, wait=True)
        for server in servers:
            server.shutdown()

    bare, scan = statistics.median(bare_times), statistics.median(scan_times)
    print(f"test bed: {options.http} HTTP + 1 HTTPS service on 127.0.0.1, {options.runs} runs (medians)")
    print(f"bare nmap -sV          {bare:6.2f} s   ({' '.join(bare_command[:-2])} ... 127.0.0.1)")
    print(f"SneakyScanner scan     {scan:6.2f} s   (service detection + TLS + screenshots, reports, rows)")
    print(f"ratio                  {scan / bare:6.2f}   (target <= 1.15)")


if __name__ == "__main__":
    main()
