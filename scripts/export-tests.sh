#!/usr/bin/env bash
# The export tool's tests (PyTorch against its ONNX graphs) and a check that the committed tiny model's
# reference values still come out of models/tiny/make_tiny.py. Uses the Python environment of
# models/export/requirements.txt: SAGE_EXPORT_PYTHON if set, else a virtual environment outside the
# repository (SAGE_EXPORT_VENV, default ~/.cache/sage-export-venv), made and filled on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=models/export/requirements.txt
if [ -n "${SAGE_EXPORT_PYTHON:-}" ]; then
  python="$SAGE_EXPORT_PYTHON"
else
  venv="${SAGE_EXPORT_VENV:-$HOME/.cache/sage-export-venv}"
  python="$venv/bin/python"
  stamp="$venv/.requirements"
  if [ ! -x "$python" ] || ! cmp -s "$requirements" "$stamp"; then
    echo "export tests: installing $requirements into $venv (PyTorch is large; once per machine)"
    python3 -m venv "$venv"
    "$python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
fi
"$python" -m pytest -q -p no:cacheprovider models/export/tests
"$python" models/tiny/make_tiny.py --check
"$python" models/reference/release_stage1_video.py --check
