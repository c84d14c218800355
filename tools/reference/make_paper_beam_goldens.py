#!/usr/bin/env python
"""Goldens for the ORIGINAL GIT repo's beam search ("paper beam") -> `Fixtures/goldens/paper_beam.json`.

The paper numbers of GIT were produced by microsoft/GenerativeImage2Text with its own beam search
(`GeneratorWithBeamSearch` + `BeamHypotheses`, beam 4, 2*beam candidates per step, GNMT length penalty 0.6, a
total-length limit `max_steps`), not by transformers' `generate`. `tools/reference/PAPER_BEAM.md` describes that
algorithm step by step (with citations of the original code). `paper_beam_search` below is our own
re-implementation written from that description; the step function is transformers 5.23 `GitForCausalLM`: a plain
forward pass (no cache, batch 1 per beam row) over pixel_values + prompt+hypothesis, logits of the last position in
float32 (exactly what the original `CaptioningModel.decoding_step` returns: the original never uses its history
cache at inference, see PAPER_BEAM.md, section 1).

Models: "tiny" = Models/git-tiny-easyvqa (33-token vocab, [CLS]=2, [SEP]=3, 32 positions; images
Fixtures/easyvqa/*.png) and "prng" = tools/reference/.cache/git-base-prng (full-size random GIT, never emits [SEP];
images Fixtures/images/chelsea.png, coffee.jpg; only a few steps).

    HF_HUB_OFFLINE=1 tools/reference/.venv/bin/python tools/reference/make_paper_beam_goldens.py
    # prove the re-implementation is faithful: run the ORIGINAL class on the same step function (nothing written)
    git -C <mirror of microsoft/GenerativeImage2Text> archive HEAD | tar -x -C /tmp/git-orig
    HF_HUB_OFFLINE=1 tools/reference/.venv/bin/python tools/reference/make_paper_beam_goldens.py \
        --check-against /tmp/git-orig

`--check-against DIR` loads DIR/generativeimage2text/layers/decoder.py by file path (its top-level imports are only
torch/stdlib), builds `GeneratorWithBeamSearch(eos_index, max_steps, beam_size, per_node_beam_size,
length_penalty)` and calls `.search(prompt[1, P], step, num_keep_best=K)` with the same (memoised) step function,
then asserts for every case: identical output tokens (its `decoded` rows = hypothesis + [SEP], padded with [SEP] to
max_steps) and identical scores (its `logprobs` are float32; ours are float64 and compared after rounding to float32).
The original code is never copied into this repository.
"""
import argparse
import hashlib
import importlib.util
import json
import math
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import PIL
import torch
import transformers
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(REPO, "Fixtures", "goldens", "paper_beam.json")
MODELS = {
    "tiny": os.path.join(REPO, "Models", "git-tiny-easyvqa"),
    "prng": os.path.join(HERE, ".cache", "git-base-prng"),
}
IMAGE_DIRS = {"tiny": os.path.join(REPO, "Fixtures", "easyvqa"), "prng": os.path.join(REPO, "Fixtures", "images")}
ORIGINAL_COMMIT = "faae4fb9f34bfc2fce443513ae222e02b9f7e2e9"

# The original's parameters (model.py get_git_model + GeneratorWithBeamSearch defaults + CaptioningModel.infer).
PAPER = {"num_beams": 4, "per_node_beam_size": 2, "length_penalty": 0.6, "num_keep_best": 1}
TINY_MAX_STEPS = 32  # = max_position_embeddings of the tiny model (the original uses 1024 = its max_caption_length)

# (model, image, question or None, option overrides)
CASES = [
    ("tiny", "0.png", None, {}),
    ("tiny", "5.png", None, {}),
    ("tiny", "10.png", None, {}),
    ("tiny", "15.png", None, {}),
    ("tiny", "0.png", "what shape is in the image?", {}),
    ("tiny", "5.png", "what color is the shape?", {}),
    ("tiny", "10.png", "what is the color of the circle?", {}),
    ("tiny", "0.png", "does the image contain a green shape?", {}),
    ("tiny", "20.png", "is there a blue shape?", {}),
    ("tiny", "5.png", None, {"num_beams": 2, "length_penalty": 1.0}),
    ("tiny", "25.png", "what shape does the image contain?", {"num_beams": 2, "length_penalty": 1.0}),
    ("tiny", "10.png", None, {"num_keep_best": 4}),
    ("tiny", "5.png", None, {"max_steps": 3}),  # stops at the length limit: last token replaced by [SEP]
    ("tiny", "0.png", "what shape is in the image?", {"max_steps": 10}),  # prompt of 8: limit reached at step 2
    ("tiny", "30.png", "what color is the shape?", {"max_steps": 20}),
    # odd prompts: the first finished hypothesis is the bare prompt, later longer ones replace it
    ("tiny", "50.png", "the image contain", {}),
    ("tiny", "5.png", "the image contain", {}),
    ("tiny", "5.png", "the image contain", {"max_steps": 14}),  # same result, one step fewer (termination bound)
    ("prng", "chelsea.png", None, {"max_steps": 9}),
    ("prng", "coffee.jpg", "what is in the image?", {"max_steps": 15}),  # prompt of 7: 8 steps
]


# ----------------------------------------------------------------------------------------------------------------
# Our re-implementation (see tools/reference/PAPER_BEAM.md for the description it follows).

def length_norm(length, length_penalty):
    """GNMT length normalisation, in float64: ((5 + length) / 6) ** lp written as the original does."""
    return (5 + length) ** length_penalty / (5 + 1) ** length_penalty


class FinishedList:
    """The n-best list of finished hypotheses (keeps at most `keep` entries)."""

    def __init__(self, keep, length_penalty):
        self.keep = keep
        self.length_penalty = length_penalty
        self.entries = []  # [score, order, tokens, sum_logprob, end_token]
        self.order = 0
        self.worst = 1e9
        self.margins = []  # |score - worst| for every decision against a full list (fragility flag)

    def add(self, tokens, sum_logprob, end_token):
        score = sum_logprob / length_norm(len(tokens), self.length_penalty)
        if len(self.entries) >= self.keep:
            self.margins.append(abs(score - self.worst))
        if len(self.entries) < self.keep or score > self.worst:
            self.entries.append([score, self.order, list(tokens), sum_logprob, end_token])
            self.order += 1
            if len(self.entries) > self.keep:
                # drop the lowest score (equal scores: the earliest inserted one)
                lowest = min(self.entries, key=lambda e: (e[0], e[1]))
                self.entries.remove(lowest)
            self.worst = min(e[0] for e in self.entries)

    def finished(self, best_running_sum, max_steps):
        if len(self.entries) < self.keep:
            return False
        bound = best_running_sum / length_norm(max_steps - 1, self.length_penalty)
        self.margins.append(abs(self.worst - bound))
        return self.worst >= bound


def paper_beam_search(prompt, step, eos, max_steps, num_beams=4, per_node_beam_size=2, length_penalty=0.6,
                      num_keep_best=1):
    """Beam search of the original GIT repo, batch 1. `step(rows)` maps a list of token lists (equal lengths) to a
    float32 tensor [len(rows), vocab] of next-token logits. Returns (finished entries best first, info)."""
    candidates_per_step = per_node_beam_size * num_beams
    rows = [list(prompt) for _ in range(num_beams)]
    sums = torch.full((num_beams,), -1e9, dtype=torch.float32)
    sums[0] = 0.0
    finished = FinishedList(num_keep_best, length_penalty)
    boundary_gaps = []
    length = len(prompt)
    steps = 0
    while length < max_steps:
        steps += 1
        logprobs = torch.log_softmax(step(rows).float(), dim=-1)
        vocab = logprobs.shape[-1]
        totals = (logprobs + sums[:, None]).reshape(-1)  # float32, index = beam * vocab + token
        ordered, order = torch.sort(totals, descending=True, stable=True)  # equal totals: lower index first
        top = [(float(ordered[i]), int(order[i]) // vocab, int(order[i]) % vocab, ordered[i])
               for i in range(candidates_per_step)]
        if finished.finished(top[0][0], max_steps):
            break
        last = length + 1 == max_steps
        survivors = []
        consumed = 0
        for total, beam, token, total32 in top:
            consumed += 1
            if token == eos or last:
                finished.add(rows[beam][:length], total, token)  # without `token`; its logprob is in `total`
            else:
                survivors.append((total32, beam, token))
            if len(survivors) == num_beams:
                break
        if consumed < len(ordered):
            boundary_gaps.append(float(ordered[consumed - 1] - ordered[consumed]))
        if last:
            assert not survivors
            length += 1
            break
        assert len(survivors) == num_beams
        rows = [rows[beam] + [token] for _, beam, token in survivors]
        sums = torch.stack([t for t, _, _ in survivors])
        length += 1
    best = sorted(finished.entries, key=lambda e: (-e[0], e[1]))[:num_keep_best]
    margins = boundary_gaps + finished.margins
    info = {"steps": steps, "min_decision_margin": min(margins) if margins else None}
    return best, info


# ----------------------------------------------------------------------------------------------------------------

class StepFunction:
    """GitForCausalLM forward (batch 1 per row, no cache) over pixel_values + row; memoised per token sequence."""

    def __init__(self, model, pixel_values):
        self.model = model
        self.pixel_values = pixel_values
        self.memo = {}
        self.forwards = 0

    def row(self, ids):
        key = tuple(ids)
        if key not in self.memo:
            self.forwards += 1
            out = self.model(pixel_values=self.pixel_values, input_ids=torch.tensor([list(ids)]), use_cache=False)
            self.memo[key] = out.logits[0, -1, :].float().clone()
        return self.memo[key]

    def __call__(self, rows):
        if isinstance(rows, torch.Tensor):  # the original passes input_ids [rows, length]
            rows = rows.tolist()
        return torch.stack([self.row(r) for r in rows])


def load_original(directory):
    path = os.path.join(directory, "generativeimage2text", "layers", "decoder.py")
    spec = importlib.util.spec_from_file_location("original_git_decoder", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_original(module, prompt, step, eos, options):
    searcher = module.GeneratorWithBeamSearch(
        eos_index=eos, max_steps=options["max_steps"], beam_size=options["num_beams"],
        per_node_beam_size=options["per_node_beam_size"], length_penalty=options["length_penalty"])
    decoded, logprobs = searcher.search(torch.tensor([prompt]), step, num_keep_best=options["num_keep_best"])
    decoded = decoded.reshape(options["num_keep_best"], -1)
    return decoded.tolist(), logprobs.reshape(-1).tolist()


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check-against", metavar="ORIGINAL_REPO_DIR",
                    help="checked-out microsoft/GenerativeImage2Text; run its beam search too and compare (no output)")
    ap.add_argument("--only", choices=sorted(MODELS), help="restrict to one model (with --check-against)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    original = load_original(args.check_against) if args.check_against else None

    loaded = {}
    cases = []
    checked = 0
    t0 = time.time()
    for model_name, image_name, question, overrides in CASES:
        if args.only and model_name != args.only:
            continue
        if model_name not in loaded:
            model = transformers.GitForCausalLM.from_pretrained(MODELS[model_name], dtype=torch.float32).eval()
            processor = transformers.AutoProcessor.from_pretrained(MODELS[model_name])
            loaded[model_name] = (model, processor)
        model, processor = loaded[model_name]
        tokenizer = processor.tokenizer
        eos = tokenizer.sep_token_id
        image = Image.open(os.path.join(IMAGE_DIRS[model_name], image_name))
        pixel_values = processor(images=image, return_tensors="pt").pixel_values
        prompt = [tokenizer.cls_token_id] + (tokenizer(question, add_special_tokens=False).input_ids if question else [])
        options = dict(PAPER, max_steps=TINY_MAX_STEPS)
        options.update(overrides)
        step = StepFunction(model, pixel_values)
        best, info = paper_beam_search(prompt, step, eos, **options)
        hypotheses = []
        for score, _, tokens, sum_logprob, end_token in best:
            hypotheses.append({"ids": tokens + [eos], "score": score, "sum_logprob": sum_logprob,
                               "eos_generated": end_token == eos})
        top = hypotheses[0]
        case = {"model": model_name, "image": image_name, "question": question, "prompt_ids": prompt,
                "options": options, "ids": top["ids"], "score": top["score"], "sum_logprob": top["sum_logprob"],
                "text": tokenizer.decode(top["ids"][len(prompt):], skip_special_tokens=True),
                "eos_generated": top["eos_generated"],
                "steps": info["steps"], "min_decision_margin": info["min_decision_margin"],
                "hypotheses": hypotheses}
        cases.append(case)
        print(f"{model_name} {image_name} {question!r} {overrides} -> {case['text']!r} ids={case['ids']} "
              f"score={case['score']:.6f} steps={info['steps']} margin={info['min_decision_margin']:.3g} "
              f"forwards={step.forwards} [{time.time() - t0:.1f}s]", flush=True)

        if original is not None:
            decoded, scores = run_original(original, prompt, step, eos, options)
            assert len(decoded) == options["num_keep_best"]
            for k, hyp in enumerate(hypotheses):
                n = len(hyp["ids"])
                assert decoded[k][:n] == hyp["ids"], (k, decoded[k], hyp["ids"])
                assert all(t == eos for t in decoded[k][n:]), (k, decoded[k])
                ours32 = float(torch.tensor(hyp["score"], dtype=torch.float32))
                assert scores[k] == ours32, (k, scores[k], ours32, hyp["score"])
            for k in range(len(hypotheses), options["num_keep_best"]):  # fewer finished than requested
                assert scores[k] == -1e5 and all(t == eos for t in decoded[k]), (k, decoded[k], scores[k])
            checked += 1
            print(f"    original GeneratorWithBeamSearch: identical ({len(hypotheses)} hypotheses)", flush=True)

    if original is not None:
        print(f"CHECK PASSED: {checked} cases identical to the original GeneratorWithBeamSearch "
              f"({os.path.abspath(args.check_against)})")
        return 0

    golden = {
        "origin": {"script": "tools/reference/make_paper_beam_goldens.py", "transformers": transformers.__version__,
                   "torch": torch.__version__, "pillow": PIL.__version__,
                   "algorithm": f"microsoft/GenerativeImage2Text@{ORIGINAL_COMMIT} generativeimage2text/layers/"
                                "decoder.py GeneratorWithBeamSearch.search + BeamHypotheses, re-implemented "
                                "(tools/reference/PAPER_BEAM.md); verified identical with --check-against",
                   "models": {k: os.path.relpath(v, REPO) for k, v in MODELS.items()},
                   "model_safetensors_sha256": {k: sha256_file(os.path.join(v, "model.safetensors"))
                                                for k, v in MODELS.items()},
                   "dtype": "float32", "threads": 1},
        "tolerance": "ids and hypotheses[*].ids exact; score / sum_logprob to 1e-4 absolute (they are float32 sums "
                     "of float32 log-softmax values, normalised in float64). min_decision_margin is the smallest "
                     "gap at any decision of the search (candidate cut-off, in summed log-prob units; finished-list "
                     "and termination comparisons, in normalised-score units) - a fragility flag, not a golden",
        "conventions": {
            "step": "logits = GitForCausalLM(pixel_values, input_ids=[prompt + hypothesis]).logits[0, -1] (float32, "
                    "no cache, each beam row separately); log_softmax in float32",
            "prompt": "[CLS] + question ids (add_special_tokens=False); [CLS] alone for captions",
            "num_beams": "beams kept per step; the first step expands beam 0 only (beams 1.. start at -1e9)",
            "per_node_beam_size": "candidates per step = per_node_beam_size * num_beams, best first over all "
                                  "beams x vocab (ties: lower beam*vocab+token index first)",
            "length_penalty": "score = sum_logprob / (((5 + len) ** lp) / (6 ** lp)), len = hypothesis tokens "
                              "INCLUDING the prompt ([CLS] + question), EXCLUDING [SEP]",
            "max_steps": "limit on the TOTAL length (prompt + generated + final [SEP]); the original uses 1024, "
                         f"here {TINY_MAX_STEPS} (tiny, = its max_position_embeddings) unless overridden",
            "num_keep_best": "size of the finished list (the original's inference uses 1); it also gates "
                             "termination (search stops once the list is full and the best running sum / "
                             "norm(max_steps - 1) cannot beat its worst score)",
            "ids": "best finished hypothesis + [SEP] (prompt included); the original returns the same tokens "
                   "padded with [SEP] to max_steps, and its inference strips the prompt",
            "score": "normalised score of that hypothesis (the original returns it as float32 `logprobs`)",
            "sum_logprob": "raw summed log-prob, including the log-prob of the token that ended it ([SEP], or "
                           "whatever token was chosen at the length limit, which is NOT in ids)",
            "eos_generated": "false when the hypothesis was cut at max_steps (its last chosen token was replaced "
                             "by [SEP])",
            "steps": "forward steps the search ran (including the final one that only detected termination)",
            "hypotheses": "the final finished list, best first (num_keep_best entries at most)",
        },
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases -> {OUT} ({os.path.getsize(OUT)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
