"""`make run` on a fresh data dir, the seed's "Complete Workflow" curl script, and a crash mid-scan."""

import os
import signal
import subprocess
import time
from pathlib import Path

import requests

from tests import peers
from tests.conftest import SERVICES_CONFIG

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "workflow pass 123"

# The seed's script, verbatim but for its sample host, config path and password.
SEED_WORKFLOW = r"""#!/bin/bash
# 1. Login and save session
curl -X POST http://localhost:5000/auth/login \
-H "Content-Type: application/json" \
-d '{"password":"yourpassword"}' \
-c cookies.txt
# 2. Trigger a new scan
RESPONSE=$(curl -s -X POST http://localhost:5000/api/scans \
-H "Content-Type: application/json" \
-d '{"config_file":"/app/configs/production.yaml"}' \
-b cookies.txt)
# Extract scan ID from response
SCAN_ID=$(echo $RESPONSE | jq -r '.scan_id')
echo "Scan ID: $SCAN_ID"
# 3. Poll status every 5 seconds until complete
while true; do
STATUS=$(curl -s -X GET http://localhost:5000/api/scans/$SCAN_ID/status \
-b cookies.txt | jq -r '.status')
echo "Status: $STATUS"
if [ "$STATUS" == "completed" ] || [ "$STATUS" == "failed" ]; then
break
fi
sleep 5
done
# 4. Get full scan results
curl -X GET http://localhost:5000/api/scans/$SCAN_ID \
-b cookies.txt | jq '.'
# 5. Logout
curl -X GET http://localhost:5000/auth/logout \
-b cookies.txt
"""


def start_server(env, log_path):
    log = open(log_path, "ab")
    process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=REPO, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{env['SNEAKY_PORT']}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"make run exited: {Path(log_path).read_text()[-2000:]}")
        try:
            if requests.get(f"{base}/api/settings/health", timeout=1).status_code == 200:
                return process, base
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not become healthy")


def kill_hard(process):
    """SIGKILL the whole process group: make, the server, its worker and any nmap child."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_make_run_serves_the_seed_workflow_and_recovers_from_a_crash(tmp_path, services):
    port = peers.free_port()
    config_dir = tmp_path / "configs"
    config_dir.mkdir()
    (config_dir / "services.yaml").write_text(SERVICES_CONFIG.format(**vars(services)))
    silent = peers.serve_silent_tcp()
    (config_dir / "slow.yaml").write_text(
        "title: Slow\nscan: {ports: '%d', service_detection: true}\n"
        "sites: [{name: S, ips: [{address: 127.0.0.1}]}]\n" % silent.getsockname()[1])
    env = dict(os.environ, SNEAKY_PORT=str(port), SNEAKY_HOST="127.0.0.1",
               SNEAKY_DATA_DIR=str(tmp_path / "data"), SNEAKY_CONFIG_DIR=str(config_dir),
               SNEAKY_OUTPUT_DIR=str(tmp_path / "output"), SNEAKY_ADMIN_PASSWORD=PASSWORD)
    log_path = tmp_path / "server.log"
    server, base = start_server(env, log_path)
    try:
        script = (SEED_WORKFLOW.replace("http://localhost:5000", base)
                  .replace("/app/configs/production.yaml", str(config_dir / "services.yaml"))
                  .replace("yourpassword", PASSWORD))
        (tmp_path / "workflow.sh").write_text(script)
        run = subprocess.run(["bash", "workflow.sh"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        output = run.stdout
        assert output.startswith('{"message":"Login successful","redirect":"/dashboard"}')
        assert "Status: completed" in output
        result = output[output.index("Status: completed"):]
        for open_port in (services.http_port, services.banner_port):
            assert f'"port": {open_port},' in result
        assert '"service_name": "http"' in result and '"state": "closed"' in result
        assert "Redirecting" in output and "/auth/login" in output  # logout's 302 body

        session = requests.Session()
        assert session.post(f"{base}/auth/login", json={"password": PASSWORD}).status_code == 200
        scan_id = session.post(f"{base}/api/scans", json={"config_file": "slow.yaml"}).json()["scan_id"]
        time.sleep(1.5)
        assert session.get(f"{base}/api/scans/{scan_id}/status").json()["status"] == "running"
        kill_hard(server)

        server, base = start_server(env, log_path)
        assert session.post(f"{base}/auth/login", json={"password": PASSWORD}).status_code == 200
        status = session.get(f"{base}/api/scans/{scan_id}/status").json()
        assert status["status"] == "failed"
        assert "interrupted by restart" in status["error_message"]
        assert status["completed_at"] is not None
        assert "Generated password" not in log_path.read_text()
    finally:
        kill_hard(server)
        silent.close()
