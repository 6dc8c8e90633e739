#!/usr/bin/env python3
"""Writes the seed corpora of the deps fuzz targets (fuzz/corpus/deps_*_fuzzer/).

Seeds are real inputs: versions and CVSS vectors from the OSV snapshot,
requirement lines and METADATA headers from tests/deps/fixtures, the lockfile
fixtures (cut to their first 4 KiB so mutations stay fast) and a sample of
OSV records including the quirky ones (withdrawn, range-less, non-PEP 440
events). The first byte of a text/toml seed selects the reader, as the
targets expect.
"""
import hashlib
import json
import pathlib
import shutil

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIX = ROOT / "tests" / "deps" / "fixtures"
DB = ROOT / "data" / "osv"


def write(target, seeds):
    d = ROOT / "fuzz" / "corpus" / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for s in seeds:
        (d / hashlib.sha1(s).hexdigest()[:16]).write_bytes(s)
    print(f"{target}: {len(seeds)} seeds")


def main():
    text = []
    for v in ["1.0", "1!2.0a1.post3.dev4+Local.5", "2.6.0-NA", "v1.0-RC-1", "1.0.99999999999999999999"]:
        text.append(b"\x00" + v.encode())
    for line in (FIX / "requirements" / "requirements.txt").read_text().splitlines()[5:14]:
        text.append(b"\x01" + line.encode())
    text.append(b"\x02" + (FIX / "requirements" / "requirements.txt").read_bytes())
    text.append(b"\x02" + (FIX / "requirements" / "freeze.txt").read_bytes())
    for meta in sorted((FIX / "site-packages").glob("*/METADATA"))[:4]:
        text.append(b"\x03" + meta.read_bytes()[:3000])
    for rec in ["PYSEC-2025-75", "PYSEC-2026-1486", "PYSEC-2026-2987"]:
        for sev in json.loads((DB / f"{rec}.json").read_text()).get("severity", []):
            text.append(b"\x04" + sev["score"].encode())
    write("deps_text_fuzzer", text)

    toml = [b"\x00" + (FIX / "lockfiles" / "uv.lock").read_bytes()[:4096],
            b"\x01" + (FIX / "lockfiles" / "poetry.lock").read_bytes()[:4096],
            b"\x02" + (FIX / "lockfiles" / "uv.lock").read_bytes()[:4096],
            b"\x03" + (FIX / "lockfiles" / "pylock.toml").read_bytes()[:4096],
            b"\x04" + (FIX / "lockfiles" / "Pipfile.lock").read_bytes()[:4096],
            b"\x05" + b'[[ignore]]\nid = "PYSEC-2023-117"\nreason = "r"\nexpires = 2026-12-31\n',
            b"\x00" + b's = """\nx\\\n  y"""\nt = 1979-05-27T07:32:00-08:00\n[a."b.c"]\nd = [1, [2], {e = 0x1f}]\n']
    write("deps_toml_fuzzer", toml)

    osv = [(DB / f"{rec}.json").read_bytes() for rec in
           ["PYSEC-2017-150", "PYSEC-2025-75", "PYSEC-2025-210", "PYSEC-2025-191", "PYSEC-2026-1806",
            "PYSEC-2026-1486", "PYSEC-2026-369"]]
    write("deps_osv_fuzzer", osv)


if __name__ == "__main__":
    main()
