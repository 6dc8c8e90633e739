"""kgate serve, end to end: the real binary on 127.0.0.1 (a free port picked by
the kernel), spoken to by `requests` (TF Serving REST v1, row and columnar)
and Triton's stock `tritonclient.http` (KServe v2, JSON and binary). Every
prediction is compared with `kgate predict` on the same inputs; every bad
request gets its status and message, and the next good request is still
answered correctly."""
import json
import shutil
import signal
import socket
import subprocess
import time

import numpy as np
import pytest
import requests
import tritonclient.http as triton

from conftest import FIXTURES, ROOT, kgate_bin, read_listening_line, run_kgate, stop_process

MODELS = FIXTURES / "models"
EXAMPLE = ROOT / "examples" / "digits_cnn"
MAX_BODY = 4 << 20
READ_TIMEOUT_S = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    repo = tmp_path_factory.mktemp("repo")
    (repo / "digits_cnn" / "1").mkdir(parents=True)
    shutil.copy(EXAMPLE / "1" / "model.keras", repo / "digits_cnn" / "1" / "model.keras")
    (repo / "multi_io" / "3").mkdir(parents=True)
    shutil.copy(MODELS / "multi_io.keras", repo / "multi_io" / "3" / "model.keras")
    proc = subprocess.Popen([kgate_bin(), "serve", "--model-repository", str(repo), "--port", "0", "--threads", "4",
                             "--max-body-bytes", str(MAX_BODY), "--read-timeout", str(READ_TIMEOUT_S)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        address, _ = read_listening_line(proc, 60)
        yield {"url": f"http://{address}", "address": address, "proc": proc}
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """`kgate predict` outputs for the digits example and the multi-input fixture."""
    out = {}
    d = tmp_path_factory.mktemp("pred_digits")
    res = run_kgate("predict", EXAMPLE / "1" / "model.keras", EXAMPLE / "sample_input.npy", "--output-dir", d)
    assert res.code == 0, res.stderr
    out["digits"] = np.load(d / "output0.npy")
    meta = json.loads((MODELS / "multi_io.json").read_text())
    m = tmp_path_factory.mktemp("pred_multi")
    res = run_kgate("predict", MODELS / "multi_io.keras", *[MODELS / f for f in meta["predict"]["inputs"]],
                    "--output-dir", m)
    assert res.code == 0, res.stderr
    out["multi_inputs"] = {t["name"]: np.load(MODELS / f) for t, f in zip(meta["inputs"], meta["predict"]["inputs"])}
    # Output names as kgate (and Keras's model.output_names) give them, in model order.
    info = run_kgate("inspect", MODELS / "multi_io.keras", "--format", "json").json()
    out["multi_outputs"] = {t["name"]: np.load(m / f"output{i}.npy") for i, t in enumerate(info["outputs"])}
    assert list(out["multi_outputs"]) == ["cls", "reg", "aux"]
    return out


def close(got, want):
    got = np.asarray(got, dtype=np.float32)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def digits_input():
    return np.load(EXAMPLE / "sample_input.npy")


def assert_good_digits(server, expected):
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict",
                      json={"instances": digits_input().tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    close(r.json()["predictions"], expected["digits"])


def assert_refused(r, status, rule=None, text=None):
    assert r.status_code == status, r.text
    body = r.json()
    assert "error" in body
    if rule is not None:
        assert rule in [v["rule"] for v in body["violations"]], body
    if text is not None:
        assert text in body["error"], body


# --- TF Serving REST v1 -----------------------------------------------------

def test_tfs_status_and_metadata(server):
    r = requests.get(f"{server['url']}/v1/models/multi_io", timeout=10)
    assert r.status_code == 200
    assert r.json()["model_version_status"][0]["version"] == "3"
    assert r.json()["model_version_status"][0]["state"] == "AVAILABLE"
    meta = requests.get(f"{server['url']}/v1/models/multi_io/versions/3/metadata", timeout=10).json()
    sig = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert list(sig["inputs"]) == ["image", "features"]
    assert sig["inputs"]["image"]["dtype"] == "DT_FLOAT"
    assert [d["size"] for d in sig["inputs"]["image"]["tensor_shape"]["dim"]] == ["-1", "8", "8", "2"]


def test_tfs_row_form_equals_kgate_predict(server, expected):
    assert_good_digits(server, expected)


def test_tfs_columnar_form_equals_kgate_predict(server, expected):
    r = requests.post(f"{server['url']}/v1/models/digits_cnn/versions/1:predict",
                      json={"inputs": digits_input().tolist()}, timeout=30)
    assert r.status_code == 200, r.text
    close(r.json()["outputs"], expected["digits"])


def test_tfs_multi_io_row_and_columnar(server, expected):
    ins = expected["multi_inputs"]
    n = len(ins["image"])
    rows = [{name: ins[name][i].tolist() for name in ins} for i in range(n)]
    r = requests.post(f"{server['url']}/v1/models/multi_io:predict", json={"instances": rows}, timeout=30)
    assert r.status_code == 200, r.text
    preds = r.json()["predictions"]
    for name, want in expected["multi_outputs"].items():
        close([p[name] for p in preds], want)
    r = requests.post(f"{server['url']}/v1/models/multi_io:predict",
                      json={"inputs": {name: v.tolist() for name, v in ins.items()}}, timeout=30)
    assert r.status_code == 200, r.text
    for name, want in expected["multi_outputs"].items():
        close(r.json()["outputs"][name], want)


# --- KServe v2 with tritonclient ---------------------------------------------

@pytest.fixture
def client(server):
    c = triton.InferenceServerClient(server["address"], connection_timeout=30, network_timeout=30)
    yield c
    c.close()


def test_triton_health_and_metadata(client):
    assert client.is_server_live()
    assert client.is_server_ready()
    assert client.is_model_ready("digits_cnn")
    assert client.is_model_ready("multi_io", "3")
    assert not client.is_model_ready("multi_io", "1")
    meta = client.get_model_metadata("multi_io")
    assert meta["versions"] == ["3"]
    assert [t["name"] for t in meta["inputs"]] == ["image", "features"]
    assert meta["inputs"][0] == {"name": "image", "datatype": "FP32", "shape": [-1, 8, 8, 2]}
    assert client.get_server_metadata()["extensions"] == ["binary_tensor_data"]


@pytest.mark.parametrize("binary", [True, False])
def test_triton_infer_equals_kgate_predict(client, expected, binary):
    x = digits_input()
    inp = triton.InferInput("input_layer", list(x.shape), "FP32")
    inp.set_data_from_numpy(x, binary_data=binary)
    outputs = None if binary else [triton.InferRequestedOutput("probs", binary_data=False)]
    res = client.infer("digits_cnn", [inp], outputs=outputs)
    close(res.as_numpy("probs"), expected["digits"])

    ins = expected["multi_inputs"]
    tensors = []
    for name, v in ins.items():
        t = triton.InferInput(name, list(v.shape), "FP32")
        t.set_data_from_numpy(v.astype(np.float32), binary_data=binary)
        tensors.append(t)
    # Inputs in reverse order, outputs requested in a different order: names decide.
    wanted = list(expected["multi_outputs"])[::-1]
    res = client.infer("multi_io", tensors[::-1], model_version="3",
                       outputs=[triton.InferRequestedOutput(n, binary_data=binary) for n in wanted])
    assert [o["name"] for o in res.get_response()["outputs"]] == wanted
    for name, want in expected["multi_outputs"].items():
        close(res.as_numpy(name), want)


# --- refusals: each gets its status and message, the next good request works --

def infer_raw(server, model, body, headers=None):
    return requests.post(f"{server['url']}/v2/models/{model}/infer", data=body, headers=headers or {}, timeout=30)


def kserve_json(name, shape, datatype, data):
    return json.dumps({"inputs": [{"name": name, "shape": shape, "datatype": datatype, "data": data}]})


def test_wrong_dtype(server, expected, client):
    x = digits_input()
    r = infer_raw(server, "digits_cnn", kserve_json("input_layer", list(x.shape), "INT32", [0] * x.size))
    assert_refused(r, 400, "dtype", "expected FP32, got INT32")
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict",
                      json={"instances": [[[["a"]] * 28] * 28]}, timeout=10)
    assert_refused(r, 400, "dtype", "expected a number, got string")
    # tritonclient sending float64 for a float32 input: refused, not narrowed.
    inp = triton.InferInput("input_layer", list(x.shape), "FP64")
    inp.set_data_from_numpy(x.astype(np.float64))
    with pytest.raises(triton.InferenceServerException) as e:
        client.infer("digits_cnn", [inp])
    assert "expected FP32, got FP64" in str(e.value)
    assert_good_digits(server, expected)


def test_wrong_shape_and_ragged(server, expected):
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict",
                      json={"instances": np.zeros((1, 28, 27, 1)).tolist()}, timeout=10)
    assert_refused(r, 400, "shape", "expected [-1, 28, 28, 1]")
    ragged = np.zeros((2, 28, 28, 1)).tolist()
    ragged[1][5].pop()
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict", json={"instances": ragged}, timeout=10)
    assert_refused(r, 400, "ragged")
    assert r.json()["violations"][0]["index"] == [1, 5]
    r = infer_raw(server, "digits_cnn", kserve_json("input_layer", [1, 28, 28, 1], "FP32", [0.0] * 10))
    assert_refused(r, 400, "shape")
    assert_good_digits(server, expected)


def test_missing_and_extra_inputs(server, expected):
    ins = expected["multi_inputs"]
    r = requests.post(f"{server['url']}/v1/models/multi_io:predict",
                      json={"inputs": {"image": ins["image"].tolist()}}, timeout=10)
    assert_refused(r, 400, "missing_input", "input 'features'")
    r = requests.post(f"{server['url']}/v1/models/multi_io:predict",
                      json={"inputs": {**{n: v.tolist() for n, v in ins.items()}, "extra": [[1.0]]}}, timeout=10)
    assert_refused(r, 400, "unknown_input", "'extra'")
    assert_good_digits(server, expected)


def test_nan_inf_and_float_range(server, expected, client):
    x = digits_input().copy()
    x[0, 3, 4, 0] = np.nan
    x[1, 0, 0, 0] = np.inf
    inp = triton.InferInput("input_layer", list(x.shape), "FP32")
    inp.set_data_from_numpy(x)
    with pytest.raises(triton.InferenceServerException) as e:
        client.infer("digits_cnn", [inp])
    assert "finite" in str(e.value)
    r = infer_raw(server, "digits_cnn", *binary_body(x))
    body = r.json()
    assert r.status_code == 400
    assert [(v["index"], v["actual"]) for v in body["violations"]] == [([0, 3, 4, 0], "NaN"), ([1, 0, 0, 0], "Infinity")]
    # JSON has no NaN: the strict parser refuses the token.
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict", data='{"instances": [NaN]}', timeout=10)
    assert_refused(r, 400, None, "not valid JSON")
    big = np.zeros((1, 28, 28, 1)).tolist()
    big[0][0][0][0] = 1e39
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict", json={"instances": big}, timeout=10)
    assert_refused(r, 400, "range")
    assert_good_digits(server, expected)


def binary_body(x, name="input_layer", datatype="FP32", size=None, header_length=None):
    raw = x.tobytes()
    header = json.dumps({"inputs": [{"name": name, "shape": list(x.shape), "datatype": datatype,
                                     "parameters": {"binary_data_size": len(raw) if size is None else size}}]})
    hl = str(len(header)) if header_length is None else header_length
    return header.encode() + raw, {"Inference-Header-Content-Length": hl}


def test_malformed_binary_header(server, expected):
    x = digits_input()
    for hl in ["abc", "-1", str(10**9), ""]:
        r = infer_raw(server, "digits_cnn", *binary_body(x, header_length=hl))
        assert_refused(r, 400, None, "Inference-Header-Content-Length")
    r = infer_raw(server, "digits_cnn", *binary_body(x, size=x.nbytes + 4))
    assert_refused(r, 400, None, "binary_data_size")
    r = infer_raw(server, "digits_cnn", *binary_body(x, size=x.nbytes - 4))
    assert_refused(r, 400, None, "bytes of binary data follow")
    # A header length that cuts the JSON in the middle.
    body, headers = binary_body(x)
    headers["Inference-Header-Content-Length"] = "10"
    assert_refused(infer_raw(server, "digits_cnn", body, headers), 400, None, "not valid JSON")
    assert_good_digits(server, expected)


def test_oversized_body(server, expected):
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict", data=b" " * (MAX_BODY + 1),
                      headers={"Content-Type": "application/json"}, timeout=30)
    assert_refused(r, 413, None, f"exceeds the {MAX_BODY}-byte limit")
    r = requests.get(f"{server['url']}/v1/models/digits_cnn", headers={"X-Big": "a" * 20000}, timeout=10)
    assert r.status_code == 431
    assert_good_digits(server, expected)


def test_deep_nesting(server, expected):
    body = '{"instances": ' + "[" * 50000 + "0.5" + "]" * 50000 + "}"
    r = requests.post(f"{server['url']}/v1/models/digits_cnn:predict", data=body, timeout=30)
    assert_refused(r, 400, None, "nesting")
    assert_good_digits(server, expected)


def test_unknown_model_version_and_route(server, expected):
    assert_refused(requests.get(f"{server['url']}/v1/models/nope", timeout=10), 404, None, "'nope' is not served")
    assert_refused(requests.get(f"{server['url']}/v1/models/multi_io/versions/1", timeout=10), 404, None,
                   "has no version 1 (served: 3)")
    assert_refused(requests.get(f"{server['url']}/v1/models/multi_io/versions/x", timeout=10), 400, None,
                   "positive integer")
    assert_refused(requests.get(f"{server['url']}/v1/models/..%2F..%2Fetc/metadata", timeout=10), 404)
    assert_refused(requests.get(f"{server['url']}/v3/x", timeout=10), 404, None, "no route")
    assert_good_digits(server, expected)


def test_slow_client_does_not_hold_workers(server, expected):
    host, port = server["address"].rsplit(":", 1)
    slow = [socket.create_connection((host, int(port)), timeout=30) for _ in range(8)]
    try:
        for s in slow:  # more half-sent requests than worker threads
            s.sendall(b"POST /v1/models/digits_cnn:predict HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        for _ in range(3):
            assert_good_digits(server, expected)
        # The read timeout closes them (bounded wait; no assertion on the time itself).
        for s in slow:
            s.settimeout(30)
            data = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            assert data == b"", data[:200]
    finally:
        for s in slow:
            s.close()
    assert_good_digits(server, expected)


def test_keep_alive_reuses_the_connection(server, expected):
    with requests.Session() as s:
        for _ in range(3):
            r = s.post(f"{server['url']}/v1/models/digits_cnn:predict",
                       json={"instances": digits_input().tolist()}, timeout=30)
            assert r.status_code == 200
            assert r.headers.get("Connection", "").lower() != "close"
            close(r.json()["predictions"], expected["digits"])


def read_http_response(sock):
    """Reads one HTTP/1.1 response with a Content-Length body; bounded by the socket timeout."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed early: {data[:200]!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int([line.split(b":", 1)[1] for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:")][0])
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "connection closed inside the body"
        body += chunk
    return head.decode(), body[:length]


def test_sigterm_finishes_requests_in_flight(expected):
    proc = subprocess.Popen([kgate_bin(), "serve", "--model", f"digits={EXAMPLE / '1' / 'model.keras'}",
                             "--port", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        address, _ = read_listening_line(proc, 60)
        assert address.startswith("127.0.0.1:")
        host, port = address.rsplit(":", 1)
        idle = requests.Session()  # an idle keep-alive connection must not block the stop
        assert idle.get(f"http://{address}/v2/health/live", timeout=10).status_code == 200
        body = json.dumps({"instances": digits_input().tolist()}).encode()
        with socket.create_connection((host, int(port)), timeout=30) as s:
            s.sendall(b"POST /v1/models/digits:predict HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                      + f"Content-Length: {len(body)}\r\n\r\n".encode())
            # 100 Continue proves the server has read the headers: the request is in flight.
            assert s.recv(64).startswith(b"HTTP/1.1 100 Continue")
            s.sendall(body[:1000])
            proc.send_signal(signal.SIGTERM)
            # Once new connections are refused the stop is under way; then the rest arrives.
            end = time.monotonic() + 20
            while time.monotonic() < end:
                try:
                    socket.create_connection((host, int(port)), timeout=5).close()
                except (ConnectionRefusedError, ConnectionResetError):
                    break
            else:
                raise AssertionError("the listener did not close after SIGTERM")
            s.sendall(body[1000:])
            head, reply = read_http_response(s)
        assert head.startswith("HTTP/1.1 200"), head
        assert "connection: close" in head.lower()
        close(json.loads(reply)["predictions"], expected["digits"])
        assert proc.wait(timeout=20) == 0
        idle.close()
        assert b"stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=5)


def test_refused_model_and_usage_errors(tmp_path):
    res = run_kgate("serve", "--model", f"bad={FIXTURES / 'malicious' / 'lambda_layer.keras'}", "--port", "0",
                    timeout=60)
    assert res.code == 1, res.stderr
    assert "model refused" in res.stderr and "KG-K001" in res.stderr
    res = run_kgate("serve", timeout=30)
    assert res.code == 2 and "--model-repository DIR (or repository.path in --config) or one or more --model" in res.stderr
    res = run_kgate("serve", "--model-repository", tmp_path, timeout=30)
    assert res.code == 2 and "no model folders" in res.stderr
    res = run_kgate("serve", "--model", f"x={EXAMPLE / '1' / 'model.keras'}", "--port", "70000", timeout=30)
    assert res.code == 2 and "--port must be an integer in 0..65535" in res.stderr
    res = run_kgate("serve", "--model", f"x={EXAMPLE / '1' / 'model.keras'}", "--host", "localhost", timeout=60)
    assert res.code == 2 and "is not an IP address" in res.stderr
