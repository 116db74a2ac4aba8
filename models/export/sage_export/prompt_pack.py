"""The release's prompt templates and tool descriptions, read from a local checkout at export time.

SAGE-MM was trained on the release's own prompts (allenai/SAGE). None of that text is kept in this
repository: given a checkout, the export copies the three templates and rebuilds the tool schemas
from the release's tool functions the way the release does at run time (the docstring before
"Args:" is the description, `name: text` lines under "Args:" describe parameters, annotations map
to JSON types, parameters with defaults are optional). The app fills the templates' `<<<name>>>`
slots itself (src/agent/release-prompts.ts).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess

from .checkpoint import CheckpointError

PACK_FILE = "sage_prompts.json"
PACK_FORMAT = 1
TEMPLATES = {
    "stage1_system": ("sage/prompts/sage/context_vlm.txt", ("<<<tools>>>",)),
    "stage2_system": ("sage/prompts/sage/iterative_reasoner.txt", ("<<<tools>>>",)),
    "stage2_user": (
        "sage/prompts/sage/iterative_reasoner_msg.txt",
        ("<<<previous_tool_call>>>", "<<<visual_context>>>", "<<<query>>>", "<<<video_info>>>", "<<<tools_so_far>>>"),
    ),
}
TOOLS_FOLDER = "sage/src/functions/tools"
TOOL_NAMES = (
    "verbal_transcript",
    "identify_timestamps_visually",
    "extract_parts_from_timestamp",
    "perform_reasoning",
    "unified_web_search",
    "parse_web_data",
)
JSON_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "list": "array", "dict": "object", "None": "null"}


def read_release(root: str) -> dict:
    if not os.path.isdir(root):
        raise CheckpointError(f"{root} is not a folder; give a checkout of the SAGE release (allenai/SAGE).")
    pack: dict = {"format": PACK_FORMAT}
    for key, (relative, slots) in TEMPLATES.items():
        path = os.path.join(root, relative)
        if not os.path.isfile(path):
            raise CheckpointError(f"{root} has no {relative}; is it a checkout of the SAGE release?")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        missing = [slot for slot in slots if slot not in text]
        if missing:
            raise CheckpointError(f"{relative} lacks {', '.join(missing)}; this release's prompt layout is not the one the app fills.")
        pack[key] = text
    pack["tools"] = read_tools(os.path.join(root, TOOLS_FOLDER))
    pack["release"] = {"commit": _commit(root)}
    return pack


def read_tools(folder: str) -> list[dict]:
    if not os.path.isdir(folder):
        raise CheckpointError(f"{folder} is missing; the release's tool functions are needed for their descriptions.")
    found: dict[str, dict] = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            tree = ast.parse(handle.read(), filename=name)
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in TOOL_NAMES:
                found[node.name] = _schema(node)
    missing = [name for name in TOOL_NAMES if name not in found]
    if missing:
        raise CheckpointError(f"{folder} defines no {', '.join(missing)}.")
    return [found[name] for name in TOOL_NAMES]


def _schema(node: ast.FunctionDef) -> dict:
    doc = ast.get_docstring(node) or ""
    description, _, args_text = doc.partition("Args:")
    described = {}
    for line in args_text.splitlines():
        line = line.strip()
        if ":" in line and not line.startswith("Returns:"):
            name, text = (part.strip() for part in line.split(":", 1))
            if name and text:
                described[name] = text
    args = [arg for arg in node.args.args if arg.arg != "self"]
    first_optional = len(args) - len(node.args.defaults)
    properties, required = {}, []
    for index, arg in enumerate(args):
        entry = {"type": _json_type(arg.annotation), "description": described.get(arg.arg, "")}
        if index < first_optional:
            required.append(arg.arg)
        else:
            default = node.args.defaults[index - first_optional]
            entry["default"] = default.value if isinstance(default, ast.Constant) else "unknown"
        properties[arg.arg] = entry
    return {"name": node.name, "description": description.strip(), "parameters": {"type": "object", "properties": properties, "required": required}}


def _json_type(annotation) -> str:
    if annotation is None:
        return "string"
    if isinstance(annotation, ast.Name):
        return JSON_TYPES.get(annotation.id, "any")
    # The release maps subscripted annotations by their base name on current Pythons ("List" -> "any").
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.value, ast.Name):
        return JSON_TYPES.get(annotation.value.id, "any")
    return "any"


def _commit(root: str) -> str | None:
    """The checkout's commit, when `root` is a git checkout of its own (not a folder inside another)."""
    try:
        def git(*args: str) -> str:
            return subprocess.run(["git", "-C", root, *args], capture_output=True, text=True, check=True).stdout.strip()

        if os.path.realpath(git("rev-parse", "--show-toplevel")) != os.path.realpath(root):
            return None
        return git("rev-parse", "HEAD") or None
    except (OSError, subprocess.CalledProcessError):
        return None


def write_pack(pack: dict, folder: str) -> None:
    with open(os.path.join(folder, PACK_FILE), "w", encoding="utf-8") as handle:
        json.dump(pack, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
