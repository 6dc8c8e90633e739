#!/usr/bin/env python3
"""Builds the real-world input fixtures of tests/deps/fixtures/ from PyPI.

site-packages/: for each pinned distribution below, the exact METADATA file of
its wheel as PyPI serves it (PEP 658 core metadata, `<wheel URL>.metadata`,
or read out of the wheel when the index does not offer it), stored as
`<name>-<version>.dist-info/METADATA` the way pip installs it. The set is a small Keras tree with
known-vulnerable versions (keras 3.10.0 -> rich -> pygments/markdown-it-py,
keras -> h5py -> numpy) plus unrelated packages (requests -> urllib3).

Then requirements/freeze.txt is what `pip freeze --path` says about that
folder. Lockfiles come from tools/deps/make_lockfiles.sh.

usage: .venv/bin/python tools/deps/make_fixtures.py   (needs pypi.org)
"""
import io
import json
import pathlib
import zipfile
import re
import shutil
import subprocess
import sys
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "deps" / "fixtures" / "site-packages"

ENVIRONMENT = {
    "keras": "3.10.0", "absl-py": "2.1.0", "h5py": "3.11.0", "ml-dtypes": "0.4.0", "namex": "0.0.8",
    "numpy": "1.26.4", "optree": "0.11.0", "packaging": "24.0", "rich": "13.7.1", "markdown-it-py": "2.1.0",
    "mdurl": "0.1.2", "pygments": "2.14.0", "typing-extensions": "4.11.0", "requests": "2.31.0",
    "urllib3": "1.26.17", "idna": "3.6", "certifi": "2024.2.2", "charset-normalizer": "3.3.2",
}


def get_json(url):
    req = urllib.request.Request(url, headers={"Accept": "application/vnd.pypi.simple.v1+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def wheel_rank(fn):
    # Prefer pure wheels, then CPython 3.11 x86-64 Linux ones (smaller downloads first).
    if fn.endswith("-none-any.whl"):
        return 0
    if "cp311" in fn and "manylinux" in fn and "x86_64" in fn:
        return 1
    return 2


def metadata_for(name, version):
    files = get_json(f"https://pypi.org/simple/{name}/")["files"]
    norm = re.sub(r"[-_.]+", "_", name).lower()
    wheels = [f for f in files if f["filename"].endswith(".whl") and f["filename"].lower().startswith(f"{norm}-{version}-")]
    wheels.sort(key=lambda f: wheel_rank(f["filename"]))
    if not wheels:
        raise SystemExit(f"no wheel for {name}=={version}")
    f = wheels[0]
    if f.get("core-metadata") or f.get("data-dist-info-metadata"):
        with urllib.request.urlopen(f["url"] + ".metadata", timeout=60) as r:
            return f["filename"], r.read()
    with urllib.request.urlopen(f["url"], timeout=300) as r:
        archive = zipfile.ZipFile(io.BytesIO(r.read()))
    member = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
    return f["filename"], archive.read(member)


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    for name, version in ENVIRONMENT.items():
        wheel, data = metadata_for(name, version)
        dist = wheel.split("-")[0]  # the wheel's escaped name, as pip names the .dist-info folder
        target = OUT / f"{dist}-{version}.dist-info"
        target.mkdir()
        (target / "METADATA").write_bytes(data)
        print(f"{target.name}: {len(data)} bytes from {wheel}")
    freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--path", str(OUT)], capture_output=True,
                            text=True, check=True).stdout
    (OUT.parent / "requirements" / "freeze.txt").write_text(freeze)


if __name__ == "__main__":
    main()
