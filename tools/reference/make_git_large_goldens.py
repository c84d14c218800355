#!/usr/bin/env python3
"""A PRNG checkpoint of git-large's real shape (vision ViT-L/14: width 1024, MLP 4096, 24 layers, 16 heads, 224 px in
14 px patches = 257 image tokens; text decoder as git-base: width 768, 6 layers, 12 heads, 30522-token vocabulary,
1024 positions) and transformers 5.23 goldens for it.

    tools/reference/.venv/bin/python tools/reference/make_git_large_goldens.py [--output DIR]

Weights and goldens: make_large_shape_goldens.py's make_goldens with the constants below. Weights: the PRNG scheme of
tools/reference/PRNG_CHECKPOINT.md, written by its build_checkpoint (the functions of make_prng_checkpoint.py) for
GitForCausalLM with VISION and TEXT. Goldens: the name, shape, role and sha256 of every tensor ("tensors"), and the
measurements, JSON layout and tolerance of make_prng_goldens.py's Fixtures/goldens/prng_model.json (its measurement
functions are imported) for 2 test images, each with a caption and the VQA prompt.

Outputs:
  DIR (default tools/reference/.cache/git-large-prng, git-ignored): model.safetensors (~1.6 GB) + config, generation
      config, processor and tokenizer files as transformers 5.23 saves them, plus vocab.txt.
  Fixtures/prng-checkpoint-git-large/: the small non-weight files 5.23 wrote (config.json, generation_config.json,
      processor_config.json, tokenizer_config.json).
  Fixtures/goldens/prng_git_large_model.json.

Deterministic; no network (HF_HUB_OFFLINE=1); takes a few minutes and about 6 GB of memory on two cores.
"""
import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import make_large_shape_goldens as large_shape
import make_prng_checkpoint as ckpt

SMALL_FILES_DIR = os.path.join(ckpt.REPO, "Fixtures", "prng-checkpoint-git-large")
OUT = os.path.join(ckpt.REPO, "Fixtures", "goldens", "prng_git_large_model.json")

# microsoft/git-large's vision_config (docs/checkpoints.md, "Sibling checkpoints"); the text keys are GitConfig's
# defaults, which git-large keeps.
VISION = dict(hidden_size=1024, num_attention_heads=16, intermediate_size=4096, num_hidden_layers=24, image_size=224,
              patch_size=14, hidden_act="quick_gelu", layer_norm_eps=1e-5)
TEXT = dict(hidden_size=768, num_attention_heads=12, intermediate_size=3072, num_hidden_layers=6, vocab_size=30522,
            max_position_embeddings=1024, bos_token_id=101, eos_token_id=102, pad_token_id=0)
SAMPLE_ROWS = [0, 1, 128, 256]  # class token, first patch, a middle row, last patch (of 257 image tokens)
IMAGE_FILES = ["rocket.jpg", "chelsea.png"]
MAX_NEW_TOKENS = 10
EXPECTED_TENSORS = 497


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=os.path.join(ckpt.HERE, ".cache", "git-large-prng"),
                    help="checkpoint directory to write (default: tools/reference/.cache/git-large-prng)")
    args = ap.parse_args()
    large_shape.make_goldens(args.output, script="tools/reference/make_git_large_goldens.py",
                             small_files_dir=SMALL_FILES_DIR, golden_path=OUT, vision=VISION, text=TEXT,
                             sample_rows=SAMPLE_ROWS, image_files=IMAGE_FILES, max_new_tokens=MAX_NEW_TOKENS,
                             expected_tensors=EXPECTED_TENSORS, with_sin_input=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
