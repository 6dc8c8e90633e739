"""Layer-by-layer comparison of kgate against Keras on one keras.applications
architecture, to tell a kgate error from float32 rounding that the network
amplifies.

The model (the logits variant cached by check_applications_predict.py, same
weights and input; --init picks Keras's initial BatchNormalization statistics,
the default, or a calibrated init) is cut at successive layers: one keras.Model(model.inputs,
[layer.output, ...]) whose outputs are the chosen layers' outputs, which is
the same graph as one cut model per layer but saved and run once. For each cut
layer the script reports, relative to that layer's largest magnitude s:

- kgate: max |kgate - exact| / s, kgate's error against the exact result, the
  same model evaluated in float64 by Keras (jax_enable_x64, every layer's
  dtype policy float64, the float32 weights widened);
- keras f32: max |Keras float32 - exact| / s, the error that Keras's own
  float32 arithmetic makes at that depth;
- 1-ulp: max |Keras(x') - Keras(x)| / s with x' every input element moved up
  by one float32 ulp, how much the network amplifies a rounding-size change
  of its input by that depth;
- kgate vs keras: max |kgate - Keras float32| / s.

A layer is flagged when kgate's error exceeds 10x the larger of Keras's own
float32 error and the 1-ulp sensitivity there (and 1e-6 of s): float32
rounding does not explain it. The first flagged layer is where to look for an
engine bug; an error that grows with depth at the same pace as Keras's own
float32 error is amplified rounding.

    KERAS_BACKEND=jax .venv/bin/python tools/conformance/compare_layers.py \\
        --cache-dir /tmp/kgconf [--kgate build/kgate] [--init as-built|rms|meanvar] \\
        [--cut REGEX] [--markdown FILE] NAME

--cut selects the cut layers by a regular expression on the layer name
(default: the first layer, every Add layer (the residual blocks' outputs)
and the last layer). Exit code 1 when a layer is flagged.
"""
import argparse
import os
import re
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_applications_predict import INITS, ROOT, as_list, prepare, run_kgate  # noqa: E402

FLAG_FACTOR = 10.0
FLAG_FLOOR = 1e-6


def widen_to_float64(keras, model):
    """The same functional model with every layer computing in float64 and the
    float32 weights widened (exactly) to float64."""
    config = model.get_config()

    def rewrite(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "dtype" and isinstance(value, dict) and value.get("class_name") == "DTypePolicy":
                    value["config"]["name"] = "float64"
                elif key == "dtype" and value == "float32":
                    node[key] = "float64"
                else:
                    rewrite(value)
        elif isinstance(node, list):
            for value in node:
                rewrite(value)

    rewrite(config)
    wide = keras.Model.from_config(config)
    wide.set_weights([np.asarray(w, dtype=np.float64) for w in model.get_weights()])
    return wide


def cut_layers(keras, model, pattern):
    """The layers to cut at, in topological order: single-output layers whose
    name matches pattern (default: the first layer, every Add layer, the last)."""
    chosen = []
    for i, layer in enumerate(model.layers[1:], start=1):
        if isinstance(layer.output, (list, tuple)):
            continue
        if pattern:
            hit = re.search(pattern, layer.name)
        else:
            hit = isinstance(layer, keras.layers.Add) or i in (1, len(model.layers) - 1)
        if hit:
            chosen.append(layer)
    return chosen


def rel(a, b, scale):
    return float(np.abs(a.astype(np.float64) - b.astype(np.float64)).max() / scale) if scale > 0 else 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kgate", default=os.path.join(ROOT, "build", "kgate"))
    ap.add_argument("--cache-dir", required=True, help="the check_applications_predict.py cache")
    ap.add_argument("--init", choices=INITS, default="as-built",
                    help="BatchNormalization statistics of the model to cut (as in check_applications_predict.py)")
    ap.add_argument("--cut", help="regular expression selecting the layers to cut at")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--timeout", type=int, default=1800)
    ap.add_argument("name")
    args = ap.parse_args()

    import jax
    jax.config.update("jax_enable_x64", True)
    import keras

    os.makedirs(args.cache_dir, exist_ok=True)
    meta = prepare(keras, args.name, args.cache_dir, 0, args.init)
    model = keras.saving.load_model(meta["variants"]["logits"]["model"], compile=False)
    layers = cut_layers(keras, model, args.cut)
    if not layers:
        print(f"no layer of {args.name} matches {args.cut!r}", file=sys.stderr)
        return 2
    x = np.load(meta["input"])
    t0 = time.perf_counter()
    cut = keras.Model(model.inputs, [layer.output for layer in layers])
    keras32 = as_list(cut.predict(x, batch_size=len(x), verbose=0))
    moved = as_list(cut.predict(np.nextafter(x, np.float32(np.inf)), batch_size=len(x), verbose=0))
    exact = as_list(widen_to_float64(keras, cut)(x.astype(np.float64)))
    print(f"Keras float32, 1-ulp and float64 runs: {time.perf_counter() - t0:.0f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="kgate_layers_", dir=args.cache_dir) as tmp:
        cut_path = os.path.join(tmp, "cut.keras")
        cut.save(cut_path)
        in_path = os.path.join(tmp, "in.npy")
        np.save(in_path, x)
        outs, error, seconds = run_kgate(args.kgate, cut_path, in_path, len(layers), args.timeout)
    if error:
        print(f"kgate predict failed: {error}", file=sys.stderr)
        return 2

    header = ("| # | layer | class | max abs (exact) | kgate err | keras f32 err | 1-ulp | kgate vs keras | flag |\n"
              "|---|---|---|---|---|---|---|---|---|")
    rows, first_flag = [header], None
    print(header)
    for layer, got, ref32, ref_moved, ref64 in zip(layers, outs, keras32, moved, exact):
        ref64 = np.asarray(ref64, dtype=np.float64)
        scale = float(np.abs(ref64).max())
        e_kgate, e_keras = rel(got, ref64, scale), rel(ref32, ref64, scale)
        e_ulp, e_pair = rel(ref_moved, ref32, scale), rel(got, ref32, scale)
        flag = e_kgate > FLAG_FACTOR * max(e_keras, e_ulp, FLAG_FLOOR)
        if flag and first_flag is None:
            first_flag = layer.name
        rows.append(f"| {model.layers.index(layer)} | {layer.name} | {type(layer).__name__} | {scale:.2e} | "
                    f"{e_kgate:.1e} | {e_keras:.1e} | {e_ulp:.1e} | {e_pair:.1e} | {'FLAG' if flag else ''} |")
        print(rows[-1], flush=True)
    summary = (f"first layer where kgate's error exceeds {FLAG_FACTOR:g}x Keras's own float32 error and "
               f"its 1-ulp sensitivity: {first_flag}" if first_flag else
               f"no layer where kgate's error exceeds {FLAG_FACTOR:g}x Keras's own float32 error or its "
               "1-ulp sensitivity")
    print(f"\n{args.name}: {summary} (kgate {seconds:.1f} s)")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write("\n".join(rows) + f"\n\n{args.name}: {summary}\n")
    return 1 if first_flag else 0


if __name__ == "__main__":
    sys.exit(main())
