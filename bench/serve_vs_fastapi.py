"""Serving speed: `kgate serve` side by side with the same .keras served the
way a Keras team would otherwise serve it, in one run on the same machine.

Servers (all on 127.0.0.1 except KServe, which binds 0.0.0.0; each on its own
port, all started before the first measurement and stopped at the end):
- kgate: `kgate serve --model mlp=MLP.keras --threads T` (T worker threads,
  each prediction on one core);
- fastapi-wN: FastAPI + uvicorn (uvloop, httptools) with N worker processes,
  bench/serve/fastapi_app.py: load_model once, jax.jit over
  model.stateless_call, pydantic-typed body (see keras_predictor.py);
- kserve-wN: KServe's Python model server (`kserve` package) with N workers,
  bench/serve/kserve_app.py, the same predictor in a kserve.Model.
The Python peers run in .venv-bench (bench/serve/setup_venv.sh), since
fastapi, uvicorn and kserve are not in the test venv's pins.

The model (bench/serve/make_mlp.py, real Keras, fixed seed): 32 -> 64 -> 64
-> 10 softmax. Every request is the same TF Serving row-form body with one
row; before timing, each server's reply is compared with Keras's own
model.predict on that row, and that exact reply becomes the one every timed
reply must equal (bench/serve/post.lua counts non-200 and wrong bodies).

Load: wrk (Debian package), one thread, C keep-alive connections in a closed
loop, each point DURATION seconds after a warm-up; concurrency levels in
order, servers alternating within each level (the order rotates per round).
For each point: requests/s, p50/p99/max latency, errors, and the CPU seconds
the server's process tree and wrk used (from /proc and getrusage), so CPU per
request is comparable even when other processes share the machine.

Validation cost: build/bench/kgate_serve_stage_bench times, in process and
interleaved, kgate's stages on the same request (Router::Handle = everything
after the HTTP parse; JSON parse; decode; ValidateInputs; Predict;
ValidateOutputs with OUTPUT_RULES below). The medians of input validation,
output validation and both are then given as shares of the in-process
request (handle), of the HTTP request at the lowest concurrency (client p50)
and of kgate's CPU time per request at the highest concurrency.

    bench/serve/setup_venv.sh            # once: .venv-bench with pinned fastapi, uvicorn, kserve, keras, jax
    cmake --build build --target kgate kgate_serve_stage_bench
    .venv/bin/python bench/serve_vs_fastapi.py [--duration 10] [--concurrency 1 16 64] \
        [--servers kgate,fastapi-w1,fastapi-w2,kserve-w1] [--rounds 1] [--json out.json] [--markdown out.md]
"""
import argparse
import datetime
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE_DIR = os.path.join(ROOT, "bench", "serve")
sys.path.insert(0, os.path.join(ROOT, "tools"))
from runinfo import git_commit, machine  # noqa: E402

MODEL_NAME = "mlp"
ROUTE = f"/v1/models/{MODEL_NAME}:predict"
READY_TIMEOUT_S = 240  # JAX import and jit compile on a loaded 2-core machine
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- servers

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_command(kind, workers, args, model_path, port):
    """argv, env and cwd for one server; `workers` is threads for kgate."""
    env = dict(os.environ, KERAS_BACKEND="jax")
    if kind == "kgate":
        return [args.kgate, "serve", "--model", f"{MODEL_NAME}={model_path}", "--host", "127.0.0.1",
                "--port", str(port), "--threads", str(workers)], env, ROOT
    if kind == "fastapi":
        env["KGATE_BENCH_MODEL"] = model_path
        return [args.bench_python, "-m", "uvicorn", "--app-dir", SERVE_DIR, "fastapi_app:app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"], env, ROOT
    if kind == "kserve":
        return [args.bench_python, os.path.join(SERVE_DIR, "kserve_app.py"), "--model_name", MODEL_NAME,
                "--model_path", model_path, "--http_port", str(port), "--workers", str(workers)], env, SERVE_DIR
    raise ValueError(f"unknown server kind {kind!r}")


def parse_server(spec):
    """'kgate' / 'kgate-t4' / 'fastapi-w2' / 'kserve-w1' -> (kind, workers)."""
    m = re.fullmatch(r"(kgate|fastapi|kserve)(?:-[tw](\d+))?", spec)
    if not m:
        raise SystemExit(f"unknown server {spec!r}; expected kgate[-tN], fastapi[-wN] or kserve[-wN]")
    kind = m.group(1)
    return kind, int(m.group(2) or 1)


def post(port, body, timeout=30):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{ROUTE}", data=body,
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


class Server:
    def __init__(self, name, kind, workers, args, model_path, log_dir):
        self.name, self.kind, self.workers = name, kind, workers
        self.port = free_port()
        argv, env, cwd = server_command(kind, workers, args, model_path, self.port)
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.log = open(self.log_path, "wb")
        # Own process group, so the workers uvicorn forks are stopped with it.
        self.proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.reply = None

    def wait_ready(self, body):
        """Polls the predict route until it answers 200 (bounded); returns the reply body."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode} before it was ready; "
                                   f"see {self.log_path}:\n{self.tail()}")
            try:
                status, reply = post(self.port, body, timeout=10)
                if status == 200:
                    return reply
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT_S} s; see {self.log_path}:\n{self.tail()}")

    def tail(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def cpu_seconds(self):
        """User + system CPU of the server and every process below it."""
        return sum(proc_cpu(pid) for pid in process_tree(self.proc.pid))

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        self.log.close()


def process_tree(root):
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def proc_cpu(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, ValueError, IndexError):
        return 0.0


# ---------------------------------------------------------------- load

def run_wrk(port, connections, duration, body_path, expect_path):
    env = dict(os.environ, KGATE_BENCH_BODY=body_path, KGATE_BENCH_EXPECT=expect_path)
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s",
            "-s", os.path.join(SERVE_DIR, "post.lua"), f"http://127.0.0.1:{port}{ROUTE}"]
    out = subprocess.run(argv, env=env, capture_output=True, timeout=duration + 60)
    m = re.search(rb"KGATE_BENCH_RESULT (\{.*\})", out.stdout)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"wrk gave no result (exit {out.returncode}):\n{out.stdout.decode()}\n{out.stderr.decode()}")
    result = json.loads(m.group(1))
    wrong = re.search(rb"KGATE_BENCH_FIRST_WRONG (.*)", out.stdout)
    if wrong:
        result["first_wrong_reply"] = wrong.group(1).decode(errors="replace")
    return result


def wrk_with_cpu(port, connections, duration, body_path, expect_path):
    """run_wrk plus wrk's own CPU seconds (the reaped children's rusage grows by wrk's alone)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_wrk(port, connections, duration, body_path, expect_path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["wrk_cpu_s"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result


def check_reply(name, reply, expected):
    got = np.asarray(json.loads(reply)["predictions"], dtype=np.float64)
    want = np.asarray(expected["predictions"], dtype=np.float64)
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        raise RuntimeError(f"{name}: predictions differ from Keras's:\n got  {got.tolist()}\n want {want.tolist()}")
    return float(np.max(np.abs(got - want)))


# The output rules the stage bench times (a kgate.yaml `outputs:` section, as
# JSON): what a team would write for a softmax classifier, all passing here.
OUTPUT_RULES = {"outputs": {"probs": {"finite": {"action": "reject"},
                                      "range": {"min": 0, "max": 1, "action": "reject"},
                                      "simplex": {"tolerance": 1e-4, "action": "reject"}}}}


def stage_bench(args, model_path, body_path, work):
    config = os.path.join(work, "kgate.json")
    with open(config, "w") as f:
        json.dump(OUTPUT_RULES, f)
    out = subprocess.run([args.stage_bench, model_path, body_path, "--config", config], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{args.stage_bench} failed: {out.stderr}")
    return json.loads(out.stdout)


# The series of kgate's /metrics that time the benchmark's own requests (the
# scrapes themselves are counted under protocol="metrics").
SERVER_SIDE = {"request": f'kgate_request_duration_seconds_{{part}}{{{{protocol="tfserving"}}}}',
               "inference": f'kgate_inference_duration_seconds_{{part}}{{{{model="{MODEL_NAME}"}}}}'}


def scrape_kgate(port):
    """Sum and count of kgate's request and inference histograms from GET /metrics."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for key, series in SERVER_SIDE.items():
        for part in ("sum", "count"):
            m = re.search(rf"^{re.escape(series.format(part=part))} (\S+)$", text, re.M)
            out[f"{key}_{part}"] = float(m.group(1)) if m else 0.0
    return out


def server_side_means(before, after):
    """Mean request and inference microseconds over a point, as kgate's /metrics saw them."""
    out = {}
    for key in SERVER_SIDE:
        n = after[f"{key}_count"] - before[f"{key}_count"]
        out[f"server_{key}_us"] = 1e6 * (after[f"{key}_sum"] - before[f"{key}_sum"]) / n if n else None
    return out


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


# ---------------------------------------------------------------- report

def summarize(points, servers, concurrency, baseline):
    """Median over rounds of each metric, per server and concurrency; ratios vs each peer."""
    rows = []
    for c in concurrency:
        for name in servers:
            ps = [p for p in points if p["server"] == name and p["concurrency"] == c]
            med = lambda k: statistics.median(p[k] for p in ps)  # noqa: E731
            rows.append({
                "server": name, "concurrency": c, "rounds": len(ps),
                "requests_per_s": med("requests_per_s"), "p50_ms": med("p50_us") / 1e3,
                "p99_ms": med("p99_us") / 1e3, "max_ms": med("max_us") / 1e3,
                "errors": sum(p["bad_status"] + p["wrong_body"] + p["socket_errors"] + p["timeouts"] for p in ps),
                "server_cpu_ms_per_request": med("server_cpu_ms_per_request"),
                "wrk_cpu_share": med("wrk_cpu_share"),
                "server_request_us": med("server_request_us") if "server_request_us" in ps[0] else None,
                "server_inference_us": med("server_inference_us") if "server_inference_us" in ps[0] else None,
            })
    ratios = []
    for c in concurrency:
        base = next(r for r in rows if r["server"] == baseline and r["concurrency"] == c)
        for r in rows:
            if r["concurrency"] != c or r["server"] == baseline:
                continue
            ratios.append({"concurrency": c, "peer": r["server"],
                           "throughput_ratio": base["requests_per_s"] / r["requests_per_s"],
                           "p50_speedup": r["p50_ms"] / base["p50_ms"],
                           "p99_speedup": r["p99_ms"] / base["p99_ms"],
                           "cpu_per_request_ratio": r["server_cpu_ms_per_request"] / base["server_cpu_ms_per_request"]})
    return rows, ratios


def validation_share(stages, rows, baseline, concurrency):
    """Input validation (ValidateInputs), output validation (ValidateOutputs
    with OUTPUT_RULES) and both, as shares of the in-process request, of the
    HTTP p50 at the lowest concurrency and of the server's CPU per request at
    the highest, and of the mean request time kgate's /metrics reports there
    (kgate_request_duration_seconds: from the request's arrival to its reply)."""
    low = next(r for r in rows if r["server"] == baseline and r["concurrency"] == min(concurrency))
    high = next(r for r in rows if r["server"] == baseline and r["concurrency"] == max(concurrency))
    parts = {"inputs": stages["validate"]["p50_ns"], "outputs": stages["validate_outputs"]["p50_ns"]}
    parts["both"] = parts["inputs"] + parts["outputs"]
    denominators = {
        "in_process_request": stages["handle"]["p50_ns"],
        f"server_side_request_at_c{high['concurrency']}": high["server_request_us"] * 1e3,
        f"http_p50_at_c{low['concurrency']}": low["p50_ms"] * 1e6,
        f"server_cpu_per_request_at_c{high['concurrency']}": high["server_cpu_ms_per_request"] * 1e6,
    }
    return {"ns": parts, "denominators_ns": denominators,
            "shares": {f"{part} / {d}": ns / dns for part, ns in parts.items() for d, dns in denominators.items()}}


def markdown(report):
    lines = [f"Measured {report['date']} on {report['machine']}, kgate {report['kgate_commit']}, "
             f"{report['duration_s']} s per point after a {report['warmup_s']} s warm-up, {report['rounds']} round(s); "
             f"load average {report['loadavg_start']} at the start, {report['loadavg_end']} at the end.", "",
             "| server | concurrency | requests/s | p50 ms | p99 ms | errors | server CPU ms / request | wrk CPU share "
             "| kgate /metrics: request / inference us |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        lines.append(f"| {r['server']} | {r['concurrency']} | {r['requests_per_s']:,.0f} | {r['p50_ms']:.3g} | "
                     f"{r['p99_ms']:.3g} | {r['errors']} | {r['server_cpu_ms_per_request']:.3g} | "
                     f"{r['wrk_cpu_share']:.0%} | " + (f"{r['server_request_us']:.1f} / {r['server_inference_us']:.1f}"
                                                      if r["server_request_us"] is not None else "") + " |")
    lines += ["", f"| concurrency | vs | {report['baseline']} / peer requests/s | p50 speedup | p99 speedup | "
              "peer / kgate CPU per request |", "|---|---|---|---|---|---|"]
    for q in report["ratios"]:
        lines.append(f"| {q['concurrency']} | {q['peer']} | {q['throughput_ratio']:.2f}x | {q['p50_speedup']:.2f}x | "
                     f"{q['p99_speedup']:.2f}x | {q['cpu_per_request_ratio']:.2f}x |")
    st, vs = report["stages"], report["validation"]
    lines += ["", "| kgate stage (in process, median) | ns |", "|---|---|"]
    for k in ("handle", "parse", "decode", "validate", "predict", "validate_outputs"):
        lines.append(f"| {k} | {st[k]['p50_ns']:,.0f} |")
    lines += ["", "| validation | " + " | ".join(f"share of {d} ({vs['denominators_ns'][d] / 1e3:,.1f} us)"
                                               for d in vs["denominators_ns"]) + " |",
              "|---|" + "---|" * len(vs["denominators_ns"])]
    for part, ns in vs["ns"].items():
        lines.append(f"| {part} ({ns:,.0f} ns) | " + " | ".join(f"{vs['shares'][f'{part} / {d}']:.2%}"
                                                               for d in vs["denominators_ns"]) + " |")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kgate", default=os.path.join(ROOT, "build", "kgate"))
    ap.add_argument("--stage-bench", default=os.path.join(ROOT, "build", "bench", "kgate_serve_stage_bench"))
    ap.add_argument("--bench-python", default=os.path.join(ROOT, ".venv-bench", "bin", "python"))
    ap.add_argument("--servers", default="kgate-t2,fastapi-w1,fastapi-w2,kserve-w1",
                    help="comma-separated; the first is the baseline of the ratios")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 16, 64])
    ap.add_argument("--duration", type=int, default=10, help="seconds per point")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of load per server before timing")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--json")
    ap.add_argument("--markdown")
    args = ap.parse_args()
    for tool in (args.kgate, args.stage_bench, args.bench_python):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"{tool} not found; see the usage at the top of {__file__}")
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found; scripts/install-deps.sh installs it (Debian package wrk)")
    names = args.servers.split(",")
    specs = {name: parse_server(name) for name in names}

    work = tempfile.mkdtemp(prefix="kgate_serve_bench_")
    subprocess.run([sys.executable, os.path.join(SERVE_DIR, "make_mlp.py"), work], check=True,
                   env=dict(os.environ, KERAS_BACKEND="jax"))
    model_path = os.path.join(work, "mlp.keras")
    body_path = os.path.join(work, "request.json")
    with open(body_path, "rb") as f:
        body = f.read()
    with open(os.path.join(work, "expected.json")) as f:
        expected = json.load(f)

    load_start = loadavg()
    servers = {}
    try:
        for name in names:
            kind, workers = specs[name]
            servers[name] = Server(name, kind, workers, args, model_path, work)
        expect_paths, max_error = {}, {}
        for name, srv in servers.items():
            reply = srv.wait_ready(body)
            max_error[name] = check_reply(name, reply, expected)
            expect_paths[name] = os.path.join(work, f"{name}.reply")
            with open(expect_paths[name], "wb") as f:
                f.write(reply)
            print(f"{name}: ready on port {srv.port}, max |prediction - Keras| = {max_error[name]:.2g}", flush=True)
        for name, srv in servers.items():
            run_wrk(srv.port, max(args.concurrency), args.warmup, body_path, expect_paths[name])

        points = []
        for rnd in range(args.rounds):
            for c in args.concurrency:
                order = names[rnd % len(names):] + names[:rnd % len(names)]
                for name in order:
                    srv = servers[name]
                    metrics0 = scrape_kgate(srv.port) if srv.kind == "kgate" else None
                    cpu0 = srv.cpu_seconds()
                    r = wrk_with_cpu(srv.port, c, args.duration, body_path, expect_paths[name])
                    cpu = srv.cpu_seconds() - cpu0
                    if metrics0 is not None:
                        r.update(server_side_means(metrics0, scrape_kgate(srv.port)))
                    seconds = r["duration_us"] / 1e6
                    r.update(server=name, concurrency=c, round=rnd, requests_per_s=r["requests"] / seconds,
                             server_cpu_ms_per_request=1e3 * cpu / max(1, r["requests"]),
                             server_cpu_share=cpu / seconds, wrk_cpu_share=r["wrk_cpu_s"] / seconds)
                    points.append(r)
                    print(f"round {rnd} c={c:3d} {name:12s} {r['requests_per_s']:9.0f} req/s  p50 "
                          f"{r['p50_us'] / 1e3:8.3f} ms  p99 {r['p99_us'] / 1e3:8.3f} ms  errors "
                          f"{r['bad_status'] + r['wrong_body'] + r['socket_errors'] + r['timeouts']}  server CPU "
                          f"{r['server_cpu_share']:.2f} cores, wrk {r['wrk_cpu_share']:.2f}", flush=True)
                    if "first_wrong_reply" in r:
                        print(f"  first wrong reply: {r['first_wrong_reply'][:300]}", flush=True)
    finally:
        for srv in servers.values():
            srv.stop()
    load_end = loadavg()
    stages = stage_bench(args, model_path, body_path, work)

    rows, ratios = summarize(points, names, args.concurrency, names[0])
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "kgate_commit": git_commit(), "duration_s": args.duration,
        "warmup_s": args.warmup, "rounds": args.rounds, "loadavg_start": load_start, "loadavg_end": load_end,
        "baseline": names[0], "servers": {n: {"kind": k, "workers_or_threads": w} for n, (k, w) in specs.items()},
        "max_abs_error_vs_keras": max_error, "results": rows, "ratios": ratios, "points": points,
        "stages": stages, "validation": validation_share(stages, rows, names[0], args.concurrency),
    }
    text = markdown(report)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(text)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
