#!/usr/bin/env bash
# npm run export:full -- <qwen2.5-vl-3b|qwen2.5-vl-7b|qwen3-vl-4b|qwen3-vl-8b> [--dtypes q4f16,q4] [--out DIR] [--measure]
# A random-weight checkpoint of that base's published shape, exported by models/export and
# measured (models/export/sage_export/full.py). Not part of npm test: the 7B/8B take tens of
# minutes and tens of GB of disk. Uses the export tool's Python environment (scripts/export-tests.sh
# makes it): SAGE_EXPORT_PYTHON if set, else SAGE_EXPORT_VENV (default ~/.cache/sage-export-venv).
set -euo pipefail
python="${SAGE_EXPORT_PYTHON:-${SAGE_EXPORT_VENV:-$HOME/.cache/sage-export-venv}/bin/python}"
if [ ! -x "$python" ]; then
  echo "export:full: no Python environment at $python; run scripts/export-tests.sh once (it installs models/export/requirements.txt), or set SAGE_EXPORT_PYTHON" >&2
  exit 2
fi
# Relative --out paths are taken from where npm was run, not from models/export.
cd "${INIT_CWD:-$PWD}"
export PYTHONPATH="$(cd "$(dirname "$0")/../models/export" && pwd)${PYTHONPATH:+:$PYTHONPATH}"
exec "$python" -m sage_export.full "$@"
