"""Loads every keras.applications architecture (weights=None, fixed seed) with
kgate and compares what kgate reports with what Keras reports: the verdict
must be accept, total_params must equal model.count_params(), and the input
and output shapes must match. Prints a Markdown table; exits 1 on a mismatch.

    KERAS_BACKEND=jax .venv/bin/python tools/conformance/check_applications.py [--kgate build/kgate] [NAME...]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")


def shape(s):
    return [None if d is None else int(d) for d in s]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kgate", default=os.path.join(os.path.dirname(__file__), "..", "..", "build", "kgate"))
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    import keras

    names = args.names or sorted(n for n in dir(keras.applications) if n[0].isupper())
    rows, failed = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            keras.utils.set_random_seed(0)
            model = getattr(keras.applications, name)(weights=None)
            path = os.path.join(tmp, f"{name}.keras")
            model.save(path)
            res = subprocess.run([args.kgate, "inspect", "--format", "json", path], capture_output=True, text=True)
            ok = res.returncode == 0
            got = json.loads(res.stdout) if ok else {}
            params_ok = ok and got["total_params"] == model.count_params()
            shapes_ok = ok and [shape(t["shape"]) for t in got["outputs"]] == [shape(t.shape) for t in model.outputs]
            passed = ok and params_ok and shapes_ok
            failed += not passed
            rows.append(f"| {name} | {model.count_params():,} | {got.get('total_params', '-')} | "
                        f"{'yes' if passed else 'NO: ' + (res.stdout + res.stderr)[-200:].replace(chr(10), ' ')} |")
            print(rows[-1], flush=True)
            os.remove(path)
    print("\n| architecture | Keras count_params | kgate total_params | pass |\n|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n{len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
