"""How the SAGE release sizes and counts the Stage-1 video it gives SAGE-MM, computed by the
reference library it builds on (qwen-vl-utils, pinned in models/export/requirements.txt) set up
the way the release sets it up, for a list of source videos. The app's own plan
(src/models/qwen-vl/video-inputs.ts) is compared with the result in
tests/node/models/release-stage1-video.test.ts.

The release (allenai/SAGE, sage/src/models/qwen_vl/vision_process.py) is qwen-vl-utils with other
module defaults: at most 48 and at least 1 merged tokens a frame, 1 fps, 1 to 128 frames, frame
counts in steps of 1. Its Qwen2.5-VL client passes the video alone (28-px grid); its Qwen3-VL
client asks for 128 frames at 2 fps with 128 to 192 tokens' worth of 28-px pixels a frame, and its
vLLM path sizes on the processor's 16-px patches (32-px grid). Frames are only counted and sized
here: the "video" is a tensor of zeros of the source's size, read by a stand-in backend that picks
frame indices as the library's readers do, and resized by a stand-in that only shapes its output.

    python models/reference/release_stage1_video.py          # writes the JSON
    python models/reference/release_stage1_video.py --check  # recomputes and compares (CI)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys

import torch
import qwen_vl_utils.vision_process as vp

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "fixtures", "release-stage1-video.json")

# The release's module defaults (environment variables unset, as its evaluation script leaves them).
RELEASE_DEFAULTS = {
    "VIDEO_MIN_TOKEN_NUM": 1,
    "VIDEO_MAX_TOKEN_NUM": 48,
    "FPS": 1.0,
    "FRAME_FACTOR": 1,
    "FPS_MIN_FRAMES": 1,
    "FPS_MAX_FRAMES": 128,
}

FAMILIES = {
    # The Qwen2.5-VL client's video element, and the default patch size.
    "qwen2_5_vl": {"patch": 14, "element": {}},
    # The Qwen3-VL client's video element (its module defaults), on the 16-px patches of its vLLM path.
    "qwen3_vl": {
        "patch": 16,
        "element": {"max_frames": 128, "min_frames": 128, "max_pixels": 192 * 28 * 28, "min_pixels": 128 * 28 * 28, "fps": 2.0},
    },
}

# width, height, frames per second, seconds.
SOURCES = [
    (1280, 720, 25.0, 3600.0),
    (640, 360, 30.0, 600.0),
    (1920, 1080, 29.97, 95.5),
    (640, 480, 25.0, 10.0),
    (720, 1280, 30.0, 300.0),
    (320, 240, 15.0, 4.0),
    (2560, 1080, 24.0, 1200.0),
    (176, 144, 12.0, 200.0),
    (854, 480, 30.0, 45.0),
]


def stand_in_reader(element):
    total, fps, (height, width) = element["_total_frames"], element["_fps"], element["_size"]
    nframes = vp.smart_nframes(element, total_frames=total, video_fps=fps)
    indices = torch.linspace(0, total - 1, nframes).round().long().tolist()
    video = torch.zeros((1, 3, height, width), dtype=torch.uint8).expand(nframes, -1, -1, -1)
    return video, {"fps": fps, "frames_indices": indices, "total_num_frames": total}, nframes / total * fps


class _ShapeOnlyResize:
    """Stands in for torchvision's resize: only the output's shape is used here, so no pixels are computed."""

    @staticmethod
    def resize(video, size, **_):
        return torch.empty((video.shape[0], video.shape[1], *size))


def compute() -> dict:
    # The Qwen3-VL element asks for more pixels than the limit it is then held to; the library says so per video.
    logging.getLogger(vp.__name__).setLevel(logging.ERROR)
    for name, value in RELEASE_DEFAULTS.items():
        setattr(vp, name, value)
    vp.transforms = type("transforms", (), {"functional": _ShapeOnlyResize})
    vp.VIDEO_READER_BACKENDS["stand-in"] = stand_in_reader
    vp.FORCE_QWENVL_VIDEO_READER = "stand-in"
    vp.get_video_reader_backend.cache_clear()
    cases = []
    for width, height, fps, seconds in SOURCES:
        total = int(round(fps * seconds))
        for family, setup in FAMILIES.items():
            element = {"video": "stand-in.mp4", **setup["element"], "_total_frames": total, "_fps": fps, "_size": (height, width)}
            (video, metadata), _ = vp.fetch_video(element, image_patch_size=setup["patch"], return_video_sample_fps=True, return_video_metadata=True)
            cases.append({
                "family": family,
                "source": {"width": width, "height": height, "fps": fps, "seconds": seconds, "frames": total},
                "frames": int(video.shape[0]),
                "height": int(video.shape[2]),
                "width": int(video.shape[3]),
                "first_times": [round(i / fps, 6) for i in metadata["frames_indices"][:3]],
            })
    return {"library": "qwen-vl-utils", "release_defaults": RELEASE_DEFAULTS, "cases": cases}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="recompute and compare with the committed JSON")
    args = parser.parse_args()
    result = compute()
    if args.check:
        with open(OUT, encoding="utf-8") as handle:
            committed = json.load(handle)
        if committed != result:
            print(f"{OUT} differs from what qwen-vl-utils computes now; rerun without --check", file=sys.stderr)
            return 1
        print(f"release Stage-1 video reference: {len(result['cases'])} cases match")
        return 0
    with open(OUT, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
