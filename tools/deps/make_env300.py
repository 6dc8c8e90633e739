#!/usr/bin/env python3
"""Makes a 300-package site-packages folder and times `kgate audit --path` on it.

The environment is synthetic but shaped like a large ML image: every package
the bundled snapshot has advisories for (tensorflow and its variants, torch,
keras, pillow, urllib3, ...) at an old, vulnerable version, the packages the
snapshot lists without advisories, and generated filler distributions, 300
in all, each with a METADATA header (Name, Version, Requires-Dist) that links
them into one tree under keras, tensorflow and torch.

usage: .venv/bin/python tools/deps/make_env300.py KGATE_BIN [DIR] [RUNS]
Prints the median wall and CPU time of RUNS (default 7) audits against the
whole bundled snapshot, with the machine's load average (wall time on a
shared machine includes waiting for a core).
"""
import json
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def make(target):
    index = json.loads((ROOT / "data" / "osv" / "index.json").read_text())
    names = sorted(index["packages"]) + sorted(index["packages_without_advisories"])
    names += [f"filler-pkg-{i:03d}" for i in range(300 - len(names))]
    names = names[:300]
    target.mkdir(parents=True, exist_ok=True)
    roots = ["keras", "tensorflow", "torch"]
    for i, name in enumerate(names):
        version = "1.0.0" if name.startswith("filler") else "0.9.0" if name not in ("tensorflow", "keras", "torch") else "2.4.0"
        deps = [names[j] for j in (3 * i + 1, 3 * i + 2, 3 * i + 3) if j < len(names)] if name in roots or i < 100 else []
        meta = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        meta += [f"Requires-Dist: {d}>=0.1" for d in deps]
        meta += ["", f"{name} long description, ignored by the reader.", ""]
        d = target / f"{name.replace('-', '_')}-{version}.dist-info"
        d.mkdir(exist_ok=True)
        (d / "METADATA").write_text("\n".join(meta))
    return len(names)


def main():
    kgate = sys.argv[1]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    with tempfile.TemporaryDirectory() as tmp:
        target = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else pathlib.Path(tmp) / "site-packages"
        n = make(target)
        times, cpu = [], []
        for _ in range(runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            proc = subprocess.run([kgate, "audit", "--path", str(target), "--format", "json"], capture_output=True, text=True)
            times.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        report = json.loads(proc.stdout)
        print(json.dumps({"packages": n, "audited": len(report["packages"]), "findings": len(report["findings"]),
                          "advisories": report["database"]["advisories"], "runs": runs,
                          "median_seconds": round(statistics.median(times), 3),
                          "min_seconds": round(min(times), 3), "max_seconds": round(max(times), 3),
                          "median_cpu_seconds": round(statistics.median(cpu), 3),
                          "load_average": round(__import__("os").getloadavg()[0], 1)}))


if __name__ == "__main__":
    main()
