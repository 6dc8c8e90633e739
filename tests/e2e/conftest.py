"""Shared fixtures for end-to-end tests: they run the real kgate binary."""
import json
import os
import pathlib
import selectors
import subprocess
import time

import pytest

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


def keypair(tmp_path, name="key", curve="prime256v1"):
    """An ECDSA key pair made with openssl (nothing secret is committed)."""
    priv, pub = tmp_path / f"{name}.pem", tmp_path / f"{name}.pub"
    subprocess.run(["openssl", "ecparam", "-name", curve, "-genkey", "-noout", "-out", priv], check=True)
    subprocess.run(["openssl", "ec", "-in", priv, "-pubout", "-out", pub], check=True, capture_output=True)
    return priv, pub
