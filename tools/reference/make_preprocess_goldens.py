"""Writes Fixtures/goldens/preprocess.json: for every good test image in Fixtures/images/, the RGB bytes that Pillow +
transformers' `convert_to_rgb` produce, and the `pixel_values` of transformers' CLIPImageProcessor (PIL backend) for
three processor configurations; plus Pillow resize outputs for every filter. Deterministic, no network.
Run with tools/reference/.venv/bin/python after make_test_images.py.

Images whose RGB our decoder cannot reproduce exactly (listed in PILLOW_RGB_REFERENCE) get Pillow's RGB saved as a
plain 8-bit RGB PNG under Fixtures/images/pillow-rgb/, so that preprocessing is still tested on identical bytes.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import PIL
import transformers
from PIL import Image
from transformers.image_transforms import convert_to_rgb
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil

ROOT = Path(__file__).resolve().parents[2]
IMAGES = ROOT / "Fixtures" / "images"
PILLOW_RGB = IMAGES / "pillow-rgb"
OUTPUT = ROOT / "Fixtures" / "goldens" / "preprocess.json"

# libpng returns 16-bit samples premultiplied by a real alpha channel, so our colour is recovered by division.
PILLOW_RGB_REFERENCE = ["la16.png", "rgba16.png"]

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]
CONFIGS = {
    # microsoft/git-base preprocessor_config.json (current revision; docs/checkpoints.md, "Image-processor settings").
    "git-base": {
        "crop_size": {"height": 224, "width": 224},
        "do_center_crop": True,
        "do_convert_rgb": True,
        "do_normalize": True,
        "do_rescale": True,
        "do_resize": True,
        "image_mean": CLIP_MEAN,
        "image_processor_type": "CLIPImageProcessor",
        "image_std": CLIP_STD,
        "processor_class": "GitProcessor",
        "resample": 3,
        "rescale_factor": 0.00392156862745098,
        "size": {"shortest_edge": 224},
    },
    # Exact size, bilinear (what video checkpoints name), ImageNet statistics, and a crop taller than the resized
    # image (transformers pads with zeros) and narrower (crops).
    "bilinear-exact-padded": {
        "size": {"height": 180, "width": 200},
        "resample": 2,
        "crop_size": {"height": 192, "width": 160},
        "image_mean": [0.485, 0.456, 0.406],
        "image_std": [0.229, 0.224, 0.225],
    },
    # Shortest/longest edge, Lanczos, no crop, scalar mean and std.
    "lanczos-longest-edge": {
        "size": {"shortest_edge": 96, "longest_edge": 128},
        "resample": 1,
        "do_center_crop": False,
        "image_mean": 0.5,
        "image_std": 0.5,
    },
}
# Upscale both; downscale both (horizontal pass first); width only; and two cases where Pillow 13 runs the vertical
# pass first (the height loses more than twice as many pixels as the width).
RESIZE_CASES = [
    ("odd_17x23.png", 40, 31),
    ("chelsea.png", 123, 77),
    ("wide_1000x120.png", 333, 120),
    ("tall_90x700.jpg", 200, 180),
    ("chelsea.png", 400, 60),
]
FILTERS = {0: "nearest", 1: "lanczos", 2: "bilinear", 3: "bicubic", 4: "box", 5: "hamming"}


def sha256(array):
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def samples(values):
    """Eight fixed positions (channel, row, column) spread over a [3, H, W] array."""
    _, height, width = values.shape
    positions = [
        (0, 0, 0),
        (1, 0, width - 1),
        (2, height - 1, 0),
        (0, height - 1, width - 1),
        (1, height // 2, width // 2),
        (2, height // 3, (2 * width) // 3),
        (0, (3 * height) // 4, width // 5),
        (1, height // 7, (5 * width) // 6),
    ]
    return [{"index": list(p), "value": float(values[p])} for p in positions]


def pixel_values(processor, image):
    values = processor(image, return_tensors="np")["pixel_values"][0].astype("<f4")
    return {"shape": list(values.shape), "sha256": sha256(values), "samples": samples(values)}


def main():
    processors = {}
    for name, config in CONFIGS.items():
        arguments = {k: v for k, v in config.items() if k not in ("image_processor_type", "processor_class")}
        processors[name] = CLIPImageProcessorPil(**arguments)

    PILLOW_RGB.mkdir(exist_ok=True)
    entries = []
    for path in sorted(p for p in IMAGES.iterdir() if p.suffix in (".png", ".jpg")):
        with Image.open(path) as image:
            image.load()
            rgb = convert_to_rgb(image, return_numpy=True)
            entry = {
                "name": path.name,
                "pillow_mode": image.mode,
                "width": image.width,
                "height": image.height,
                "rgb_sha256": sha256(rgb),
                "rgb_reference": "decoder",
            }
            if path.name in PILLOW_RGB_REFERENCE:
                Image.fromarray(rgb, "RGB").save(PILLOW_RGB / path.name)
                entry["rgb_reference"] = f"pillow-rgb/{path.name}"
            entry["pixel_values"] = {name: pixel_values(p, image) for name, p in processors.items()}
        entries.append(entry)

    resizes = []
    for name, width, height in RESIZE_CASES:
        with Image.open(IMAGES / name) as image:
            rgb = Image.fromarray(convert_to_rgb(image, return_numpy=True))
        for code, filter_name in FILTERS.items():
            resized = np.asarray(rgb.resize((width, height), resample=code))
            resizes.append(
                {"image": name, "filter": code, "filter_name": filter_name, "width": width, "height": height,
                 "sha256": sha256(resized)}
            )

    golden = {
        "origin": {
            "script": "tools/reference/make_preprocess_goldens.py",
            "transformers": transformers.__version__,
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "processor": "CLIPImageProcessorPil (PIL backend)",
        },
        "tolerance": "exact: sha256 of the uint8 RGB bytes and of the little-endian float32 pixel values",
        "configs": CONFIGS,
        "images": entries,
        "resizes": resizes,
    }
    OUTPUT.write_text(json.dumps(golden, indent=1) + "\n")
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(entries)} images, {len(resizes)} resizes")


if __name__ == "__main__":
    main()
