#!/usr/bin/env bash
# Makes .venv-bench, the serve benchmark's venv for its Python peers (FastAPI +
# uvicorn and KServe's model server, with Keras and JAX), from the exact pins
# in bench/serve/requirements.txt. Separate from .venv because kserve's own
# dependencies conflict with the test venv's pins. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv-bench/bin/python ]; then
  "$PYTHON" -m venv .venv-bench
fi
stamp=.venv-bench/.requirements.sha256
want=$(sha256sum bench/serve/requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv-bench/bin/pip install -q --disable-pip-version-check -r bench/serve/requirements.txt
  echo "$want" > "$stamp"
fi
KERAS_BACKEND=jax .venv-bench/bin/python -c "import fastapi, uvicorn, kserve, keras, jax"
echo "setup_venv: .venv-bench ready: $(.venv-bench/bin/pip freeze | grep -iE '^(fastapi|uvicorn|kserve|keras|jax)==' | tr '\n' ' ')"
