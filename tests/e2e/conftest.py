"""Shared fixtures for end-to-end tests: they run the real kgate binary."""
import json
import os
import pathlib
import subprocess

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
