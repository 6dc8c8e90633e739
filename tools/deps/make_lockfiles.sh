#!/usr/bin/env bash
# Regenerates tests/deps/fixtures/lockfiles/ with the real tools (needs pypi.org):
# uv.lock and pylock.toml (PEP 751, via `uv export`) from lock_projects/uv,
# poetry.lock from lock_projects/poetry, Pipfile.lock from lock_projects/pipenv.
# uv is pinned in tools/requirements.txt; poetry and pipenv run in throw-away
# environments at the exact versions below (`uv tool run`), so they never
# enter .venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
UV=.venv/bin/uv
OUT=${OUT:-tests/deps/fixtures/lockfiles}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r tools/deps/lock_projects/. "$work/"
"$UV" lock --directory "$work/uv" --prerelease allow
"$UV" export --directory "$work/uv" --format pylock.toml -o "$work/uv/pylock.toml" >/dev/null
"$UV" tool run --from poetry==2.2.1 poetry lock --directory "$work/poetry"
(cd "$work/pipenv" && "$OLDPWD/$UV" tool run --from pipenv==2025.0.4 pipenv lock)
cp "$work/uv/uv.lock" "$work/uv/pylock.toml" "$work/poetry/poetry.lock" "$work/pipenv/Pipfile.lock" "$OUT/"
echo "make_lockfiles: wrote $OUT/{uv.lock,pylock.toml,poetry.lock,Pipfile.lock}"
