#!/usr/bin/env python3
"""Writes a model signature in the format model-signing 0.2 produced.

That release signed the older predicate (https://model_signing/Digests/v0.1,
one in-toto subject per file) and, by a bug, signed Python's repr() of the
payload bytes in the DSSE pre-authentication encoding. model-signing 1.x
still verifies such bundles (its `pae_compat`), and so must kgate. This
script builds one with the pinned model-signing package's own hashing and
`pae_compat`, so the expected bytes come from the real tool, not from kgate.

usage: make_legacy_bundle.py MODEL_DIR PRIVATE_KEY.pem OUT.sig
"""
import base64
import json
import pathlib
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from model_signing import hashing
from model_signing._signing import sign_sigstore_pb


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__)
    model, key_path, out = pathlib.Path(argv[1]), pathlib.Path(argv[2]), pathlib.Path(argv[3])
    manifest = hashing.Config().set_ignored_paths(paths=[out.name]).hash(model)
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [
            {"name": rd.identifier, "digest": {"sha256": rd.digest.digest_hex}}
            for rd in manifest.resource_descriptors()
        ],
        "predicateType": "https://model_signing/Digests/v0.1",
        "predicate": {},
    }
    payload = json.dumps(statement, indent=2).encode("utf-8")
    key = serialization.load_pem_private_key(key_path.read_bytes(), None)
    signature = key.sign(sign_sigstore_pb.pae_compat(payload), ec.ECDSA(hashes.SHA256()))
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # 0.2-era verification material: the raw key, no hint.
    bundle = {
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {
            "publicKey": {
                "rawBytes": base64.b64encode(public_der).decode(),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
            }
        },
        "dsseEnvelope": {
            "payload": base64.b64encode(payload).decode(),
            "payloadType": "application/vnd.in-toto+json",
            "signatures": [{"sig": base64.b64encode(signature).decode(), "keyid": ""}],
        },
    }
    out.write_text(json.dumps(bundle), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv)
