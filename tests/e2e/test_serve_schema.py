"""kgate.yaml `inputs:` rules, the JSON Schema route and `kgate schema infer`,
end to end: the real `kgate serve` on a repository whose models carry
kgate.yaml files, spoken to with `requests`. Every refused request names the
input, the element, the rule, what was expected and what came; the JSON
Schema a client downloads is checked with the reference `jsonschema`
validator and agrees with the server on good and bad requests."""
import json
import re
import shutil
import subprocess
import sys

import jsonschema
import numpy as np
import pytest
import requests

from conftest import FIXTURES, ROOT, Server, kgate_bin, run_kgate

MODELS = FIXTURES / "models"
EXAMPLE = ROOT / "examples" / "digits_cnn"

# multi_io: image [N, 8, 8, 2], features [N, 5] (both float32).
MULTI_YAML = """\
inputs:
  image:
    features:            # the two channels of the last axis
      - {min: -10, max: 10}
      - {min: 0}
  features:
    min: -5
    max: 5
    features: {0: {min: 0, max: 1}, 4: {max: 0}}
    max_batch: 2
"""


def emb_ids():
    return np.load(MODELS / "embedding_plain.in0.npy")


def emb_yaml():
    # embedding_plain: ids [N, 6] int32; the fixture's own ids are allowed.
    allowed = sorted({int(v) for v in emb_ids().ravel()})
    return f"inputs:\n  ids:\n    allowed_values: {allowed}\n"


def add_model(repo, name, model_file, kgate_yaml=None, version=1):
    (repo / name / str(version)).mkdir(parents=True)
    shutil.copy(model_file, repo / name / str(version) / "model.keras")
    if kgate_yaml is not None:
        (repo / name / "kgate.yaml").write_text(kgate_yaml)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    add_model(repo, "digits_cnn", EXAMPLE / "1" / "model.keras")
    shutil.copy(EXAMPLE / "kgate.yaml", repo / "digits_cnn" / "kgate.yaml")
    add_model(repo, "multi_io", MODELS / "multi_io.keras", MULTI_YAML)
    add_model(repo, "embedding", MODELS / "embedding_plain.keras", emb_yaml())
    server = Server("--model-repository", repo)
    try:
        yield server.url
    finally:
        server.stop()


def predict(url, model, body):
    return requests.post(f"{url}/v1/models/{model}:predict", json=body, timeout=30)


def violations(r, status=400):
    assert r.status_code == status, r.text
    return r.json()["violations"]


def digits():
    return np.load(EXAMPLE / "sample_input.npy")


def example_bounds():
    """min/max of the example's kgate.yaml `inputs:` (the input-wide pair)."""
    text = (EXAMPLE / "kgate.yaml").read_text()
    block = text[text.index("\ninputs:"):]
    lo = float(re.search(r"^    min: (\S+)$", block, re.M).group(1))
    hi = float(re.search(r"^    max: (\S+)$", block, re.M).group(1))
    return lo, hi


# --- the example's kgate.yaml -------------------------------------------------

def test_example_inputs_section_is_what_schema_infer_writes():
    proc = subprocess.run([sys.executable, ROOT / "tools" / "examples" / "make_example_schema.py",
                           "--kgate", kgate_bin(), "--check"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


def test_good_request_passes_and_equals_kgate_predict(server, tmp_path):
    res = run_kgate("predict", EXAMPLE / "1" / "model.keras", EXAMPLE / "sample_input.npy", "--output-dir", tmp_path)
    assert res.code == 0, res.stderr
    want = np.load(tmp_path / "output0.npy")
    r = predict(server, "digits_cnn", json.loads((EXAMPLE / "sample_request.json").read_text()))
    assert r.status_code == 200, r.text
    np.testing.assert_allclose(np.asarray(r.json()["predictions"], np.float32), want[:1], rtol=1e-5, atol=1e-6)


def test_out_of_range_pixels_are_refused_with_their_index(server):
    lo, hi = example_bounds()
    x = digits()
    x[0, 5, 6, 0] = hi + 1
    x[1, 27, 0, 0] = lo - 1
    v = violations(predict(server, "digits_cnn", {"instances": x.tolist()}))
    got = [(e["input"], e["index"], e["rule"]) for e in v]
    assert ("input_layer", [0, 5, 6, 0], "max") in got, v
    assert ("input_layer", [1, 27, 0, 0], "min") in got, v
    first = next(e for e in v if e["rule"] == "max")
    assert first["expected"].startswith("<= ") and float(first["expected"][3:]) == pytest.approx(hi)
    assert float(first["actual"]) == pytest.approx(hi + 1)
    # A good request right after is still answered.
    assert predict(server, "digits_cnn", {"instances": digits().tolist()}).status_code == 200


# --- rules on the other models -----------------------------------------------

def multi_body(batch=1, image=None, features=None):
    image = np.zeros((batch, 8, 8, 2), np.float32) if image is None else image
    features = np.full((batch, 5), 0.0, np.float32) if features is None else features
    return {"inputs": {"image": image.tolist(), "features": features.tolist()}}


def test_per_feature_ranges_along_the_last_axis(server):
    assert predict(server, "multi_io", multi_body()).status_code == 200
    image = np.zeros((1, 8, 8, 2), np.float32)
    image[0, 3, 4, 1] = -0.5  # channel 1 has min 0
    image[0, 0, 0, 0] = 11    # channel 0 has max 10
    features = np.array([[1.5, 0, 0, 0, 0.25]], np.float32)  # feature 0 max 1, feature 4 max 0
    v = violations(predict(server, "multi_io", multi_body(image=image, features=features)))
    got = {(e["input"], tuple(e["index"]), e["rule"], e["expected"]) for e in v}
    assert ("image", (0, 0, 0, 0), "feature_max", "<= 10 (feature 0)") in got, v
    assert ("image", (0, 3, 4, 1), "feature_min", ">= 0 (feature 1)") in got, v
    assert ("features", (0, 0), "feature_max", "<= 1 (feature 0)") in got, v
    assert ("features", (0, 4), "feature_max", "<= 0 (feature 4)") in got, v
    assert len(v) == 4, v


def test_input_range_and_max_batch(server):
    features = np.array([[0, 6, -6, 0, 0]], np.float32)
    v = violations(predict(server, "multi_io", multi_body(features=features)))
    assert [(e["index"], e["rule"]) for e in v] == [([0, 1], "max"), ([0, 2], "min")], v
    assert predict(server, "multi_io", multi_body(batch=2)).status_code == 200
    v = violations(predict(server, "multi_io", multi_body(batch=3)))
    assert [(e["input"], e["rule"], e["expected"], e["actual"]) for e in v] == [
        ("features", "max_batch", "batch at most 2", "batch 3")], v


def test_allowed_values(server):
    ids = emb_ids()
    assert predict(server, "embedding", {"instances": ids.tolist()}).status_code == 200
    allowed = set(int(v) for v in ids.ravel())
    bad = next(v for v in range(0, 1000) if v not in allowed)
    ids = ids.copy()
    ids[0, 2] = bad
    v = violations(predict(server, "embedding", {"instances": ids.tolist()}))
    assert [(e["input"], e["index"], e["rule"], e["actual"]) for e in v] == [("ids", [0, 2], "allowed_values", str(bad))]
    assert v[0]["expected"].startswith("one of ")


# --- the JSON Schema route ------------------------------------------------------

def get_schema(url, model, version=None):
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version else "") + "/schema"
    r = requests.get(url + path, timeout=30)
    assert r.status_code == 200, r.text
    schema = r.json()
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def valid(schema, body):
    return jsonschema.Draft202012Validator(schema).is_valid(body)


def test_schema_route_agrees_with_the_server_on_digits(server):
    schema = get_schema(server, "digits_cnn")
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert get_schema(server, "digits_cnn", 1) == schema
    lo, hi = example_bounds()
    good = [json.loads((EXAMPLE / "sample_request.json").read_text()),
            {"instances": digits().tolist()},
            {"inputs": digits().tolist()},
            {"inputs": {"input_layer": digits().tolist()}, "signature_name": "serving_default"},
            {"instances": [{"input_layer": row} for row in digits().tolist()]}]
    too_big = digits()
    too_big[0, 1, 1, 0] = hi + 0.5
    too_small = digits()
    too_small[1, 2, 3, 0] = lo - 0.5
    bad = [{"instances": too_big.tolist()},
           {"inputs": too_small.tolist()},
           {"instances": digits()[:, :27].tolist()},                       # 27 rows
           {"instances": digits()[..., 0].tolist()},                       # rank 3
           {"instances": digits().tolist(), "inputs": digits().tolist()},  # both forms
           {"instances": []},
           {},
           {"instances": digits().tolist(), "extra": 1},
           {"inputs": {"other": digits().tolist()}},
           {"signature_name": "other", "instances": digits().tolist()}]
    for body in good:
        assert valid(schema, body)
        assert predict(server, "digits_cnn", body).status_code == 200
    for i, body in enumerate(bad):
        assert not valid(schema, body), i
        assert predict(server, "digits_cnn", body).status_code == 400, i


def test_schema_route_per_feature_batch_cap_and_enum(server):
    schema = get_schema(server, "multi_io")
    assert valid(schema, multi_body(batch=2))
    assert not valid(schema, multi_body(batch=3))
    features = np.array([[0.5, 0, 0, 0, 0.5]], np.float32)  # feature 4 above its max 0
    assert not valid(schema, multi_body(features=features))
    image = np.zeros((1, 8, 8, 2), np.float32)
    image[0, 0, 0, 1] = -1
    assert not valid(schema, multi_body(image=image))
    image[0, 0, 0, 1] = 0
    image[0, 0, 0, 0] = -1  # channel 0 admits -10..10
    assert valid(schema, multi_body(image=image))
    assert predict(server, "multi_io", multi_body(image=image)).status_code == 200

    emb = get_schema(server, "embedding")
    ids = emb_ids()
    assert valid(emb, {"instances": ids.tolist()})
    bad = ids.copy()
    bad[0, 0] = next(v for v in range(1000) if v not in set(int(x) for x in ids.ravel()))
    assert not valid(emb, {"instances": bad.tolist()})


def test_schema_route_unknown_model_and_version(server):
    assert requests.get(f"{server}/v1/models/nope/schema", timeout=30).status_code == 404
    assert requests.get(f"{server}/v1/models/digits_cnn/versions/9/schema", timeout=30).status_code == 404


# --- kgate schema infer ----------------------------------------------------------

STATS = re.compile(r"stats: \{(.*)\}")


def parse_flow(text):
    out = {}
    for part in re.findall(r"(\w+): (\[[^\]]*\]|[^,]+)", text):
        out[part[0]] = part[1]
    return out


def test_schema_infer_statistics_match_numpy_and_the_server_enforces_them(tmp_path, servers):
    rng = np.random.default_rng(11)
    data = (rng.normal(size=(300, 5)) * np.array([1, 2, 3, 4, 5]) + np.array([0, 10, -10, 0, 100])).astype(np.float32)
    np.save(tmp_path / "features.npy", data)
    image = rng.uniform(-1, 1, size=(50, 8, 8, 2)).astype(np.float32)
    np.save(tmp_path / "image.npy", image)
    out = tmp_path / "inferred.yaml"
    res = run_kgate("schema", "infer", MODELS / "multi_io.keras", "--data", f"features={tmp_path / 'features.npy'}",
                    "--data", f"image={tmp_path / 'image.npy'}", "--margin", "0", "--quantiles", "0.01,0.99",
                    "--output", out)
    assert res.code == 0, res.stderr
    text = out.read_text()
    assert text.index('"image":') < text.index('"features":')  # model order
    features_block = text[text.index('"features":'):]
    stats = [parse_flow(m) for m in STATS.findall(features_block)]
    assert len(stats) == 6  # the whole input, then its 5 features
    col = data.astype(np.float64)
    for f in range(5):
        s = stats[1 + f]
        assert float(s["min"]) == col[:, f].min()
        assert float(s["max"]) == col[:, f].max()
        assert float(s["mean"]) == pytest.approx(col[:, f].mean(), rel=1e-12)
        assert float(s["std"]) == pytest.approx(col[:, f].std(), rel=1e-12)
        assert float(s["q_low"]) == pytest.approx(np.quantile(col[:, f], 0.01), rel=1e-12)
        assert float(s["q_high"]) == pytest.approx(np.quantile(col[:, f], 0.99), rel=1e-12)
    assert stats[0]["count"] == str(data.size)
    assert stats[0]["quantiles"] == "[0.01, 0.99]"
    assert float(stats[0]["min"]) == col.min() and float(stats[0]["max"]) == col.max()

    # The written file is a kgate.yaml the server loads; with margin 0 the
    # training data's extremes are the bounds.
    repo = tmp_path / "repo"
    add_model(repo, "m", MODELS / "multi_io.keras", text)
    url = servers("--model-repository", repo).url
    body = {"inputs": {"image": image[:2].tolist(), "features": data[:2].tolist()}}
    assert predict(url, "m", body).status_code == 200
    f = np.argmax(data[:, 3])
    beyond = data[:1].copy()
    beyond[0, 3] = np.nextafter(data[f, 3], np.float32(np.inf))
    v = violations(predict(url, "m", {"inputs": {"image": image[:1].tolist(), "features": beyond.tolist()}}))
    assert {(e["input"], tuple(e["index"]), e["rule"]) for e in v} >= {("features", (0, 3), "feature_max")}, v
    schema = get_schema(url, "m")
    prefix = schema["$defs"]["input1_row"]["prefixItems"]
    assert [p["maximum"] for p in prefix] == [float(x) for x in col.max(axis=0)]


def test_schema_infer_usage_and_data_errors(tmp_path):
    model = MODELS / "multi_io.keras"
    np.save(tmp_path / "nan.npy", np.array([[1, np.nan, 0, 0, 0]], np.float32))
    np.save(tmp_path / "wrong.npy", np.zeros((3, 4), np.float32))
    cases = [
        (["--data", f"features={tmp_path / 'nan.npy'}"], "NaN at [0, 1]"),
        (["--data", f"features={tmp_path / 'wrong.npy'}"], "shape [3, 4] does not fit input 'features'"),
        (["--data", f"nope={tmp_path / 'wrong.npy'}"], "the model has no input 'nope'"),
        (["--data", f"features={tmp_path / 'missing.npy'}"], "missing.npy"),
        ([], "expected at least one --data"),
        (["--data", f"features={tmp_path / 'wrong.npy'}", "--quantiles", "0.9,0.1"], "--quantiles"),
        (["--data", f"features={tmp_path / 'wrong.npy'}", "--margin", "-1"], "--margin"),
    ]
    for args, message in cases:
        res = run_kgate("schema", "infer", model, *args)
        assert res.code == 2, (args, res.stderr)
        assert message in res.stderr, (args, res.stderr)
    assert run_kgate("schema", "nope").code == 2


# --- config errors refuse the load ---------------------------------------------------

@pytest.mark.parametrize("yaml_text,message", [
    ("inputs:\n  nope: {min: 0}\n", "inputs.nope: the model has no input 'nope'; its inputs are: image, features"),
    ("inputs:\n  features: {max: 1.0e39}\n", "inputs.features.max: 1e+39 is beyond float32's range"),
    ("inputs:\n  features: {max_length: 3}\n", "inputs.features.max_length: applies to string inputs"),
    ("inputs:\n  features: {features: [{min: 0}]}\n", "lists 1 features; input 'features' has 5"),
    ("inputs:\n  features: {mni: 0}\n", "inputs.features.mni: unknown key"),
    ("inputs:\n  features: &a {min: 0}\n", "anchors (&name) are not accepted"),
    ("inputs:\n  features: {min: 0}\n  features: {max: 1}\n", "duplicate key"),
])
def test_bad_inputs_section_refuses_the_load(tmp_path, yaml_text, message):
    repo = tmp_path / "repo"
    add_model(repo, "m", MODELS / "multi_io.keras", yaml_text)
    proc = subprocess.run([kgate_bin(), "serve", "--model-repository", str(repo), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr, proc.stderr
