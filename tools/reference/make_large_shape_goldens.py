#!/usr/bin/env python3
"""A small PRNG checkpoint of git-large's structure (vision width 96 != text width 64, 17 image tokens, real BERT
vocabulary) and transformers 5.23 goldens for it, so that the Swift model is checked on a configuration that is not
git-base's.

    tools/reference/.venv/bin/python tools/reference/make_large_shape_goldens.py [--output DIR]

Weights: the PRNG scheme of tools/reference/PRNG_CHECKPOINT.md (the functions of make_prng_checkpoint.py), applied to
every tensor of GitForCausalLM(CONFIG) in state_dict() order. Goldens: the same measurements, JSON layout and tolerance
as make_prng_goldens.py's Fixtures/goldens/prng_model.json (its measurement functions are imported and called with this
model's sample rows, token count and image size), plus the name, shape and sha256 of every tensor ("tensors"), so that
the Swift generator can be checked against this file alone.

Outputs:
  DIR (default tools/reference/.cache/git-large-shape-prng, git-ignored): model.safetensors (~16 MB) + config,
      generation config, processor and tokenizer files as transformers 5.23 saves them, plus vocab.txt.
  Fixtures/prng-checkpoint-large-shape/: the small non-weight files 5.23 wrote (config.json, generation_config.json,
      processor_config.json, tokenizer_config.json).
  Fixtures/goldens/prng_large_shape_model.json.

Deterministic; no network (HF_HUB_OFFLINE=1); takes about a minute on two cores.
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

import make_prng_checkpoint as ckpt
import make_prng_goldens as goldens

HERE = ckpt.HERE
REPO = ckpt.REPO
SMALL_FILES_DIR = os.path.join(REPO, "Fixtures", "prng-checkpoint-large-shape")
OUT = os.path.join(REPO, "Fixtures", "goldens", "prng_large_shape_model.json")
BASE_GOLDEN = goldens.OUT  # Fixtures/goldens/prng_model.json: tolerance and conventions are shared with it

VISION = dict(hidden_size=96, num_attention_heads=3, intermediate_size=200, num_hidden_layers=2, image_size=56,
              patch_size=14, hidden_act="quick_gelu", layer_norm_eps=1e-5)
TEXT = dict(hidden_size=64, num_attention_heads=4, intermediate_size=160, num_hidden_layers=2, vocab_size=30522,
            max_position_embeddings=40, bos_token_id=101, eos_token_id=102, pad_token_id=0)
SAMPLE_ROWS = [0, 1, 8, 16]  # class token, first patch, a middle row, last patch (of 17 image tokens)
IMAGE_FILES = ["rocket.jpg", "chelsea.png", "gray.jpg", "wide_1000x120.png"]
MAX_NEW_TOKENS = 10
EXPECTED_TENSORS = 81


def build_checkpoint(output: str, config, expected_tensors: int) -> dict:
    """Writes the PRNG checkpoint of GitForCausalLM(`config`) into `output` (with a CLIP processor at the vision
    config's image size) and returns its tensor list (state_dict order) and file facts."""
    import torch
    import safetensors.numpy
    from transformers import GitForCausalLM, GitProcessor, CLIPImageProcessor, BertTokenizer

    model = GitForCausalLM(config).eval()
    reference_sd = model.state_dict()
    names = [k for k in reference_sd if not k.endswith("position_ids")]
    assert len(names) == expected_tensors, len(names)

    arrays, entries = {}, []
    for name in names:
        shape = tuple(int(d) for d in reference_sd[name].shape)
        count = int(np.prod(shape)) if shape else 1
        role, scale, offset = ckpt.role_of(name, shape)
        a = ckpt.splitmix_values(name, count, scale, offset).reshape(shape)
        # Cross-check the vectorised generator against the scalar definition on a prefix of every tensor.
        n = min(count, 256)
        assert np.array_equal(a.reshape(-1)[:n], ckpt.splitmix_reference(name, n, scale, offset)), name
        arrays[name] = a
        entries.append({"name": name, "dtype": "F32", "shape": list(shape), "role": role,
                        "sha256": ckpt.sha256_f32(a)})

    missing, unexpected = model.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()}, strict=True)
    assert not missing and not unexpected, (missing, unexpected)
    for name, p in model.state_dict().items():
        if name in arrays:
            assert np.array_equal(p.detach().numpy(), arrays[name]), name

    os.makedirs(output, exist_ok=True)
    model.save_pretrained(output)
    size = config.vision_config.image_size
    ip = CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size},
                            resample=3, image_mean=ckpt.CLIP_MEAN, image_std=ckpt.CLIP_STD)  # 3 = bicubic
    tok = BertTokenizer(ckpt.VOCAB)  # positional! (keyword vocab_file= silently builds a 5-token vocab in 5.23)
    assert tok.vocab_size == config.vocab_size, tok.vocab_size
    GitProcessor(image_processor=ip, tokenizer=tok).save_pretrained(output)
    shutil.copyfile(ckpt.VOCAB, os.path.join(output, "vocab.txt"))

    st_path = os.path.join(output, "model.safetensors")
    loaded = safetensors.numpy.load_file(st_path)
    assert set(loaded) == set(names), sorted(set(loaded) ^ set(names))
    for name in names:
        assert loaded[name].dtype == np.float32 and np.array_equal(loaded[name], arrays[name]), name
    return {"entries": entries, "parameter_count": sum(int(np.prod(e["shape"])) for e in entries),
            "sha256": ckpt.sha256_file(st_path), "bytes": os.path.getsize(st_path)}


def make_goldens(output: str, *, script: str, small_files_dir: str, golden_path: str, vision: dict, text: dict,
                 sample_rows: list, image_files: list, max_new_tokens: int, expected_tensors: int,
                 with_sin_input: bool) -> None:
    """Builds the PRNG checkpoint of GitForCausalLM(GitConfig(vision_config=`vision`, **`text`)) in `output` (with
    build_checkpoint), copies its small files into `small_files_dir`, reads it back from disk and writes the golden
    `golden_path`: the tensor list and, in prng_model.json's layout, tolerance and conventions, the measurements of
    make_prng_goldens.run_case (caption and VQA prompt, `max_new_tokens` new tokens) for every Fixtures/images file
    in `image_files` and, `with_sin_input`, for the sin input of make_prng_goldens.sin_input. `sample_rows` are 4
    token rows: 0 (class token), 1 (first patch), one in between and the last patch. `script` (the path from the
    repository root) is recorded as the golden's origin and the checkpoint's maker."""
    import torch
    import transformers
    import PIL
    import safetensors
    from transformers import AutoProcessor, GitConfig, GitForCausalLM

    torch.set_num_threads(2)
    t0 = time.time()
    image_tokens = (vision["image_size"] // vision["patch_size"]) ** 2 + 1  # patches + class token
    class_row, first_patch_row, middle_row, last_row = sample_rows
    assert (class_row, first_patch_row, last_row) == (0, 1, image_tokens - 1), sample_rows

    built = build_checkpoint(output, GitConfig(vision_config=dict(vision), **text), expected_tensors)
    print(f"checkpoint: {len(built['entries'])} tensors, {built['parameter_count']:,} parameters, "
          f"model.safetensors {built['bytes']:,} bytes sha256 {built['sha256']} ({time.time() - t0:.1f} s)")
    os.makedirs(small_files_dir, exist_ok=True)
    for fn in ckpt.SMALL_FILES:
        shutil.copyfile(os.path.join(output, fn), os.path.join(small_files_dir, fn))

    # Everything below reads the checkpoint back from disk, as make_prng_goldens.py does.
    model = GitForCausalLM.from_pretrained(output, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(output)
    tok = processor.tokenizer
    assert tok.vocab_size == text["vocab_size"], tok.vocab_size
    vision_config = model.config.vision_config
    assert ((vision_config.hidden_size, vision_config.num_hidden_layers, model.config.hidden_size)
            == (vision["hidden_size"], vision["num_hidden_layers"], text["hidden_size"]))
    assert goldens.image_tokens(model.config) == image_tokens
    vqa_prompt = [101] + list(tok(goldens.QUESTION, add_special_tokens=False).input_ids)
    assert len(vqa_prompt) + max_new_tokens <= text["max_position_embeddings"]
    print("VQA prompt ids:", vqa_prompt, "| image processor:", type(processor.image_processor).__name__)

    size = vision["image_size"]
    cases, labelled = [], []
    for fn in image_files:
        t = time.time()
        case, pixel_values = goldens.image_input(processor, fn, size)
        case.update(goldens.run_case(model, pixel_values, {"caption": [101], "vqa": vqa_prompt},
                                     sample_rows=sample_rows, max_new_tokens=max_new_tokens))
        cases.append(case)
        labelled.append((fn, case))
        print(f"   {time.time() - t:.1f} s")

    if with_sin_input:
        # The deterministic sine input of make_prng_goldens.py, at this image size: no image decoding.
        case, px = goldens.sin_input(size)
        print(f"sin input ({size}x{size})")
        case.update(goldens.run_case(model, px, goldens.SIN_PROMPTS, sample_rows=sample_rows,
                                     max_new_tokens=max_new_tokens))
        cases.append(case)
        labelled.append(("sin", case))

    distribution = goldens.margin_distribution(labelled)

    # Tolerance and conventions are prng_model.json's, with this model's sizes.
    with open(BASE_GOLDEN) as f:
        base = json.load(f)
    assert base["conventions"]["vqa_question"] == goldens.QUESTION
    conventions = dict(base["conventions"])
    conventions["sample_rows"] = sample_rows
    conventions["rows"] = (f"first 8 values of token row r of [1,{image_tokens},{vision['hidden_size']}] "
                           f"(vision_last_hidden_state) or [1,{image_tokens},{text['hidden_size']}] "
                           f"(visual_projection): rows 0 (class token), 1 (first patch), {middle_row} and "
                           f"{last_row} (last patch)")
    assert "max_new_tokens=20" in conventions["greedy"], conventions["greedy"]
    conventions["greedy"] = conventions["greedy"].replace("max_new_tokens=20", f"max_new_tokens={max_new_tokens}")

    small_files = os.path.relpath(small_files_dir, REPO)
    golden = {
        "origin": {
            "script": script,
            "checkpoint": f"{script} (scheme tools/reference/PRNG_CHECKPOINT.md; small files in {small_files}/)",
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
            "config": {"vision": vision, "text": text, "image_tokens": image_tokens},
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
    goldens.write_golden(golden_path, golden, t0)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=os.path.join(HERE, ".cache", "git-large-shape-prng"),
                    help="checkpoint directory to write (default: tools/reference/.cache/git-large-shape-prng)")
    args = ap.parse_args()
    make_goldens(args.output, script="tools/reference/make_large_shape_goldens.py", small_files_dir=SMALL_FILES_DIR,
                 golden_path=OUT, vision=VISION, text=TEXT, sample_rows=SAMPLE_ROWS, image_files=IMAGE_FILES,
                 max_new_tokens=MAX_NEW_TOKENS, expected_tensors=EXPECTED_TENSORS, with_sin_input=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
