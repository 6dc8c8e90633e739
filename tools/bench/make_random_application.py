"""Saves a keras.applications model with random (seeded) weights, for local
engine benchmarks. The file is written where asked (e.g. /tmp) and is never
committed: weights=None builds the architecture without downloading anything.

Usage: KERAS_BACKEND=jax python tools/bench/make_random_application.py ResNet50 /tmp/resnet50.keras
       [--time N]  also times Keras's own predict at batch 1 (median of N runs)
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name")
    p.add_argument("out")
    p.add_argument("--time", type=int, default=0)
    args = p.parse_args()
    keras.utils.set_random_seed(1)
    model = getattr(keras.applications, args.name)(weights=None)
    model.save(args.out)
    print(f"saved {args.out}: {model.count_params()} params")
    if args.time:
        x = np.random.default_rng(0).uniform(-1, 1, (1,) + tuple(model.input_shape[1:])).astype("float32")
        model.predict(x, verbose=0)
        times = []
        for _ in range(args.time):
            t0 = time.perf_counter()
            model.predict_on_batch(x)
            times.append(time.perf_counter() - t0)
        print(f"keras predict_on_batch batch 1: median {statistics.median(times) * 1e3:.2f} ms over {args.time}")


if __name__ == "__main__":
    main()
