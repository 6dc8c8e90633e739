"""End-to-end tests of `kgate audit` and `kgate outdated` on the real binary.

Inputs are the fixtures made by real tools (tests/deps/fixtures: pip-installed
METADATA, pip freeze, uv, poetry, pipenv); the database is the bundled
snapshot unless a test builds its own. The comparison test runs the
independent OSV implementation in tools/deps/osv_reference.py.
"""
import json
import pathlib
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, kgate_bin, run_kgate

FIX = ROOT / "tests" / "deps" / "fixtures"
DB = ROOT / "data" / "osv"


def audit(*args, cwd=None):
    proc = subprocess.run([kgate_bin(), "audit", *map(str, args)], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert proc.returncode >= 0, proc.stderr
    return proc


def test_environment_json_shape_paths_and_exit_code():
    p = audit("--path", FIX / "site-packages", "--format", "json")
    assert p.returncode == 1, p.stderr
    r = json.loads(p.stdout)
    assert r["database"]["advisories"] == 1513
    assert r["database"]["snapshot"] == "2026-07-23T14:42:31+00:00"
    assert "advisory-database" in r["database"]["source"]
    assert len(r["packages"]) == 18
    by_id = {f["id"]: f for f in r["findings"]}
    assert by_id["PYSEC-2023-117"]["path"] == ["keras 3.10.0", "rich 13.7.1", "Pygments 2.14.0"]
    assert by_id["PYSEC-2023-117"]["fixed_in"] == ["2.15.1"]
    assert r["findings"][0]["package"] == "keras"  # the framework first
    assert {f["severity"] for f in r["findings"]} <= {"critical", "high", "medium", "low", "none", "unknown"}
    assert any("PYSEC-2025-75" in w for w in r["warnings"])  # range-less keras record
    assert {"package": "keras", "version": "3.10.0", "fix": "3.14.0"} in r["fixes"]


def test_fail_on_threshold_and_unknown_severity():
    # No critical findings here, but three with no CVSS vector: unknown fails closed.
    assert audit("--path", FIX / "site-packages", "--fail-on", "critical").returncode == 1
    assert audit("--path", FIX / "site-packages", "--fail-on", "critical", "--ignore-unknown-severity").returncode == 0
    assert audit("--path", FIX / "site-packages", "--fail-on", "high", "--ignore-unknown-severity").returncode == 1


def test_requirements_with_includes_and_not_audited_lines():
    p = audit("-r", FIX / "requirements" / "requirements.txt", "--format", "json")
    assert p.returncode == 1, p.stderr
    r = json.loads(p.stdout)
    reasons = {n["line"]: n["reason"] for n in r["not_audited"]}
    assert reasons["jax>=0.4.20"].startswith("not pinned")
    assert "editable" in reasons["git+https://github.com/example/internal.git#egg=internal"]
    pkgs = {p["name"]: p["version"] for p in r["packages"]}
    assert pkgs["protobuf"] == "3.20.1"  # from the -r include
    ids = {(f["package"], f["id"]) for f in r["findings"]}
    assert ("protobuf", "PYSEC-2026-899") in ids  # [3.20.0, 3.20.2)
    # torch 2.6.0+cu124 and the last_affected '2.6.0-NA' records: approximate matches, flagged.
    approx = [f for f in r["findings"] if f["package"] == "torch" and f["approximate"]]
    assert {f["id"] for f in approx} >= {"PYSEC-2025-192", "PYSEC-2025-197"}


@pytest.mark.parametrize("lockfile", ["uv.lock", "pylock.toml", "poetry.lock", "Pipfile.lock"])
def test_every_lockfile_format(lockfile):
    p = audit("--lock", FIX / "lockfiles" / lockfile, "--format", "json")
    assert p.returncode == 1, p.stderr
    r = json.loads(p.stdout)
    ids = {(f["package"], f["id"]) for f in r["findings"]}
    assert ("keras", "PYSEC-2026-2324") in ids
    assert ("pygments", "PYSEC-2023-117") in {(f["package"].lower(), f["id"]) for f in r["findings"]}


def test_clean_input_exits_zero(tmp_path):
    req = tmp_path / "requirements.txt"
    req.write_text("keras==3.14.0\nh5py==3.16.0\n")
    p = audit("-r", req)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "0 findings" in p.stdout


def test_usage_errors_exit_two(tmp_path):
    p = audit("-r", tmp_path / "missing.txt")
    assert p.returncode == 2 and "missing.txt" in p.stderr
    p = audit("--path", FIX / "site-packages", "--format", "xml")
    assert p.returncode == 2 and "--format must be" in p.stderr
    p = audit("--path", FIX / "site-packages", "--fail-on", "severe")
    assert p.returncode == 2 and "--fail-on must be" in p.stderr
    assert audit().returncode == 2
    p = audit("--path", FIX / "site-packages", "--db", tmp_path / "nodb")
    assert p.returncode == 2 and "no such OSV database" in p.stderr


def record(rec_id, name, events, **extra):
    return {"id": rec_id, "modified": "2026-01-02T00:00:00Z", "aliases": [f"CVE-2099-{rec_id[-1]}"],
            "summary": f"{rec_id} summary", **extra,
            "affected": [{"package": {"ecosystem": "PyPI", "name": name},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}


def test_custom_db_directory_and_all_zip(tmp_path):
    recs = [record("TEST-1", "demo", [{"introduced": "1.0"}, {"fixed": "1.2"}],
                   severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]),
            record("TEST-2", "demo", [{"introduced": "0"}], withdrawn="2026-01-03T00:00:00Z")]
    d = tmp_path / "db" / "PyPI"
    d.mkdir(parents=True)
    for r in recs:
        (d / f"{r['id']}.json").write_text(json.dumps(r))
    z = tmp_path / "all.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for r in recs:
            zf.writestr(f"{r['id']}.json", json.dumps(r))
    req = tmp_path / "r.txt"
    req.write_text("demo==1.1\n")
    for db in (tmp_path / "db", z):
        p = audit("-r", req, "--db", db, "--format", "json")
        assert p.returncode == 1, p.stderr
        r = json.loads(p.stdout)
        assert r["database"]["advisories"] == 2 and r["database"]["snapshot"] == "2026-01-02T00:00:00Z"
        assert [(f["id"], f["severity"], f["score"]) for f in r["findings"]] == [("TEST-1", "critical", 9.8)]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "X.json").write_text('{"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, '
                                '"ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1"}]}]}]}')
    p = audit("-r", req, "--db", bad)
    assert p.returncode == 2 and "X.json: /affected/0/ranges/0: a range needs at least one 'introduced'" in p.stderr


def test_ignore_file_default_and_explicit(tmp_path):
    (tmp_path / ".kgate-audit.toml").write_text(
        '[[ignore]]\nid = "CVE-2022-40896"\nreason = "no untrusted input reaches pygments"\nexpires = 9999-12-31\n')
    p = audit("--path", FIX / "site-packages", "--format", "json", cwd=tmp_path)
    r = json.loads(p.stdout)
    assert "PYSEC-2023-117" not in {f["id"] for f in r["findings"]}
    assert r["ignored"][0]["ignore"]["reason"] == "no untrusted input reaches pygments"
    expired = tmp_path / "expired.toml"
    expired.write_text('[[ignore]]\nid = "PYSEC-2023-117"\nreason = "old"\nexpires = 2000-01-01\n')
    r = json.loads(audit("--path", FIX / "site-packages", "--format", "json", "--ignore-file", expired).stdout)
    assert "PYSEC-2023-117" in {f["id"] for f in r["findings"]}
    assert any("expired on 2000-01-01" in w for w in r["warnings"])
    broken = tmp_path / "broken.toml"
    broken.write_text('[[ignore]]\nid = "PYSEC-2023-117"\nexpires = 2030-01-01\n')
    p = audit("--path", FIX / "site-packages", "--ignore-file", broken)
    assert p.returncode == 2 and "'reason' is required" in p.stderr


def test_sarif_cyclonedx_markdown(tmp_path):
    sarif = json.loads(audit("--path", FIX / "site-packages", "--format", "sarif").stdout)
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0" and run["results"]
    assert all("security-severity" in rule["properties"] or True for rule in run["tool"]["driver"]["rules"])
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert {res["ruleId"] for res in run["results"]} <= rule_ids
    req = json.loads(audit("-r", FIX / "requirements" / "requirements.txt", "--format", "sarif").stdout)
    loc = req["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].endswith(".txt") and loc["region"]["startLine"] > 0
    bom = json.loads(audit("--path", FIX / "site-packages", "--format", "cyclonedx").stdout)
    assert bom["bomFormat"] == "CycloneDX" and len(bom["components"]) == 18 and bom["vulnerabilities"]
    refs = {c["bom-ref"] for c in bom["components"]}
    assert all(a["ref"] in refs for v in bom["vulnerabilities"] for a in v["affects"])
    md = audit("--path", FIX / "site-packages", "--format", "markdown").stdout
    assert md.startswith("## kgate audit") and "| package | version |" in md
    out = tmp_path / "report.json"
    assert audit("--path", FIX / "site-packages", "--format", "json", "--output", out).returncode == 1
    assert json.loads(out.read_text())["findings"]


def test_matches_an_independent_osv_implementation():
    """kgate against tools/deps/osv_reference.py (packaging + the OSV spec text) on a
    sample (every 50th) of every boundary version in the snapshot; the only allowed differences
    are the matches kgate marks approximate (non-PEP 440 events, docs/audit.md)."""
    sys.path.insert(0, str(ROOT / "tools" / "deps"))
    import osv_reference
    result = osv_reference.compare(DB, kgate_bin(), every=50)
    assert result["pins"] > 150
    assert result["kgate_findings"] > 3000
    assert result["missing_in_kgate"] == [] and result["extra_in_kgate"] == []


def test_outdated_from_an_index_snapshot(tmp_path):
    index = tmp_path / "index.json"
    index.write_text(json.dumps({"source": "test snapshot", "snapshot": "2026-11-22",
                                 "packages": {"keras": ["3.10.0", "3.14.0", "3.15.0rc1"], "numpy": "1.26.4"}}))
    p = run_kgate("outdated", "--path", FIX / "site-packages", "--index", index, "--format", "json")
    assert p.code == 1, p.stderr
    rows = {r["name"]: r for r in p.json()["packages"]}
    assert rows["keras"]["state"] == "outdated" and rows["keras"]["latest"] == "3.14.0"
    assert rows["numpy"]["state"] == "current"
    assert rows["rich"]["state"] == "unknown" and rows["rich"]["note"] == "not in the index snapshot"
    text = run_kgate("outdated", "--path", FIX / "site-packages", "--index", index)
    assert "unknown (not in the index snapshot)" in text.stdout
    p = run_kgate("outdated", "--path", FIX / "site-packages")
    assert p.code == 2 and "--index" in p.stderr


def test_database_location_order(tmp_path):
    """An installed kgate (bin/kgate) uses share/kgate/osv beside it before the
    source tree's copy; $KGATE_OSV_DB wins and is used as is."""
    import os
    import shutil
    (tmp_path / "bin").mkdir()
    exe = tmp_path / "bin" / "kgate"
    shutil.copy(kgate_bin(), exe)
    share = tmp_path / "share" / "kgate" / "osv"
    share.mkdir(parents=True)
    (share / "TEST-9.json").write_text(json.dumps(record("TEST-9", "demo", [{"introduced": "0"}])))
    req = tmp_path / "r.txt"
    req.write_text("demo==1.0\n")
    env = {k: v for k, v in os.environ.items() if k != "KGATE_OSV_DB"}
    p = subprocess.run([str(exe), "audit", "-r", str(req), "--format", "json"], capture_output=True, text=True, env=env)
    r = json.loads(p.stdout)
    assert r["database"]["advisories"] == 1 and [f["id"] for f in r["findings"]] == ["TEST-9"]
    p = subprocess.run([str(exe), "audit", "-r", str(req)], capture_output=True, text=True,
                       env={**env, "KGATE_OSV_DB": str(tmp_path / "nowhere")})
    assert p.returncode == 2 and "nowhere: no such OSV database" in p.stderr
    p = subprocess.run([str(exe), "audit", "-r", str(req), "--format", "json"], capture_output=True, text=True,
                       env={**env, "KGATE_OSV_DB": str(DB)})
    assert json.loads(p.stdout)["database"]["advisories"] == 1513


def test_outdated_from_pypi_json_documents(tmp_path):
    docs = tmp_path / "pypi"
    docs.mkdir()
    (docs / "keras.json").write_text(json.dumps({"info": {"name": "keras"}, "releases": {
        "3.10.0": [{"yanked": False}], "3.13.0": [{"yanked": False}], "3.14.0": [{"yanked": True}]}}))
    req = tmp_path / "r.txt"
    req.write_text("keras==3.10.0\n")
    p = run_kgate("outdated", "-r", req, "--index", docs, "--format", "json")
    assert p.code == 1
    row = p.json()["packages"][0]
    assert (row["state"], row["latest"]) == ("outdated", "3.13.0")  # 3.14.0 is yanked
