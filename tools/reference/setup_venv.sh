#!/usr/bin/env bash
# Installs the pinned reference stack (transformers 5.23.0, torch 2.15.0, ...) into tools/reference/.venv.
# Only needed to regenerate goldens and to run the side-by-side benchmark; `swift test` never needs it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet -r "$here/requirements.txt"
"$here/.venv/bin/python" -c "import torch, transformers; print('reference stack: torch', torch.__version__, 'transformers', transformers.__version__)"
