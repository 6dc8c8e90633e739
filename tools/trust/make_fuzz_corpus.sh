#!/usr/bin/env bash
# Seeds for fuzz/trust_bundle_fuzzer and fuzz/trust_statement_fuzzer, made by
# the real tools: model-signing (pinned in .venv) for a folder and a single
# file, its 0.2-era format (make_legacy_bundle.py), and kgate itself when a
# binary is given. Bundles go to fuzz/corpus/trust_bundle_fuzzer/, their
# decoded in-toto statements to fuzz/corpus/trust_statement_fuzzer/.
# The throwaway keys live in a temporary folder and are deleted.
# usage: tools/trust/make_fuzz_corpus.sh [KGATE_BIN]
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python
KGATE=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bundles=fuzz/corpus/trust_bundle_fuzzer
statements=fuzz/corpus/trust_statement_fuzzer
mkdir -p "$bundles" "$statements" "$tmp/m/sub"
echo '{"class_name": "Sequential"}' > "$tmp/m/config.json"
printf 'weights' > "$tmp/m/sub/w.bin"
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/k256.pem"
openssl ecparam -name secp384r1 -genkey -noout -out "$tmp/k384.pem"

$PY -m model_signing sign key "$tmp/m" --private_key "$tmp/k256.pem" --signature "$tmp/dir.sig" >/dev/null
$PY -m model_signing sign key "$tmp/m/config.json" --private_key "$tmp/k384.pem" --signature "$tmp/file.sig" >/dev/null
$PY tools/trust/make_legacy_bundle.py "$tmp/m" "$tmp/k256.pem" "$tmp/legacy.sig"
cp "$tmp/dir.sig" "$bundles/model_signing_dir.json"
cp "$tmp/file.sig" "$bundles/model_signing_file_p384.json"
cp "$tmp/legacy.sig" "$bundles/model_signing_legacy_v01.json"
if [ -n "$KGATE" ]; then
  "$KGATE" sign "$tmp/m" --private-key "$tmp/k256.pem" --signature "$tmp/kgate.sig" >/dev/null
  cp "$tmp/kgate.sig" "$bundles/kgate_dir.json"
fi
for f in "$bundles"/*.json; do
  $PY -c 'import base64, json, sys; sys.stdout.buffer.write(base64.b64decode(json.load(open(sys.argv[1]))["dsseEnvelope"]["payload"]))' \
    "$f" > "$statements/$(basename "$f")"
done
# A shard-serialized statement, from model-signing's own shard hasher.
$PY - "$tmp/m" > "$statements/model_signing_shards.json" <<'PYEOF'
import json, sys
from model_signing import hashing
from model_signing._signing import signing
from google.protobuf import json_format
m = hashing.Config().use_shard_serialization(shard_size=4).hash(sys.argv[1])
print(json_format.MessageToJson(signing.Payload(m).statement.pb))
PYEOF
ls -l "$bundles" "$statements"
