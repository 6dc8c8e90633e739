"""Shared fixtures for end-to-end tests: they run the real kgate binary."""
import json
import os
import pathlib
import selectors
import signal
import subprocess
import threading
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"


def kgate_bin():
    path = os.environ.get("KGATE_BIN", str(ROOT / "build" / "kgate"))
    if not os.path.exists(path):
        pytest.fail(f"kgate binary not found at {path}; build it or set KGATE_BIN")
    return path


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def json(self):
        return json.loads(self.stdout)


def run_kgate(*args, timeout=120):
    proc = subprocess.run([kgate_bin(), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode >= 0, f"kgate died from signal {-proc.returncode}: {proc.stderr[-2000:]}"
    return Result(proc)


@pytest.fixture
def kgate():
    return run_kgate


def read_listening_line(proc, deadline_s):
    """Reads a `kgate serve` stderr until its 'listening on http://HOST:PORT'
    line; bounded. Returns the address and everything read so far."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stderr, selectors.EVENT_READ)
    seen = b""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if not sel.select(timeout=max(0.0, end - time.monotonic())):
            break
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
        for line in seen.decode(errors="replace").splitlines():
            if "listening on http://" in line:
                return line.split("http://", 1)[1].strip(), seen
    raise AssertionError(f"kgate serve did not start: {seen.decode(errors='replace')[-2000:]}")


def stop_process(proc, timeout_s=15):
    """SIGTERM (a graceful stop), then SIGKILL if it has not exited in time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def keypair(tmp_path, name="key", curve="prime256v1"):
    """An ECDSA key pair made with openssl (nothing secret is committed)."""
    priv, pub = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub"
    subprocess.run(["openssl", "ecparam", "-name", curve, "-genkey", "-noout", "-out", priv], check=True)
    subprocess.run(["openssl", "ec", "-in", priv, "-pubout", "-out", pub], check=True, capture_output=True)
    return priv, pub


SERVE_POLL_S = "0.1"
SERVE_WAIT_S = 120  # generous bound on every wait; a poll that works takes well under a second


class Server:
    """A running `kgate serve`; its stderr is collected line by line."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([kgate_bin(), "serve", "--port", "0", "--poll-interval", SERVE_POLL_S, *map(str, args)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        address, seen = read_listening_line(self.proc, 60)
        self.url = f"http://{address}"
        self.lines = seen.decode(errors="replace").splitlines()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))

    def log(self):
        return "\n".join(self.lines)

    def wait_for_log(self, text):
        end = time.monotonic() + SERVE_WAIT_S
        while time.monotonic() < end and text not in self.log():
            time.sleep(0.05)
        assert text in self.log(), f"no '{text}' in the server log:\n{self.log()[-3000:]}"

    def versions(self, model):
        r = requests.get(f"{self.url}/v1/models/{model}", timeout=10)
        if r.status_code == 404:
            return []
        assert r.status_code == 200, r.text
        return sorted(int(s["version"]) for s in r.json()["model_version_status"])

    def wait_for_versions(self, model, want):
        end = time.monotonic() + SERVE_WAIT_S
        while time.monotonic() < end and self.versions(model) != want:
            time.sleep(0.05)
        assert self.versions(model) == want, self.log()[-3000:]

    def stop(self):
        stop_process(self.proc)


@pytest.fixture
def servers():
    started = []

    def start(*args):
        started.append(Server(*args))
        return started[-1]

    yield start
    for s in started:
        s.stop()
