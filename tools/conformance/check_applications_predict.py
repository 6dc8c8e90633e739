"""Prediction conformance of kgate against Keras on every keras.applications
architecture.

For each architecture (Keras 3.15.1, JAX backend, weights=None,
keras.utils.set_random_seed(0)) the script saves the model as .keras, makes one
fixed random input of batch 2, runs Keras's own model.predict and
`kgate predict MODEL in.npy --output-dir DIR`, and compares every output.

Input: a seeded uniform [0, 255) float32 "image" of the model's input shape,
passed through the architecture's own `preprocess_input` from its
keras.applications module. That is the range each network sees in real use:
models with built-in Rescaling/Normalization layers (EfficientNet, EfficientNetV2,
ConvNeXt, MobileNetV3) have an identity preprocess_input and get [0, 255)
directly; the others get caffe mode (BGR minus the ImageNet mean: ResNet, VGG),
tf mode ([-1, 1]: Inception, Xception, MobileNet, NASNet, ResNetV2) or torch
mode (ImageNet mean/std: DenseNet).

BatchNormalization statistics (--init): Keras builds every BatchNormalization
with moving mean 0 and variance 1 ("as-built"), so with random weights the
activations of deep networks drift to 1e-19 (MobileNet) or 5e9
(EfficientNetV2L), where the network amplifies float32 rounding to the size of
its outputs: Keras's own EfficientNetV2M logits move by 60% when the input
moves by one ulp (tools/conformance/compare_layers.py shows it layer by
layer). By default ("rms") the script first sets every BatchNormalization's
moving mean to 0 and its moving variance to its input's mean square on a
separate calibration batch (calibrate_batch_norms), so activations stay O(1)
at every depth as in a trained network. "meanvar" centres as well (mean and
variance); that subtraction cancels most of the nearly constant channels of
deep random ResNets and amplifies their rounding instead (ResNet101/152 fail
with Keras's own 1-ulp sensitivity the size of the error). The statistics are
saved in the .keras file like any weight, so Keras and kgate still compute the
same network from the same file.

The softmax predictions pass by numpy.allclose(kgate, keras, atol=1e-5,
rtol=1e-4) on every output (Keras is the reference). Random-weight networks
often give near-uniform softmax outputs that say little about the backbone, so
the same model with a linear head (what classifier_activation=None builds, same
weights) is compared too. The logits pass by the same allclose and, so that
tiny logits cannot pass by atol alone, also when
|kgate - keras| <= 1e-5 * s + 1e-4 * |keras| with s = max |keras|, i.e.
allclose on the logits divided by their largest magnitude.
Table columns: max abs err = max |kgate - keras|; max rel err = max
|kgate - keras| / |keras| over the elements whose |keras| is at least 1e-3 of
the output's largest magnitude (the relative error of near-zero elements says
nothing about accuracy); for the logits also their largest magnitude and the
max abs error divided by it. The console rows also give the allclose ratio
max |kgate - keras| / (atol + rtol |keras|) (<= 1 passes the plain allclose).
For an architecture that fails, the script also measures how far Keras's own
logits move when every input element moves up by one float32 ulp, which tells
a network that amplifies any rounding difference from a kgate error: logits
that miss the allclose, with softmax predictions that pass, are reported as
"within float32 noise" when kgate's error relative to the logits' scale is at
most NOISE_FACTOR (2) times that one-ulp movement, and count as a pass; beyond
it they fail. The table says which verdict each architecture got.

--cache-dir keeps each model's .keras file, input and Keras outputs, so a rerun
against a new kgate build costs only kgate's own load and predict.

    KERAS_BACKEND=jax .venv/bin/python tools/conformance/check_applications_predict.py \
        [--kgate build/kgate] [--skip-larger-than PARAMS] [--cache-dir DIR] \
        [--init rms|meanvar|as-built] [--markdown FILE] [NAME...]

Exit code 0 when every checked model passes, 1 when one does not.
"""
import argparse
import datetime
import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from runinfo import git_commit, machine  # noqa: E402

ATOL, RTOL = 1e-5, 1e-4
BATCH = 2
INPUT_SEED = 0
REL_FLOOR = 1e-3
# Logits that miss the allclose still pass as "within float32 noise" when kgate's
# error (relative to the logits' scale) is at most this many times how far Keras's
# own logits move for a one-ulp change of the input: kgate sums in another order
# than XLA in every layer, so its distance from Keras is float32 rounding that the
# network amplifies exactly as it amplifies the one-ulp change.
NOISE_FACTOR = 2.0
# Data-dependent initialisation of the BatchNormalization statistics: a batch
# of its own, from the same distribution as the test input but another seed.
CALIBRATION_SEED = 1
CALIBRATION_BATCH = 4
# The calibration pass runs eagerly and Keras keeps every layer's output until it
# ends: EfficientNetB7 (600x600) at batch 4 took more than this machine's 24 GB.
# Above this many pixels per image the calibration batch is 2.
LARGE_INPUT_PIXELS = 528 * 528


def calibration_batch(input_shape):
    pixels = int(np.prod(input_shape[:-1]))
    return CALIBRATION_BATCH if pixels <= LARGE_INPUT_PIXELS else 2
INITS = ("rms", "meanvar", "as-built")


def all_names(keras):
    return sorted(n for n in dir(keras.applications) if n[0].isupper())


def make_input(keras, name, input_shape, seed=INPUT_SEED, batch=BATCH):
    """Uniform [0, 255) image batch through the architecture's own preprocess_input."""
    module = importlib.import_module(getattr(keras.applications, name).__module__)
    rng = np.random.default_rng(seed)
    raw = rng.uniform(0.0, 255.0, size=(batch, *input_shape)).astype(np.float32)
    x = np.asarray(module.preprocess_input(raw.copy()), dtype=np.float32)
    return x


def calibrate_batch_norms(keras, model, x, centre):
    """Data-dependent initialisation of every BatchNormalization's moving
    statistics from its own input when the model runs on x, in one forward
    pass: each layer is calibrated as the pass reaches it and then normalises
    with its new statistics, so every layer sees the calibrated layers before
    it, exactly as in inference afterwards.

    centre False ("rms"): moving mean 0 and moving variance the input's mean
    square per channel, so each output has unit root-mean-square. centre True
    ("meanvar"): the input's mean and variance, so each output has mean 0 and
    variance 1 on x. Returns how many layers were calibrated."""
    layer_class = keras.layers.BatchNormalization
    inference_call = layer_class.call
    calibrated = set()

    def calibrating_call(layer, inputs, training=None, mask=None):
        values = keras.ops.cast(inputs, "float32")
        mean, variance = keras.ops.moments(values, axes=layer._reduction_axes)
        if centre:
            layer.moving_mean.assign(mean)
            layer.moving_variance.assign(variance)
        else:
            layer.moving_mean.assign(keras.ops.zeros_like(mean))
            layer.moving_variance.assign(variance + keras.ops.square(mean))
        calibrated.add(id(layer))
        return inference_call(layer, inputs, training=False, mask=mask)

    layer_class.call = calibrating_call
    try:
        model(x, training=False)
    finally:
        layer_class.call = inference_call
    return len(calibrated)


def count_batch_norms(keras, layer):
    """BatchNormalization layers in layer and the models nested in it."""
    own = int(isinstance(layer, keras.layers.BatchNormalization))
    return own + sum(count_batch_norms(keras, inner) for inner in getattr(layer, "layers", []))


def reuse_as_built(keras, name, cache):
    """The cached as-built record of name, when it exists for this Keras."""
    path = os.path.join(cache, f"{name}.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        meta = json.load(f)
    return meta if meta.get("keras") == keras.__version__ else None


def as_list(outputs):
    return [np.asarray(o) for o in (outputs if isinstance(outputs, (list, tuple)) else [outputs])]


def save_and_predict(model, x, cache, stem):
    """Saves the model as CACHE/STEM.keras and Keras's predictions as STEM.out{i}.npy."""
    model_path = os.path.join(cache, f"{stem}.keras")
    model.save(model_path)
    out_paths = []
    for i, o in enumerate(as_list(model.predict(x, batch_size=BATCH, verbose=0))):
        out_paths.append(os.path.join(cache, f"{stem}.out{i}.npy"))
        np.save(out_paths[-1], o.astype(np.float32))
    return {"model": model_path, "outputs": out_paths}


def prepare(keras, name, cache, max_params, init=INITS[0]):
    """Builds, saves and runs one architecture in Keras; returns the cached record,
    or one marked skipped (not saved, not run) when it has more than max_params.

    init "rms" or "meanvar" sets every BatchNormalization's moving statistics
    from a calibration batch before saving (calibrate_batch_norms); "as-built"
    keeps Keras's initial ones (mean 0, variance 1).

    Two variants share the weights: the model as built (softmax head) and the
    same model with the head's activation set to linear, i.e. what
    classifier_activation=None builds. Random-weight networks often give
    near-uniform softmax outputs (MobileNetV2's are 0.001 everywhere), which an
    absolute tolerance would pass whatever the backbone computed; the logits
    are compared too so that the check cannot pass vacuously."""
    if init not in INITS:
        raise ValueError(f"init {init!r} is not one of {INITS}")
    stem = name if init == "as-built" else f"{name}.{init}"
    meta_path = os.path.join(cache, f"{stem}.json")
    if os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if meta.get("keras") == keras.__version__:
            return meta
    keras.utils.set_random_seed(0)
    t0 = time.perf_counter()
    model = getattr(keras.applications, name)(weights=None)
    params = int(model.count_params())
    if max_params and params > max_params:
        del model
        keras.backend.clear_session()
        return {"name": name, "params": params, "skipped": True}
    if init != "as-built" and not count_batch_norms(keras, model):
        # Nothing to calibrate (VGG, ConvNeXt): the file would be the as-built one, so
        # reuse that (and its Keras outputs) when it is cached.
        built = reuse_as_built(keras, name, cache)
        if built is not None:
            meta = dict(built, init=init, calibrated_layers=0)
            with open(meta_path, "w") as f:
                json.dump(meta, f)
            del model
            keras.backend.clear_session()
            return meta
    # MobileNetV3 leaves the spatial size open; 224 is its documented default.
    input_shape = tuple(224 if d is None else int(d) for d in model.inputs[0].shape[1:])
    x = make_input(keras, name, input_shape)
    in_path = os.path.join(cache, f"{name}.in.npy")
    np.save(in_path, x)
    calibrated = 0
    if init != "as-built":
        calibrated = calibrate_batch_norms(
            keras, model, make_input(keras, name, input_shape, CALIBRATION_SEED, calibration_batch(input_shape)),
            centre=init == "meanvar")
    variants = {"predictions": save_and_predict(model, x, cache, stem)}
    head = model.layers[-1]
    if getattr(head, "activation", None) is not keras.activations.softmax:
        raise RuntimeError(f"{name}: last layer {head.name} has no softmax activation to strip")
    head.activation = keras.activations.linear
    model.predict_function = None  # the compiled predict still has the softmax
    variants["logits"] = save_and_predict(model, x, cache, f"{stem}.logits")
    meta = {
        "name": name,
        "stem": stem,
        "init": init,
        "calibrated_layers": calibrated,
        "calibration_batch": calibration_batch(input_shape) if calibrated else 0,
        "keras": keras.__version__,
        "params": params,
        "input": in_path,
        "input_min": float(x.min()),
        "input_max": float(x.max()),
        "variants": variants,
        "keras_seconds": round(time.perf_counter() - t0, 1),
    }
    with open(meta_path, "w") as f:
        json.dump(meta, f)
    del model
    keras.backend.clear_session()
    gc.collect()
    return meta


def compare(ref, got):
    """Error metrics of one output; ref is Keras's."""
    if got.shape != ref.shape:
        return {"error": f"shape {list(got.shape)}, Keras {list(ref.shape)}"}
    if not np.all(np.isfinite(ref)):
        return {"error": "Keras output is not finite"}
    if not np.all(np.isfinite(got)):
        return {"error": f"{int(np.sum(~np.isfinite(got)))} non-finite values"}
    ref64, got64 = ref.astype(np.float64), got.astype(np.float64)
    diff = np.abs(got64 - ref64)
    mag = np.abs(ref64)
    scale = float(mag.max())
    significant = mag >= REL_FLOOR * scale if scale > 0 else np.zeros_like(mag, dtype=bool)
    return {
        "max_abs": float(diff.max()),
        "max_rel": float((diff[significant] / mag[significant]).max()) if significant.any() else 0.0,
        "scale": scale,
        "err_over_scale": float(diff.max() / scale) if scale > 0 else float(diff.max()),
        "worst": float((diff / (ATOL + RTOL * mag)).max()),
        "pass": bool(np.allclose(got, ref, atol=ATOL, rtol=RTOL)),
        "scaled_pass": bool(np.all(diff <= ATOL * scale + RTOL * mag)),
    }


def run_kgate(kgate, model_path, in_path, n_outputs, timeout):
    """Runs kgate predict; returns (outputs, error, seconds)."""
    out_dir = tempfile.mkdtemp(prefix="kgate_predict_")
    try:
        t0 = time.perf_counter()
        try:
            res = subprocess.run([kgate, "predict", model_path, in_path, "--output-dir", out_dir],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"timed out after {timeout} s", timeout
        seconds = time.perf_counter() - t0
        if res.returncode != 0:
            first = (res.stderr.strip() or res.stdout.strip()).split("\n")[0][:200].replace("|", "/")
            return None, f"exit {res.returncode}: {first}", seconds
        outs = []
        for i in range(n_outputs):
            path = os.path.join(out_dir, f"output{i}.npy")
            if not os.path.exists(path):
                return None, f"output{i}.npy missing", seconds
            outs.append(np.load(path, allow_pickle=False))
        if os.path.exists(os.path.join(out_dir, f"output{n_outputs}.npy")):
            return None, f"more outputs than Keras's {n_outputs}", seconds
        return outs, None, seconds
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def check_variant(kgate, variant, in_path, timeout, scaled):
    """kgate vs Keras on one saved model: merged metrics over its outputs, or an error.
    scaled: pass only by both the plain allclose and the scale-relative one."""
    outs, error, seconds = run_kgate(kgate, variant["model"], in_path, len(variant["outputs"]), timeout)
    if error:
        return {"error": error, "seconds": seconds}
    per_output = [compare(np.load(p), o) for p, o in zip(variant["outputs"], outs)]
    bad = next((r for r in per_output if "error" in r), None)
    if bad:
        return {**bad, "seconds": seconds}
    merged = {k: max(r[k] for r in per_output) for k in ("max_abs", "max_rel", "scale", "err_over_scale", "worst")}
    passed = all(r["pass"] and (r["scaled_pass"] or not scaled) for r in per_output)
    return {**merged, "pass": passed, "seconds": seconds}


def keras_sensitivity(keras, meta, cache):
    """Keras against itself when every input element moves up by one float32 ulp:
    max |change| / max |output| of the logits (cached). A random-weight network
    whose activations explode can amplify rounding differences to the size of
    its outputs; this number tells such a network from a kgate error."""
    path = os.path.join(cache, f"{meta.get('stem', meta['name'])}.sensitivity.json")
    if os.path.exists(path):
        with open(path) as f:
            return json.load(f)["logits_err_over_scale"]
    variant = meta["variants"]["logits"]
    model = keras.saving.load_model(variant["model"], compile=False)
    x = np.load(meta["input"])
    ref = np.load(variant["outputs"][0]).astype(np.float64)
    moved = as_list(model.predict(np.nextafter(x, np.float32(np.inf)), batch_size=BATCH, verbose=0))[0]
    value = float(np.abs(moved - ref).max() / max(np.abs(ref).max(), np.finfo(np.float64).tiny))
    with open(path, "w") as f:
        json.dump({"logits_err_over_scale": value}, f)
    del model
    keras.backend.clear_session()
    gc.collect()
    return value


HEADER = ("| model | params | BN calibrated | max abs err | max rel err | pass | logits: max abs err | "
          "max abs logit | err / max abs logit | logits pass |\n|---|---|---|---|---|---|---|---|---|---|")


def fmt(v):
    return f"{v:.1e}"


def verdict(r):
    if r.get("pass"):
        return "yes"
    if "error" in r:
        return "NO: " + r["error"]
    if "noise_ratio" in r:
        within = r["noise_ratio"] <= NOISE_FACTOR
        return f"{'within' if within else 'NO: beyond'} float32 noise ({r['noise_ratio']:.1f}x Keras's 1-ulp)"
    return "NO"


def within_noise(r):
    return "noise_ratio" in r and r["noise_ratio"] <= NOISE_FACTOR


def row(meta, pred, logits):
    cells = [meta["name"], f"{meta['params']:,}", str(meta.get("calibrated_layers", 0))]
    cells += ["-", "-"] if "error" in pred else [fmt(pred["max_abs"]), fmt(pred["max_rel"])]
    cells.append(verdict(pred))
    cells += ["-", "-", "-"] if "error" in logits else [fmt(logits["max_abs"]), fmt(logits["scale"]),
                                                        fmt(logits["err_over_scale"])]
    cells.append(verdict(logits))
    return "| " + " | ".join(cells) + " |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kgate", default=os.path.join(ROOT, "build", "kgate"))
    ap.add_argument("--skip-larger-than", type=int, default=0, metavar="PARAMS",
                    help="skip architectures with more parameters (0: none skipped)")
    ap.add_argument("--cache-dir", help="keep models, inputs and Keras outputs here across runs")
    ap.add_argument("--markdown", help="also write the Markdown table to this file")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds for one kgate predict")
    ap.add_argument("--init", choices=INITS, default=INITS[0],
                    help="BatchNormalization statistics: calibrated on a random batch to unit root-mean-square (rms, "
                         "the default) or to mean 0 and variance 1 (meanvar), or Keras's initial ones (as-built)")
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    if not os.path.exists(args.kgate):
        print(f"kgate binary not found at {args.kgate}", file=sys.stderr)
        return 2

    import jax
    import keras

    names = args.names or all_names(keras)
    unknown = [n for n in names if n not in all_names(keras)]
    if unknown:
        print(f"not in keras.applications: {', '.join(unknown)}", file=sys.stderr)
        return 2
    cache = args.cache_dir or tempfile.mkdtemp(prefix="kgate_conformance_")
    os.makedirs(cache, exist_ok=True)

    rows, notes, failed, skipped = [], [], 0, []
    print(HEADER, flush=True)
    try:
        for name in names:
            meta = prepare(keras, name, cache, args.skip_larger_than, args.init)
            if meta.get("skipped") or (args.skip_larger_than and meta["params"] > args.skip_larger_than):
                skipped.append(f"{name} ({meta['params']:,})")
                continue
            pred, logits = (check_variant(args.kgate, meta["variants"][v], meta["input"], args.timeout, v == "logits")
                            for v in ("predictions", "logits"))
            if not (pred.get("pass") and logits.get("pass")) and "error" not in pred and "error" not in logits:
                sensitivity = keras_sensitivity(keras, meta, cache)
                if not logits.get("pass") and sensitivity > 0:
                    logits["noise_ratio"] = logits["err_over_scale"] / sensitivity
                notes.append(f"{name}: Keras's own logits move by {sensitivity:.2g} "
                             "of their largest magnitude when the input moves up by one float32 ulp; kgate's "
                             f"differ from Keras's by {logits['err_over_scale']:.2g}.")
            passed = pred.get("pass") and (logits.get("pass") or within_noise(logits))
            failed += not passed
            rows.append(row(meta, pred, logits))
            print(rows[-1], f"<!-- input [{meta['input_min']:.1f}, {meta['input_max']:.1f}]; allclose ratio "
                  f"{pred.get('worst', float('nan')):.3g} / {logits.get('worst', float('nan')):.3g}; "
                  f"kgate {pred['seconds']:.1f} s + {logits['seconds']:.1f} s -->", flush=True)
            if not args.cache_dir:
                for v in meta["variants"].values():
                    for path in [v["model"], *v["outputs"]]:
                        os.remove(path)
                os.remove(meta["input"])
    finally:
        if not args.cache_dir:
            shutil.rmtree(cache, ignore_errors=True)

    summary = f"{len(rows) - failed} passed, {failed} failed"
    if skipped:
        summary += f"; skipped (more than {args.skip_larger_than:,} parameters): {', '.join(skipped)}"
    doc = "\n".join([
        f"Measured {datetime.date.today().isoformat()} on {machine()}; Keras {keras.__version__}, "
        f"JAX {jax.__version__}, kgate {git_commit()}; batch {BATCH}, allclose(atol={ATOL:g}, rtol={RTOL:g}); "
        f"BatchNormalization statistics {args.init}.",
        "", HEADER, *rows, "", summary, *([""] + ["- " + n for n in notes] if notes else [])])
    print("\n" + doc)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(doc + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
