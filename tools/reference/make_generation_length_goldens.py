#!/usr/bin/env python
"""Goldens for generate()'s length options on the bundled demo model -> `Fixtures/goldens/tiny_generation_lengths.json`.

transformers 5.23 resolves `max_new_tokens`, `max_length`, `min_new_tokens` and `min_length` against the model's
generation config and its own defaults (docs/generation.md, "Length limits": with no limit, 20 new tokens capped by
max_position_embeddings; max_new_tokens wins over max_length; min lengths suppress [SEP]; limits near 2^63 need no
more than the table). This script runs greedy `generate` (batch 1) on the demo model (`Models/git-tiny-easyvqa`,
max_position_embeddings 32) for a few images and prompts under each option set and records the full ids, so that the
Swift tests check the same length semantics. Options transformers rejects are recorded with the exception text.

    HF_HUB_OFFLINE=1 tools/reference/.venv/bin/python tools/reference/make_generation_length_goldens.py
"""
import json
import os
import sys
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import PIL
import torch
import transformers
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
MODEL = os.path.join(REPO, "Models", "git-tiny-easyvqa")
OUT = os.path.join(REPO, "Fixtures", "goldens", "tiny_generation_lengths.json")

IMAGES = ["0.png", "5.png", "10.png"]
QUESTIONS = [None, "what color is the shape?",
             # 29 tokens with [CLS]: the default max_length is capped at 32 positions, leaving 3 new tokens
             "does the image contain a red shape? does the image contain a blue shape? is there a circle "
             "in the image? is there a rectangle?"]
OPTION_SETS = [
    {},
    {"max_new_tokens": 3},
    {"max_length": 4},
    {"max_new_tokens": 2, "max_length": 20},
    {"max_new_tokens": 12, "min_new_tokens": 8},
    {"max_new_tokens": 12, "min_length": 9},
    {"max_new_tokens": 0},
    {"max_length": 1},
    # Limits far past the 32-position table: fine when [SEP] comes first, an IndexError when it cannot come.
    {"max_new_tokens": 2_000_000_000},
    {"max_new_tokens": 2**63 - 1},
    {"max_length": 2**63 - 1},
    {"max_new_tokens": 2**63 - 1, "min_new_tokens": 2**63 - 1},
    {"min_length": 2**63 - 1},
]


@torch.no_grad()
def main():
    torch.set_num_threads(1)
    model = transformers.GitForCausalLM.from_pretrained(MODEL, dtype=torch.float32).eval()
    processor = transformers.AutoProcessor.from_pretrained(MODEL)
    tokenizer = processor.tokenizer
    cases = []
    for image_name in IMAGES:
        image = Image.open(os.path.join(REPO, "Fixtures", "easyvqa", image_name))
        pixel_values = processor(images=image, return_tensors="pt").pixel_values
        for question in QUESTIONS:
            prompt = [tokenizer.cls_token_id] + (tokenizer(question, add_special_tokens=False).input_ids if question else [])
            for options in OPTION_SETS:
                case = {"image": image_name, "question": question, "prompt_ids": prompt, "options": options}
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        out = model.generate(pixel_values=pixel_values, input_ids=torch.tensor([prompt]),
                                             do_sample=False, **options)
                    case["generated_ids"] = out[0].tolist()
                except Exception as error:  # noqa: BLE001 - the error itself is the golden
                    case["error"] = f"{type(error).__name__}: {error}".split("\n")[0]
                cases.append(case)
    golden = {
        "origin": {"script": "tools/reference/make_generation_length_goldens.py", "transformers": transformers.__version__,
                   "torch": torch.__version__, "pillow": PIL.__version__, "model": "Models/git-tiny-easyvqa",
                   "dtype": "float32", "threads": 1},
        "tolerance": "exact ids; an 'error' case must be rejected with a typed error",
        "conventions": "generate(pixel_values, input_ids=[prompt], do_sample=False, **options), batch 1; "
                       "generated_ids include the prompt",
        "max_position_embeddings": model.config.max_position_embeddings,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases -> {OUT}")
    for case in cases:
        print(case["image"], len(case["prompt_ids"]), case["options"], case.get("generated_ids", case.get("error")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
