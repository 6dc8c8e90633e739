"""Builds the serve benchmark's model with real Keras and writes it with one
request body and Keras's own prediction for that body, so every server can be
checked against Keras before it is timed.

The model is a small tabular MLP (32 features -> 64 relu -> 64 relu -> 10
softmax, 6,922 parameters), weights from keras.utils.set_random_seed(0); the
request is one row of 32 features uniform in [0, 1) from numpy seed 0, in the
TF Serving row form {"instances": [[...]]}.

    KERAS_BACKEND=jax .venv/bin/python bench/serve/make_mlp.py OUT_DIR
writes OUT_DIR/mlp.keras, OUT_DIR/request.json and OUT_DIR/expected.json
({"predictions": [[...]]} from model.predict on the same row).
"""
import argparse
import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402

FEATURES = 32


def build():
    keras.utils.set_random_seed(0)
    layers = keras.layers
    return keras.Sequential([keras.Input((FEATURES,), name="features"),
                             layers.Dense(64, activation="relu", name="hidden1"),
                             layers.Dense(64, activation="relu", name="hidden2"),
                             layers.Dense(10, activation="softmax", name="probs")], name="mlp")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out_dir")
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    model = build()
    model.save(os.path.join(args.out_dir, "mlp.keras"))
    row = np.random.default_rng(0).uniform(0, 1, (1, FEATURES)).astype("float32")
    # float32 -> Python float is exact and json writes the shortest repr, so
    # every server parses back exactly these float32 values.
    with open(os.path.join(args.out_dir, "request.json"), "w") as f:
        json.dump({"instances": row.tolist()}, f)
    expected = model.predict(row, verbose=0)
    with open(os.path.join(args.out_dir, "expected.json"), "w") as f:
        json.dump({"predictions": expected.tolist()}, f)
    print(f"saved {args.out_dir}/mlp.keras: {model.count_params()} params")


if __name__ == "__main__":
    main()
