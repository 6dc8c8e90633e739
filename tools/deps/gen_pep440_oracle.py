#!/usr/bin/env python3
"""Writes tests/deps/testdata/pep440_oracle.json: PEP 440 ground truth from `packaging`.

Collects every version string in the bundled OSV snapshot (range events and
`versions` lists) plus hand-picked edge spellings (alternate pre/post/dev
spellings, epochs, local labels, huge integers, invalid forms), and records
for each what the pinned `packaging` library says: valid or not, the
normalised spelling, and a rank in the total order (equal versions share a
rank). tests/deps/pep440_test.cc checks kgate's implementation against it.

usage: .venv/bin/python tools/deps/gen_pep440_oracle.py [OSV_DIR] > tests/deps/testdata/pep440_oracle.json
"""
import functools
import json
import pathlib
import sys

import packaging
from packaging.version import InvalidVersion, Version

ROOT = pathlib.Path(__file__).resolve().parents[2]

EDGE = [
    "1.0", "1.0.0", "1.0.0.0", "1", "v1.0", "V1.0", " 1.0 ", "\t1.0\n", "01.02.003", "1.0.dev0", "1.0.dev",
    "1.0-dev", "1.0_dev1", "1.0.dev-1", "1.0a0.dev0", "1.0a0", "1.0a", "1.0alpha", "1.0ALPHA1", "1.0-a1",
    "1.0.a.1", "1.0a-1", "1.0a-", "1.0b1", "1.0beta2", "1.0c1", "1.0pre1", "1.0preview1", "1.0rc1", "1.0RC1",
    "1.0-rc-1", "1.0rc", "1.0.post0.dev0", "1.0.post0", "1.0.post", "1.0post1", "1.0-1", "1.0-r1", "1.0rev1",
    "1.0.r", "1.0-post-1", "1.0_post_1", "1.0.post1.dev2", "1.0a1.post2.dev3", "1.0rc1.post1", "1.0+local",
    "1.0+LOCAL.1", "1.0+abc.5", "1.0+abc.10", "1.0+5", "1.0+10", "1.0+abc", "1.0+abc-def_1", "1.0+1.abc",
    "1.0+abc.1.2", "1.0+1", "1.0+01", "1.0.post1+local", "1.0.dev1+local", "1!1.0", "1!0.5", "0!1.0",
    "2025.1", "1!1.0.dev0", "10!0", "1.0.99999999999999999999", "1.0.100000000000000000000",
    "99999999999999999999999999.0", "1.0a99999999999999999999", "1.0.post18446744073709551616",
    "1.0.dev18446744073709551615", "2.12", "2.12.0", "2.13.1rc0", "2.13.1", "6.30.0rc1", "2.8.0-rc0",
    "2.0.0rc1", "2.6.0+cu124", "2.6.0", "2.6.0-NA", "2.6.0-cu124", "2.5.0-NA", "2.7.1-NA", "1.0.0-",
    "1.0.", ".1", "1..0", "1.0+", "1.0+abc.", "1.0+abc..1", "1.0+ab$c", "1.0 .dev", "1.0.dev.", "a1.0",
    "1.0a1b1", "1.0-dev-dev", "1.0.post1.post2", "1!", "!1.0", "1!2!3", "1.0-", "1.0--1", "latest", "",
    "1.0\u00e91", "1.0.0-alpha.1", "0.0.0", "0", "0.0.0.0.0.1", "3.0.0", "3.10.0", "3.11.0", "3.9.2",
    "3.8.0rc0", "1.0.0a1.dev1", "1.0.0b1.post1", "1.0.0c1.dev0", "1.0.0-1.dev1",
]


def collect(osv_dir):
    seen = {}
    for path in sorted(pathlib.Path(osv_dir).glob("*.json")):
        if path.name == "index.json":
            continue
        rec = json.loads(path.read_text())
        for aff in rec.get("affected", []):
            for v in aff.get("versions", []):
                seen.setdefault(v, None)
            for rng in aff.get("ranges", []):
                if rng.get("type") == "GIT":
                    continue
                for ev in rng.get("events", []):
                    for k, v in ev.items():
                        if v not in ("0", "*"):
                            seen.setdefault(v, None)
    return list(seen)


def main():
    osv_dir = sys.argv[1] if len(sys.argv) > 1 else ROOT / "data" / "osv"
    strings = list(dict.fromkeys(EDGE + collect(osv_dir)))
    valid, invalid = [], []
    for s in strings:
        try:
            valid.append((s, Version(s)))
        except InvalidVersion:
            invalid.append(s)
    ordered = sorted(valid, key=lambda sv: sv[1])
    rank, out, prev = -1, [], None
    for s, v in ordered:
        if prev is None or v != prev:
            rank += 1
        prev = v
        out.append({"text": s, "normalized": str(v), "rank": rank})
    json.dump({"generator": "tools/deps/gen_pep440_oracle.py", "packaging": packaging.__version__,
               "valid": out, "invalid": invalid}, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    print(f"{len(out)} valid, {len(invalid)} invalid", file=sys.stderr)


if __name__ == "__main__":
    main()
