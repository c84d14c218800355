#!/usr/bin/env bash
# The server against real clients: installs the pinned clients (requirements.txt) into tools/clients/.venv, then
#   - runs the official openai client against `image2text serve --model demo` (openai_client_test.py),
#   - validates the Kubernetes manifests of deploy/ against the Kubernetes schemas and checks their fields
#     (check_deploy.py);
# with --ray also the Ray Data example (examples/ray_caption), which installs ray[data] first (slow: not in CI).
# Needs .build/release/image2text (swift build -c release, or the README's test command).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/openai_client_test.py"
"$venv/bin/python" "$here/check_deploy.py"
if [ "${1:-}" = "--ray" ]; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$root/examples/ray_caption/requirements.txt"
  PYTHON="$venv/bin/python" bash "$root/examples/ray_caption/run.sh"
fi
