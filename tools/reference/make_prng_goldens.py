#!/usr/bin/env python3
"""transformers 5.23 goldens on the PRNG checkpoint (tools/reference/PRNG_CHECKPOINT.md): preprocessing digest,
vision tower, visual projection, prefill logits, last decoder hidden state and greedy generation, for committed test
images and for a deterministic sine input (sin_input).

    tools/reference/.venv/bin/python tools/reference/make_prng_checkpoint.py     # once: builds the checkpoint
    tools/reference/.venv/bin/python tools/reference/make_prng_goldens.py [--checkpoint DIR]

Writes Fixtures/goldens/prng_model.json (samples and digests, never whole tensors). Deterministic, no network.
"""
import argparse
import hashlib
import json
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
IMAGES = os.path.join(REPO, "Fixtures", "images")
OUT = os.path.join(REPO, "Fixtures", "goldens", "prng_model.json")
TENSORS_GOLDEN = os.path.join(REPO, "Fixtures", "goldens", "prng_checkpoint_tensors.json")

# Photos first, then edge cases of decoding / conversion / resizing.
IMAGE_FILES = [
    "rocket.jpg", "chelsea.png", "coffee.jpg", "astronaut_progressive.jpg",
    "gray.jpg", "rgba.png", "la.png", "palette_trns.png", "pattern_cmyk.jpg",
    "odd_17x23.png", "tiny_1x1.png", "wide_1000x120.png", "tall_90x700.jpg",
]
QUESTION = "what is in the picture?"
SAMPLE_ROWS = [0, 1, 98, 196]
MAX_NEW_TOKENS = 20
MARGIN_FOR_EXACT_IDS = 1e-3
SIN_PROMPTS = {"caption": [101], "ids_101_2048_8870": [101, 2048, 8870]}  # prompts of the sin input


def sha256_f32(t) -> str:
    a = t.detach().cpu().numpy() if hasattr(t, "detach") else t
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()


def sha256_file(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def floats(t) -> list:
    return [float(v) for v in t.reshape(-1).tolist()]


def activation_samples(x, sample_rows=SAMPLE_ROWS) -> dict:
    """x: [1, tokens, width] float32 ([1, 197, 768] for git-base). First 8 values of the token rows `sample_rows`,
    every row's max |x|, mean and mean |x|."""
    a = x[0].detach().double()
    return {
        "shape": list(x.shape),
        "rows": {str(r): floats(x[0, r, :8]) for r in sample_rows},
        "row_max_abs": floats(a.abs().amax(dim=1)),
        "mean": float(a.mean()),
        "mean_abs": float(a.abs().mean()),
    }


def logit_row_samples(row) -> dict:
    """row: [30522] float32 logits."""
    top = row.topk(5)
    return {
        "first16": floats(row[:16]),
        "argmax": int(row.argmax()),
        "top5_ids": [int(i) for i in top.indices],
        "top5_values": floats(top.values),
        "max_abs": float(row.abs().max()),
        "mean": float(row.double().mean()),
    }


def image_tokens(config) -> int:
    """Image tokens of a GitConfig's vision tower: patches plus the class token (197 for git-base)."""
    v = config.vision_config
    return (v.image_size // v.patch_size) ** 2 + 1


def image_input(processor, fn: str, size: int):
    """Fixtures/images/`fn` through `processor`, which must give [1, 3, size, size] float32: (case header, pixel
    values). Prints the image's PIL mode and size."""
    import torch
    from PIL import Image

    path = os.path.join(IMAGES, fn)
    img = Image.open(path)
    mode, wh = img.mode, list(img.size)
    pixel_values = processor(images=img, return_tensors="pt").pixel_values
    assert pixel_values.dtype == torch.float32 and tuple(pixel_values.shape) == (1, 3, size, size)
    print(f"{fn} ({mode} {wh[0]}x{wh[1]})")
    case = {"input": "image", "image": f"Fixtures/images/{fn}", "image_sha256": sha256_file(path),
            "pil_mode": mode, "pil_size_wh": wh}
    return case, pixel_values


def sin_input(size: int):
    """The deterministic sine input at size x size, no image decoding: (case header, pixel values)."""
    import torch

    idx = torch.arange(3 * size * size, dtype=torch.float64).reshape(1, 3, size, size)
    px = torch.sin(0.01 * idx).to(torch.float32)
    case = {"input": "sin",
            "description": f"pixel_values[0,c,y,x] = float32(sin(0.01*(c*{size * size} + y*{size} + x))) computed "
                           "in float64; prompts [CLS] and [101, 2048, 8870]"}
    return case, px


def run_case(model, pixel_values, prompts: dict, sample_rows=SAMPLE_ROWS, max_new_tokens=MAX_NEW_TOKENS,
             interpolate_pos_encoding=False) -> dict:
    """Measurements of one input: pixel-value digest, vision tower and projection samples (token rows `sample_rows`)
    and, per prompt, the measurements of prompt_measurements. Image tokens, widths and vocabulary size are the
    model's; with `interpolate_pos_encoding` (passed to the vision tower, the forward pass and generate) the image
    tokens follow the pixel values' size instead."""
    import torch

    config = model.config
    if interpolate_pos_encoding:
        patch = config.vision_config.patch_size
        tokens = (pixel_values.shape[-2] // patch) * (pixel_values.shape[-1] // patch) + 1
    else:
        tokens = image_tokens(config)
    assert max(sample_rows) < tokens, (sample_rows, tokens)
    with torch.inference_mode():
        vis = model.git.image_encoder(pixel_values, interpolate_pos_encoding=interpolate_pos_encoding).last_hidden_state
        proj = model.git.visual_projection(vis)
    assert tuple(vis.shape) == (1, tokens, config.vision_config.hidden_size), vis.shape
    assert tuple(proj.shape) == (1, tokens, config.hidden_size), proj.shape
    return {
        "pixel_values_sha256": sha256_f32(pixel_values),
        "pixel_values_shape": list(pixel_values.shape),
        "vision_last_hidden_state": activation_samples(vis, sample_rows),
        "visual_projection": activation_samples(proj, sample_rows),
        "prompts": prompt_measurements(model, pixel_values, prompts, tokens, max_new_tokens,
                                       interpolate_pos_encoding=interpolate_pos_encoding),
    }


def prompt_measurements(model, pixel_values, prompts: dict, image_token_count: int, max_new_tokens=MAX_NEW_TOKENS,
                        interpolate_pos_encoding=False, generate_checks=True) -> dict:
    """Per prompt (label -> ids; "caption" generates without input_ids) of one input: the prefill logits and the last
    decoder hidden row of a full forward pass, and greedy generation of `max_new_tokens` tokens with every step's
    top-1 logit and top-2 margin. `pixel_values` may be an image or a video ([1, frames, 3, H, W]);
    `image_token_count` is the number of visual tokens the decoder sees before the prompt.
    `interpolate_pos_encoding` is passed to the forward pass and generate. With `generate_checks`, each "greedy"
    also records whether generate's scores equal its raw logits and how far its first step is from the full
    forward's last row."""
    import torch

    measurements = {}
    for label, ids in prompts.items():
        input_ids = torch.tensor([ids])
        with torch.inference_mode():
            out = model(input_ids=input_ids, pixel_values=pixel_values, output_hidden_states=True,
                        interpolate_pos_encoding=interpolate_pos_encoding)
        expected_shape = (1, image_token_count + len(ids), model.config.vocab_size)
        assert tuple(out.logits.shape) == expected_shape, out.logits.shape
        last_hidden = out.hidden_states[-1][0, -1]
        prefill = logit_row_samples(out.logits[0, -1])
        gen_kwargs = dict(pixel_values=pixel_values, max_new_tokens=max_new_tokens, do_sample=False,
                          output_scores=True, output_logits=generate_checks, return_dict_in_generate=True,
                          interpolate_pos_encoding=interpolate_pos_encoding)
        if label != "caption":
            gen_kwargs["input_ids"] = input_ids  # caption: no input_ids, generate starts from [[bos]] = [[101]]
        with torch.inference_mode():
            g = model.generate(**gen_kwargs)
        seq = [int(v) for v in g.sequences[0]]
        assert seq[:len(ids)] == ids, (seq, ids)
        margins, top1 = [], []
        for step, s in enumerate(g.scores):
            v = s[0].float().topk(2)
            assert int(v.indices[0]) == seq[len(ids) + step], "greedy token is not the argmax of the scores"
            margins.append(float(v.values[0] - v.values[1]))
            top1.append(float(v.values[0]))
        greedy = {
            "max_new_tokens": max_new_tokens,
            "sequence": seq,
            "step_margins": margins,
            "step_top1_logit": top1,
            "min_margin": min(margins),
        }
        checks = ""
        if generate_checks:
            scores_equal_logits = all(bool(torch.equal(s, l)) for s, l in zip(g.scores, g.logits))
            # generate computes only the last position: compare its first step with the full forward's last row
            prefill_vs_generate = float((g.scores[0][0] - out.logits[0, -1]).abs().max())
            greedy["scores_equal_raw_logits"] = scores_equal_logits
            greedy["first_step_vs_full_forward_max_abs_diff"] = prefill_vs_generate
            checks = f", scores==logits {scores_equal_logits}, gen-vs-forward {prefill_vs_generate:.2e}"
        measurements[label] = {
            "input_ids": ids,
            "prefill_logits_last_row": prefill,
            "decoder_last_layer_hidden_last_row": {"first8": floats(last_hidden[:8]),
                                                   "max_abs": float(last_hidden.abs().max())},
            "greedy": greedy,
        }
        print(f"   {label}: prefill argmax {prefill['argmax']}, generated {seq[len(ids):]}, "
              f"min margin {min(margins):.4f}{checks}")
    return measurements


def write_golden(path: str, golden: dict, started: float) -> None:
    """Writes `golden` to `path` as JSON with indent 1 and a final newline, and prints the file's size and the seconds
    since `started` (a time.time() value)."""
    with open(path, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path):,} bytes) in {time.time() - started:.1f} s")


def margin_distribution(labelled_cases) -> dict:
    """labelled_cases: [(label, case from run_case)]. The distribution of all greedy step margins; prints it, and a
    warning naming every step whose margin is below MARGIN_FOR_EXACT_IDS."""
    all_margins, small_margins = [], []
    for case_label, case in labelled_cases:
        for label, prompt in case["prompts"].items():
            margins = prompt["greedy"]["step_margins"]
            all_margins.extend(margins)
            small_margins.extend((case_label, label, step, margin) for step, margin in enumerate(margins)
                                 if margin < MARGIN_FOR_EXACT_IDS)
    m = np.array(all_margins)
    distribution = {
        "steps": int(m.size),
        "min": float(m.min()),
        "median": float(np.median(m)),
        "below_1e-4": int((m < 1e-4).sum()),
        "below_1e-3": int((m < 1e-3).sum()),
        "below_1e-2": int((m < 1e-2).sum()),
        "below_1e-1": int((m < 1e-1).sum()),
        "below_1": int((m < 1).sum()),
    }
    print("margin distribution:", distribution)
    for case_label, label, step, margin in small_margins:
        print(f"WARNING: step margin below {MARGIN_FOR_EXACT_IDS}: {case_label} / {label} step {step}: "
              f"{margin:.3g} (ids after it are not checked)")
    return distribution


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--checkpoint", default=os.path.join(HERE, ".cache", "git-base-prng"),
                    help="PRNG checkpoint directory (default: tools/reference/.cache/git-base-prng)")
    ap.add_argument("--output", default=OUT)
    args = ap.parse_args()

    import torch
    import transformers
    import PIL
    from transformers import AutoProcessor, GitForCausalLM

    torch.set_num_threads(2)
    t0 = time.time()

    # Tie the goldens to the checkpoint: it must be the one make_prng_checkpoint.py describes.
    st_path = os.path.join(args.checkpoint, "model.safetensors")
    st_sha = sha256_file(st_path)
    with open(TENSORS_GOLDEN) as f:
        expected_sha = json.load(f)["model_safetensors"]["sha256"]
    assert st_sha == expected_sha, f"{st_path} sha256 {st_sha} != {expected_sha}: rerun make_prng_checkpoint.py"

    model = GitForCausalLM.from_pretrained(args.checkpoint, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(args.checkpoint)
    tok = processor.tokenizer
    assert tok.vocab_size == 30522, tok.vocab_size
    question_ids = tok(QUESTION, add_special_tokens=False).input_ids
    vqa_prompt = [101] + list(question_ids)
    print("VQA prompt ids:", vqa_prompt, "| image processor:", type(processor.image_processor).__name__)

    size = model.config.vision_config.image_size
    assert (size, image_tokens(model.config)) == (224, 197), size
    cases, labelled = [], []
    for fn in IMAGE_FILES:
        t = time.time()
        case, pixel_values = image_input(processor, fn, size)
        case.update(run_case(model, pixel_values, {"caption": [101], "vqa": vqa_prompt}))
        cases.append(case)
        labelled.append((fn, case))
        print(f"   {time.time() - t:.1f} s")

    # The deterministic sine input: no image decoding.
    case, px = sin_input(size)
    print("sin input")
    case.update(run_case(model, px, SIN_PROMPTS))
    cases.append(case)
    labelled.append(("sin", case))

    distribution = margin_distribution(labelled)

    golden = {
        "origin": {
            "script": "tools/reference/make_prng_goldens.py",
            "checkpoint": "tools/reference/make_prng_checkpoint.py (scheme tools/reference/PRNG_CHECKPOINT.md)",
            "model_safetensors_sha256": st_sha,
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "pillow": PIL.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "image_processor": type(processor.image_processor).__name__,
            "torch_threads": torch.get_num_threads(),
            "dtype": "float32",
        },
        "tolerance": {
            "floats": "|ours - ref| <= 1e-4 * max(1, max|ref row|) for logits and activations, where max|ref row| is "
                      "the reference's max |x| over the same token row (row_max_abs[r] for activations, max_abs for a "
                      "logit or hidden row); means within the same bound using max over rows. Tighter fails on the "
                      "reference itself (docs/model.md, Numerics: generate() vs full forward differ by up to 4.6e-5)",
            "ids": "greedy sequences exact (prompt included) at every step whose reference top-2 margin "
                   f"(step_margins) is >= {MARGIN_FOR_EXACT_IDS}; after the first step below it, later ids may differ",
            "argmax_top5": "prefill argmax and top-5 ids exact when the corresponding top-k gaps are >= 1e-3",
            "digests": "pixel_values_sha256 exact (bit-identical preprocessing of the same decoded pixels)",
        },
        "conventions": {
            "sample_rows": SAMPLE_ROWS,
            "rows": "first 8 values of token row r of [1,197,768]",
            "prefill": "full forward model(input_ids, pixel_values) logits[0,-1]",
            "decoder_last_layer_hidden_last_row": "output_hidden_states=True, hidden_states[-1][0,-1] (last decoder "
                                                   "layer output, no final LayerNorm), first 8 values",
            "greedy": "generate(pixel_values=..., [input_ids=prompt,] max_new_tokens=20, do_sample=False); caption "
                      "passes no input_ids (starts from [[101]]); sequence includes the prompt; step_margins = best "
                      "minus second-best score per generated token (scores = processed logits, verified equal to "
                      "raw logits: scores_equal_raw_logits)",
            "vqa_question": QUESTION,
        },
        "margin_distribution": distribution,
        "cases": cases,
    }
    write_golden(args.output, golden, t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
