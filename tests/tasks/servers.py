"""Real remote cache servers for the tests, on 127.0.0.1 only.

- `turborepo-remote-cache` from npm (installed by .ci/run under .orchestrator/), with local
  storage, as NOTES.md describes.
- moto's S3 server mode (`moto[server]`, a test dependency) for the s3:// store. It speaks
  the S3 REST API over real HTTP (signed requests, user metadata, 404s for missing keys),
  but it is an emulator: it accepts any credentials without checking the signature (so a
  refused key is tested against the Turborepo server only), keeps objects in memory, and
  has no latency, throttling, eventual consistency or size limits.
- A few lines of `http.server` for the faults a healthy server never shows: a 500 on upload,
  an answer slower than the timeout.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

TURBO_BIN = REPO_ROOT / ".orchestrator/remote-cache-server/node_modules/.bin/turborepo-remote-cache"
TOKEN = "token-for-tests"

needs_turbo = pytest.mark.skipif(
    not TURBO_BIN.exists(),
    reason="needs turborepo-remote-cache (npm install --prefix .orchestrator/remote-cache-server "
           "turborepo-remote-cache@2; .ci/run installs it)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A started server process (its own process group) and its URL."""

    def __init__(self, proc: subprocess.Popen[bytes], url: str, storage: Path):
        self.proc = proc
        self.url = url
        self.storage = storage

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"server did not start: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def turbo_server(storage: Path, *, signature_key: str | None = None,
                 token: str = TOKEN) -> Iterator[Server]:
    """turborepo-remote-cache with local storage in `storage`."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "TURBO_TOKEN": token,
           "STORAGE_PROVIDER": "local", "STORAGE_PATH": str(storage),
           "STORAGE_PATH_USE_TMP_FOLDER": "false", "LOG_LEVEL": "warn"}
    if signature_key is not None:
        env["TURBO_REMOTE_CACHE_SIGNATURE_KEY"] = signature_key  # keeps x-artifact-tag
    log = storage.parent / f"turbo-{port}.log"
    storage.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen([str(TURBO_BIN)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", storage)
    try:
        _wait_until_up(f"{server.url}/v8/artifacts/status", proc, log)
        yield server
    finally:
        server.stop()


@contextmanager
def s3_server(storage: Path, bucket: str = "cache") -> Iterator[Server]:
    """moto's S3 server with one bucket."""
    port = free_port()
    storage.mkdir(parents=True, exist_ok=True)
    log = storage / "moto.log"
    moto = Path(sys.executable).with_name("moto_server")
    with log.open("wb") as out:
        proc = subprocess.Popen([str(moto), "-H", "127.0.0.1", "-p", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", storage)
    try:
        _wait_until_up(server.url, proc, log)
        request = urllib.request.Request(f"{server.url}/{bucket}", method="PUT")
        urllib.request.urlopen(request, timeout=5).close()
        yield server
    finally:
        server.stop()


def s3_environment(server: Server) -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": server.url}


class Faulty:
    """An HTTP server that misbehaves on purpose: `put_status` for every upload, a `delay`
    before every answer; lookups find nothing."""

    def __init__(self, put_status: int = 500, delay: float = 0.0, status: str | None = None,
                 put_delay: float = 0.0, events: Path | None = None,
                 hold_puts_until: Callable[[], bool] | None = None,
                 artifact: tuple[int, float] | None = None):
        self.put_status = put_status
        self.delay = delay
        self.status = status  # what GET /v8/artifacts/status says (None: 404)
        self.put_delay = put_delay
        self.events = events  # where to note each upload answered, beside the tasks' notes
        self.hold = hold_puts_until  # uploads are answered only once this holds (or 20 s)
        # Lookups answer 200 claiming this many bytes, then send one byte per so many
        # seconds, until the client hangs up (a trickle, or a body too large to read).
        self.artifact = artifact
        self.requests: list[str] = []
        faulty = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                faulty.requests.append(f"GET {self.path}")
                time.sleep(faulty.delay)
                if self.path.startswith("/v8/artifacts/status") and faulty.status:
                    self._answer(200, json.dumps({"status": faulty.status}).encode())
                elif faulty.artifact is not None and not self.path.startswith(
                        "/v8/artifacts/status"):
                    self._trickle(*faulty.artifact)
                else:
                    self._answer(404)

            def do_PUT(self) -> None:
                faulty.requests.append(f"PUT {self.path}")
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                time.sleep(faulty.delay + faulty.put_delay)
                deadline = time.monotonic() + 20
                while faulty.hold is not None and not faulty.hold() \
                        and time.monotonic() < deadline:
                    time.sleep(0.02)
                self._answer(faulty.put_status)
                if faulty.events is not None:
                    with faulty.events.open("a") as f:
                        f.write("uploaded -\n")

            def _trickle(self, claimed: int, pause: float) -> None:
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", str(claimed))
                    self.end_headers()
                    for _ in range(min(claimed, 200)):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass  # the client hung up: what it should do

            def _answer(self, code: int, body: bytes = b"") -> None:
                try:
                    self.send_response(code)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout): nothing to answer

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> Faulty:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
