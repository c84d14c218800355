#!/usr/bin/env bash
# The Ray Data example on this machine: Ray in local mode captions Fixtures/easyvqa (200 images) through
# `image2text serve --model demo` on loopback and checks every caption against the CLI's. Needs ray[data] and openai
# (requirements.txt) in $PYTHON's environment: tools/clients/run.sh --ray installs them and runs this.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
"${PYTHON:-python3}" "$here/caption_folder.py" --folder Fixtures/easyvqa --start-demo-server --check \
  --output "${TMPDIR:-/tmp}/image2text-ray-captions.jsonl"
