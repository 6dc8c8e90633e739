#!/usr/bin/env python3
"""An independent implementation of the OSV evaluation algorithm, to check kgate's.

Written from the OSV schema text (ossf/osv-schema docs/schema.md, "Evaluation")
with `packaging.version` as the PEP 440 order, sharing no code with kgate:

    affected if the version is in `versions`, or in any SEMVER/ECOSYSTEM range:
    events sorted; introduced (or "0") sets vulnerable, fixed (>=) and
    last_affected (>) clear it; limit events cap the range; withdrawn records
    never match; GIT ranges are ignored.

Versions that packaging cannot parse follow osv-scanner (osv-scalibr): they
sort below every valid version, so an event such as `last_affected: 2.6.0-NA`
closes the range at once and matches nothing. kgate's local-label policy
(a local build compares as its public release against events without a
label) is applied here too, by subject(). kgate deliberately differs
there (it reads such an event by its leading version and marks the match
approximate, docs/audit.md); compare() reports those as explained differences.

usage:
  osv_reference.py OSV_DIR PINS.txt            prints {"name==version": [ids]} as JSON
  osv_reference.py --compare OSV_DIR KGATE_BIN [EVERY]
                                               prints the comparison over every boundary
                                               version in the database (or every EVERY-th)
"""
import functools
import json
import pathlib
import re
import subprocess
import sys
import tempfile

from packaging.version import InvalidVersion, Version


def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.lru_cache(maxsize=None)
def key(text):
    """Sort key: (0, text) for invalid versions (below everything), (1, Version) otherwise."""
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def less(a, b):
    ka, kb = key(a), key(b)
    if ka[0] != kb[0]:
        return ka[0] < kb[0]
    return ka[1] < kb[1]


def load(osv_dir):
    by_pkg = {}
    for path in sorted(pathlib.Path(osv_dir).rglob("*.json")):
        if path.name == "index.json":
            continue
        rec = json.loads(path.read_text())
        if rec.get("withdrawn"):
            continue
        for aff in rec.get("affected", []):
            pkg = aff.get("package", {})
            if pkg.get("ecosystem") != "PyPI":
                continue
            by_pkg.setdefault(norm(pkg["name"]), []).append((rec["id"], aff))
    return by_pkg


def subject(version, event_version):
    """kgate's documented local-label policy, applied here too: against an event
    without a local label, a local build compares as its public release."""
    kv, ke = key(version), key(event_version)
    if kv[0] and ke[0] and kv[1].local and not ke[1].local:
        return kv[1].public
    return version


def in_range(version, events):
    def event_key(ev):
        (kind, v), = ev.items()
        if kind == "introduced" and v == "0":
            return (0, (0, ""), 0)
        if kind == "limit" and v == "*":
            return (2, (0, ""), 0)
        return (1, key(v), 0 if kind == "introduced" else 1)

    ordered = sorted(events, key=functools.cmp_to_key(lambda a, b: -1 if cmp_key(event_key(a), event_key(b)) else (1 if cmp_key(event_key(b), event_key(a)) else 0)))
    limits = [v for ev in ordered for k, v in ev.items() if k == "limit"]
    if limits and not any(v == "*" or less(subject(version, v), v) for v in limits):
        return False
    vulnerable = False
    for ev in ordered:
        (kind, v), = ev.items()
        if kind == "introduced" and (v == "0" or not less(subject(version, v), v)):
            vulnerable = True
        elif kind == "fixed" and not less(subject(version, v), v):
            vulnerable = False
        elif kind == "last_affected" and less(v, subject(version, v)):
            vulnerable = False
    return vulnerable


def cmp_key(a, b):
    """a < b for event sort keys (rank, version key, tie-break)."""
    if a[0] != b[0]:
        return a[0] < b[0]
    if a[1] != b[1]:
        if a[1][0] != b[1][0]:
            return a[1][0] < b[1][0]
        if a[1][1] != b[1][1]:
            return a[1][1] < b[1][1]
    return a[2] < b[2]


def affected_ids(db, name, version):
    ids = set()
    for rec_id, aff in db.get(norm(name), []):
        listed = aff.get("versions", [])
        if version in listed or any(key(v)[0] and key(version)[0] and key(v) == key(version) for v in listed):
            ids.add(rec_id)
            continue
        for rng in aff.get("ranges", []):
            if rng["type"] in ("ECOSYSTEM", "SEMVER") and in_range(version, rng["events"]):
                ids.add(rec_id)
                break
    return sorted(ids)


def boundary_pins(db):
    """Every event and listed version of every package, plus its neighbours."""
    pins = set()
    for name, entries in db.items():
        for _, aff in entries:
            vs = set(aff.get("versions", []))
            for rng in aff.get("ranges", []):
                if rng["type"] == "GIT":
                    continue
                for ev in rng["events"]:
                    vs.update(v for v in ev.values() if v not in ("0", "*"))
            for v in vs:
                if key(v)[0] == 0:
                    continue
                pv = Version(v)
                pins.add((name, str(pv)))
                pins.add((name, f"{pv.base_version}.post1"))
                pins.add((name, f"{pv.base_version}rc1"))
                pins.add((name, f"{pv.base_version}.dev0"))
    return sorted(pins)


def compare(osv_dir, kgate_bin, every=1):
    db = load(osv_dir)
    pins = boundary_pins(db)[::every]
    with tempfile.TemporaryDirectory() as tmp:
        req = pathlib.Path(tmp) / "pins.txt"
        req.write_text("".join(f"{n}=={v}\n" for n, v in pins))
        proc = subprocess.run([kgate_bin, "audit", "-r", str(req), "--db", str(osv_dir), "--format", "json"],
                              capture_output=True, text=True)
        report = json.loads(proc.stdout)
    kgate, approximate = {}, set()
    for f in report["findings"]:
        k = (norm(f["package"]), f["version"])
        kgate.setdefault(k, set()).add(f["id"])
        if f["approximate"]:
            approximate.add((k, f["id"]))
    missing, extra, explained = [], [], []
    for n, v in pins:
        ref = set(affected_ids(db, n, v))
        got = kgate.get((n, v), set())
        for i in sorted(ref - got):
            missing.append((n, v, i))
        for i in sorted(got - ref):
            (explained if ((n, v), i) in approximate else extra).append((n, v, i))
    return {"pins": len(pins), "kgate_findings": sum(len(s) for s in kgate.values()),
            "missing_in_kgate": missing, "extra_in_kgate": extra,
            "explained_by_leading_version_rule": explained}


def main():
    if sys.argv[1] == "--compare":
        result = compare(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1)
        json.dump(result, sys.stdout, indent=1)
        print()
        sys.exit(1 if result["missing_in_kgate"] or result["extra_in_kgate"] else 0)
    db = load(sys.argv[1])
    out = {}
    for line in pathlib.Path(sys.argv[2]).read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            n, v = line.split("==", 1)
            out[f"{n}=={v}"] = affected_ids(db, n, v)
    json.dump(out, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
