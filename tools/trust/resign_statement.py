#!/usr/bin/env python3
"""Re-signs a bundle after rewriting its in-toto statement.

Tests use it to make bundles a correct signer never writes but an attacker
with the key (or a buggy tool) could: a validly signed statement whose
subject digest does not match its resources. The DSSE encoding is
model-signing's own `pae`, from the pinned package.

usage: resign_statement.py IN.sig PRIVATE_KEY.pem OUT.sig EXPR
EXPR is a Python expression over `s` (the statement dict) that edits it, e.g.
    "s['subject'][0]['digest'].update(sha256='00'*32)"
"""
import base64
import json
import pathlib
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from model_signing._signing import sign_sigstore_pb


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    bundle = json.loads(pathlib.Path(argv[1]).read_text())
    key = serialization.load_pem_private_key(pathlib.Path(argv[2]).read_bytes(), None)
    s = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    exec(argv[4], {}, {"s": s})  # test-only tool: the expression comes from the test itself
    payload = json.dumps(s, indent=2).encode()
    sig = key.sign(sign_sigstore_pb.pae(payload), ec.ECDSA(hashes.SHA256()))
    bundle["dsseEnvelope"]["payload"] = base64.b64encode(payload).decode()
    bundle["dsseEnvelope"]["signatures"] = [{"sig": base64.b64encode(sig).decode(), "keyid": ""}]
    pathlib.Path(argv[3]).write_text(json.dumps(bundle))


if __name__ == "__main__":
    main(sys.argv)
