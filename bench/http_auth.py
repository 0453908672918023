"""Token-authenticated GET /api/v1/me against a bare route, one uvicorn process, wrk over loopback.

Target (issue 2): authentication costs under 30% of throughput.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import fresh_node, median, report
from liaison.actions.accounts import do_create_user, do_sign_in
from liaison.domain.accounts import SYSTEM

PASSWORD = "bench-password-quartz-harbour"
ROUNDS = 3
SECONDS = 5
CONNECTIONS = 16


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _token(node_dir: Path) -> str:
    node = fresh_node(node_dir)
    with node.db.writing() as session:
        do_create_user(
            session,
            SYSTEM,
            username="bench",
            display_name="Bench",
            nation="GBR",
            roles=["officer"],
            password=PASSWORD,
            origin="bench.liaison",
        )
    with node.db.writing() as session:
        outcome = do_sign_in(
            session,
            node.accounts,
            node.sealer,
            username="bench",
            password=PASSWORD,
            otp=None,
            kind="api",
        )
    node.close()
    assert outcome.secret is not None
    return outcome.secret


def _wrk(url: str, headers: list[str]) -> float:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{non_2xx.group(1)} failed responses from {url}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", output)
    assert match, output
    return float(match.group(1))


def run() -> None:
    if shutil.which("wrk") is None:
        sys.exit("the HTTP benchmark needs wrk: apt-get install wrk")
    node_dir = Path(tempfile.mkdtemp(prefix="liaison-bench-http-"))
    token = _token(node_dir)
    port = _free_port()
    env = {**os.environ, "LIAISON_DATA_DIR": str(node_dir), "LIAISON_NODE_NAME": "bench.liaison"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.http_app:create_bench_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        bare, authenticated = [], []
        for _ in range(ROUNDS):
            bare.append(_wrk(f"{base}/bench/bare", []))
            authenticated.append(_wrk(f"{base}/api/v1/me", [f"Authorization: Bearer {token}"]))
    finally:
        server.terminate()
        server.wait(timeout=10)
    bare_rps, auth_rps = median(bare), median(authenticated)
    cost = 1 - auth_rps / bare_rps
    report(
        "HTTP: token-authenticated GET /api/v1/me vs a bare route (1 process, wrk)",
        [
            ("bare route", f"{bare_rps:,.0f} req/s (median of {ROUNDS})"),
            ("GET /api/v1/me", f"{auth_rps:,.0f} req/s"),
            ("authentication cost", f"{cost:.1%} of throughput (target < 30%)"),
        ],
    )


if __name__ == "__main__":
    run()
