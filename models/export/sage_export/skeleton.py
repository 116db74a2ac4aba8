"""The model's modules without its weights, for tracing the graphs at any size in little memory.

Parameters are created on the `meta` device (no storage), then each is replaced by a zero-stride
view of one float (`torch.full((), value).expand(shape)`), so the forward pass the tracer runs computes
with the real shapes and module code while the weights take no memory. Buffers (the rotary
frequency tables) are kept real: they are computed from the config, not read from the checkpoint.
The graphs are traced with `export_params=False`, so every parameter becomes a graph input named
by its module path; `weights.py` later turns those inputs into initializers read tensor by tensor
from the checkpoint.
"""

from __future__ import annotations

import contextlib

import torch
from torch import nn


@contextlib.contextmanager
def _parameters_on_meta():
    original = nn.Module.register_parameter

    def register(module: nn.Module, name: str, param):
        original(module, name, param)
        if param is not None and param.device.type != "meta":
            module._parameters[name] = nn.Parameter(param.to("meta"), requires_grad=False)

    nn.Module.register_parameter = register
    try:
        yield
    finally:
        nn.Module.register_parameter = original


def build(config) -> nn.Module:
    """The model class for `config` with zero-stride stand-ins for every parameter."""
    from transformers import AutoModelForImageTextToText

    with _parameters_on_meta():
        model = AutoModelForImageTextToText.from_config(config, attn_implementation="eager", dtype=torch.float32)
    model.eval()
    replaced: dict[int, nn.Parameter] = {}
    # Each stand-in holds its own value: the ONNX exporter merges parameters that are equal.
    for module in model.modules():
        for name, param in list(module._parameters.items()):
            if param is None:
                continue
            # Tied weights are one object under two names: replace it once so the tie survives.
            if id(param) not in replaced:
                value = torch.full((), (len(replaced) + 1) * 2.0**-20, dtype=torch.float32)
                replaced[id(param)] = nn.Parameter(value.expand(param.shape), requires_grad=False)
            module._parameters[name] = replaced[id(param)]
    return model


def parameter_names(model: nn.Module) -> dict[int, str]:
    """id(parameter) -> its name in the full model (the first name of a tied parameter)."""
    names: dict[int, str] = {}
    for name, param in model.named_parameters(remove_duplicate=False):
        names.setdefault(id(param), name)
    return names
