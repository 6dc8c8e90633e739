"""kgate sign / verify / digest end to end, and interop both ways with the
pinned model-signing package (the OpenSSF reference implementation).

Keys are generated per test with openssl; nothing secret is committed.
Every tamper case must fail verification (exit 1) with a message that says
what; where model-signing can check the same bundle, it must agree.
"""
import base64
import hashlib
import json
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT, keypair, run_kgate

KERAS_MODEL = ROOT / "examples" / "digits_cnn" / "1" / "model.keras"
TOOLS = ROOT / "tools" / "trust"


def model_signing(*args):
    proc = subprocess.run([sys.executable, "-m", "model_signing", *map(str, args)],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def model_dir(tmp_path):
    """A model folder: a real .keras file, a config and a weights blob."""
    d = tmp_path / "model"
    (d / "variables").mkdir(parents=True)
    shutil.copy(KERAS_MODEL, d / "model.keras")
    (d / "config.json").write_text('{"class_name": "Sequential"}')
    (d / "variables" / "weights.bin").write_bytes(bytes(range(256)) * 64)
    return d


@pytest.fixture
def key(tmp_path):
    return keypair(tmp_path)


def sign(model, priv, *extra):
    r = run_kgate("sign", model, "--private-key", priv, *extra)
    assert r.code == 0, r.stderr
    return r


def signed_keras_copy(tmp_path, priv):
    """A copy of the example .keras file, signed (model.sig beside it)."""
    model = tmp_path / "model.keras"
    shutil.copy(KERAS_MODEL, model)
    sign(model, priv)
    return model


def verify_fails(model, pub, *extra):
    r = run_kgate("verify", model, "--public-key", pub, *extra)
    assert r.code == 1, (r.stdout, r.stderr)
    assert r.stderr.startswith("FAILED "), r.stderr
    return r.stderr


# --- round trips -------------------------------------------------------------

def test_round_trip_directory(model_dir, key):
    priv, pub = key
    out = sign(model_dir, priv).stdout
    assert "3 file(s)" in out and (model_dir / "model.sig").exists()
    r = run_kgate("verify", model_dir, "--public-key", pub)
    assert r.code == 0, r.stderr
    assert r.stdout.startswith(f"verified {model_dir}: 3 file(s)")
    assert "predicate https://model_signing/signature/v1.0" in r.stdout


@pytest.mark.parametrize("curve", ["prime256v1", "secp384r1", "secp521r1"])
def test_round_trip_single_file_every_curve(tmp_path, curve):
    priv, pub = keypair(tmp_path, curve=curve)
    model = tmp_path / "m.keras"
    shutil.copy(KERAS_MODEL, model)
    sign(model, priv, "--signature", tmp_path / "m.sig")
    r = run_kgate("verify", model, "--public-key", pub, "--signature", tmp_path / "m.sig", "--format", "json")
    assert r.code == 0, r.stdout
    report = r.json()
    assert report["verified"] and report["files"] == 1


def test_digest_matches_sha256sum_and_signature_subject(model_dir, key):
    r = run_kgate("digest", model_dir / "model.keras")
    assert r.code == 0
    file_hex = hashlib.sha256(KERAS_MODEL.read_bytes()).hexdigest()
    assert r.stdout.splitlines()[0] == f"{file_hex}  ."
    # The folder's model digest is the subject digest model-signing signs.
    digest = run_kgate("digest", model_dir, "--format", "json").json()
    assert [x["name"] for x in digest["resources"]] == ["config.json", "model.keras", "variables/weights.bin"]
    code, out = model_signing("sign", "key", model_dir, "--private_key", key[0], "--signature", model_dir / "model.sig")
    assert code == 0, out
    bundle = json.loads((model_dir / "model.sig").read_text())
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    assert statement["subject"][0]["digest"]["sha256"] == digest["digest"]["sha256"]
    assert {x["name"]: x["sha256"] for x in digest["resources"]} == \
        {x["name"]: x["digest"] for x in statement["predicate"]["resources"]}


# --- interop with model-signing ----------------------------------------------

@pytest.mark.parametrize("curve", ["prime256v1", "secp384r1"])
def test_model_signing_verifies_kgate_signatures(model_dir, tmp_path, curve):
    priv, pub = keypair(tmp_path, curve=curve)
    sign(model_dir, priv)
    code, out = model_signing("verify", "key", model_dir, "--signature", model_dir / "model.sig", "--public_key", pub)
    assert code == 0 and "Verification succeeded" in out, out
    # ... and agrees when the model is tampered with.
    (model_dir / "config.json").write_text('{"class_name": "Lambda"}')
    code, out = model_signing("verify", "key", model_dir, "--signature", model_dir / "model.sig", "--public_key", pub)
    assert code == 1 and "config.json" in out, out


def test_model_signing_verifies_kgate_single_file_signature(tmp_path, key):
    priv, pub = key
    model = tmp_path / "m.keras"
    shutil.copy(KERAS_MODEL, model)
    sign(model, priv, "--signature", tmp_path / "m.sig")
    code, out = model_signing("verify", "key", model, "--signature", tmp_path / "m.sig", "--public_key", pub)
    assert code == 0, out


@pytest.mark.parametrize("curve", ["prime256v1", "secp384r1"])
def test_kgate_verifies_model_signing_signatures(model_dir, tmp_path, curve):
    priv, pub = keypair(tmp_path, curve=curve)
    code, out = model_signing("sign", "key", model_dir, "--private_key", priv, "--signature", model_dir / "model.sig")
    assert code == 0, out
    r = run_kgate("verify", model_dir, "--public-key", pub)
    assert r.code == 0, r.stderr
    (model_dir / "variables" / "weights.bin").write_bytes(b"\0" * 100)
    assert "changed: variables/weights.bin" in verify_fails(model_dir, pub)


def test_kgate_verifies_model_signing_single_file(tmp_path, key):
    priv, pub = key
    model = tmp_path / "m.keras"
    shutil.copy(KERAS_MODEL, model)
    code, out = model_signing("sign", "key", model, "--private_key", priv, "--signature", tmp_path / "m.sig")
    assert code == 0, out
    r = run_kgate("verify", model, "--public-key", pub, "--signature", tmp_path / "m.sig")
    assert r.code == 0, r.stderr


def test_kgate_verifies_model_signing_shard_signature(model_dir, key):
    """model-signing's shard serialization (API only; its CLI signs per file)."""
    priv, pub = key
    sig = model_dir / "model.sig"
    script = (
        "import sys, model_signing\n"
        "h = model_signing.hashing.Config().use_shard_serialization(shard_size=10000)\n"
        "h.set_ignored_paths(paths=['model.sig'])\n"
        "model_signing.signing.Config().use_elliptic_key_signer(private_key=sys.argv[2])"
        ".set_hashing_config(h).sign(sys.argv[1], sys.argv[3])\n"
    )
    subprocess.run([sys.executable, "-c", script, model_dir, priv, sig], check=True)
    statement = json.loads(base64.b64decode(json.loads(sig.read_text())["dsseEnvelope"]["payload"]))
    assert statement["predicate"]["serialization"]["method"] == "shards"
    r = run_kgate("verify", model_dir, "--public-key", pub)
    assert r.code == 0, r.stderr
    data = bytearray((model_dir / "variables" / "weights.bin").read_bytes())
    data[15000] ^= 1
    (model_dir / "variables" / "weights.bin").write_bytes(bytes(data))
    assert "changed: variables/weights.bin:10000:16384" in verify_fails(model_dir, pub)


def test_kgate_verifies_legacy_v01_bundle(model_dir, key):
    """model-signing 0.2's predicate and PAE encoding, made by the real package."""
    priv, pub = key
    sig = model_dir / "model.sig"
    subprocess.run([sys.executable, TOOLS / "make_legacy_bundle.py", model_dir, priv, sig], check=True)
    code, out = model_signing("verify", "key", model_dir, "--signature", sig, "--public_key", pub)
    assert code == 0, out  # the reference accepts it too
    r = run_kgate("verify", model_dir, "--public-key", pub, "--format", "json")
    assert r.code == 0, r.stdout
    report = r.json()
    assert report["predicate_type"] == "https://model_signing/Digests/v0.1"
    (model_dir / "extra.txt").write_text("x")
    assert "extra: extra.txt" in verify_fails(model_dir, pub)


# --- tamper cases --------------------------------------------------------------

def test_one_byte_in_the_weights(tmp_path, key):
    priv, pub = key
    model = signed_keras_copy(tmp_path, priv)
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 1
    model.write_bytes(bytes(data))
    assert "changed: . (signed sha256 " in verify_fails(model, pub)


def test_replaced_config_json(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    (model_dir / "config.json").write_text('{"class_name": "Lambda"}')
    assert "changed: config.json" in verify_fails(model_dir, pub)


def test_replaced_config_inside_keras_archive(tmp_path, key):
    priv, pub = key
    model = signed_keras_copy(tmp_path, priv)
    with zipfile.ZipFile(KERAS_MODEL) as src, zipfile.ZipFile(model, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "config.json":
                data = data.replace(b'"relu"', b'"tanh"', 1)
            dst.writestr(info, data)
    assert "changed: ." in verify_fails(model, pub)


def test_rezipped_archive_with_identical_content(tmp_path, key):
    """Same members, same bytes, different archive: what is signed is the file."""
    priv, pub = key
    model = signed_keras_copy(tmp_path, priv)
    with zipfile.ZipFile(KERAS_MODEL) as src, zipfile.ZipFile(model, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    with zipfile.ZipFile(KERAS_MODEL) as a, zipfile.ZipFile(model) as b:
        assert [(i.filename, a.read(i)) for i in a.infolist()] == [(i.filename, b.read(i)) for i in b.infolist()]
    assert "changed: ." in verify_fails(model, pub)


def test_added_file(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    (model_dir / "variables" / "evil.py").write_text("import os")
    assert "extra: variables/evil.py (on disk, not signed)" in verify_fails(model_dir, pub)


def test_removed_file(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    (model_dir / "config.json").unlink()
    assert "missing: config.json (signed, not on disk)" in verify_fails(model_dir, pub)


def test_renamed_file(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    (model_dir / "model.keras").rename(model_dir / "model2.keras")
    assert "renamed: model.keras -> model2.keras" in verify_fails(model_dir, pub)


def test_signature_from_untrusted_key(model_dir, tmp_path, key):
    sign(model_dir, keypair(tmp_path, "other")[0])
    err = verify_fails(model_dir, key[1])
    assert "signed by an untrusted key: the bundle names key sha256:" in err


def test_truncated_bundle(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    sig = model_dir / "model.sig"
    sig.write_bytes(sig.read_bytes()[:-40])
    assert "signature bundle is not valid JSON" in verify_fails(model_dir, pub)


def test_wrong_payload_type(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    sig = model_dir / "model.sig"
    bundle = json.loads(sig.read_text())
    bundle["dsseEnvelope"]["payloadType"] = "application/json"
    sig.write_text(json.dumps(bundle))
    assert "/dsseEnvelope/payloadType: is 'application/json'" in verify_fails(model_dir, pub)


def test_manifest_does_not_match_subject_digest(model_dir, key):
    priv, pub = key
    sign(model_dir, priv)
    sig = model_dir / "model.sig"
    subprocess.run([sys.executable, TOOLS / "resign_statement.py", sig, priv, sig,
                    "s['subject'][0]['digest'].update(sha256='00'*32)"], check=True)
    err = verify_fails(model_dir, pub)
    assert "signed statement is inconsistent: /subject/0/digest/sha256 is 0000" in err
    code, out = model_signing("verify", "key", model_dir, "--signature", sig, "--public_key", pub)
    assert code == 1 and "Manifest is inconsistent" in out, out


def test_symlink_in_model_refused(model_dir, key, tmp_path):
    priv, pub = key
    sign(model_dir, priv)
    (tmp_path / "outside").write_text("x")
    (model_dir / "link").symlink_to(tmp_path / "outside")
    assert "link: is a symlink" in verify_fails(model_dir, pub)


# --- could not run (exit 2) ---------------------------------------------------

def test_usage_errors(model_dir, key, tmp_path):
    priv, pub = key
    assert run_kgate("verify", model_dir, "--public-key", pub).code == 2  # no model.sig
    assert run_kgate("sign", model_dir).code == 2  # no key
    (tmp_path / "not_a_key.pem").write_text("hello")
    r = run_kgate("sign", model_dir, "--private-key", tmp_path / "not_a_key.pem")
    assert r.code == 2 and "not a PEM private key" in r.stderr
    r = run_kgate("verify", model_dir, "--public-key", priv)
    assert r.code == 2 and "not a PEM public key" in r.stderr
    assert run_kgate("digest", tmp_path / "missing").code == 2
