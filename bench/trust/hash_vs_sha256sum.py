#!/usr/bin/env python3
"""Hashing throughput: `kgate digest` next to `sha256sum` on one large file.

Writes a file of --size-mb MiB of pseudo-random bytes (default 1024, i.e. 1 GiB)
under --dir, reads it once to warm the page cache, then runs both tools
alternately --runs times and reports the median wall time, MB/s and the
ratio. Both print the same SHA-256 (checked), so the comparison is fair.
`openssl dgst -sha256` is shown as a third column: the same EVP code kgate
uses, without kgate's manifest around it.

usage: bench/trust/hash_vs_sha256sum.py [--kgate build/kgate] [--size-mb 1024] [--runs 5] [--dir /tmp]
"""
import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import tempfile
import time


def timed(cmd):
    """Wall seconds, CPU seconds (user + system, of the child) and stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--kgate", default="build/kgate")
    p.add_argument("--size-mb", type=int, default=1024)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--dir", default=os.environ.get("TMPDIR", "/tmp"))
    args = p.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = pathlib.Path(tmp) / "blob.bin"
        chunk = os.urandom(1 << 20)
        with open(path, "wb") as f:
            for i in range(args.size_mb):
                f.write(chunk[i % 251:] + chunk[:i % 251])  # distinct MiBs, cheap to make
        size = path.stat().st_size
        subprocess.run(["cat", str(path)], check=True, stdout=subprocess.DEVNULL)  # warm the page cache

        tools = {
            "sha256sum": (["sha256sum", str(path)], lambda out: out.split()[0]),
            "kgate digest": ([args.kgate, "digest", str(path)], lambda out: out.split()[0]),
            "openssl dgst -sha256": (["openssl", "dgst", "-sha256", "-r", str(path)], lambda out: out.split()[0]),
        }
        times = {name: [] for name in tools}
        cpu_times = {name: [] for name in tools}
        digests = {}
        for _ in range(args.runs):
            for name, (cmd, parse) in tools.items():
                wall, cpu, out = timed(cmd)
                times[name].append(wall)
                cpu_times[name].append(cpu)
                digests[name] = parse(out)
        if len(set(digests.values())) != 1:
            raise SystemExit(f"tools disagree on the digest: {digests}")

    mb = size / 1e6
    base = statistics.median(times["sha256sum"])
    print(f"file: {size} bytes, {args.runs} runs each, warm page cache, medians; "
          f"CPU = user + system seconds (less sensitive to other load than wall time)")
    print(f"{'tool':<22} {'wall s':>8} {'MB/s':>8} {'vs sha256sum':>13} {'CPU s':>8}")
    for name, ts in times.items():
        med = statistics.median(ts)
        cpu = statistics.median(cpu_times[name])
        print(f"{name:<22} {med:8.3f} {mb / med:8.0f} {base / med:12.2f}x {cpu:8.3f}")


if __name__ == "__main__":
    main()
