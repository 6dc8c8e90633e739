"""Hostile files must not make kgate allocate more than a small multiple of
their size: every malicious fixture is scanned in a child process whose peak
RSS is read back with wait4()."""
import json
import os
import subprocess

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


def peak_rss_of(args):
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss * 1024


@pytest.mark.parametrize("entry", entries(), ids=lambda e: e["file"])
def test_scan_memory_is_bounded_by_file_size(entry):
    path = FIXTURES / "malicious" / entry["file"]
    code, rss = peak_rss_of([kgate_bin(), "scan", "--format", "json", str(path)])
    assert code in (0, 1), f"{entry['file']}: exit {code}"
    limit = BASE_RSS_BYTES + PER_BYTE * path.stat().st_size
    assert rss <= limit, f"{entry['file']}: peak RSS {rss >> 20} MiB > {limit >> 20} MiB"
