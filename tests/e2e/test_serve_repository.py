"""kgate serve with a model repository that changes while it serves: the real
binary on 127.0.0.1, polling every 0.1 s. New versions are picked up, broken,
unsigned and tampered ones never replace what serves, removed ones go away,
version policies choose what loads, and a kgate.yaml cannot loosen the
server's trust policy. Each wait is a bounded polling loop on an observable
state (a reply or a log line), never a sleep standing in for an assertion."""
import json
import shutil
import time

import numpy as np
import pytest
import requests

from conftest import ROOT, SERVE_WAIT_S, keypair, run_kgate

EXAMPLE = ROOT / "examples" / "digits_cnn" / "1" / "model.keras"
SAMPLE = ROOT / "examples" / "digits_cnn" / "sample_input.npy"


def put(repo, model, version, source=EXAMPLE):
    folder = repo / model / str(version)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source, folder / "model.keras")
    return folder / "model.keras"


def put_broken(repo, model, version):
    folder = repo / model / str(version)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.keras").write_bytes(b"PK\x03\x04 not really a zip archive")


def write_yaml(path, text):
    # Written beside and renamed, so a poll never reads half a file.
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    tmp.rename(path)


def sign(model_file, priv):
    r = run_kgate("sign", model_file, "--private-key", priv)
    assert r.code == 0, r.stderr


def trust_config(tmp_path, repo, pub):
    config = tmp_path / "server.yaml"
    config.write_text(f"repository:\n  path: {repo.name}\ntrust:\n  require_signature: true\n"
                      f"  trusted_keys: [{pub}]\n")
    return config


def predict(server, model, version=None):
    x = np.load(SAMPLE)
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version else "") + ":predict"
    return requests.post(server.url + path, json={"instances": x.tolist()}, timeout=30)


def test_new_version_is_served_after_a_poll(tmp_path, servers):
    repo = tmp_path / "repo"
    put(repo, "digits", 1)
    server = servers("--model-repository", repo)
    assert server.versions("digits") == [1]
    put(repo, "digits", 2)
    server.wait_for_versions("digits", [2])
    r = predict(server, "digits")
    assert r.status_code == 200, r.text
    assert "model 'digits' version 1 unloaded" in server.log()


def test_broken_new_version_does_not_replace_the_old_one(tmp_path, servers):
    repo = tmp_path / "repo"
    put(repo, "digits", 1)
    server = servers("--model-repository", repo)
    put_broken(repo, "digits", 2)
    server.wait_for_log("model 'digits' version 2 not loaded (scan)")
    assert server.versions("digits") == [1]
    assert predict(server, "digits").status_code == 200
    r = predict(server, "digits", 2)
    assert r.status_code == 404 and "has no version 2 (served: 1)" in r.json()["error"]


def test_removed_version_and_model_disappear(tmp_path, servers):
    repo = tmp_path / "repo"
    put(repo, "digits", 1)
    put(repo, "digits", 2)
    put(repo, "other", 1)
    server = servers("--model-repository", repo, "--version-policy", "all")
    assert server.versions("digits") == [1, 2]
    shutil.rmtree(repo / "digits" / "2")
    server.wait_for_versions("digits", [1])
    shutil.rmtree(repo / "other")
    server.wait_for_versions("other", [])
    r = requests.get(f"{server.url}/v2/models/other/ready", timeout=10)
    assert r.status_code == 404 and "not served here" in r.json()["error"]


def test_version_policies(tmp_path, servers):
    repo = tmp_path / "repo"
    for v in (1, 2, 3):
        put(repo, "digits", v)
    server = servers("--model-repository", repo, "--version-policy", "latest:2")
    assert server.versions("digits") == [2, 3]
    write_yaml(repo / "digits" / "kgate.yaml", "versions:\n  specific: [1, 3]\n")
    server.wait_for_versions("digits", [1, 3])
    write_yaml(repo / "digits" / "kgate.yaml", "versions:\n  all: true\n")
    server.wait_for_versions("digits", [1, 2, 3])
    write_yaml(repo / "digits" / "kgate.yaml", "versions:\n  latest: 1\nlimits:\n  max_batch: 1\n")
    server.wait_for_versions("digits", [3])
    x = np.load(SAMPLE)
    r = requests.post(f"{server.url}/v1/models/digits:predict", json={"instances": np.concatenate([x, x]).tolist()},
                      timeout=30)
    assert r.status_code == 400 and "exceeds limits.max_batch 1" in r.json()["error"]
    # A bad kgate.yaml is refused with its key path; the model keeps serving as it was.
    write_yaml(repo / "digits" / "kgate.yaml", "versions:\n  latest: many\n")
    server.wait_for_log("kgate.yaml: versions.latest: expected an integer in 1..1024, got string \"many\"")
    assert server.versions("digits") == [3]


def test_unsigned_model_is_not_served_under_require_signature(tmp_path, servers):
    priv, pub = keypair(tmp_path)
    repo = tmp_path / "repo"
    model = put(repo, "digits", 1)
    config = trust_config(tmp_path, repo, pub)
    r = run_kgate("serve", "--config", config, "--port", "0", timeout=60)
    assert r.code == 1 and "unsigned" in r.stderr, r.stderr
    sign(model, priv)
    server = servers("--config", config)
    assert "signature verified" in server.log()
    put(repo, "digits", 2)  # unsigned
    server.wait_for_log("model 'digits' version 2 not loaded (unsigned)")
    assert server.versions("digits") == [1]
    assert predict(server, "digits").status_code == 200


def test_tampered_new_version_does_not_replace_the_signed_old_one(tmp_path, servers):
    priv, pub = keypair(tmp_path)
    repo = tmp_path / "repo"
    sign(put(repo, "digits", 1), priv)
    audit_log = tmp_path / "audit.jsonl"
    server = servers("--config", trust_config(tmp_path, repo, pub), "--audit-log", audit_log)
    # Version 2 is signed, then one byte changes: staged outside, moved in whole.
    staging = tmp_path / "staging"
    model = put(staging, "digits", 2)
    sign(model, priv)
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 1
    model.write_bytes(bytes(data))
    (staging / "digits" / "2").rename(repo / "digits" / "2")
    server.wait_for_log("model 'digits' version 2 not loaded (files-differ)")
    assert server.versions("digits") == [1]
    assert predict(server, "digits").status_code == 200
    # Counted in metrics and written to the audit log.
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    assert 'kgate_model_refusals_total{model="digits",reason="files-differ"} 1' in metrics, metrics
    end = time.monotonic() + SERVE_WAIT_S
    while time.monotonic() < end and "model_refused" not in (audit_log.read_text() if audit_log.exists() else ""):
        time.sleep(0.05)
    refused = [json.loads(line) for line in audit_log.read_text().splitlines()
               if json.loads(line)["event"] == "model_refused"]
    assert len(refused) == 1, refused
    assert refused[0]["model"] == "digits" and refused[0]["version"] == 2
    assert refused[0]["rules"] == ["files-differ"] and "does not verify" in refused[0]["detail"]
    # A signature from a key the server does not trust is no better.
    other_priv, _ = keypair(tmp_path, "other")
    sign(repo / "digits" / "2" / "model.keras", other_priv)
    server.wait_for_log("model 'digits' version 2 not loaded (untrusted-key)")
    assert server.versions("digits") == [1]


def test_kgate_yaml_that_loosens_the_server_policy_is_refused(tmp_path, servers):
    priv, pub = keypair(tmp_path)
    repo = tmp_path / "repo"
    sign(put(repo, "digits", 1), priv)
    config = trust_config(tmp_path, repo, pub)
    loosen = "trust:\n  require_signature: false\n"
    (repo / "digits" / "kgate.yaml").write_text(loosen)
    r = run_kgate("serve", "--config", config, "--port", "0", timeout=60)
    assert r.code == 2, r.stderr
    assert "kgate.yaml: trust.require_signature: false would loosen the server's trust policy" in r.stderr
    (repo / "digits" / "kgate.yaml").unlink()
    server = servers("--config", config)
    write_yaml(repo / "digits" / "kgate.yaml", "trust:\n  hygiene: \"off\"\n")
    server.wait_for_log("trust.hygiene: off would loosen the server's hygiene action (warn)")
    assert server.versions("digits") == [1]
    assert predict(server, "digits").status_code == 200


def test_config_file_errors_and_flag_overrides(tmp_path, servers):
    repo = tmp_path / "repo"
    put(repo, "digits", 1)
    put(repo, "digits", 2)
    bad = tmp_path / "bad.yaml"
    bad.write_text("server:\n  port: 8501\n  colour: blue\n")
    r = run_kgate("serve", "--config", bad, timeout=30)
    assert r.code == 2 and "bad.yaml: server.colour: unknown key" in r.stderr, r.stderr
    config = tmp_path / "server.yaml"
    config.write_text(json.dumps({"server": {"port": 1}, "repository": {"path": "repo", "versions": {"all": True},
                                                                        "poll_interval": 0}}))
    # --port and --version-policy override the file; its repository path is relative to it.
    server = servers("--config", config, "--version-policy", "latest:1")
    assert server.versions("digits") == [2]
