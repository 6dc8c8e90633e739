"""Builds the models tests/e2e/test_serve_outputs.py serves, with real Keras
(KERAS_BACKEND=jax), into tests/fixtures/serve/:

- outputs_probe.keras: input "x" [None, 3]; output "probs" = softmax(x)
  (identity kernel, zero bias) and output "raw" = 2*x (linear). Chosen
  weights make the outputs steerable: a large x[k] gives a confident class k,
  x = 0 a uniform (low confidence) row, and "raw" leaves any range at will.
  outputs_probe.in0.npy holds rows that exercise each rule and
  outputs_probe.out{0,1}.npy Keras's outputs for them: the tests derive
  every expected flag from those, never from hand-written numbers.
- image_probe.keras: input "image" [None, 16, 16, 3] -> Conv2D, global
  average pooling, Dense(4, softmax): an RGB model for image inputs.
- image_any.keras: input "image" [None, None, None, 1] -> Conv2D, global max
  pooling, Dense(2, softmax): a grayscale model that takes any image size.

    KERAS_BACKEND=jax .venv/bin/python tools/serve/make_serve_fixtures.py
"""
import json
import os
import pathlib

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "serve"


def outputs_probe():
    x = keras.Input((3,), name="x")
    probs = keras.layers.Dense(3, activation="softmax", name="probs")(x)
    raw = keras.layers.Dense(3, name="raw")(x)
    model = keras.Model(x, [probs, raw], name="outputs_probe")
    model.get_layer("probs").set_weights([np.eye(3, dtype="float32"), np.zeros(3, "float32")])
    model.get_layer("raw").set_weights([2 * np.eye(3, dtype="float32"), np.zeros(3, "float32")])
    rows = np.array([[0.0, 0.0, 10.0],   # class 2, confident; raw up to 20
                     [0.0, 0.0, 0.0],    # uniform: low confidence
                     [5.0, 0.0, 0.0],    # class 0, confident; raw 10
                     [0.1, 0.3, -0.3]],  # class 1, low confidence; raw in [-1, 1]
                    dtype="float32")
    return model, rows


def image_probe():
    keras.utils.set_random_seed(11)
    model = keras.Sequential([
        keras.Input((16, 16, 3), name="image"),
        keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
        keras.layers.GlobalAveragePooling2D(name="pool"),
        keras.layers.Dense(4, activation="softmax", name="probs"),
    ], name="image_probe")
    return model, np.random.default_rng(11).uniform(0, 1, (2, 16, 16, 3)).astype("float32")


def image_any():
    keras.utils.set_random_seed(12)
    model = keras.Sequential([
        keras.Input((None, None, 1), name="image"),
        keras.layers.Conv2D(2, 3, activation="relu", name="conv"),
        keras.layers.GlobalMaxPooling2D(name="pool"),
        keras.layers.Dense(2, activation="softmax", name="probs"),
    ], name="image_any")
    return model, np.random.default_rng(12).uniform(0, 1, (1, 20, 12, 1)).astype("float32")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    meta = {"keras_version": keras.__version__}
    for name, build in [("outputs_probe", outputs_probe), ("image_probe", image_probe), ("image_any", image_any)]:
        model, rows = build()
        model.save(OUT / f"{name}.keras")
        np.save(OUT / f"{name}.in0.npy", rows)
        outputs = model.predict(rows, verbose=0)
        outputs = outputs if isinstance(outputs, list) else [outputs]
        for i, out in enumerate(outputs):
            np.save(OUT / f"{name}.out{i}.npy", out)
        meta[name] = {"outputs": len(outputs)}
    (OUT / "fixtures.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
