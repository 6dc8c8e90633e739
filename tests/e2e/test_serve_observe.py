"""kgate serve's observe stage, end to end on the real binary: the /metrics
page read by prometheus_client's text parser and scraped by a real
Prometheus (Debian's package), audit log lines after refusals (rules, a
SHA-256 of the body, never the body), rotation under concurrent load, and
gzip request bodies from requests and curl, including a 1 GiB gzip bomb that
is refused without the server's memory growing, after which the next good
request is answered."""
import concurrent.futures
import gzip
import hashlib
import json
import re
import shutil
import socket
import subprocess
import time
import zlib

import numpy as np
import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from conftest import ROOT, stop_process

EXAMPLE = ROOT / "examples" / "digits_cnn" / "1" / "model.keras"
SAMPLE = ROOT / "examples" / "digits_cnn" / "sample_input.npy"
MAX_BODY = 4 << 20
WAIT_S = 60  # bound on every wait for an observable state
# A value that appears in a refused request and must never reach the audit log.
SECRET = 987654321.25


def start(servers, *args):
    return servers("--model", f"digits={EXAMPLE}", "--threads", "4", "--max-body-bytes", MAX_BODY, *args)


def address_of(server):
    return server.url.removeprefix("http://")


def metrics_page(server):
    r = requests.get(f"{server.url}/metrics", timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    return r.text


def samples(server):
    """{(sample name, frozenset(labels)): value}, through Prometheus's own parser."""
    out = {}
    for family in text_string_to_metric_families(metrics_page(server)):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def peak_rss_kib(server):
    with open(f"/proc/{server.proc.pid}/status") as f:
        return int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))


def good_body():
    return json.dumps({"instances": np.load(SAMPLE).tolist()}).encode()


def bad_body():
    # One row of the wrong shape, carrying SECRET.
    return json.dumps({"instances": [[SECRET, 1.0, 2.0]]}).encode()


def predict(server, body, **headers):
    return requests.post(f"{server.url}/v1/models/digits:predict", data=body, headers=headers, timeout=60)


def audit_lines(path, want):
    """The audit log's lines once at least `want` are there (the writer thread
    appends them shortly after the replies)."""
    end = time.monotonic() + WAIT_S
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= want or time.monotonic() > end:
            return [json.loads(line) for line in lines]
        time.sleep(0.05)


def counter(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_after_good_and_bad_requests(servers, tmp_path):
    server = start(servers)
    before = samples(server)
    assert predict(server, good_body()).status_code == 200
    assert predict(server, bad_body()).status_code == 400
    assert requests.get(f"{server.url}/v1/models/absent", timeout=10).status_code == 404
    after = samples(server)

    def delta(name, **labels):
        return counter(after, name, **labels) - counter(before, name, **labels)

    assert delta("kgate_requests_total", protocol="tfserving", model="digits", code="200") == 1
    assert delta("kgate_requests_total", protocol="tfserving", model="digits", code="400") == 1
    # A name the repository does not know never becomes a label value.
    assert delta("kgate_requests_total", protocol="tfserving", model="", code="404") == 1
    assert not any("absent" in v for _, labels in after for _, v in labels)
    assert delta("kgate_input_refusals_total", model="digits", rule="shape") == 1
    assert delta("kgate_inference_duration_seconds_count", model="digits") == 1
    assert delta("kgate_request_duration_seconds_count", protocol="tfserving") == 3
    assert delta("kgate_request_body_bytes_sum", protocol="tfserving") == len(good_body()) + len(bad_body())
    assert counter(after, "kgate_models_loaded") == 1
    # Histograms: cumulative buckets ending in +Inf, equal to _count.
    buckets = sorted((float(dict(labels)["le"]), v) for (name, labels), v in after.items()
                     if name == "kgate_request_duration_seconds_bucket" and dict(labels)["protocol"] == "tfserving")
    assert buckets[-1][0] == float("inf")
    assert all(a[1] <= b[1] for a, b in zip(buckets, buckets[1:]))
    assert buckets[-1][1] == counter(after, "kgate_request_duration_seconds_count", protocol="tfserving")


def prometheus_program(name):
    """A program of Debian's prometheus package, or a skip saying how to get it."""
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} not installed (Debian package prometheus; scripts/install-deps.sh installs it)")
    return path


def test_promtool_accepts_the_page(servers, tmp_path):
    promtool = prometheus_program("promtool")
    server = start(servers)
    assert predict(server, bad_body()).status_code == 400
    res = subprocess.run([promtool, "check", "metrics"], input=metrics_page(server), capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_prometheus_scrapes_the_server(servers, tmp_path):
    binary = prometheus_program("prometheus")
    server = start(servers)
    assert predict(server, good_body()).status_code == 200
    assert predict(server, bad_body()).status_code == 400
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n  - job_name: kgate\n    static_configs:\n"
        f"      - targets: ['{address_of(server)}']\n")
    port = free_port()
    prom = subprocess.Popen([binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=open(tmp_path / "prometheus.log", "w"))
    api = f"http://127.0.0.1:{port}/api/v1"
    try:
        end = time.monotonic() + WAIT_S
        target = None
        while time.monotonic() < end:
            try:
                # Until /-/ready says so, the API may answer 503 in plain text.
                if requests.get(f"http://127.0.0.1:{port}/-/ready", timeout=5).status_code == 200:
                    active = requests.get(f"{api}/targets", timeout=5).json()["data"]["activeTargets"]
                    target = active[0] if active else None
            except requests.ConnectionError:
                target = None
            if target and target["health"] in ("up", "down") and target["lastScrape"] != "0001-01-01T00:00:00Z":
                break
            time.sleep(0.2)
        assert target is not None, (tmp_path / "prometheus.log").read_text()[-2000:]
        assert target["health"] == "up", target["lastError"]
        result = []
        while time.monotonic() < end and not result:
            q = requests.get(f"{api}/query", params={"query": 'kgate_requests_total{code="400"}'}, timeout=5).json()
            result = q["data"]["result"]
            if not result:
                time.sleep(0.2)
        assert len(result) == 1, result
        assert result[0]["metric"]["model"] == "digits"
        assert float(result[0]["value"][1]) == 1
        q = requests.get(f"{api}/query", params={"query": "kgate_request_duration_seconds_bucket"}, timeout=5).json()
        assert any(r["metric"]["le"] == "+Inf" for r in q["data"]["result"])
    finally:
        stop_process(prom, 30)


def test_refusals_are_audited_with_a_digest_never_the_input(servers, tmp_path):
    log = tmp_path / "audit.log"
    server = start(servers, "--audit-log", log)
    body = bad_body()
    refused = predict(server, body)
    assert refused.status_code == 400
    assert predict(server, good_body()).status_code == 200  # answered: not audited
    assert requests.get(f"{server.url}/v2/models/absent/ready", timeout=10).status_code == 404
    assert predict(server, b"{}", **{"Content-Encoding": "br"}).status_code == 415
    lines = audit_lines(log, 3)
    assert len(lines) == 3, lines
    raw = log.read_text()
    assert str(SECRET) not in raw and "987654321" not in raw
    first = lines[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert first["event"] == "refusal"
    assert first["client"] == "127.0.0.1"
    assert first["protocol"] == "tfserving"
    assert (first["model"], first["version"], first["status"]) == ("digits", 1, 400)
    assert first["rules"] == ["shape"]
    assert first["input_sha256"] == hashlib.sha256(body).hexdigest()
    assert first["request_id"] == refused.headers["X-Request-Id"]
    assert (lines[1]["status"], lines[1]["rules"], lines[1]["model"]) == (404, ["not_found"], None)
    assert (lines[2]["status"], lines[2]["rules"]) == (415, ["unsupported_content_encoding"])
    assert lines[2]["input_sha256"] == hashlib.sha256(b"{}").hexdigest()
    ids = [line["request_id"] for line in lines]
    assert len(set(ids)) == len(ids)


def test_audit_log_rotates_under_concurrent_load(servers, tmp_path):
    log = tmp_path / "audit.log"
    server = start(servers, "--audit-log", log, "--audit-log-max-bytes", 4096, "--audit-log-files", 3)
    body = bad_body()
    total = 400

    def refuse(_):
        r = predict(server, body)
        return r.status_code, r.headers["X-Request-Id"]

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        replies = list(pool.map(refuse, range(total)))
    assert {status for status, _ in replies} == {400}
    sent_ids = {rid for _, rid in replies}
    assert len(sent_ids) == total
    # Every line is accounted for: written (the metric) and none lost.
    end = time.monotonic() + WAIT_S
    while time.monotonic() < end:
        s = samples(server)
        if counter(s, "kgate_audit_records_total", outcome="written") >= total:
            break
        time.sleep(0.05)
    assert counter(s, "kgate_audit_records_total", outcome="written") == total
    assert counter(s, "kgate_audit_records_total", outcome="queue_full") == 0
    assert counter(s, "kgate_audit_records_total", outcome="write_error") == 0
    assert counter(s, "kgate_audit_rotations_total") > 3
    files = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("audit.log"))
    assert files == ["audit.log", "audit.log.1", "audit.log.2", "audit.log.3"]
    seen = []
    longest = 0
    for name in files:
        path = tmp_path / name
        assert path.stat().st_size <= 4096
        for line in path.read_text().splitlines():
            record = json.loads(line)  # whole lines only: no interleaving
            assert record["input_sha256"] == hashlib.sha256(body).hexdigest()
            seen.append(record["request_id"])
            longest = max(longest, len(line) + 1)
    assert len(seen) == len(set(seen))
    assert set(seen) <= sent_ids
    assert len(seen) >= 3 * (4096 // longest)  # three full rotated files at least


def gzip_bomb(decoded_bytes):
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    parts = [c.compress(chunk) for _ in range(decoded_bytes >> 20)]
    parts.append(c.flush())
    return b"".join(parts)


def test_gzip_bodies_from_requests_and_curl(servers, tmp_path):
    server = start(servers)
    plain = predict(server, good_body())
    assert plain.status_code == 200, plain.text
    packed = gzip.compress(good_body())
    assert len(packed) < len(good_body())
    zipped = predict(server, packed, **{"Content-Encoding": "gzip", "Content-Type": "application/json"})
    assert zipped.status_code == 200, zipped.text
    assert zipped.json() == plain.json()
    path = tmp_path / "x.json.gz"
    path.write_bytes(packed)
    res = subprocess.run(["curl", "-sS", "--max-time", "60", "--data-binary", f"@{path}", "-H",
                          "Content-Encoding: gzip", "-H", "Content-Type: application/json",
                          f"{server.url}/v1/models/digits:predict"], capture_output=True, text=True, timeout=90)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == plain.json()
    bad = predict(server, packed[:-10], **{"Content-Encoding": "gzip"})
    assert bad.status_code == 400 and "truncated" in bad.json()["error"]


def test_gzip_bomb_is_refused_and_the_next_request_answered(servers, tmp_path):
    log = tmp_path / "audit.log"
    server = start(servers, "--audit-log", log)
    assert predict(server, good_body()).status_code == 200
    rss_before = peak_rss_kib(server)
    bomb = gzip_bomb(1 << 30)  # 1 GiB of zeros
    assert len(bomb) < MAX_BODY
    r = predict(server, bomb, **{"Content-Encoding": "gzip"})
    assert r.status_code == 413, r.text
    assert f"more than the {MAX_BODY}-byte body limit" in r.json()["error"]
    # The decoded bytes stop at the cap: far from the gigabyte.
    assert peak_rss_kib(server) - rss_before < 64 * 1024
    plain = predict(server, good_body())
    assert plain.status_code == 200
    # A smaller bomb, under the body cap but past the ratio cap.
    small = gzip_bomb(3 << 20)
    r = predict(server, small, **{"Content-Encoding": "gzip"})
    assert r.status_code == 413 and "decompression bomb" in r.json()["error"], r.text
    lines = audit_lines(log, 2)
    assert [(l["status"], l["rules"]) for l in lines] == [(413, ["gzip_too_large"])] * 2
    assert lines[0]["input_sha256"] == hashlib.sha256(bomb).hexdigest()
    assert predict(server, good_body()).json() == plain.json()
