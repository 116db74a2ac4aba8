#!/usr/bin/env bash
# The export tool's tests (PyTorch against its ONNX graphs) and checks that the committed tiny models'
# reference values still come out of models/tiny/make_tiny.py (and the Hub-style vision graph's out of
# models/tiny/make_hub_style.py, the tiny Idefics3's out of models/tiny/make_tiny_idefics3.py), Qwen2-VL's
# input reference out of models/tiny/qwen2_vl_reference.py, and Qwen3.5's out of
# models/tiny/qwen3_5_reference.py. Uses the Python environment of
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
"$python" models/tiny/make_hub_style.py --check
"$python" models/tiny/qwen2_vl_reference.py --check
"$python" models/tiny/make_tiny_idefics3.py --check
"$python" models/tiny/make_tiny_text.py --check
"$python" models/reference/release_stage1_video.py --check

# Qwen3.5 needs transformers 5.24 (models/tiny/requirements-qwen3_5.txt): installed without its
# dependencies into a folder beside the environment (SAGE_TRANSFORMERS5_DIR, default
# <environment>/transformers-5) and put first on the path, so it shadows 4.57.1 and reuses torch,
# numpy and pillow.
requirements5=models/tiny/requirements-qwen3_5.txt
target5="${SAGE_TRANSFORMERS5_DIR:-$("$python" -c 'import sys; print(sys.prefix)')/transformers-5}"
if ! cmp -s "$requirements5" "$target5/.requirements"; then
  echo "export tests: installing $requirements5 into $target5"
  rm -rf "$target5"
  "$python" -m pip install --quiet --disable-pip-version-check --no-deps --target "$target5" -r "$requirements5"
  cp "$requirements5" "$target5/.requirements"
fi
PYTHONPATH="$target5" "$python" models/tiny/qwen3_5_reference.py --check
