"""kgate serve's output checks (kgate.yaml `outputs:`), end to end: the real
binary on 127.0.0.1 serving outputs_probe, a model built by real Keras with
chosen weights (tools/serve/make_serve_fixtures.py) so that its rows are
confident or not, in range or not. Every expected flag is derived from
Keras's own outputs for those rows (outputs_probe.out*.npy), never written
by hand. flag: the reply carries the rows (TF Serving "kgate_flags", KServe
parameters, the X-Kgate-Flags header); reject: a 500 that says nothing of the
output, and the next request is answered; log: only the server log, the audit
log and the metrics see it."""
import json
import shutil

import numpy as np
import pytest
import requests
import tritonclient.http as triton

from conftest import FIXTURES, run_kgate

PROBE = FIXTURES / "serve" / "outputs_probe.keras"
X = np.load(FIXTURES / "serve" / "outputs_probe.in0.npy")
PROBS = np.load(FIXTURES / "serve" / "outputs_probe.out0.npy")  # Keras's softmax output
RAW = np.load(FIXTURES / "serve" / "outputs_probe.out1.npy")    # Keras's linear output

MIN_CONFIDENCE = 0.9
ALLOWED = [0, 2]
PROBE_YAML = f"""outputs:
  probs:
    simplex: {{tolerance: 1.0e-5, action: flag}}
    min_confidence: {{min: {MIN_CONFIDENCE}, action: flag}}
    allowed_classes: {{classes: {ALLOWED}, action: flag}}
  raw:
    range: {{min: -1, max: 1, action: log}}
"""
STRICT_YAML = """outputs:
  raw:
    range: {min: -1, max: 1, action: reject}
"""
GENERIC = "the model's output did not pass the server's output checks"


def rows(mask):
    return [int(i) for i in np.flatnonzero(mask)]


def expected_flags(probs, raw):
    """What each rule says about Keras's outputs, in the spec's rule order."""
    flags = {
        "probs:simplex": rows((probs < 0).any(axis=1) | (np.abs(probs.astype(np.float64).sum(axis=1) - 1) > 1e-5)),
        "probs:min_confidence": rows(probs.max(axis=1) < np.float32(MIN_CONFIDENCE)),
        "probs:allowed_classes": rows(~np.isin(probs.argmax(axis=1), ALLOWED)),
    }
    logged = {"raw:range": rows(((raw < -1) | (raw > 1)).any(axis=1))}
    return {k: v for k, v in flags.items() if v}, {k: v for k, v in logged.items() if v}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import Server  # the shared running-server helper
    tmp = tmp_path_factory.mktemp("outputs")
    repo = tmp / "repo"
    for name, yaml in [("probe", PROBE_YAML), ("strict", STRICT_YAML)]:
        (repo / name / "1").mkdir(parents=True)
        shutil.copy(PROBE, repo / name / "1" / "model.keras")
        (repo / name / "kgate.yaml").write_text(yaml)
    audit = tmp / "audit.log"
    s = Server("--model-repository", repo, "--audit-log", audit)
    s.audit = audit
    yield s
    s.stop()


def test_fixture_exercises_every_rule():
    flags, logged = expected_flags(PROBS, RAW)
    # The fixture was built so that some rows break each rule but not all do.
    assert set(flags) == {"probs:min_confidence", "probs:allowed_classes"}, flags
    assert set(logged) == {"raw:range"}
    assert all(0 < len(r) < len(X) for r in [*flags.values(), *logged.values()])


def test_tfs_reply_carries_the_flagged_rows(server):
    want, _ = expected_flags(PROBS, RAW)
    r = requests.post(f"{server.url}/v1/models/probe:predict", json={"instances": X.tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    got = {f"{f['output']}:{f['rule']}": f["rows"] for f in body["kgate_flags"]}
    assert got == want
    assert all(f["count"] == len(f["rows"]) for f in body["kgate_flags"])
    assert r.headers["X-Kgate-Flags"] == ",".join(want)
    pred = body["predictions"]
    np.testing.assert_allclose(np.array([p["probs"] for p in pred], np.float32), PROBS, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.array([p["raw"] for p in pred], np.float32), RAW, rtol=1e-5, atol=1e-6)
    # Columnar form: the same flags beside "outputs".
    c = requests.post(f"{server.url}/v1/models/probe:predict", json={"inputs": X.tolist()}, timeout=30)
    assert {f"{f['output']}:{f['rule']}": f["rows"] for f in c.json()["kgate_flags"]} == want


@pytest.mark.parametrize("binary", [False, True])
def test_kserve_reply_names_the_flags_for_tritonclient(server, binary):
    want, _ = expected_flags(PROBS, RAW)
    client = triton.InferenceServerClient(server.url.removeprefix("http://"))
    x = triton.InferInput("x", list(X.shape), "FP32")
    x.set_data_from_numpy(X, binary_data=binary)
    result = client.infer("probe", [x], outputs=[triton.InferRequestedOutput("probs", binary_data=binary)])
    assert result.get_response()["parameters"]["kgate_flags"] == ",".join(want)
    np.testing.assert_allclose(result.as_numpy("probs"), PROBS, rtol=1e-5, atol=1e-6)


def test_confident_rows_carry_no_flags(server):
    clean = [i for i in range(len(X)) if not any(i in r for r in expected_flags(PROBS, RAW)[0].values())]
    assert clean
    r = requests.post(f"{server.url}/v1/models/probe:predict", json={"instances": X[clean].tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    assert "kgate_flags" not in r.json() and "X-Kgate-Flags" not in r.headers


def test_rejected_output_is_a_generic_500_and_the_next_request_is_answered(server):
    bad = rows(((RAW < -1) | (RAW > 1)).any(axis=1))
    good = [i for i in range(len(X)) if i not in bad]
    assert bad and good
    r = requests.post(f"{server.url}/v1/models/strict:predict", json={"instances": X.tolist()}, timeout=30)
    assert r.status_code == 500
    assert r.json() == {"error": GENERIC}
    k = requests.post(f"{server.url}/v2/models/strict/infer", timeout=30, json={
        "inputs": [{"name": "x", "shape": list(X.shape), "datatype": "FP32", "data": X.flatten().tolist()}]})
    assert k.status_code == 500 and k.json() == {"error": GENERIC}
    ok = requests.post(f"{server.url}/v1/models/strict:predict", json={"instances": X[good].tolist()}, timeout=30)
    assert ok.status_code == 200, ok.text
    np.testing.assert_allclose(np.array([p["raw"] for p in ok.json()["predictions"]], np.float32), RAW[good],
                               rtol=1e-5, atol=1e-6)
    server.wait_for_log("output check")  # the detail went to the server log


def test_log_rules_reach_the_audit_log_and_metrics_only(server):
    _, logged = expected_flags(PROBS, RAW)
    r = requests.post(f"{server.url}/v1/models/probe:predict", json={"instances": X.tolist()}, timeout=30)
    assert r.status_code == 200
    assert "raw" not in r.headers["X-Kgate-Flags"] and all(f["output"] != "raw" for f in r.json()["kgate_flags"])
    server.wait_for_log("output 'raw' broke rule range (log)")
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    assert 'kgate_output_rule_breaks_total{model="probe",rule="raw:range",action="log"}' in metrics
    lines = [json.loads(line) for line in server.audit.read_text().splitlines()]
    flagged = [line for line in lines if line["event"] == "output_flagged" and line["model"] == "probe"]
    assert flagged and "raw:range(log)" in flagged[-1]["rules"]
    refused = [line for line in lines if line["event"] == "refusal" and line["model"] == "strict"]
    assert refused and "raw:range" in refused[-1]["rules"] and refused[-1]["status"] == 500
    assert all("predictions" not in json.dumps(line) for line in lines)


def test_an_output_spec_that_does_not_fit_the_model_is_refused_with_file_and_key(tmp_path):
    repo = tmp_path / "repo"
    (repo / "probe" / "1").mkdir(parents=True)
    shutil.copy(PROBE, repo / "probe" / "1" / "model.keras")
    yaml = repo / "probe" / "kgate.yaml"
    for text, message in [
        ("outputs:\n  probs:\n    simplx: {}\n", "kgate.yaml: outputs.probs.simplx: unknown rule"),
        ("outputs:\n  probs:\n    range: {min: zero}\n", "kgate.yaml: outputs.probs.range.min: expected a number"),
        ("outputs:\n  prob:\n    finite: {}\n", "outputs.prob: the model has no output of that name; its outputs are "
                                               "probs, raw"),
        ("outputs:\n  probs:\n    allowed_classes: {classes: [3]}\n", "class 3 is not below the output's last "
                                                                      "dimension 3"),
    ]:
        yaml.write_text(text)
        res = run_kgate("serve", "--model-repository", repo, "--port", "0", timeout=60)
        assert res.code != 0
        assert message in res.stderr, res.stderr


def test_the_example_kgate_yaml_checks_outputs_as_keras_outputs_say(tmp_path):
    """examples/digits_cnn/kgate.yaml serves; its flags are what Keras's outputs for the sample imply."""
    from conftest import ROOT, Server
    example = ROOT / "examples" / "digits_cnn"
    repo = tmp_path / "repo"
    (repo / "digits_cnn" / "1").mkdir(parents=True)
    shutil.copy(example / "1" / "model.keras", repo / "digits_cnn" / "1" / "model.keras")
    shutil.copy(example / "kgate.yaml", repo / "digits_cnn" / "kgate.yaml")
    keras_out = np.load(example / "sample_output.npy")
    s = Server("--model-repository", repo)
    try:
        r = requests.post(f"{s.url}/v1/models/digits_cnn:predict",
                          json={"instances": np.load(example / "sample_input.npy").tolist()}, timeout=30)
        assert r.status_code == 200, r.text
        low = rows(keras_out.max(axis=1) < np.float32(0.5))
        got = {f["rule"]: f["rows"] for f in r.json().get("kgate_flags", [])}
        assert got == ({"min_confidence": low} if low else {})
        np.testing.assert_allclose(np.array(r.json()["predictions"], np.float32), keras_out, rtol=1e-4, atol=1e-5)
    finally:
        s.stop()
# --- image inputs (kgate.yaml inputs.<name>.image) ---------------------------

IMAGES = FIXTURES / "images"
SCALE = "0.00392156862745098"  # 1/255, written as it goes into kgate.yaml
RGB_YAML = f"inputs:\n  image:\n    image: {{formats: [png, jpeg], scale: {SCALE}}}\n"
INPUT_NAMES = {"rgb": "image", "digits": "input_layer"}
DIGITS_YAML = f"inputs:\n  input_layer:\n    image: {{formats: [png], channels: 1, scale: {SCALE}}}\n"


@pytest.fixture(scope="module")
def image_server(tmp_path_factory):
    from conftest import ROOT, Server
    repo = tmp_path_factory.mktemp("images") / "repo"
    for name, model, yaml in [("rgb", FIXTURES / "serve" / "image_probe.keras", RGB_YAML),
                              ("digits", ROOT / "examples" / "digits_cnn" / "1" / "model.keras", DIGITS_YAML),
                              ("probe", PROBE, None)]:
        (repo / name / "1").mkdir(parents=True)
        shutil.copy(model, repo / name / "1" / "model.keras")
        if yaml:
            (repo / name / "kgate.yaml").write_text(yaml)
    s = Server("--model-repository", repo)
    s.models = {"rgb": repo / "rgb" / "1" / "model.keras", "digits": repo / "digits" / "1" / "model.keras"}
    yield s
    s.stop()


def pillow_predict(model_file, image_file, mode, tmp_path):
    """`kgate predict` on Pillow's decode of the image, scaled as kgate.yaml says."""
    from PIL import Image
    with Image.open(image_file) as img:
        pixels = np.asarray(img.convert(mode))
    x = pixels.reshape(1, pixels.shape[0], pixels.shape[1], -1).astype(np.float32) * np.float32(float(SCALE))
    np.save(tmp_path / "x.npy", x)
    res = run_kgate("predict", model_file, tmp_path / "x.npy", "--output-dir", tmp_path)
    assert res.code == 0, res.stderr
    return np.load(tmp_path / "output0.npy")


def b64(data):
    import base64
    return base64.b64encode(data).decode()


def tfs_image(server, model, data):
    return requests.post(f"{server.url}/v1/models/{model}:predict", json={"instances": [{"b64": b64(data)}]}, timeout=30)


@pytest.mark.parametrize("model,image,mode", [("rgb", "rgb16.png", "RGB"), ("rgb", "rgb16.jpg", "RGB"),
                                              ("rgb", "rgba16.png", "RGB"), ("digits", "gray28.png", "L")])
def test_encoded_image_predicts_what_kgate_predict_does_on_pillows_decode(image_server, model, image, mode, tmp_path):
    want = pillow_predict(image_server.models[model], IMAGES / image, mode, tmp_path)
    data = (IMAGES / image).read_bytes()
    r = tfs_image(image_server, model, data)
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(np.array(r.json()["predictions"], np.float32), want, rtol=1e-5, atol=1e-6)
    client = triton.InferenceServerClient(image_server.url.removeprefix("http://"))
    for binary, payload in [(True, data), (False, b64(data).encode())]:
        inp = triton.InferInput(INPUT_NAMES[model], [1], "BYTES")
        inp.set_data_from_numpy(np.array([payload], dtype=object), binary_data=binary)
        result = client.infer(model, [inp])
        np.testing.assert_allclose(result.as_numpy(result.get_response()["outputs"][0]["name"]), want,
                                   rtol=1e-5, atol=1e-6)


def png_claiming(width, height):
    """rgb16.png whose IHDR (CRC fixed) claims width x height."""
    import struct
    import zlib
    data = bytearray((IMAGES / "rgb16.png").read_bytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize("data,rule,text", [
    ((IMAGES / "rgb16.gif").read_bytes(), "image_format", "a gif image"),
    (png_claiming(100000, 100000), "image_size", "100000 x 100000 = 10000000000 pixels"),
    ((IMAGES / "rgb64x48_progressive.jpg").read_bytes(), "image_size", "64 x 48"),
    ((IMAGES / "rgb16.png").read_bytes()[:-30], "image_decode", "PNG: "),
    ((IMAGES / "rgb16.jpg").read_bytes()[:-30], "image_decode", "JPEG: "),
])
def test_bad_images_are_refused_and_the_next_is_answered(image_server, data, rule, text):
    r = tfs_image(image_server, "rgb", data)
    assert r.status_code == 400, r.text
    v = r.json()["violations"][0]
    assert (v["input"], v["index"], v["rule"]) == ("image", [0], rule), v
    assert text in v["actual"], v
    assert tfs_image(image_server, "rgb", (IMAGES / "rgb16.png").read_bytes()).status_code == 200


def test_garbage_base64_and_images_for_a_plain_input_are_refused(image_server):
    r = requests.post(f"{image_server.url}/v1/models/rgb:predict", json={"instances": [{"b64": "not base64!"}]},
                      timeout=30)
    assert r.status_code == 400 and r.json()["violations"][0]["rule"] == "base64", r.text
    r = tfs_image(image_server, "probe", (IMAGES / "rgb16.png").read_bytes())
    assert r.status_code == 400 and r.json()["violations"][0]["rule"] == "image", r.text
    assert "input 'x' is float32 [-1, 3] and takes encoded images only when its kgate.yaml declares image:" in r.text
    assert tfs_image(image_server, "rgb", (IMAGES / "rgb16.jpg").read_bytes()).status_code == 200
