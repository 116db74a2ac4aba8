#!/usr/bin/env python3
"""Make the tiny random-weight Idefics3 (SmolVLM's architecture) the tests run, and PyTorch's answers.

    python models/tiny/make_tiny_idefics3.py            # (re)writes the model and the reference
    python models/tiny/make_tiny_idefics3.py --check    # recomputes the reference and compares (CI)

Run it with the export tool's environment (models/export/requirements.txt: transformers 4.57.1).

1. builds an Idefics3 from a config with `transformers` (no download): a SigLIP-style vision tower
   (16-px patches, 64-px tiles), the pixel-shuffle connector (scale 2: 4 tokens per tile) and a
   Llama decoder, with seeded random weights and the tiny tokenizer plus SmolVLM's added tokens
   (<fake_token_around_image>, <image>, <global-img>, <row_R_col_C>, <end_of_utterance>) and a
   chat template of SmolVLM's format; the image processor splits a picture into 64-px tiles plus a
   global view, as SmolVLM's does at 512 px;
2. exports it to models/tiny/tiny-random-idefics3/ in transformers.js' layout for idefics3 (fp32):
   vision_encoder (pixel_values [batch, images, 3, H, W] and pixel_attention_mask -> image_features),
   embed_tokens, decoder_model_merged (inputs_embeds, attention_mask, position_ids and the cache);
   the graphs are traced here from the checkpoint's own modules, with the vision tower's per-image
   position loop written as tensor arithmetic (models/export does Qwen only), the decoder with
   models/export's causal mask and decoder layer;
3. writes tests/fixtures/tiny-idefics3/: the test picture and, for an image prompt and a text
   prompt, PyTorch's processor outputs (token ids, the tile grid, pixel values as little-endian
   float32), next-token logits and greedy tokens, and what ONNX Runtime (CPU) gives on the same
   inputs, so a browser mismatch is known to be the app's and not the export's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import warnings

import numpy as np
import torch
from PIL import Image
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL_DIR = os.path.join(HERE, "tiny-random-idefics3")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "tiny-idefics3")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "models", "export"))

from make_tiny import SEED, _tokenizer_kwargs, ascii_only  # noqa: E402
from sage_export.graphs import EmbedTokens, causal_mask, decoder_layer  # noqa: E402
from sage_export.onnx_io import OPSET, cache_io  # noqa: E402
from tiny_tokenizer import build_tokenizer, write_tokenizer  # noqa: E402

GREEDY_STEPS = 12
LOGIT_TOLERANCE = 1e-4
TILE = 64
PATCH = 16
SCALE = 2
IMAGE_SEQ_LEN = (TILE // PATCH) ** 2 // SCALE**2
IDEFICS3_TOKENS = ["<fake_token_around_image>", "<image>", "<end_of_utterance>", "<global-img>"] + [
    f"<row_{row}_col_{col}>" for row in range(1, 7) for col in range(1, 7)
]
# SmolVLM's chat format (its template's logic): "<|im_start|>User:<image>text<end_of_utterance>\nAssistant:";
# a role's name capitalised, then ":" before an image and ": " before text. Content must be a list
# of parts: Python's Jinja iterates a string's characters (its text vanishes), transformers.js' fails.
CHAT_TEMPLATE = (
    "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}"
    "{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}"
    "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}"
    "{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}"
    "<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"
)
CASES = {
    "image": {
        "system": "You describe pictures.",
        "content": [{"type": "image"}, {"type": "text", "text": "What is in the picture?"}],
    },
    "text": {"system": None, "content": [{"type": "text", "text": "Say something about videos."}]},
}


def tokenizer_files():
    """The tiny tokenizer with SmolVLM's added tokens after Qwen's."""
    tokenizer_json, tokenizer_config, ids, vocab_size, first_added = build_tokenizer()
    for content in IDEFICS3_TOKENS:
        token = {"id": vocab_size, "content": content, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
        tokenizer_json["added_tokens"].append(token)
        tokenizer_config["added_tokens_decoder"][str(vocab_size)] = {k: v for k, v in token.items() if k != "id"}
        ids[content] = vocab_size
        vocab_size += 1
    tokenizer_config = {**tokenizer_config, "chat_template": CHAT_TEMPLATE, "processor_class": "Idefics3Processor"}
    tokenizer_config["additional_special_tokens"] = [*tokenizer_config["additional_special_tokens"], *IDEFICS3_TOKENS]
    return tokenizer_json, tokenizer_config, ids, vocab_size, first_added


def build_checkpoint(folder: str):
    from transformers import Idefics3Config, Idefics3ForConditionalGeneration, Idefics3ImageProcessor, Idefics3Processor, PreTrainedTokenizerFast

    tokenizer_json, tokenizer_config, ids, vocab_size, first_added = tokenizer_files()
    special = {"bos_token_id": ids["<|im_start|>"], "eos_token_id": ids["<end_of_utterance>"], "pad_token_id": ids["<|endoftext|>"]}
    config = Idefics3Config(
        text_config=dict(
            model_type="llama", vocab_size=vocab_size, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=8192, rms_norm_eps=1e-5,
            rope_theta=100000.0, initializer_range=0.1, tie_word_embeddings=False, **special,
        ),
        vision_config=dict(
            hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2, image_size=TILE,
            patch_size=PATCH, num_channels=3, initializer_range=0.1,
        ),
        scale_factor=SCALE, image_token_id=ids["<image>"], tie_word_embeddings=False, **special,
    )
    os.makedirs(folder, exist_ok=True)
    write_tokenizer(folder, tokenizer_json, tokenizer_config)
    torch.manual_seed(SEED)
    model = Idefics3ForConditionalGeneration(config).eval()
    # make_tiny's ASCII bias on the Llama decoder.
    ascii_only(model.model.text_model, model.lm_head, vocab_size, first_added)
    model.generation_config.do_sample = False
    model.save_pretrained(folder)
    tokenizer = PreTrainedTokenizerFast(tokenizer_file=os.path.join(folder, "tokenizer.json"), **_tokenizer_kwargs(tokenizer_config))
    image_processor = Idefics3ImageProcessor(
        do_image_splitting=True, max_image_size={"longest_edge": TILE}, size={"longest_edge": 2 * TILE},
        image_mean=[0.5] * 3, image_std=[0.5] * 3,
    )
    processor = Idefics3Processor(image_processor=image_processor, tokenizer=tokenizer, image_seq_len=IMAGE_SEQ_LEN, chat_template=CHAT_TEMPLATE)
    processor.save_pretrained(folder)
    return processor


class VisionEncoder(nn.Module):
    """pixel_values [batch, images, 3, H, W], pixel_attention_mask [batch, images, H, W] -> image_features [images, tokens, hidden].

    The reference's get_image_features with its per-image position loop as tensor arithmetic:
    each patch's row and column bucket among the tile's position table, over the valid (top-left)
    part of its mask. All images are taken as real (the reference drops all-zero padding images,
    which a batch of one prompt does not have).
    """

    def __init__(self, model) -> None:
        super().__init__()
        self.vision = model.model.vision_model
        self.connector = model.model.connector
        self.patch = model.config.vision_config.patch_size
        self.side = self.vision.embeddings.num_patches_per_side
        self.register_buffer("boundaries", torch.arange(1 / self.side, 1.0, 1 / self.side), persistent=False)

    def forward(self, pixel_values: torch.Tensor, pixel_attention_mask: torch.Tensor) -> torch.Tensor:
        patch, side = self.patch, self.side
        channels, height, width = pixel_values.shape[2], pixel_values.shape[3], pixel_values.shape[4]
        pixels = pixel_values.reshape(-1, channels, height, width)
        mask = pixel_attention_mask.reshape(-1, height // patch, patch, width // patch, patch).to(torch.int64)
        patches = mask.sum(dim=(2, 4)) > 0
        embeddings = self.vision.embeddings.patch_embedding(pixels).flatten(2).transpose(1, 2)
        valid_rows = patches[:, :, 0].sum(-1).to(pixels.dtype)
        valid_cols = patches[:, 0, :].sum(-1).to(pixels.dtype)
        rows = torch.arange(height // patch, dtype=pixels.dtype)[None, :] / valid_rows[:, None] * (1 - 1e-6)
        cols = torch.arange(width // patch, dtype=pixels.dtype)[None, :] / valid_cols[:, None] * (1 - 1e-6)
        bucket_rows = (rows[:, :, None] >= self.boundaries).sum(-1)
        bucket_cols = (cols[:, :, None] >= self.boundaries).sum(-1)
        positions = bucket_rows[:, :, None] * side + bucket_cols[:, None, :]
        positions = torch.where(patches, positions, torch.zeros_like(positions)).flatten(1)
        hidden = embeddings + self.vision.embeddings.position_embedding(positions)
        blocked = torch.finfo(hidden.dtype).min
        attention = torch.where(patches.flatten(1), 0.0, blocked).to(hidden.dtype)[:, None, None, :]
        hidden = self.vision.encoder(inputs_embeds=hidden, attention_mask=attention).last_hidden_state
        return self.connector(self.vision.post_layernorm(hidden))


class Decoder(nn.Module):
    """The Llama text model and LM head with an explicit key/value cache (past and present alternate key, value per layer)."""

    def __init__(self, model) -> None:
        super().__init__()
        self.text = model.model.text_model
        self.lm_head = model.lm_head

    def forward(self, inputs_embeds, attention_mask, position_ids, *past):
        from transformers.models.llama.modeling_llama import apply_rotary_pos_emb

        batch, length, _ = inputs_embeds.shape
        past_length = past[0].shape[2]
        cos, sin = self.text.rotary_emb(inputs_embeds, position_ids)
        mask = causal_mask(inputs_embeds, attention_mask, past_length)
        rotate = lambda query, key: apply_rotary_pos_emb(query, key, cos, sin)  # noqa: E731
        hidden = inputs_embeds
        present = []
        for index, layer in enumerate(self.text.layers):
            hidden, key, value = decoder_layer(layer, hidden, (batch, length), rotate, mask, past[2 * index], past[2 * index + 1])
            present += [key, value]
        return (self.lm_head(self.text.norm(hidden)), *present)


def _trace(module, args, path, input_names, output_names, dynamic_axes) -> None:
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module.eval(), args, path, input_names=input_names, output_names=output_names,
                          dynamic_axes=dynamic_axes, opset_version=OPSET, do_constant_folding=True, dynamo=False)


def export(model, folder: str) -> None:
    onnx_dir = os.path.join(folder, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    # Traced on two tiles, one with padded rows, so no mask is a special case (the connector's
    # pixel shuffle needs square tiles, which the processor always makes).
    pixels = torch.randn(1, 2, 3, TILE, TILE)
    mask = torch.ones(1, 2, TILE, TILE, dtype=torch.bool)
    mask[0, 1, TILE - PATCH :, :] = False
    _trace(VisionEncoder(model), (pixels, mask), os.path.join(onnx_dir, "vision_encoder.onnx"),
           ["pixel_values", "pixel_attention_mask"], ["image_features"],
           {"pixel_values": {0: "batch_size", 1: "num_images", 3: "height", 4: "width"},
            "pixel_attention_mask": {0: "batch_size", 1: "num_images", 2: "height", 3: "width"},
            "image_features": {0: "num_images"}})
    _trace(EmbedTokens(model.model.text_model.embed_tokens), (torch.zeros((1, 5), dtype=torch.int64),),
           os.path.join(onnx_dir, "embed_tokens.onnx"), ["input_ids"], ["inputs_embeds"],
           {"input_ids": {0: "batch_size", 1: "sequence_length"}, "inputs_embeds": {0: "batch_size", 1: "sequence_length"}})
    text = model.config.text_config
    head_dim = text.hidden_size // text.num_attention_heads
    batch, length, past_length = 1, 3, 4
    past = [torch.randn(batch, text.num_key_value_heads, past_length, head_dim) for _ in range(2 * text.num_hidden_layers)]
    past_names, present_names, cache_axes = cache_io(text.num_hidden_layers)
    dynamic = {
        "inputs_embeds": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
        **cache_axes,
    }
    args = (torch.randn(batch, length, text.hidden_size), torch.ones(batch, past_length + length, dtype=torch.int64),
            torch.arange(past_length, past_length + length).view(1, -1), *past)
    _trace(Decoder(model), args, os.path.join(onnx_dir, "decoder_model_merged.onnx"),
           ["inputs_embeds", "attention_mask", "position_ids", *past_names], ["logits", *present_names], dynamic)


def write_model_folder(checkpoint: str, model) -> None:
    shutil.rmtree(MODEL_DIR, ignore_errors=True)
    export(model, MODEL_DIR)
    with open(os.path.join(checkpoint, "config.json"), encoding="utf-8") as handle:
        config = json.load(handle)
    config.pop("_name_or_path", None)
    config["transformers.js_config"] = {"dtype": "fp32"}
    with open(os.path.join(MODEL_DIR, "config.json"), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
        handle.write("\n")
    for name in ("tokenizer.json", "tokenizer_config.json", "preprocessor_config.json", "processor_config.json",
                 "generation_config.json", "chat_template.json"):
        if os.path.isfile(os.path.join(checkpoint, name)):
            shutil.copyfile(os.path.join(checkpoint, name), os.path.join(MODEL_DIR, name))
    # transformers.js reads the template from tokenizer_config.json (the processor saved it apart).
    path = os.path.join(MODEL_DIR, "tokenizer_config.json")
    with open(path, encoding="utf-8") as handle:
        tokenizer_config = json.load(handle)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({**tokenizer_config, "chat_template": CHAT_TEMPLATE}, handle, indent=2, ensure_ascii=False)
        handle.write("\n")


def picture() -> np.ndarray:
    """A seeded 80 x 112 picture: larger than a tile, so it is split (2 x 2 tiles and the global view)."""
    rng = np.random.default_rng(SEED)
    y, x = np.mgrid[0:80, 0:112]
    image = np.stack([x * 3, y * 4, (x + y) * 2], axis=-1) % 256
    return ((image + rng.integers(0, 40, image.shape)) % 256).astype(np.uint8)


def prompt_text(processor, case: dict) -> str:
    system = [{"role": "system", "content": [{"type": "text", "text": case["system"]}]}] if case["system"] else []
    messages = system + [{"role": "user", "content": case["content"]}]
    return processor.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def onnx_logits(inputs: dict) -> np.ndarray:
    """Next-token logits of the export on the reference's inputs (ONNX Runtime, CPU), no cache."""
    import onnxruntime as ort

    def session(name):
        return ort.InferenceSession(os.path.join(MODEL_DIR, "onnx", f"{name}.onnx"), providers=["CPUExecutionProvider"])

    ids = inputs["input_ids"].numpy()
    embeds = session("embed_tokens").run(None, {"input_ids": ids})[0]
    if "pixel_values" in inputs:
        features = session("vision_encoder").run(None, {
            "pixel_values": inputs["pixel_values"].numpy(), "pixel_attention_mask": inputs["pixel_attention_mask"].numpy().astype(bool)})[0]
        embeds[0, ids[0] == json.load(open(os.path.join(MODEL_DIR, "config.json")))["image_token_id"]] = features.reshape(-1, features.shape[-1])
    decoder = session("decoder_model_merged")
    feeds = {"inputs_embeds": embeds, "attention_mask": np.ones(ids.shape, dtype=np.int64), "position_ids": np.arange(ids.shape[1])[None]}
    for meta in decoder.get_inputs():
        if meta.name.startswith("past_key_values"):
            feeds[meta.name] = np.zeros([1, meta.shape[1], 0, meta.shape[3]], dtype=np.float32)
    return decoder.run(None, feeds)[0][0, -1]


def reference(checkpoint: str, processor, write: bool) -> dict:
    from transformers import Idefics3ForConditionalGeneration

    model = Idefics3ForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
    image = picture()
    if write:
        os.makedirs(FIXTURES, exist_ok=True)
        Image.fromarray(image).save(os.path.join(FIXTURES, "image.png"))
    cases = {}
    for name, case in CASES.items():
        text = prompt_text(processor, case)
        kwargs = {"images": [[image]]} if name == "image" else {}
        inputs = processor(text=[text], return_tensors="pt", **kwargs)
        inputs.pop("token_type_ids", None)
        with torch.no_grad():
            logits = model(**inputs).logits[0, -1]
            generated = model.generate(**inputs, max_new_tokens=GREEDY_STEPS, do_sample=False, repetition_penalty=1.0)
        entry = {
            "text": text,
            "input_ids": inputs["input_ids"][0].tolist(),
            "next_token_logits": [round(float(v), 7) for v in logits],
            "greedy_tokens": generated[0, inputs["input_ids"].shape[1] :].tolist(),
        }
        if name == "image":
            pixels = inputs["pixel_values"].numpy().astype("<f4")
            entry["pixel_values_shape"] = list(pixels.shape)
            entry["pixel_values_file"] = "image-pixel-values.f32"
            entry["pixel_attention_mask_all_set"] = bool(inputs["pixel_attention_mask"].all())
            split = processor.image_processor([[image]], return_row_col_info=True)
            entry["rows_cols"] = [int(split["rows"][0][0]), int(split["cols"][0][0])]
            if write:
                pixels.tofile(os.path.join(FIXTURES, entry["pixel_values_file"]))
        entry["onnx_max_logit_difference"] = float(np.abs(onnx_logits(inputs) - logits.numpy()).max()) if os.path.isdir(MODEL_DIR) else None
        cases[name] = entry
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="recompute the PyTorch reference and compare it with the committed one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        checkpoint = os.path.join(scratch, "checkpoint")
        processor = build_checkpoint(checkpoint)
        if args.check:
            with open(os.path.join(FIXTURES, "reference.json"), encoding="utf-8") as handle:
                committed = json.load(handle)["cases"]
            problems = []
            for name, case in reference(checkpoint, processor, write=False).items():
                old = committed[name]
                for key in ("text", "input_ids", "greedy_tokens", "pixel_values_shape", "rows_cols"):
                    if case.get(key) != old.get(key):
                        problems.append(f"idefics3 {name}.{key} differs")
                drift = float(np.abs(np.array(case["next_token_logits"]) - np.array(old["next_token_logits"])).max())
                if drift > LOGIT_TOLERANCE:
                    problems.append(f"idefics3 {name}.next_token_logits drift {drift:.2e}")
                if case["onnx_max_logit_difference"] is None or case["onnx_max_logit_difference"] > LOGIT_TOLERANCE:
                    problems.append(f"idefics3 {name}: the committed export differs from PyTorch")
            if problems:
                print("the committed tiny Idefics3 or its reference is stale; run python models/tiny/make_tiny_idefics3.py:\n  " + "\n  ".join(problems))
                return 1
            print("tiny Idefics3 reference is current")
            return 0
        from transformers import Idefics3ForConditionalGeneration

        model = Idefics3ForConditionalGeneration.from_pretrained(checkpoint, attn_implementation="eager").eval()
        write_model_folder(checkpoint, model)
        shutil.rmtree(FIXTURES, ignore_errors=True)
        cases = reference(checkpoint, processor, write=True)
    document = {"made_by": "models/tiny/make_tiny_idefics3.py", "logit_tolerance": LOGIT_TOLERANCE, "cases": cases}
    with open(os.path.join(FIXTURES, "reference.json"), "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=1)
        handle.write("\n")
    for name, case in cases.items():
        print(f"idefics3 {name}: {len(case['input_ids'])} tokens, tiles {case.get('rows_cols')}, "
              f"pixels {case.get('pixel_values_shape')}, ONNX vs PyTorch logits {case['onnx_max_logit_difference']:.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
