"""kgate scan / inspect on the malicious and benign fixtures made by tools/fixtures."""
import json
import random

import pytest

from conftest import FIXTURES, ROOT, run_kgate

MANIFEST = FIXTURES / "malicious" / "manifest.json"


def manifest_entries():
    if not MANIFEST.exists():
        return []
    data = json.loads(MANIFEST.read_text())
    return data if isinstance(data, list) else data.get("files", [])


@pytest.mark.parametrize("entry", manifest_entries(), ids=lambda e: e["file"])
def test_every_malicious_file_gets_its_rules(entry):
    path = FIXTURES / "malicious" / entry["file"]
    res = run_kgate("scan", "--format", "json", path)
    report = res.json()
    assert len(report["files"]) == 1
    f = report["files"][0]
    rules = {x["rule"] for x in f["findings"]}
    if entry["rules"]:
        assert res.code == 1, f"{entry['file']}: expected exit 1, got {res.code}: {res.stderr}"
        assert f["verdict"] == "reject"
        missing = set(entry["rules"]) - rules
        assert not missing, f"{entry['file']} ({entry.get('description')}): missing {missing}, got {sorted(rules)}"
    else:
        assert res.code == 0, f"{entry['file']} should be accepted: {f['findings']}"
        assert f["verdict"] == "accept"
    for finding in f["findings"]:
        assert finding["severity"] in {"critical", "high", "medium", "low", "info"}
        assert finding["message"] and finding["location"] is not None


@pytest.mark.parametrize("entry", manifest_entries(), ids=lambda e: e["file"])
def test_inspect_refuses_exactly_what_scan_rejects(entry):
    path = FIXTURES / "malicious" / entry["file"]
    scan = run_kgate("scan", "--format", "json", path)
    inspect = run_kgate("inspect", "--format", "json", path)
    verdict = scan.json()["files"][0]["verdict"]
    assert (inspect.code == 1) == (verdict == "reject"), (entry["file"], inspect.code, verdict)
    if verdict == "accept":
        assert inspect.code == 0


def test_example_model_is_accepted_and_described():
    path = ROOT / "examples" / "digits_cnn" / "1" / "model.keras"
    res = run_kgate("inspect", "--format", "json", path)
    assert res.code == 0, res.stderr
    info = res.json()
    assert info["format"] == "keras_v3"
    assert info["inputs"][0]["shape"] == [None, 28, 28, 1]
    assert info["outputs"][0]["shape"] == [None, 10]
    assert info["total_params"] == sum(layer["params"] for layer in info["layers"])
    text = run_kgate("inspect", path)
    assert text.code == 0 and "Total params" in text.stdout


def test_scan_directory_and_exit_codes(tmp_path):
    res = run_kgate("scan", ROOT / "examples")
    assert res.code == 0, res.stdout
    assert "ACCEPT" in res.stdout
    assert run_kgate("scan", tmp_path / "missing.keras").code == 2
    assert run_kgate("scan", "--bogus", ROOT / "examples").code == 2
    assert run_kgate("scan").code == 2
    assert run_kgate("inspect").code == 2
    assert run_kgate("frobnicate").code == 2


def test_sarif_is_well_formed():
    bad = [e for e in manifest_entries() if e["rules"]][:5]
    paths = [FIXTURES / "malicious" / e["file"] for e in bad] or [ROOT / "examples"]
    res = run_kgate("scan", "--format", "sarif", *paths)
    sarif = res.json()
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        assert result["level"] in {"error", "warning", "note"}
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_garbage_and_truncations_never_crash(tmp_path):
    rng = random.Random(1234)
    junk = tmp_path / "junk.keras"
    junk.write_bytes(bytes(rng.getrandbits(8) for _ in range(4096)))
    res = run_kgate("scan", "--format", "json", junk)
    assert res.code == 1
    assert "KG-F001" in {f["rule"] for f in res.json()["files"][0]["findings"]}

    model = (ROOT / "examples" / "digits_cnn" / "1" / "model.keras").read_bytes()
    cut = tmp_path / "cut.keras"
    for n in sorted({0, 1, 4, 30, 100, 1000, len(model) // 3, len(model) // 2, len(model) - 22, len(model) - 1}):
        cut.write_bytes(model[:n])
        res = run_kgate("scan", "--format", "json", cut)
        assert res.code == 1, f"truncated at {n}: exit {res.code}"
        assert res.json()["files"][0]["verdict"] == "reject"


def test_rules_command_lists_catalogue():
    res = run_kgate("rules", "--format", "json")
    assert res.code == 0
    ids = [r["id"] for r in res.json()]
    assert "KG-K001" in ids and "KG-H002" in ids and ids == sorted(ids)
