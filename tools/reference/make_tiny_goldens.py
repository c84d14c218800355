#!/usr/bin/env python
"""Goldens for the tiny trained GIT (`Models/git-tiny-easyvqa`) -> `Fixtures/goldens/tiny_easyvqa.json`.

Loads the SAVED folder exactly as a user would (`GitForCausalLM.from_pretrained` + `AutoProcessor.from_pretrained`,
float32, eval mode) and runs greedy `generate` one case at a time (batch 1) with default settings except
`max_new_tokens` (= train_tiny_git.MAX_NEW_TOKENS = 10):
  * captions: `generate(pixel_values=...)` (no input_ids: generate starts from [[bos]] = [[CLS]]);
  * questions: `generate(pixel_values=..., input_ids=[[CLS] + question ids])` (question without [SEP]).
Cases (deterministic): the test images whose easy-VQA id is a multiple of 5 (200 images) are captioned; questions
are the first 10 (yes/no templates) or 15 (shape / colour templates) test questions of each of the 24 question
templates, in dataset order, whose image is one of those 200 images.
Each case records the prompt ids, the full generated ids (prompt included, as generate returns them), decoded texts,
the expected answer, correctness, and the smallest top-2 logit margin over its generation steps.
The images used are copied byte-identical to `Fixtures/easyvqa/<id>.png`.

Run after train_tiny_git.py:
    HF_HUB_OFFLINE=1 tools/reference/.venv/bin/python tools/reference/make_tiny_goldens.py
"""
import argparse
import collections
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import numpy as np
import PIL
import tokenizers
import torch
import transformers
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_tiny_git as T  # noqa: E402

REPO = T.REPO
CAPTION_EVERY = 5
PER_TEMPLATE = {"yes/no": 10, "shape": 15, "color": 15}


def template_of(text):
    return re.sub(r"\b(" + "|".join(T.SHAPES + T.COLORS) + r")\b", "<X>", text)


def top2_margins(scores):
    """Per generation step: largest minus second largest logit (float32, as generate returns them)."""
    out = []
    for s in scores:
        top = torch.topk(s[0].float(), 2).values
        out.append(float(top[0] - top[1]))
    return out


@torch.no_grad()
def run_case(model, tok, pixel_values, prompt_ids):
    kwargs = dict(pixel_values=pixel_values, max_new_tokens=T.MAX_NEW_TOKENS, output_scores=True,
                  return_dict_in_generate=True)
    if prompt_ids != [tok.cls_token_id]:
        kwargs["input_ids"] = torch.tensor([prompt_ids])
    out = model.generate(**kwargs)
    seq = out.sequences[0].tolist()
    assert seq[:len(prompt_ids)] == prompt_ids, (seq, prompt_ids)
    margins = top2_margins(out.scores)
    return {
        "prompt_ids": prompt_ids,
        "generated_ids": seq,
        "text": tok.decode(seq, skip_special_tokens=True),
        "answer_text": tok.decode(seq[len(prompt_ids):], skip_special_tokens=True),
        "min_top2_margin": min(margins),
        "step_top2_margins": margins,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=T.DEFAULT_OUT)
    ap.add_argument("--out", default=os.path.join(REPO, "Fixtures", "goldens", "tiny_easyvqa.json"))
    ap.add_argument("--images-out", default=os.path.join(REPO, "Fixtures", "easyvqa"))
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)

    from transformers import AutoProcessor, GitForCausalLM
    model = GitForCausalLM.from_pretrained(args.model, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(args.model)
    tok = processor.tokenizer
    assert tok.vocab_size == model.config.vocab_size, (tok.vocab_size, model.config.vocab_size)

    labels = T.image_labels("test")
    (texts, answers, qids), paths = T.load_split("test")
    image_ids = [i for i in sorted(paths) if i % CAPTION_EVERY == 0]
    chosen = set(image_ids)
    per_template = collections.defaultdict(list)
    for t, a, i in zip(texts, answers, qids):
        qt = T.question_type(t, a)
        key = template_of(t)
        if i in chosen and len(per_template[key]) < PER_TEMPLATE[qt]:
            per_template[key].append((t, a, i, qt))
    questions = [q for key in sorted(per_template) for q in per_template[key]]

    pix = {}
    for i in image_ids:
        pix[i] = processor(images=Image.open(paths[i]), return_tensors="pt").pixel_values

    captions_out = []
    for i in image_ids:
        shape, color, source = labels[i]
        case = {"image": f"{i}.png", "image_id": i, "expected": T.caption_of(shape, color),
                "expected_source": source}
        case.update(run_case(model, tok, pix[i], [tok.cls_token_id]))
        case["correct"] = case["answer_text"] == case["expected"]
        captions_out.append(case)
    questions_out = []
    for t, a, i, qt in questions:
        prompt = [tok.cls_token_id] + tok(t, add_special_tokens=False).input_ids
        case = {"image": f"{i}.png", "image_id": i, "question": t, "question_type": qt,
                "question_template": template_of(t), "expected": a}
        case.update(run_case(model, tok, pix[i], prompt))
        case["correct"] = case["answer_text"] == a
        questions_out.append(case)

    def acc(cases):
        return sum(c["correct"] for c in cases) / len(cases)

    golden_acc = {
        "captions": len(captions_out), "caption_exact": acc(captions_out),
        "questions": len(questions_out), "vqa": acc(questions_out),
    }
    for qt in ("yes/no", "shape", "color"):
        golden_acc[f"vqa[{qt}]"] = acc([c for c in questions_out if c["question_type"] == qt])
    whole = T.evaluate(model, processor, "test")

    os.makedirs(args.images_out, exist_ok=True)
    for i in image_ids:
        dst = os.path.join(args.images_out, f"{i}.png")
        shutil.copyfile(paths[i], dst)
        with open(paths[i], "rb") as a, open(dst, "rb") as b:
            assert a.read() == b.read()

    licence = importlib.metadata.distribution("easy-vqa").read_text("LICENSE")
    with open(os.path.join(args.images_out, "README.md"), "w") as f:
        f.write("# easy-VQA test images\n\n"
                f"{len(image_ids)} PNGs (64x64) from the easy-VQA **test** split, byte-identical copies of\n"
                "`easy_vqa/data/test/images/<id>.png` of the `easy-vqa` 1.0 Python package, named by their easy-VQA id.\n"
                "Used by `Fixtures/goldens/tiny_easyvqa.json`; written by `tools/reference/make_tiny_goldens.py`.\n\n"
                "Source: https://github.com/vzhou842/easy-VQA, licence (from the package's LICENSE file):\n\n"
                + "\n".join("    " + line if line else "" for line in licence.strip().splitlines()) + "\n")
    with open(os.path.join(args.model, "model.safetensors"), "rb") as f:
        model_sha = hashlib.sha256(f.read()).hexdigest()
    margins = [c["min_top2_margin"] for c in captions_out + questions_out]
    doc = {
        "origin": {
            "script": "tools/reference/make_tiny_goldens.py",
            "transformers": transformers.__version__, "torch": torch.__version__,
            "tokenizers": tokenizers.__version__, "pillow": PIL.__version__, "numpy": np.__version__,
            "easy_vqa": importlib.metadata.version("easy-vqa"),
            "model": "Models/git-tiny-easyvqa", "model_safetensors_sha256": model_sha,
            "device": "cpu", "dtype": "float32", "threads": args.threads,
        },
        "tolerance": "exact",
        "tolerance_note": "generated_ids, text and answer_text must match exactly. min_top2_margin / "
                          "step_top2_margins are float32 logit gaps recorded only to flag numerically fragile cases "
                          "(docs/model.md, Numerics: generate-vs-forward logits differ by up to ~5e-5); they are not "
                          "goldens.",
        "generate": {"max_new_tokens": T.MAX_NEW_TOKENS, "do_sample": False, "num_beams": 1, "batch_size": 1,
                     "captions": "generate(pixel_values) without input_ids (starts from [[bos]] = [[CLS]])",
                     "questions": "generate(pixel_values, input_ids=[[CLS] + question ids without [SEP]])",
                     "decode": "tokenizer.decode(ids, skip_special_tokens=True); answer_text decodes the ids "
                               "after the prompt"},
        "images_dir": "Fixtures/easyvqa",
        "selection": f"captions: test images with id % {CAPTION_EVERY} == 0; questions: first "
                     f"{PER_TEMPLATE['yes/no']} (yes/no) or {PER_TEMPLATE['shape']} (shape/colour) test questions "
                     "per question template, in dataset order, whose image is a captioned one",
        "vocab": {"size": tok.vocab_size, "pad": tok.pad_token_id, "cls": tok.cls_token_id,
                  "sep": tok.sep_token_id, "unk": tok.unk_token_id, "mask": tok.mask_token_id},
        "accuracy": {
            "golden": golden_acc,
            "test_split": dict(whole, method="batched greedy generate (captions by image batch, questions grouped "
                                             "by prompt length, no padding), max_new_tokens "
                                             f"{T.MAX_NEW_TOKENS}"),
        },
        "smallest_min_top2_margin": min(margins),
        "captions": captions_out,
        "questions": questions_out,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("golden:", T.fmt(golden_acc))
    print("test split:", T.fmt(whole))
    print(f"smallest top-2 margin {min(margins):.4g}; cases with margin < 0.1: "
          f"{sum(m < 0.1 for m in margins)}; wrote {args.out} and {len(image_ids)} images to {args.images_out}")


if __name__ == "__main__":
    main()
