#!/usr/bin/env python3
"""A PRNG checkpoint of git-large's real shape (vision ViT-L/14: width 1024, MLP 4096, 24 layers, 16 heads, 224 px in
14 px patches = 257 image tokens; text decoder as git-base: width 768, 6 layers, 12 heads, 30522-token vocabulary,
1024 positions) and transformers 5.23 goldens for it.

    tools/reference/.venv/bin/python tools/reference/make_git_large_goldens.py [--output DIR]

Weights: the PRNG scheme of tools/reference/PRNG_CHECKPOINT.md, written by make_large_shape_goldens.py's
build_checkpoint (the functions of make_prng_checkpoint.py) for GitForCausalLM(CONFIG). Goldens: the name, shape, role
and sha256 of every tensor ("tensors"), and the measurements, JSON layout and tolerance of make_prng_goldens.py's
Fixtures/goldens/prng_model.json (its measurement functions are imported) for 2 test images, each with a caption and
the VQA prompt.

Outputs:
  DIR (default tools/reference/.cache/git-large-prng, git-ignored): model.safetensors (~1.6 GB) + config, generation
      config, processor and tokenizer files as transformers 5.23 saves them, plus vocab.txt.
  Fixtures/prng-checkpoint-git-large/: the small non-weight files 5.23 wrote (config.json, generation_config.json,
      processor_config.json, tokenizer_config.json).
  Fixtures/goldens/prng_git_large_model.json.

Deterministic; no network (HF_HUB_OFFLINE=1); takes a few minutes and about 6 GB of memory on two cores.
"""
import argparse
import json
import os
import shutil
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np

import make_large_shape_goldens as large_shape
import make_prng_checkpoint as ckpt
import make_prng_goldens as goldens

SMALL_FILES_DIR = os.path.join(ckpt.REPO, "Fixtures", "prng-checkpoint-git-large")
OUT = os.path.join(ckpt.REPO, "Fixtures", "goldens", "prng_git_large_model.json")

# microsoft/git-large's vision_config (spec §1.6); the text keys are GitConfig's defaults, which git-large keeps.
VISION = dict(hidden_size=1024, num_attention_heads=16, intermediate_size=4096, num_hidden_layers=24, image_size=224,
              patch_size=14, hidden_act="quick_gelu", layer_norm_eps=1e-5)
TEXT = dict(hidden_size=768, num_attention_heads=12, intermediate_size=3072, num_hidden_layers=6, vocab_size=30522,
            max_position_embeddings=1024, bos_token_id=101, eos_token_id=102, pad_token_id=0)
IMAGE_TOKENS = (VISION["image_size"] // VISION["patch_size"]) ** 2 + 1  # 256 patches + class token
SAMPLE_ROWS = [0, 1, 128, 256]
IMAGE_FILES = ["rocket.jpg", "chelsea.png"]
MAX_NEW_TOKENS = 10
EXPECTED_TENSORS = 497


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=os.path.join(ckpt.HERE, ".cache", "git-large-prng"),
                    help="checkpoint directory to write (default: tools/reference/.cache/git-large-prng)")
    args = ap.parse_args()

    import torch
    import transformers
    import PIL
    import safetensors
    from transformers import AutoProcessor, GitConfig, GitForCausalLM

    torch.set_num_threads(2)
    t0 = time.time()

    built = large_shape.build_checkpoint(args.output, GitConfig(vision_config=dict(VISION), **TEXT), EXPECTED_TENSORS)
    print(f"checkpoint: {len(built['entries'])} tensors, {built['parameter_count']:,} parameters, "
          f"model.safetensors {built['bytes']:,} bytes sha256 {built['sha256']} ({time.time() - t0:.1f} s)")
    os.makedirs(SMALL_FILES_DIR, exist_ok=True)
    for fn in ckpt.SMALL_FILES:
        shutil.copyfile(os.path.join(args.output, fn), os.path.join(SMALL_FILES_DIR, fn))

    # Everything below reads the checkpoint back from disk, as make_prng_goldens.py does.
    model = GitForCausalLM.from_pretrained(args.output, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(args.output)
    tok = processor.tokenizer
    assert tok.vocab_size == TEXT["vocab_size"], tok.vocab_size
    vision_config = model.config.vision_config
    assert (vision_config.hidden_size, vision_config.num_hidden_layers, model.config.hidden_size) == (1024, 24, 768)
    assert goldens.image_tokens(model.config) == IMAGE_TOKENS
    vqa_prompt = [101] + list(tok(goldens.QUESTION, add_special_tokens=False).input_ids)
    print("VQA prompt ids:", vqa_prompt, "| image processor:", type(processor.image_processor).__name__)

    cases, labelled = [], []
    for fn in IMAGE_FILES:
        t = time.time()
        case, pixel_values = goldens.image_input(processor, fn, VISION["image_size"])
        case.update(goldens.run_case(model, pixel_values, {"caption": [101], "vqa": vqa_prompt},
                                     sample_rows=SAMPLE_ROWS, max_new_tokens=MAX_NEW_TOKENS))
        cases.append(case)
        labelled.append((fn, case))
        print(f"   {time.time() - t:.1f} s")

    distribution = goldens.margin_distribution(labelled)

    # Tolerance and conventions are prng_model.json's, with this model's sizes.
    with open(goldens.OUT) as f:
        base = json.load(f)
    assert base["conventions"]["vqa_question"] == goldens.QUESTION
    conventions = dict(base["conventions"])
    conventions["sample_rows"] = SAMPLE_ROWS
    conventions["rows"] = (f"first 8 values of token row r of [1,{IMAGE_TOKENS},{VISION['hidden_size']}] "
                           f"(vision_last_hidden_state) or [1,{IMAGE_TOKENS},{TEXT['hidden_size']}] "
                           f"(visual_projection): rows 0 (class token), 1 (first patch), 128 and 256 (last patch)")
    assert "max_new_tokens=20" in conventions["greedy"], conventions["greedy"]
    conventions["greedy"] = conventions["greedy"].replace("max_new_tokens=20", f"max_new_tokens={MAX_NEW_TOKENS}")

    golden = {
        "origin": {
            "script": "tools/reference/make_git_large_goldens.py",
            "checkpoint": "tools/reference/make_git_large_goldens.py (scheme tools/reference/PRNG_CHECKPOINT.md; "
                          "small files in Fixtures/prng-checkpoint-git-large/)",
            "model_safetensors_sha256": built["sha256"],
            "model_safetensors_bytes": built["bytes"],
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "safetensors": safetensors.__version__,
            "python": sys.version.split()[0],
            "image_processor": type(processor.image_processor).__name__,
            "torch_threads": torch.get_num_threads(),
            "dtype": "float32",
            "config": {"vision": VISION, "text": TEXT, "image_tokens": IMAGE_TOKENS},
        },
        "tolerance": base["tolerance"],
        "conventions": conventions,
        "margin_distribution": distribution,
        "tensor_count": len(built["entries"]),
        "parameter_count": built["parameter_count"],
        "tensors_note": "state_dict() order without *.position_ids; sha256 of the little-endian float32 bytes; exact",
        "tensors": built["entries"],
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT} ({os.path.getsize(OUT):,} bytes) and {SMALL_FILES_DIR}/{{{','.join(ckpt.SMALL_FILES)}}} "
          f"in {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
