"""kgate predict and kgate bench, end to end on the real binary: outputs equal
Keras's recorded predictions, inputs can be named, bad inputs and refused
models get the documented exit codes and messages."""
import json

import numpy as np
import pytest

from conftest import FIXTURES, ROOT, run_kgate

MODELS = FIXTURES / "models"
EXAMPLE = ROOT / "examples" / "digits_cnn"


def fixture_meta(name):
    return json.loads((MODELS / f"{name}.json").read_text())


def predict_and_compare(tmp_path, model, inputs, expected):
    res = run_kgate("predict", model, *inputs, "--output-dir", tmp_path)
    assert res.code == 0, res.stderr
    for i, want in enumerate(expected):
        got = np.load(tmp_path / f"output{i}.npy")
        np.testing.assert_allclose(got, np.load(want), atol=1e-5, rtol=1e-4)
    return res


@pytest.mark.parametrize("name,ext", [("multi_io", "keras"), ("multi_io", "h5"), ("sequential_mlp", "keras")])
def test_predict_matches_keras(tmp_path, name, ext):
    meta = fixture_meta(name)
    inputs = [MODELS / f for f in meta["predict"]["inputs"]]
    outputs = [MODELS / f for f in meta["predict"]["outputs"]]
    res = predict_and_compare(tmp_path, MODELS / f"{name}.{ext}", inputs, outputs)
    # One line per output: path, name, dtype, shape.
    assert len(res.stdout.strip().splitlines()) == len(outputs)


def test_example_model_reproduces_its_sample_output(tmp_path):
    predict_and_compare(tmp_path, EXAMPLE / "1" / "model.keras", [EXAMPLE / "sample_input.npy"],
                        [EXAMPLE / "sample_output.npy"])


def test_inputs_by_name_in_any_order(tmp_path):
    meta = fixture_meta("multi_io")
    names = [t["name"] for t in meta["inputs"]]
    files = [MODELS / f for f in meta["predict"]["inputs"]]
    pairs = [f"{n}={f}" for n, f in zip(names, files)][::-1]
    outputs = [MODELS / f for f in meta["predict"]["outputs"]]
    predict_and_compare(tmp_path, MODELS / "multi_io.keras", pairs, outputs)


def test_wrong_shape_is_refused_with_the_input_named(tmp_path):
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((2, 3), dtype=np.float32))
    res = run_kgate("predict", EXAMPLE / "1" / "model.keras", bad, "--output-dir", tmp_path)
    assert res.code == 2
    assert "expected shape" in res.stderr and "[2, 3]" in res.stderr


def test_wrong_input_count_and_missing_dir(tmp_path):
    x = EXAMPLE / "sample_input.npy"
    res = run_kgate("predict", EXAMPLE / "1" / "model.keras", x, x, "--output-dir", tmp_path)
    assert res.code == 2 and "takes 1 input" in res.stderr
    res = run_kgate("predict", EXAMPLE / "1" / "model.keras", x, "--output-dir", tmp_path / "nope")
    assert res.code == 2 and "not a directory" in res.stderr


def test_non_integral_values_for_an_integer_input_are_refused(tmp_path):
    bad = tmp_path / "ids.npy"
    meta = fixture_meta("embedding_plain")
    shape = [2 if d is None else d for d in meta["inputs"][0]["shape"]]
    np.save(bad, np.full(shape, 1.5, dtype=np.float32))
    res = run_kgate("predict", MODELS / "embedding_plain.keras", bad, "--output-dir", tmp_path)
    assert res.code == 2 and "not an int32 value" in res.stderr


def test_malicious_model_is_refused_before_anything_runs(tmp_path):
    res = run_kgate("predict", FIXTURES / "malicious" / "lambda_layer.keras", EXAMPLE / "sample_input.npy",
                    "--output-dir", tmp_path)
    assert res.code == 1
    assert "KG-K001" in res.stderr
    assert not list(tmp_path.glob("output*.npy"))


def test_bench_json_contract():
    res = run_kgate("bench", EXAMPLE / "1" / "model.keras", "--batch", "1", "--batch", "4", "--iterations", "3",
                    "--warmup", "1", "--format", "json")
    assert res.code == 0, res.stderr
    report = res.json()
    assert report["threads"] >= 1 and report["weight_bytes"] > 0 and report["peak_rss_bytes"] > 0
    assert [r["batch"] for r in report["results"]] == [1, 4]
    for r in report["results"]:
        assert r["iterations"] == 3
        assert 0 < r["min_ms"] <= r["p50_ms"] <= r["p99_ms"]
        assert r["throughput_per_s"] > 0 and r["arena_bytes"] > 0


def test_bench_rejects_bad_flags():
    res = run_kgate("bench", EXAMPLE / "1" / "model.keras", "--batch", "0")
    assert res.code == 2 and "--batch" in res.stderr
