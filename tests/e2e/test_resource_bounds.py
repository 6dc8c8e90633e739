"""Hostile files must not make kgate allocate more than a small multiple of
their size: every malicious fixture is scanned in a child process whose peak
RSS is read back with wait4()."""
import json
import os
import subprocess
import sys

import pytest

from conftest import FIXTURES, kgate_bin

MANIFEST = FIXTURES / "malicious" / "manifest.json"
# The binary, its libraries and the allocator's arenas: a fixed floor.
BASE_RSS_BYTES = 48 << 20
# What a file may cost beyond the floor: the mapping itself plus parsed config.
PER_BYTE = 8


def entries():
    if not MANIFEST.exists():
        return []
    data = json.loads(MANIFEST.read_text())
    return data if isinstance(data, list) else data.get("files", [])


# Linux charges a child the parent's peak RSS when the child calls exec
# (exec_mmap records the old mm's high-water mark), so a kgate spawned
# straight from pytest, which has imported numpy and HTTP clients by now,
# would report pytest's size. A fresh, bare Python (-S) spawns kgate instead
# and reports the child's peak.
SPAWNER = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024)
"""


def peak_rss_of(args):
    out = subprocess.run([sys.executable, "-S", "-c", SPAWNER, *args], capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    return int(out[0]), int(out[1])


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e["file"])
def test_scan_memory_is_bounded_by_file_size(entry):
    path = FIXTURES / "malicious" / entry["file"]
    code, rss = peak_rss_of([kgate_bin(), "scan", "--format", "json", str(path)])
    assert code in (0, 1), f"{entry['file']}: exit {code}"
    limit = BASE_RSS_BYTES + PER_BYTE * path.stat().st_size
    assert rss <= limit, f"{entry['file']}: peak RSS {rss >> 20} MiB > {limit >> 20} MiB"
