"""Inference speed and memory: kgate's engine vs Keras (JAX backend) side by
side, in one run on the same machine.

Models (random weights, keras.utils.set_random_seed(0), saved as .keras into a
temporary folder): an MLP, a small CNN, an LSTM, MobileNetV2, ResNet50 and
EfficientNetB0, each at batch 1, 8 and 32.

- kgate: `kgate bench MODEL --batch N... --threads T --format json` (inputs
  uniform [0, 1), its own warm-up and timing loop).
- Keras: per model and batch the faster by p50 of two paths, both timed:
  jax.jit over model.stateless_call(trainable, non_trainable, x,
  training=False) with a numpy input per call and block_until_ready on the
  output (about half the per-call overhead of predict_on_batch), and
  model.predict_on_batch. Same input distribution, warm-up count, timing loop
  and percentile definition as kgate bench.
- FLOPs: 2 x the multiply-accumulates of the convolutions, dense layers and
  LSTM matmuls per sample, counted from the Keras layers' shapes; achieved
  GFLOP/s = FLOPs x samples/s. The reference peak is a 4096^3 float32 numpy
  (OpenBLAS) matmul, one thread and all threads, measured in the same run with
  OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset for that measurement only.
- Memory: peak RSS (VmHWM, polled from /proc) of a kgate process predicting ResNet50 at
  batch 1 (`kgate bench --batch 1`) and of a Python process that loads the same
  .keras with Keras and predicts batch 1 with the jit path, next to the
  weights' bytes and the plan's arena bytes that kgate bench reports.

    KERAS_BACKEND=jax .venv/bin/python bench/engine_vs_keras.py [--kgate build/kgate] \
        [--threads T] [--batch 1 --batch 8 --batch 32] [--models mlp,cnn,...] [--kgate-env NAME=VALUE] \
        [--json FILE] [--markdown FILE]
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from runinfo import git_commit, machine  # noqa: E402

MODELS = ["mlp", "cnn", "lstm", "MobileNetV2", "ResNet50", "EfficientNetB0"]
CNNS = {"cnn", "MobileNetV2", "ResNet50", "EfficientNetB0"}
RSS_MODEL = "ResNet50"


# ---------------------------------------------------------------- models

def build_model(keras, name):
    keras.utils.set_random_seed(0)
    layers = keras.layers
    if name == "mlp":
        return keras.Sequential([keras.Input((784,)), layers.Dense(512, activation="relu"),
                                 layers.Dense(512, activation="relu"), layers.Dense(10, activation="softmax")],
                                name="mlp")
    if name == "cnn":
        return keras.Sequential([keras.Input((32, 32, 3)),
                                 layers.Conv2D(32, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                                 layers.Conv2D(64, 3, padding="same", activation="relu"), layers.MaxPooling2D(),
                                 layers.Conv2D(128, 3, padding="same", activation="relu"),
                                 layers.GlobalAveragePooling2D(), layers.Dense(10, activation="softmax")],
                                name="cnn")
    if name == "lstm":
        return keras.Sequential([keras.Input((50, 32)), layers.LSTM(128), layers.Dense(10, activation="softmax")],
                                name="lstm")
    return getattr(keras.applications, name)(weights=None)


def describe(name):
    return {
        "mlp": "MLP 784-512-512-10 (relu, softmax)",
        "cnn": "CNN 32x32x3: 3x conv3x3 (32/64/128, relu) + 2 max-pools, global avg pool, dense 10",
        "lstm": "LSTM(128) over 50 steps x 32 features, dense 10",
    }.get(name, f"keras.applications.{name}(weights=None), 224x224x3")


def macs_per_sample(keras, model):
    """Multiply-accumulates of convolutions, dense layers and LSTM matmuls for one sample."""
    L = keras.layers
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            total += macs_per_sample(keras, layer)
            continue
        out = layer.output.shape
        if isinstance(layer, L.SeparableConv2D):
            kh, kw, cin, mult = layer.depthwise_kernel.shape
            spatial = int(np.prod(out[1:-1]))
            total += spatial * cin * mult * kh * kw + spatial * cin * mult * out[-1]
        elif isinstance(layer, L.DepthwiseConv2D):
            kh, kw = layer.kernel.shape[:2]
            total += int(np.prod(out[1:])) * kh * kw
        elif isinstance(layer, L.Conv2DTranspose):
            total += int(np.prod(layer.input.shape[1:])) * int(np.prod(layer.kernel.shape[:2])) * out[-1]
        elif isinstance(layer, (L.Conv1D, L.Conv2D, L.Conv3D)):
            total += int(np.prod(out[1:])) * int(np.prod(layer.kernel.shape[:-1]))
        elif isinstance(layer, L.Dense):
            fan_in, units = layer.kernel.shape
            total += int(np.prod(out[1:-1], dtype=np.int64)) * fan_in * units
        elif isinstance(layer, L.LSTM):
            steps, features = layer.input.shape[1:]
            total += steps * 4 * layer.units * (features + layer.units)
    return int(total)


# ---------------------------------------------------------------- timing

def summarize(ms, batch):
    """Same percentiles and throughput as kgate bench (nearest rank on the sorted times)."""
    s = sorted(ms)

    def pct(p):
        return s[min(len(s) - 1, int(p * (len(s) - 1) + 0.5))]

    mean = sum(ms) / len(ms)
    return {"batch": batch, "iterations": len(ms), "p50_ms": pct(0.5), "p99_ms": pct(0.99), "mean_ms": mean,
            "min_ms": s[0], "throughput_per_s": batch * 1000.0 / mean}


def time_loop(fn, batch, iterations, warmup, max_seconds):
    for _ in range(warmup):
        fn()
    ms, start = [], time.perf_counter()
    for _ in range(iterations):
        t0 = time.perf_counter()
        fn()
        t1 = time.perf_counter()
        ms.append((t1 - t0) * 1e3)
        if len(ms) >= 5 and t1 - start > max_seconds:
            break
    return summarize(ms, batch)


def keras_inputs(model, batch):
    rng = np.random.default_rng(42)
    return rng.uniform(0.0, 1.0, size=(batch, *model.inputs[0].shape[1:])).astype(np.float32)


def keras_jit_forward(jax, model):
    trainable = [v.value for v in model.trainable_variables]
    non_trainable = [v.value for v in model.non_trainable_variables]

    @jax.jit
    def forward(trainable, non_trainable, x):
        y, _ = model.stateless_call(trainable, non_trainable, x, training=False)
        return y

    return lambda x: jax.block_until_ready(forward(trainable, non_trainable, x))


def bench_keras(jax, model, batches, a):
    """Times both Keras paths per batch and keeps the faster by p50."""
    rows = []
    for b in batches:
        x = keras_inputs(model, b)
        pob = time_loop(lambda: model.predict_on_batch(x), b, a.iterations, a.warmup, a.max_seconds)
        # Keras's predict step donates the variables' buffers, so the jit path
        # takes their values only after predict_on_batch has run.
        forward = keras_jit_forward(jax, model)
        jit = time_loop(lambda: forward(x), b, a.iterations, a.warmup, a.max_seconds)
        best, path, other = ((jit, "jax.jit(stateless_call)", pob) if jit["p50_ms"] <= pob["p50_ms"]
                             else (pob, "predict_on_batch", jit))
        rows.append({**best, "path": path, "other_path_p50_ms": other["p50_ms"]})
    return rows


def kgate_env(a):
    env = dict(os.environ)
    env.update(kv.split("=", 1) for kv in a.kgate_env)
    return env


def bench_kgate(a, path, batches):
    cmd = [a.kgate, "bench", path, "--threads", str(a.threads), "--iterations", str(a.iterations),
           "--warmup", str(a.warmup), "--max-seconds", str(max(1, int(a.max_seconds))), "--format", "json"]
    for b in batches:
        cmd += ["--batch", str(b)]
    res = subprocess.run(cmd, capture_output=True, text=True, env=kgate_env(a))
    if res.returncode != 0:
        return {"error": f"exit {res.returncode}: {(res.stderr or res.stdout).strip()[:300]}"}
    return json.loads(res.stdout)


# ---------------------------------------------------------------- peak and memory

MATMUL_CHILD = """
import json, sys, time, numpy as np
n = int(sys.argv[1])
a = np.random.default_rng(0).standard_normal((n, n), dtype=np.float32)
b = np.random.default_rng(1).standard_normal((n, n), dtype=np.float32)
a @ b
best = min((lambda t: (a @ b, time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3))
core = "unknown"
try:
    import ctypes, glob, os
    lib = ctypes.CDLL(glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "*openblas*"))[0])
    lib.scipy_openblas_get_corename64_.restype = ctypes.c_char_p
    core = lib.scipy_openblas_get_corename64_().decode()
except Exception as e:
    core = f"unknown ({e})"
print(json.dumps({"gflops": 2 * n**3 / best / 1e9, "seconds": best, "openblas_core": core}))
"""


def matmul_peak(threads, n=4096):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    res = subprocess.run([sys.executable, "-c", MATMUL_CHILD, str(n)], capture_output=True, text=True, env=env,
                         check=True)
    return {"threads": threads, "n": n, **json.loads(res.stdout)}


def run_sampling_memory(cmd, env=None):
    """Runs cmd, polling /proc/PID/status every 20 ms; returns (returncode, stdout,
    stderr, memory) with the last VmHWM seen (the peak), the median VmRSS (the
    run is mostly predictions, so this is the resident set while predicting)
    and the largest RssAnon and RssFile.

    Not wait4's ru_maxrss: for a child forked from this Python process it also
    counts the pages the child shared with its parent before exec."""
    fields = {"VmHWM": 0, "RssAnon": 0, "RssFile": 0}
    rss_samples = []
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        while proc.poll() is None:
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    for line in f:
                        key = line.split(":", 1)[0]
                        if key in fields:
                            fields[key] = max(fields[key], int(line.split()[1]) * 1024)
                        elif key == "VmRSS":
                            rss_samples.append(int(line.split()[1]) * 1024)
            except (OSError, ValueError):
                pass
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        median_rss = sorted(rss_samples)[len(rss_samples) // 2] if rss_samples else 0
        memory = {"peak_rss_bytes": fields["VmHWM"], "median_rss_bytes": median_rss, "rss_anon_bytes": fields["RssAnon"],
                  "rss_file_bytes": fields["RssFile"]}
        return proc.returncode, out.read().decode(), err.read().decode(), memory


KERAS_RSS_CHILD = """
import json, os, sys
os.environ["KERAS_BACKEND"] = "jax"
def status(key):
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key + ":"))
import numpy as np, jax, keras
after_import = status("VmRSS")
model = keras.saving.load_model(sys.argv[1], compile=False)
tv = [v.value for v in model.trainable_variables]
ntv = [v.value for v in model.non_trainable_variables]
f = jax.jit(lambda tv, ntv, x: model.stateless_call(tv, ntv, x, training=False)[0])
x = np.random.default_rng(42).uniform(size=(1, *model.inputs[0].shape[1:])).astype(np.float32)
for _ in range(int(sys.argv[2])):
    jax.block_until_ready(f(tv, ntv, x))
print(json.dumps({"rss_after_import_bytes": after_import, "vm_hwm_bytes": status("VmHWM")}))
"""


def memory(a, path):
    rc, out, err, kgate_mem = run_sampling_memory(
        [a.kgate, "bench", path, "--batch", "1", "--threads", str(a.threads), "--iterations", "20", "--warmup", "2",
         "--format", "json"], kgate_env(a))
    if rc != 0:
        return {"error": f"kgate bench exit {rc}: {err.strip()[:300]}"}
    kg = json.loads(out)
    rc, out, err, keras_mem = run_sampling_memory([sys.executable, "-c", KERAS_RSS_CHILD, path, "20"])
    if rc != 0:
        return {"error": f"Keras child exit {rc}: {err.strip()[-300:]}"}
    kc = json.loads(out.strip().splitlines()[-1])
    return {
        "model": RSS_MODEL,
        "file_bytes": os.path.getsize(path),
        "kgate": kgate_mem,
        "weight_bytes": kg["weight_bytes"],
        "arena_bytes": kg["results"][0]["arena_bytes"],
        "scratch_bytes": kg["results"][0]["scratch_bytes"],
        "keras": keras_mem,
        "keras_vm_hwm_bytes": kc["vm_hwm_bytes"],
        "keras_rss_after_import_bytes": kc["rss_after_import_bytes"],
    }


# ---------------------------------------------------------------- report

def mb(n):
    return f"{n / 2**20:,.0f} MiB"


def markdown(report):
    peak = {p["threads"]: p["gflops"] for p in report["matmul_peak"]}
    # The best measured matmul: with other processes on the machine the all-thread
    # one can come out below the single-thread one.
    all_peak = max(peak.values())
    lines = [
        f"{report['date']}, {report['machine']}; kgate {report['kgate_commit']} with --threads {report['threads']}"
        f"{''.join(' ' + e for e in report['kgate_env'])}; "
        f"Keras {report['keras']} / JAX {report['jax']}. Load average {report['loadavg_start']:.1f} at the start, "
        f"{report['loadavg_end']:.1f} at the end.",
        "",
        "Matmul peak (numpy float32 4096^3, OpenBLAS core "
        f"{report['matmul_peak'][0]['openblas_core']}): "
        + ", ".join(f"{p['gflops']:.0f} GFLOP/s on {p['threads']} thread{'s' if p['threads'] > 1 else ''}"
                    for p in report["matmul_peak"]) + ".",
        "",
        "| model | batch | kgate p50 / p99 ms | Keras p50 / p99 ms | kgate / Keras samples/s | "
        "latency speedup (Keras p50 / kgate p50) | throughput ratio (kgate / Keras) | GFLOP/s kgate / Keras "
        f"(% of {all_peak:.0f} peak) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in report["models"]:
        kg_rows = m["kgate"].get("results") or [None] * len(m["keras"])
        for kg, ke in zip(kg_rows, m["keras"]):
            if kg is None:
                lines.append(f"| {m['name']} | {ke['batch']} | kgate failed: {m['kgate']['error'][:100]} | "
                             f"{ke['p50_ms']:.3g} / {ke['p99_ms']:.3g} | - / {ke['throughput_per_s']:,.0f} | | | |")
                continue
            gf = ""
            if m["name"] in CNNS or m["name"] == "mlp":
                g_k = m["flops_per_sample"] * kg["throughput_per_s"] / 1e9
                g_j = m["flops_per_sample"] * ke["throughput_per_s"] / 1e9
                gf = f"{g_k:.0f} ({100 * g_k / all_peak:.0f}%) / {g_j:.0f} ({100 * g_j / all_peak:.0f}%)"
            lines.append(
                f"| {m['name']} | {kg['batch']} | {kg['p50_ms']:.3g} / {kg['p99_ms']:.3g} | "
                f"{ke['p50_ms']:.3g} / {ke['p99_ms']:.3g} | {kg['throughput_per_s']:,.0f} / "
                f"{ke['throughput_per_s']:,.0f} | {ke['p50_ms'] / kg['p50_ms']:.2f}x | "
                f"{kg['throughput_per_s'] / ke['throughput_per_s']:.2f}x | {gf} |")
    mem = report.get("memory")
    if mem and "error" not in mem:
        peak = mem["kgate"]["peak_rss_bytes"]
        rest = peak - mem["weight_bytes"] - mem["arena_bytes"] - mem["scratch_bytes"]
        lines += [
            "",
            f"| {mem['model']} batch 1 | bytes |",
            "|---|---|",
            f"| .keras file | {mb(mem['file_bytes'])} |",
            f"| weights (float32, kgate weight_bytes) | {mb(mem['weight_bytes'])} |",
            f"| plan arena (+ scratch) | {mb(mem['arena_bytes'])} (+ {mb(mem['scratch_bytes'])}) |",
            f"| kgate peak RSS (VmHWM) | {mb(peak)} = weights + arena + {mb(rest)}; largest anonymous "
            f"{mb(mem['kgate']['rss_anon_bytes'])}, file-backed {mb(mem['kgate']['rss_file_bytes'])}; "
            f"median {mb(mem['kgate']['median_rss_bytes'])} resident over the run |",
            f"| Keras process peak RSS (VmHWM, JAX jit predict) | {mb(mem['keras_vm_hwm_bytes'])}, "
            f"{mb(mem['keras_rss_after_import_bytes'])} of it right after importing keras and jax; "
            f"median {mb(mem['keras']['median_rss_bytes'])} resident over the run |",
            f"| Keras / kgate peak RSS | {mem['keras_vm_hwm_bytes'] / peak:.1f}x |",
        ]
    elif mem:
        lines += ["", f"memory: {mem['error']}"]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kgate", default=os.path.join(ROOT, "build", "kgate"))
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--batch", type=int, action="append", dest="batches")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--iterations", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--max-seconds", type=float, default=10)
    ap.add_argument("--kgate-env", action="append", default=[], metavar="NAME=VALUE",
                    help="environment for the kgate processes, e.g. OMP_WAIT_POLICY=passive")
    ap.add_argument("--no-memory", action="store_true", help=f"skip the {RSS_MODEL} peak-RSS comparison")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--markdown", help="write the Markdown report here")
    a = ap.parse_args()
    batches = a.batches or [1, 8, 32]
    names = [n for n in a.models.split(",") if n]
    if not os.path.exists(a.kgate):
        print(f"kgate binary not found at {a.kgate}", file=sys.stderr)
        return 2

    import jax
    import keras

    report = {"date": datetime.date.today().isoformat(), "machine": machine(), "kgate_commit": git_commit(),
              "threads": a.threads, "kgate_env": a.kgate_env, "keras": keras.__version__, "jax": jax.__version__,
              "loadavg_start": os.getloadavg()[0], "models": []}
    report["matmul_peak"] = [matmul_peak(1), matmul_peak(os.cpu_count())]
    print(json.dumps(report["matmul_peak"]), flush=True)
    with tempfile.TemporaryDirectory(prefix="kgate_engine_bench_") as tmp:
        for name in names:
            model = build_model(keras, name)
            path = os.path.join(tmp, f"{name}.keras")
            model.save(path)
            entry = {"name": name, "description": describe(name), "params": int(model.count_params()),
                     "flops_per_sample": 2 * macs_per_sample(keras, model)}
            entry["kgate"] = bench_kgate(a, path, batches)
            entry["keras"] = bench_keras(jax, model, batches, a)
            report["models"].append(entry)
            print(json.dumps(entry), flush=True)
            del model
            keras.backend.clear_session()
            if name == RSS_MODEL and not a.no_memory:
                report["memory"] = memory(a, path)
                print(json.dumps(report["memory"]), flush=True)
    report["loadavg_end"] = os.getloadavg()[0]
    text = markdown(report)
    print("\n" + text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
