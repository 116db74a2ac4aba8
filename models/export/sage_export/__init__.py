"""Export Qwen2.5-VL checkpoints (SAGE-MM among them) to the ONNX layout transformers.js 4.x loads."""
