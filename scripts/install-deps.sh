#!/usr/bin/env bash
# Installs everything kgate needs on a fresh Debian 12 machine: the C++
# toolchain and libraries (Debian packages only; see docs/dependencies.md for
# why each one) and a Python venv (.venv) with pinned PyPI packages for the
# fixture generators and the end-to-end tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  g++-12 clang-14 lld-14 libclang-rt-14-dev      # clang for libFuzzer + sanitizers
  libabsl-dev                                     # absl::Status/StatusOr, Cleanup
  zlib1g-dev                                      # DEFLATE for ZIP members and HDF5 chunks
  libssl-dev openssl                              # SHA-256 and ECDSA for model signing (trust); keys in tests
  libgtest-dev libgmock-dev                       # unit tests
  libbenchmark-dev                                # micro-benchmarks in bench/
  libdnnl-dev                                     # oneDNN kernels (engine)
  libboost-dev                                    # Boost.Beast/Asio, header-only (serve: HTTP/1.1 server)
  libyaml-dev                                     # YAML tokenizer (event API) under io/yaml: kgate.yaml, server config
  libpng-dev libjpeg62-turbo-dev                  # PNG and JPEG decoding for image inputs (io/image)
  python3 python3-venv python3-pip                # fixture tools and end-to-end tests
  prometheus                                      # e2e: a real Prometheus scrapes kgate serve; promtool lints /metrics
  unzip curl
  wrk                                             # HTTP load generator for bench/serve_vs_fastapi.py
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
want=$(sha256sum tools/requirements.txt | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -r tools/requirements.txt
  echo "$want" > "$stamp"
fi
echo "install-deps: done"
