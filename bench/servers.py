"""Servers under test, each in its own process: uvicorn with the same settings for all."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ORDERTRACK_APP = "ordertrack.api.app:create_served_app"
BARE_LOOKUP_APP = "bare_lookup:create_app"
STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class Server:
    port: int
    pid: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def uvicorn_command(factory: str, port: int) -> list[str]:
    """One uvicorn worker (uvloop + httptools, as installed), no access log, 127.0.0.1 only."""
    return [
        sys.executable, "-m", "uvicorn", factory, "--factory",
        "--host", "127.0.0.1", "--port", str(port),
        "--app-dir", str(BENCH_DIR),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def _wait_until_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} not ready after {STARTUP_SECONDS}s")


@contextlib.contextmanager
def serve(factory: str, env: Mapping[str, str], *, prefix: Sequence[str] = ()) -> Iterator[Server]:
    """Start ``factory`` under uvicorn (optionally behind ``prefix``, e.g. a profiler)."""
    port = free_port()
    # The child's stdout goes to our stderr: our stdout carries only the JSON report.
    process = subprocess.Popen(
        [*prefix, *uvicorn_command(factory, port)], env={**os.environ, **env}, stdout=sys.stderr
    )
    try:
        _wait_until_healthy(port, process)
        yield Server(port=port, pid=process.pid)
    finally:
        # SIGINT: uvicorn shuts down cleanly, and a profiler in front writes its output.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ordertrack_env(database_url: str) -> dict[str, str]:
    return {"ORDERTRACK_DATABASE_URL": database_url}
