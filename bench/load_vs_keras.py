"""Load speed: kgate vs Keras's load_model on the same keras.applications
ResNet50 (random weights, ~100 MB), in one run, warm page cache for both.
Also times a plain read of the file as the bandwidth ceiling.

    KERAS_BACKEND=jax .venv/bin/python bench/load_vs_keras.py [--model ResNet50] [--iterations 5]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_time(fn, n):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="ResNet50")
    ap.add_argument("--iterations", type=int, default=5)
    ap.add_argument("--bench-bin", default=os.path.join(ROOT, "build", "bench", "kgate_load_bench"))
    args = ap.parse_args()

    import keras

    path = os.path.join(tempfile.gettempdir(), f"kgate_bench_{args.model}.keras")
    if not os.path.exists(path):
        keras.utils.set_random_seed(0)
        getattr(keras.applications, args.model)(weights=None).save(path)
    size = os.path.getsize(path)

    def read_all():
        with open(path, "rb") as f:
            while f.read(1 << 24):
                pass

    read_all()  # warm the page cache
    read_s = median_time(read_all, args.iterations)
    out = subprocess.run([args.bench_bin, path, str(args.iterations)], capture_output=True, text=True, check=True)
    kg = json.loads(out.stdout)
    keras_s = median_time(lambda: keras.saving.load_model(path, compile=False), args.iterations)
    result = {
        "model": args.model,
        "file_mb": round(size / 1e6, 1),
        "read_s": round(read_s, 4),
        "read_mb_per_s": round(size / 1e6 / read_s, 1),
        "kgate_load_s": round(kg["median_s"], 4),
        "keras_load_s": round(keras_s, 4),
        "keras_over_kgate": round(keras_s / kg["median_s"], 1),
        "kgate_over_read": round(kg["median_s"] / read_s, 2),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    sys.exit(main())
