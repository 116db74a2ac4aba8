"""Weights as recipes: which checkpoint tensor a graph value comes from and how it is changed.

A traced graph (skeleton.py) has every parameter as a graph input. Each such input gets a
`Recipe`: the checkpoint tensor, a transpose, a float type, and for 4-bit weights which part of
the quantized form it is. Graph passes fold the Transpose and Cast nodes that act on weights into
the recipes (what constant folding did when the weights were in memory) and replace MatMul and
Gather on weights by their 4-bit forms. Only when a graph file is written are the recipes carried
out, one tensor at a time, straight into the external-data chunks (`write_graph`): a 4-bit weight
is read and quantized in blocks of rows, so even the [151936, hidden] embedding never needs more
than its float copy in memory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np
import onnx
from onnx import TensorProto, helper

BLOCK_SIZE = 32
FLOAT_TYPES = {TensorProto.FLOAT: np.float32, TensorProto.FLOAT16: np.float16}
# Elements converted at once (64 MiB of float32): bounds the scratch beside the one tensor that
# must be whole (a transposed float weight).
BLOCK_ELEMENTS = 16 * 2**20


def _rows_per_step(row_elements: int) -> int:
    return max(1, BLOCK_ELEMENTS // max(row_elements, 1))


@dataclass(frozen=True)
class Recipe:
    """One graph value made from one checkpoint tensor."""

    file: str  # safetensors shard
    key: str  # tensor name in the shard
    shape: tuple[int, ...]  # as stored
    dtype: str = "F32"  # as stored: BF16, F16 or F32
    offset: int = 0  # of the tensor's first byte in the shard
    transpose: bool = False
    elem: int = TensorProto.FLOAT
    # "float": the tensor itself; "q4"/"scales": a part of its 4-bit form (blocks of 32 along the
    # rows of `rows_matrix`), laid out for MatMulNBits ("matmul") or GatherBlockQuantized ("gather").
    part: str = "float"
    layout: str = "matmul"

    @property
    def float_shape(self) -> tuple[int, ...]:
        return tuple(reversed(self.shape)) if self.transpose else self.shape

    @property
    def quantized_rows(self) -> tuple[int, int]:
        """(rows, K) of the matrix whose rows are quantized: B transposed for MatMulNBits, the table itself for Gather."""
        rows, k = self.float_shape if self.layout == "gather" else tuple(reversed(self.float_shape))
        return rows, k

    @property
    def onnx_type(self) -> int:
        return TensorProto.UINT8 if self.part == "q4" else self.elem

    @property
    def onnx_shape(self) -> tuple[int, ...]:
        if self.part == "float":
            return self.float_shape
        rows, k = self.quantized_rows
        blocks = -(-k // BLOCK_SIZE)
        if self.part == "q4":
            return (rows, blocks, BLOCK_SIZE // 2) if self.layout == "matmul" else (rows, blocks * BLOCK_SIZE // 2)
        return (rows * blocks,) if self.layout == "matmul" else (rows, blocks)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.onnx_shape, dtype=np.int64)) * (1 if self.part == "q4" else np.dtype(FLOAT_TYPES[self.elem]).itemsize)


def _attribute(node, name, default=None):
    for attr in node.attribute:
        if attr.name == name:
            return helper.get_attribute_value(attr)
    return default


def declare(graph: onnx.GraphProto, recipes: dict[str, Recipe]) -> None:
    """Makes the graph's weight inputs exactly the values in `recipes`, with their types and shapes."""
    others = [value for value in graph.input if value.name not in recipes]
    del graph.input[:]
    graph.input.extend(others)
    graph.input.extend(helper.make_tensor_value_info(name, r.onnx_type, list(r.onnx_shape)) for name, r in recipes.items())


def fold(graph: onnx.GraphProto, recipes: dict[str, Recipe]) -> dict[str, Recipe]:
    """Folds Cast and 2-D Transpose nodes on weights into their recipes; returns the weights still used."""
    derived = dict(recipes)
    kept = list(graph.node)
    # Repeated until nothing folds: the float16 converter appends its Casts after their consumers.
    while True:
        remaining = []
        for node in kept:
            source = derived.get(node.input[0]) if node.input else None
            if source is not None and source.part == "float":
                if node.op_type == "Cast" and _attribute(node, "to") in FLOAT_TYPES:
                    derived[node.output[0]] = replace(source, elem=_attribute(node, "to"))
                    continue
                if node.op_type == "Transpose" and len(source.shape) == 2 and list(_attribute(node, "perm", [1, 0])) == [1, 0]:
                    derived[node.output[0]] = replace(source, transpose=not source.transpose)
                    continue
            remaining.append(node)
        if len(remaining) == len(kept):
            break
        kept = remaining
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for node in kept for name in node.input} | {value.name for value in graph.output}
    live = {name: recipe for name, recipe in derived.items() if name in used}
    for name in recipes:
        if name not in live:
            _drop_input(graph, name)
    declare(graph, live)
    return live


def _drop_input(graph: onnx.GraphProto, name: str) -> None:
    for index, value in enumerate(graph.input):
        if value.name == name:
            del graph.input[index]
            return


def gemm_to_matmul(graph: onnx.GraphProto, recipes: dict[str, Recipe]) -> None:
    """Gemm on a weight (the tracer's form for linear layers on 2-D inputs) as MatMul (+ Add), so
    the 4-bit pass and the float16 converter see every linear layer the same way."""
    nodes = []
    for node in graph.node:
        if node.op_type != "Gemm" or len(node.input) < 2 or node.input[1] not in recipes:
            nodes.append(node)
            continue
        if _attribute(node, "transA", 0) or _attribute(node, "alpha", 1.0) != 1.0 or _attribute(node, "beta", 1.0) != 1.0:
            nodes.append(node)
            continue
        weight = node.input[1]
        if _attribute(node, "transB", 0):
            transposed = f"{node.name}.weight_t"
            nodes.append(helper.make_node("Transpose", [weight], [transposed], name=f"{node.name}.transpose", perm=[1, 0]))
            weight = transposed
        has_bias = len(node.input) > 2 and node.input[2] != ""
        product = f"{node.output[0]}.matmul" if has_bias else node.output[0]
        nodes.append(helper.make_node("MatMul", [node.input[0], weight], [product], name=f"{node.name}.matmul"))
        if has_bias:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=f"{node.name}.bias"))
    del graph.node[:]
    graph.node.extend(nodes)


def to_4bit(graph: onnx.GraphProto, recipes: dict[str, Recipe]) -> dict[str, Recipe]:
    """MatMul on a 2-D weight -> MatMulNBits; Gather from a 2-D table (the token embedding) ->
    GatherBlockQuantized. Both 4-bit symmetric in blocks of 32, scales in the weight's float type."""
    out = dict(recipes)
    nodes = []
    for node in graph.node:
        if node.op_type == "MatMul" and node.input[1] in recipes and len(recipes[node.input[1]].shape) == 2:
            recipe = recipes[node.input[1]]
            k, n = recipe.float_shape
            packed, scales = _parts(out, node.input[1], recipe, "matmul")
            nodes.append(helper.make_node(
                "MatMulNBits", [node.input[0], packed, scales], list(node.output), name=node.name or f"{node.output[0]}.nbits",
                domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK_SIZE,
            ))
        elif (
            # The token embedding only: the vision tower's position table is gathered at computed
            # positions and stays in float.
            node.op_type == "Gather" and node.input[1] == "input_ids" and node.input[0] in recipes and len(recipes[node.input[0]].shape) == 2
            and _attribute(node, "axis", 0) == 0 and recipes[node.input[0]].float_shape[1] % BLOCK_SIZE == 0
        ):
            packed, scales = _parts(out, node.input[0], recipes[node.input[0]], "gather")
            nodes.append(helper.make_node(
                "GatherBlockQuantized", [packed, node.input[1], scales], list(node.output), name=node.name or f"{node.output[0]}.gbq",
                domain="com.microsoft", gather_axis=0, quantize_axis=1, block_size=BLOCK_SIZE, bits=4,
            ))
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    used = {name for node in nodes for name in node.input}
    live = {name: recipe for name, recipe in out.items() if name in used}
    for name in recipes:
        if name not in live:
            _drop_input(graph, name)
    declare(graph, live)
    return live


def _parts(out: dict[str, Recipe], name: str, recipe: Recipe, layout: str) -> tuple[str, str]:
    packed, scales = f"{name}_Q4", f"{name}_scales"
    out[packed] = replace(recipe, part="q4", layout=layout)
    out[scales] = replace(recipe, part="scales", layout=layout)
    return packed, scales


# ---- carrying the recipes out ----


SAFETENSORS_TYPES = {"BF16": np.uint16, "F16": np.float16, "F32": np.float32}


class TensorReader:
    """Reads one checkpoint tensor, or a block of its rows, straight from the shard with pread:
    nothing is mapped, so nothing of the shard stays resident once a block is converted."""

    def read(self, recipe: Recipe, rows: slice | None = None) -> np.ndarray:
        shape = recipe.shape
        row_elements = int(np.prod(shape[1:], dtype=np.int64)) if len(shape) > 1 else 1
        total_rows = shape[0] if shape else 1
        start, stop = (0, total_rows) if rows is None else (rows.start or 0, min(rows.stop, total_rows))
        stored = np.dtype(SAFETENSORS_TYPES[recipe.dtype])
        count = (stop - start) * row_elements
        raw = np.empty(count, dtype=stored)
        view = memoryview(raw).cast("B")
        offset = recipe.offset + start * row_elements * stored.itemsize
        descriptor = os.open(recipe.file, os.O_RDONLY)
        try:
            done = 0
            while done < view.nbytes:
                got = os.preadv(descriptor, [view[done:]], offset + done)
                if not got:
                    raise OSError(f"{recipe.file} ended while reading {recipe.key}")
                done += got
        finally:
            os.close(descriptor)
        if recipe.dtype == "BF16":
            # bfloat16 is the upper half of a float32.
            out = raw.astype(np.uint32)
            out <<= 16
            values = out.view(np.float32)
        else:
            values = raw.astype(np.float32, copy=False)
        return values.reshape((stop - start, *shape[1:]) if shape else ())


def _float_blocks(recipe: Recipe, reader: TensorReader):
    """The float tensor as contiguous blocks in row-major order of its final shape."""
    dtype = FLOAT_TYPES[recipe.elem]
    shape = recipe.shape
    if len(shape) < 2:
        yield reader.read(recipe).astype(dtype, copy=False)
        return
    step = _rows_per_step(int(np.prod(shape[1:], dtype=np.int64)))
    if not recipe.transpose:
        for start in range(0, shape[0], step):
            yield np.ascontiguousarray(reader.read(recipe, slice(start, start + step)).astype(dtype, copy=False))
        return
    # The transpose needs every row: gather them block by block into one array of the final type.
    whole = np.empty(shape, dtype=dtype)
    for start in range(0, shape[0], step):
        whole[start : start + step] = reader.read(recipe, slice(start, start + step))
    step = _rows_per_step(shape[0])
    for start in range(0, shape[1], step):
        yield np.ascontiguousarray(whole[:, start : start + step].T)


def _quantized(recipe: Recipe, reader: TensorReader):
    """(packed rows, scales) blocks of the 4-bit form, quantized a block of rows at a time."""
    dtype = FLOAT_TYPES[recipe.elem]
    rows, k = recipe.quantized_rows
    # The rows to quantize are the stored rows when the value is the stored tensor for Gather, or
    # its transpose for MatMul (MatMulNBits keeps B as [N, K]); otherwise the stored tensor is
    # transposed first, which needs it whole.
    stored_rows = (recipe.layout == "gather") != recipe.transpose
    whole = None if stored_rows else reader.read(recipe).T
    step = _rows_per_step(k)
    for start in range(0, rows, step):
        part = reader.read(recipe, slice(start, start + step)) if stored_rows else whole[start : start + step]
        yield quantize_rows(part.astype(dtype, copy=False))


def quantize_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(packed [rows, blocks, 16] uint8, scales [rows * blocks]) of a [rows, K] float matrix: each
    row 4-bit symmetric in blocks of 32 along K, by ONNX Runtime's own block quantizer."""
    from onnxruntime.capi._pybind_state import quantize_matmul_4bits

    count, k = rows.shape
    blocks = -(-k // BLOCK_SIZE)
    # The quantizer takes B as [K, N] and quantizes each column in blocks along K.
    b = np.ascontiguousarray(rows.T)
    if k % BLOCK_SIZE:
        b = np.pad(b, ((0, blocks * BLOCK_SIZE - k), (0, 0)))
    packed = np.zeros((count, blocks, BLOCK_SIZE // 2), dtype=np.uint8)
    scales = np.zeros(count * blocks, dtype=rows.dtype)
    zero_points = np.zeros(count * ((blocks + 1) // 2), dtype=np.uint8)
    quantize_matmul_4bits(packed, b, scales, zero_points, BLOCK_SIZE, count, blocks * BLOCK_SIZE, True)
    return packed, scales


def dequantize_rows(packed: np.ndarray, scales: np.ndarray, k: int) -> np.ndarray:
    """The [rows, K] float32 values a 4-bit form stands for (MatMulNBits' and
    GatherBlockQuantized's reading: low nibble first, zero point 8)."""
    count, blocks, _ = packed.shape
    nibbles = np.empty((count, blocks, BLOCK_SIZE), dtype=np.float32)
    nibbles[..., 0::2] = packed & 0x0F
    nibbles[..., 1::2] = packed >> 4
    values = (nibbles - 8) * scales.astype(np.float32).reshape(count, blocks, 1)
    return values.reshape(count, blocks * BLOCK_SIZE)[:, :k]


class ChunkWriter:
    """Appends tensors to `<base>_data`, `<base>_data_1`, ... each below `chunk_bytes` (a tensor
    larger than that gets a chunk of its own)."""

    def __init__(self, folder: str, base: str, chunk_bytes: int) -> None:
        self.folder, self.base, self.chunk_bytes = folder, base, chunk_bytes
        self.chunk, self.written, self.handle = -1, 0, None

    def name(self, chunk: int) -> str:
        return f"{self.base}_data" if chunk == 0 else f"{self.base}_data_{chunk}"

    def start(self, size: int) -> tuple[str, int]:
        if self.handle is None or (self.written > 0 and self.written + size > self.chunk_bytes):
            if self.handle is not None:
                self.handle.close()
            self.chunk += 1
            self.handle = open(os.path.join(self.folder, self.name(self.chunk)), "wb")
            self.written = 0
        return self.name(self.chunk), self.written

    def write(self, array: np.ndarray) -> None:
        self.handle.write(memoryview(np.ascontiguousarray(array)).cast("B"))
        self.written += array.nbytes

    def close(self) -> int:
        if self.handle is not None:
            self.handle.close()
        return self.chunk + 1


def write_graph(model: onnx.ModelProto, recipes: dict[str, Recipe], path: str, chunk_bytes: int, on_tensor=None) -> int:
    """Turns the weight inputs into initializers whose data is streamed into external chunks beside
    `path`, then writes the graph. Returns the number of chunks."""
    graph = model.graph
    reader = TensorReader()
    writer = ChunkWriter(os.path.dirname(path), os.path.basename(path), chunk_bytes)
    done: dict[str, tuple[str, int]] = {}
    pending_scales: dict[str, np.ndarray] = {}
    initializers = []
    try:
        for name, recipe in recipes.items():
            if recipe.part == "scales":
                continue
            location, offset = writer.start(recipe.nbytes)
            scale_blocks = []
            if recipe.part == "float":
                for block in _float_blocks(recipe, reader):
                    writer.write(block)
            else:
                for packed, scales in _quantized(recipe, reader):
                    writer.write(packed)
                    scale_blocks.append(scales)
                scales_name = name[: -len("_Q4")] + "_scales"
                pending_scales[scales_name] = np.concatenate(scale_blocks)
            assert writer.written - offset == recipe.nbytes, f"{name}: wrote {writer.written - offset} of {recipe.nbytes} bytes"
            done[name] = (location, offset)
            if on_tensor:
                on_tensor(recipe.nbytes)
            for scales_name in [s for s in pending_scales if s in recipes]:
                array = pending_scales.pop(scales_name)
                location, offset = writer.start(array.nbytes)
                writer.write(array)
                done[scales_name] = (location, offset)
    finally:
        chunks = writer.close()
    for name, recipe in recipes.items():
        location, offset = done[name]
        tensor = TensorProto(name=name, data_type=recipe.onnx_type, dims=list(recipe.onnx_shape))
        tensor.data_location = TensorProto.EXTERNAL
        for key, value in (("location", location), ("offset", str(offset)), ("length", str(recipe.nbytes))):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, value
        initializers.append(tensor)
    for name in recipes:
        _drop_input(graph, name)
    graph.initializer.extend(initializers)
    onnx.save(model, path)
    return chunks
