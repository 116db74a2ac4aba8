"""python -m sage_export CHECKPOINT OUT [--dtypes fp32,q4,q4f16] [--release SAGE_CHECKOUT] [--force]"""

from __future__ import annotations

import argparse
import sys

from .checkpoint import CheckpointError
from .export import export
from .quantize import DTYPES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sage_export",
        description="Export a Qwen2.5-VL checkpoint (e.g. SAGE-MM) to the ONNX layout transformers.js loads.",
    )
    parser.add_argument("checkpoint", help="local checkpoint folder (config.json, *.safetensors, tokenizer and processor files)")
    parser.add_argument("out", help="output folder; written as OUT.partial and renamed when complete")
    parser.add_argument("--dtypes", default=",".join(DTYPES), help=f"comma list of {', '.join(DTYPES)} (default: all)")
    parser.add_argument("--release", help="local checkout of the SAGE release: its prompts and tool descriptions go into the export")
    parser.add_argument("--force", action="store_true", help="replace OUT if it exists")
    args = parser.parse_args(argv)
    dtypes = tuple(part.strip() for part in args.dtypes.split(",") if part.strip())
    try:
        export(args.checkpoint, args.out, dtypes=dtypes, release=args.release, force=args.force)
    except CheckpointError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
