#!/usr/bin/env python3
"""transformers 5.23 goldens for the full-size PRNG checkpoint (git-base shape, 224 px, patch 16) run at other
resolutions with `interpolate_pos_encoding=True`: the bicubic-interpolated position tables themselves, and the model
at 480 x 480 (the processor of git-base-vqav2: shortest_edge 480, crop 480, bicubic, CLIP mean/std; 30 x 30 patches,
901 image tokens) and at a non-square exact size that is not a multiple of the patch (232 x 328, no crop: 14 x 20
patches, the convolution drops the 8-pixel remainders, 281 image tokens).

    tools/reference/.venv/bin/python tools/reference/make_prng_checkpoint.py     # once: builds the checkpoint
    tools/reference/.venv/bin/python tools/reference/make_resolution_goldens.py [--checkpoint DIR]

Writes Fixtures/goldens/prng_resolution_model.json: "position_tables" (per grid: sha256 of the whole interpolated
table [1 + rows*columns, 768] as transformers' GitVisionEmbeddings.interpolate_pos_encoding returns it, and the first 8
values of a few rows), and "cases" in the layout of make_prng_goldens.py's prng_model.json (its measurement functions
are imported and called with interpolate_pos_encoding=True), each with the processor settings it ran with.
Deterministic, no network; takes a few minutes on two cores.
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np

import make_prng_checkpoint as ckpt
import make_prng_goldens as goldens

OUT = os.path.join(ckpt.REPO, "Fixtures", "goldens", "prng_resolution_model.json")
MAX_NEW_TOKENS = 10

# Processor settings of each case (CLIPImageProcessor keyword arguments on top of the checkpoint's CLIP defaults:
# bicubic, CLIP mean/std) and the images that run with them.
SQUARE_480 = {"size": {"shortest_edge": 480}, "crop_size": {"height": 480, "width": 480}, "do_center_crop": True}
NON_SQUARE = {"size": {"height": 232, "width": 328}, "do_center_crop": False}
CASES = [("rocket.jpg", SQUARE_480), ("wide_1000x120.png", SQUARE_480), ("coffee.jpg", NON_SQUARE)]
# Position tables checked directly: the two grids above, a downscale and a grid whose only change is its shape.
TABLE_GRIDS = [(30, 30), (14, 20), (7, 5), (14, 14)]


def position_table(model, rows: int, columns: int):
    """transformers' interpolated position table for a rows x columns patch grid: [1 + rows*columns, hidden]."""
    import torch

    embeddings = model.git.image_encoder.vision_model.embeddings
    patch = embeddings.patch_size
    placeholder = torch.zeros(1, rows * columns + 1, embeddings.embed_dim)  # only its shape is read
    with torch.inference_mode():
        table = embeddings.interpolate_pos_encoding(placeholder, rows * patch, columns * patch)
    assert tuple(table.shape) == (1, rows * columns + 1, embeddings.embed_dim), table.shape
    return table[0]


def table_entry(table, checkpoint_table) -> dict:
    last = table.shape[0] - 1
    sample_rows = sorted({0, 1, 2, last // 2, last})
    return {
        "shape": list(table.shape),
        "sha256": goldens.sha256_f32(table),
        "rows": {str(r): goldens.floats(table[r, :8]) for r in sample_rows},
        "max_abs": float(table.abs().max()),
        "class_row_is_checkpoint_row_0": bool((table[0] == checkpoint_table[0]).all()),
        "equals_checkpoint_table": bool(table.shape == checkpoint_table.shape and (table == checkpoint_table).all()),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=os.path.join(ckpt.HERE, ".cache", "git-base-prng"),
                    help="PRNG checkpoint directory (default: tools/reference/.cache/git-base-prng)")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args()

    import torch
    import transformers
    import PIL
    from PIL import Image
    from transformers import AutoProcessor, CLIPImageProcessor, GitForCausalLM

    torch.set_num_threads(2)
    t0 = time.time()

    st_sha = ckpt.sha256_file(os.path.join(args.checkpoint, "model.safetensors"))
    with open(goldens.TENSORS_GOLDEN) as f:
        expected_sha = json.load(f)["model_safetensors"]["sha256"]
    assert st_sha == expected_sha, f"model.safetensors sha256 {st_sha} != {expected_sha}: rerun make_prng_checkpoint.py"

    model = GitForCausalLM.from_pretrained(args.checkpoint, dtype=torch.float32).eval()
    tok = AutoProcessor.from_pretrained(args.checkpoint).tokenizer
    vqa_prompt = [101] + list(tok(goldens.QUESTION, add_special_tokens=False).input_ids)
    vision = model.config.vision_config
    patch = vision.patch_size
    assert (vision.image_size, patch) == (224, 16)

    checkpoint_table = model.git.image_encoder.vision_model.embeddings.position_embedding.weight.detach()
    tables = {}
    for rows, columns in TABLE_GRIDS:
        tables[f"{rows}x{columns}"] = table_entry(position_table(model, rows, columns), checkpoint_table)
        print(f"table {rows}x{columns}: sha256 {tables[f'{rows}x{columns}']['sha256']}")
    assert tables["14x14"]["equals_checkpoint_table"]

    cases, labelled = [], []
    for fn, settings in CASES:
        t = time.time()
        processor = CLIPImageProcessor(resample=3, image_mean=ckpt.CLIP_MEAN, image_std=ckpt.CLIP_STD, **settings)
        path = os.path.join(goldens.IMAGES, fn)
        img = Image.open(path)
        pixel_values = processor(images=img, return_tensors="pt").pixel_values
        height, width = pixel_values.shape[-2:]
        grid = (height // patch, width // patch)
        assert f"{grid[0]}x{grid[1]}" in tables, grid
        tokens = grid[0] * grid[1] + 1
        print(f"{fn} ({img.mode} {img.size[0]}x{img.size[1]}) -> pixel values {height}x{width}, grid {grid}, "
              f"{tokens} image tokens")
        case = {"input": "image", "image": f"Fixtures/images/{fn}", "image_sha256": goldens.sha256_file(path),
                "pil_mode": img.mode, "pil_size_wh": list(img.size), "processor": settings,
                "patch_grid": list(grid)}
        sample_rows = [0, 1, tokens // 2, tokens - 1]
        case.update(goldens.run_case(model, pixel_values, {"caption": [101], "vqa": vqa_prompt},
                                     sample_rows=sample_rows, max_new_tokens=MAX_NEW_TOKENS,
                                     interpolate_pos_encoding=True))
        case["sample_rows"] = sample_rows
        cases.append(case)
        labelled.append((fn, case))
        print(f"   {time.time() - t:.1f} s")

    distribution = goldens.margin_distribution(labelled)

    with open(goldens.OUT) as f:
        base = json.load(f)
    conventions = dict(base["conventions"])
    conventions["sample_rows"] = "per case: 0 (class token), 1 (first patch), tokens // 2, tokens - 1 (last patch)"
    conventions["rows"] = "first 8 values of token row r of [1, tokens, 768]"
    assert "max_new_tokens=20" in conventions["greedy"], conventions["greedy"]
    conventions["greedy"] = conventions["greedy"].replace(
        "max_new_tokens=20", f"max_new_tokens={MAX_NEW_TOKENS}, interpolate_pos_encoding=True")
    conventions["interpolate_pos_encoding"] = ("passed as True to the vision tower, the forward pass and generate; "
                                               "without it transformers raises ValueError for any size but 224x224")
    conventions["processor"] = ("CLIPImageProcessor(resample=3, image_mean=CLIP, image_std=CLIP, **case.processor), "
                                "the PIL backend")
    conventions["position_tables"] = ("GitVisionEmbeddings.interpolate_pos_encoding for rows*16 x columns*16 pixels: "
                                      "the class row kept, the 14x14 patch rows resized with F.interpolate(mode="
                                      "'bicubic', align_corners=False); the 14x14 grid returns the checkpoint table")

    golden = {
        "origin": {
            "script": "tools/reference/make_resolution_goldens.py",
            "checkpoint": "tools/reference/make_prng_checkpoint.py (scheme tools/reference/PRNG_CHECKPOINT.md)",
            "model_safetensors_sha256": st_sha,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "torch_git_version": torch.version.git_version,
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "torch_threads": torch.get_num_threads(),
            "dtype": "float32",
        },
        "tolerance": dict(base["tolerance"], position_tables=(
            "sha256 exact: our float32 bicubic reproduces torch's CPU kernel (upsample_bicubic2d, x86-64 build) bit "
            "for bit; rows within 1e-6 * max(1, max_abs) to locate a mismatch")),
        "conventions": conventions,
        "margin_distribution": distribution,
        "position_tables": tables,
        "cases": cases,
    }
    goldens.write_golden(args.output, golden, t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
