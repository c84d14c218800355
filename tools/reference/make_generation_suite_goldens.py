#!/usr/bin/env python
"""Goldens for beam search, sampling processors, batching and label scoring ->
`Fixtures/goldens/tiny_generation_suite.json` (demo model `Models/git-tiny-easyvqa`, 33-token vocabulary, [SEP] = 3)
and `Fixtures/goldens/prng_generation_suite.json` (full-size random git-base, `tools/reference/.cache/git-base-prng`,
written by `make_prng_checkpoint.py`; it never emits [SEP] = 102).

transformers 5.23 `generate` (docs/generation.md) is the reference for everything the Swift generator does beyond
batch-1 greedy decoding. Per model this script records:
  * "beam": `generate(num_beams=K, length_penalty, early_stopping, num_return_sequences, max_new_tokens)` on a batch of
    one: the returned rows exactly as generate returns them (prompt included, tail padded with
    `pad_token_id or eos_token_id` = the EOS id because GIT's pad id 0 is falsy: docs/generation.md, "Beam fill
    token") and `sequences_scores`. The tiny cases are an all-pairs covering of (beams, early_stopping, length_penalty,
    num_return_sequences, prompt, max_new_tokens) built on the full beams x early_stopping product;
  * "greedy_scores": greedy ids and the log-probability of each generated token
    (`compute_transition_scores(..., normalize_logits=True)`);
  * "batch": a 4-item left-padded batched generate (pad id 0, attention mask 0) against the same items run alone;
  * "processed": the distribution `torch.multinomial` draws from at the first sampling step (softmax of the
    processed scores of `generate(do_sample=True, max_new_tokens=1, output_scores=True)`) for temperature, top-k,
    top-p, repetition penalty, no-repeat n-gram, bad words and min_new_tokens, given a prefix that counts as the
    prompt;
  * "invalid": option sets that are out of range, with transformers' exception text or, when it accepts them, what
    it did;
  * "classification": label scoring by one plain forward pass (sum of log-softmax over the label's tokens and a
    final [SEP]);
  * tiny only, "classification_accuracy": label scoring vs free greedy answers over the whole easy-VQA test split.
Every golden generate call is run twice and must give identical results. One thread; about 1 minute for the tiny
model and 5 minutes for the full-size one (its vision tower runs once per beam).

    HF_HUB_OFFLINE=1 tools/reference/.venv/bin/python tools/reference/make_generation_suite_goldens.py [--only tiny|prng]
"""
import argparse
import collections
import importlib.metadata
import itertools
import json
import logging
import math
import os
import sys
import time
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import PIL
import tokenizers
import torch
import transformers
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import train_tiny_git as T  # noqa: E402

TINY = os.path.join(REPO, "Models", "git-tiny-easyvqa")
PRNG = os.path.join(HERE, ".cache", "git-base-prng")
OUT_DIR = os.path.join(REPO, "Fixtures", "goldens")
EASYVQA = os.path.join(REPO, "Fixtures", "easyvqa")
IMAGES = os.path.join(REPO, "Fixtures", "images")

SHAPE_Q = "what shape is in the image?"
COLOR_Q = "what color is the shape?"

T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


def f32(x):
    """A float32-derived value, rounded to 9 significant digits (round-trips float32 exactly)."""
    x = float(x)
    if math.isinf(x) or math.isnan(x):
        return str(x)
    return float(f"{x:.9g}")


def p7(x):
    return float(f"{float(x):.7g}")


def error_text(error):
    return f"{type(error).__name__}: {error}".split("\n")[0]


# ---------------------------------------------------------------------------------------------------------------
# transformers' own warnings (logger + warnings module), collected for the "invalid" cases
# ---------------------------------------------------------------------------------------------------------------

class Collector(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage().split("\n")[0])


COLLECT = Collector()


def setup_logging():
    transformers.logging.set_verbosity_warning()
    transformers.logging.disable_default_handler()
    logging.getLogger("transformers").addHandler(COLLECT)


class Ctx:
    """Model, processor and cached pixel values of one checkpoint."""

    def __init__(self, name, path, image_dir):
        self.name = name
        self.path = path
        self.image_dir = image_dir
        self.model = transformers.GitForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
        self.processor = transformers.AutoProcessor.from_pretrained(path)
        self.tok = self.processor.tokenizer
        self.cls = self.tok.cls_token_id
        self.sep = self.model.generation_config.eos_token_id
        self.pad = self.model.generation_config.pad_token_id
        assert self.sep == self.tok.sep_token_id and self.pad == self.tok.pad_token_id == 0
        self.vocab = self.model.config.vocab_size
        self._pix = {}
        self.memo = {}

    def pix(self, image):
        if image not in self._pix:
            with Image.open(os.path.join(self.image_dir, image)) as im:
                self._pix[image] = self.processor(images=im, return_tensors="pt").pixel_values
        return self._pix[image]

    def prompt(self, question):
        return [self.cls] + (self.tok(question, add_special_tokens=False).input_ids if question else [])

    def ids(self, text):
        return self.tok(text, add_special_tokens=False).input_ids

    @torch.no_grad()
    def generate(self, image, prompt, runs=2, **options):
        """Batch-1 generate; runs twice (runs=2) and checks that both runs agree."""
        outs = []
        for _ in range(runs):
            torch.manual_seed(0)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                outs.append(self.model.generate(pixel_values=self.pix(image), input_ids=torch.tensor([prompt]),
                                                **options))
            COLLECT.messages += [str(w.message).split("\n")[0] for w in caught]
        a, b = outs[0], outs[-1]
        if isinstance(a, torch.Tensor):
            assert torch.equal(a, b)
        else:
            assert torch.equal(a.sequences, b.sequences)
            for key in ("sequences_scores",):
                if getattr(a, key, None) is not None:
                    assert torch.equal(getattr(a, key), getattr(b, key))
            if a.scores is not None:
                assert all(torch.equal(x, y) for x, y in zip(a.scores, b.scores))
        return a


# ---------------------------------------------------------------------------------------------------------------
# beam search
# ---------------------------------------------------------------------------------------------------------------

def beam_case(ctx, image, question, options):
    prompt = ctx.prompt(question)
    case = {"image": image, "question": question, "prompt_ids": prompt, "options": options}
    try:
        out = ctx.generate(image, prompt, do_sample=False, return_dict_in_generate=True, output_scores=True,
                           **options)
    except Exception as error:  # noqa: BLE001 - the error itself is the golden
        case["error"] = error_text(error)
        return case
    seqs = out.sequences.tolist()
    assert all(s[:len(prompt)] == prompt for s in seqs)
    assert len(seqs) == options.get("num_return_sequences", 1)
    case["sequences"] = seqs
    case["sequences_scores"] = [f32(x) for x in out.sequences_scores.tolist()]
    return case


def tiny_beam_plan():
    """All-pairs covering over the six axes, built on 5 x the full (beams x early_stopping) product."""
    prompts = [("0.png", None), ("5.png", None), ("10.png", None), ("15.png", SHAPE_Q), ("20.png", COLOR_Q)]
    lps = [1.0, 0.6, 2.0, -0.5]
    nrs = ["1", "K"]
    mnts = [10, 2, 3]
    beams = [2, 3, 4, 5]
    ess = [True, False, "never"]
    axes = [beams, ess, list(range(len(prompts))), lps, nrs, mnts]
    needed = set()
    for (i, xs), (j, ys) in itertools.combinations(enumerate(axes), 2):
        for x in xs:
            for y in ys:
                needed.add((i, repr(x), j, repr(y)))

    def pairs(row):
        return {(i, repr(row[i]), j, repr(row[j])) for i, j in itertools.combinations(range(len(row)), 2)}

    rows = []
    rest = list(itertools.product(*axes[2:]))
    for rep in range(5):
        for k, (b, es) in enumerate(itertools.product(beams, ess)):
            best, best_gain = None, -1
            # rotate the candidate order so that ties spread over the values
            start = (7 * (rep * 12 + k)) % len(rest)
            for cand in rest[start:] + rest[:start]:
                row = (b, es) + cand
                gain = len(pairs(row) & needed)
                if gain > best_gain:
                    best, best_gain = row, gain
            needed -= pairs(best)
            rows.append(best)
    assert not needed, f"uncovered pairs: {sorted(needed)[:10]}"
    plan = []
    for b, es, p, lp, nr, mnt in rows:
        image, question = prompts[p]
        plan.append((image, question, {"num_beams": b, "length_penalty": lp, "early_stopping": es,
                                       "num_return_sequences": 1 if nr == "1" else b, "max_new_tokens": mnt}))
    return plan


def prng_beam_plan():
    plan = []
    lps = [1.0, 0.6, 2.0, -0.5]
    ess = [False, True, "never"]
    k = 0
    for image in ("chelsea.png", "coffee.jpg"):
        for b in (2, 3, 4, 5):
            plan.append((image, None, {"num_beams": b, "length_penalty": lps[k % 4], "early_stopping": ess[k % 3],
                                       "num_return_sequences": 1 if k % 2 == 0 else 2, "max_new_tokens": 8}))
            k += 1
    plan.append(("astronaut_progressive.jpg", "what is the person holding?",
                 {"num_beams": 3, "length_penalty": 1.0, "early_stopping": False, "num_return_sequences": 3,
                  "max_new_tokens": 8}))
    return plan


# ---------------------------------------------------------------------------------------------------------------
# greedy with per-token log-probabilities
# ---------------------------------------------------------------------------------------------------------------

def greedy_scores_case(ctx, image, question, mnt):
    prompt = ctx.prompt(question)
    out = ctx.generate(image, prompt, do_sample=False, max_new_tokens=mnt, return_dict_in_generate=True,
                       output_scores=True)
    lp = ctx.model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)[0]
    margins = [float(torch.topk(s[0], 2).values.diff().neg()) for s in out.scores]
    return {"image": image, "question": question, "prompt_ids": prompt, "options": {"max_new_tokens": mnt},
            "sequence": out.sequences[0].tolist(), "token_log_probs": [f32(x) for x in lp.tolist()],
            "step_top2_logit_margins": [f32(m) for m in margins]}


# ---------------------------------------------------------------------------------------------------------------
# batching
# ---------------------------------------------------------------------------------------------------------------

def trim(row, prompt_len, sep):
    for i in range(prompt_len, len(row)):
        if row[i] == sep:
            return row[:i + 1]
    return row


@torch.no_grad()
def batch_case(ctx, items, options):
    prompts = [ctx.prompt(q) for _, q in items]
    maxp = max(map(len, prompts))
    ids = torch.tensor([[ctx.pad] * (maxp - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (maxp - len(p)) + [1] * len(p) for p in prompts])
    pix = torch.cat([ctx.pix(im) for im, _ in items])
    beam = options.get("num_beams", 1) > 1
    n = options.get("num_return_sequences", 1)
    kwargs = dict(do_sample=False, return_dict_in_generate=True, output_scores=True, **options)
    outs = []
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(ctx.model.generate(pixel_values=pix, input_ids=ids, attention_mask=mask, **kwargs))
    assert torch.equal(outs[0].sequences, outs[1].sequences)
    out = outs[0]
    case = {"options": options, "items": [], "batched": [], "batched_trimmed": [], "single": [],
            "single_trimmed": []}
    if beam:
        case["batched_scores"], case["single_scores"] = [], []
    all_equal = True
    max_score_diff = 0.0
    for k, ((image, question), prompt) in enumerate(zip(items, prompts)):
        strip = maxp - len(prompt)
        rows = out.sequences[k * n:(k + 1) * n].tolist()
        assert all(r[:strip] == [ctx.pad] * strip for r in rows)
        rows = [r[strip:] for r in rows]
        single = ctx.generate(image, prompt, **kwargs)
        srows = single.sequences.tolist()
        case["items"].append({"image": image, "question": question, "prompt_ids": prompt})
        case["batched"].append(rows)
        case["single"].append(srows)
        bt = [trim(r, len(prompt), ctx.sep) for r in rows]
        st = [trim(r, len(prompt), ctx.sep) for r in srows]
        case["batched_trimmed"].append(bt)
        case["single_trimmed"].append(st)
        all_equal &= bt == st
        if beam:
            bs = out.sequences_scores[k * n:(k + 1) * n].tolist()
            ss = single.sequences_scores.tolist()
            case["batched_scores"].append([f32(x) for x in bs])
            case["single_scores"].append([f32(x) for x in ss])
            max_score_diff = max(max_score_diff, max(abs(a - b) for a, b in zip(bs, ss)))
    case["batched_equals_single"] = all_equal
    if beam:
        case["max_abs_score_difference"] = f32(max_score_diff)
    return case


# ---------------------------------------------------------------------------------------------------------------
# processed sampling distributions
# ---------------------------------------------------------------------------------------------------------------

WARPERS = ("temperature", "top_k", "top_p")


def processed_case(ctx, image, question, prefix, options, note=None):
    prompt = ctx.prompt(question)
    assert prefix[:len(prompt)] == prompt
    opts = dict(options)
    opts["do_sample"] = True
    out = ctx.generate(image, prefix, max_new_tokens=1, output_scores=True, output_logits=True,
                       return_dict_in_generate=True, **opts)
    scores = out.scores[0][0]
    probs = torch.softmax(scores, dim=-1)
    raw = torch.log_softmax(out.logits[0][0].float(), dim=-1)
    top = torch.topk(raw, 5)
    case = {"image": image, "question": question, "prompt_ids": prompt, "prefix_ids": prefix, "options": opts}
    if note:
        case["note"] = note
    case["probabilities"] = [[i, p7(probs[i])] for i in range(probs.numel()) if probs[i] > 0]
    case["raw_log_probs_top"] = [[int(i), f32(v)] for v, i in zip(top.values.tolist(), top.indices.tolist())]
    # how close the top-k / top-p cut-offs are (for judging fragility; not a golden): the processed scores before
    # the warpers come from the same call with the warpers switched off
    hard = {k: v for k, v in opts.items() if k not in WARPERS}
    pre = ctx.generate(image, prefix, runs=1, max_new_tokens=1, output_scores=True, return_dict_in_generate=True,
                       temperature=1.0, top_k=0, top_p=1.0, **hard).scores[0][0]
    pre = pre / opts.get("temperature", 1.0)
    margins = {}
    k = opts.get("top_k", 50)
    finite = pre[torch.isfinite(pre)]
    if k and k < finite.numel():
        v = torch.sort(finite, descending=True).values
        margins["top_k_score_gap"] = f32(v[k - 1] - v[k])
        pre = torch.where(pre < v[k - 1], torch.tensor(float("-inf")), pre)
    p = opts.get("top_p", 1.0)
    if p < 1.0:
        srt = torch.sort(pre, descending=False).values
        cum = srt.softmax(-1).cumsum(-1)
        margins["top_p_mass_margin"] = f32((cum - (1 - p)).abs().min())
    if margins:
        case["cutoff_margins"] = margins
    return case


def greedy_prefix(ctx, image, question, extra):
    prompt = ctx.prompt(question)
    key = (image, question, extra)
    if key not in ctx.memo:  # an input for other cases, not a golden: one run
        ctx.memo[key] = ctx.generate(image, prompt, runs=1, do_sample=False,
                                     max_new_tokens=max(extra, 1))[0].tolist()
    seq = ctx.memo[key]
    return seq[:len(prompt) + extra]


def top_tokens(ctx, image, prefix, n):
    out = ctx.generate(image, prefix, runs=1, do_sample=False, max_new_tokens=1, output_logits=True,
                       return_dict_in_generate=True)
    return torch.topk(out.logits[0][0], n).indices.tolist()


def tiny_processed_plan(ctx):
    w = {t: ctx.ids(t)[0] for t in ["a", "red", "circle", "triangle", "blue", "green", "?"]}
    plan = []

    def g(image, question, extra):
        return greedy_prefix(ctx, image, question, extra)

    cap = lambda image, extra: (image, None, g(image, None, extra))  # noqa: E731
    q = lambda image, question, extra: (image, question, g(image, question, extra))  # noqa: E731
    hand = [ctx.cls, w["a"], w["red"], w["a"]]  # prompt + [a, b, a]: "red" repeats the bigram (a, red)
    # 160.png is the demo model's least certain test image (shape: ~0.54 / 0.41 / 0.04), so the top-k / top-p
    # cut-offs and the penalties there change the distribution visibly
    unsure_q = q("160.png", SHAPE_Q, 0)
    unsure_cap = cap("160.png", 2)  # [CLS, a, colour]
    t1, t2 = top_tokens(ctx, "160.png", unsure_cap[2], 2)
    rep = [ctx.cls, w["a"], t1] + unsure_cap[2][1:]  # "a <shape1> a <colour>": shape1 is a repeat
    ngram = unsure_cap[2] + [t1] + unsure_cap[2][1:]  # "a <colour> <shape1> a <colour>": shape1 is banned
    cases = [
        (cap("0.png", 0), {"temperature": 0.7}),
        (cap("115.png", 2), {"temperature": 0.7}),
        (cap("0.png", 2), {"temperature": 1.5}),
        (unsure_q, {"temperature": 1.5}),
        (cap("10.png", 0), {"top_k": 1}),
        (unsure_q, {"top_k": 1}),
        (cap("5.png", 1), {"top_k": 3}),
        (unsure_q, {"top_k": 3}),
        (cap("10.png", 2), {"top_k": 50}),
        (unsure_q, {"top_p": 0.5}),
        (cap("0.png", 1), {"top_p": 0.5}),
        (unsure_cap, {"top_p": 0.9}),
        (cap("5.png", 0), {"top_p": 0.9}),
        (unsure_q, {"top_p": 0.9, "temperature": 1.5}),
        (cap("10.png", 1), {"top_p": 1.0}),
        (unsure_q, {"top_k": 5, "top_p": 0.8, "temperature": 0.8}),
        (q("25.png", SHAPE_Q, 0), {"top_k": 5, "top_p": 0.8, "temperature": 0.8}),
        (("0.png", None, hand), {"repetition_penalty": 1.3}),
        (("0.png", None, hand), {"repetition_penalty": 0.8}),
        (("160.png", None, rep), {"repetition_penalty": 1.3}),
        (("160.png", None, rep), {"repetition_penalty": 0.8}),
        (q("15.png", "is there a triangle?", 0), {"repetition_penalty": 1.3}),
        (("5.png", None, hand), {"no_repeat_ngram_size": 2}),
        (("160.png", None, ngram), {"no_repeat_ngram_size": 2}),
        (cap("5.png", 2), {"no_repeat_ngram_size": 2}),
        (("10.png", None, [ctx.cls, w["a"]]),
         {"bad_words_ids": [[w["triangle"]], [w["a"], w["red"]], [w["blue"], w["green"]]]}),
        (q("20.png", "is there a circle?", 0), {"bad_words_ids": [[w["?"], w["circle"]], [w["red"]]]}),
        (unsure_cap, {"bad_words_ids": [[t2], [unsure_cap[2][-1], t1]]}),  # bans both likely shapes
        (q("15.png", SHAPE_Q, 1), {"min_new_tokens": 2}),
        (cap("0.png", 2), {"min_new_tokens": 2, "top_k": 3}),
        (cap("20.png", 2), {"min_new_tokens": 1}),
        (("0.png", None, hand), {"repetition_penalty": 1.3, "no_repeat_ngram_size": 2, "temperature": 0.7}),
        (("160.png", None, rep), {"repetition_penalty": 0.8, "top_k": 3, "min_new_tokens": 1}),
    ]
    for (image, question, prefix), options in cases:
        plan.append((image, question, prefix, options))
    return plan


def prng_processed_plan(ctx):
    def g(image, question, extra):
        return greedy_prefix(ctx, image, question, extra)

    c1 = g("chelsea.png", None, 1)  # [CLS, a]
    a_tok = c1[1]
    b_tok = [t for t in top_tokens(ctx, "chelsea.png", c1, 3) if t != a_tok][0]
    hand = c1 + [b_tok, a_tok]  # [CLS, a, b, a] with b != a: b repeats the bigram (a, b)
    tops = top_tokens(ctx, "chelsea.png", c1, 3)
    return [
        ("chelsea.png", None, g("chelsea.png", None, 0), {"top_k": 10, "temperature": 0.7}),
        ("coffee.jpg", None, g("coffee.jpg", None, 1), {"top_k": 50, "top_p": 0.9}),
        ("rocket.jpg", "what is in the sky?", g("rocket.jpg", "what is in the sky?", 0),
         {"top_k": 5, "top_p": 0.8, "temperature": 0.8}),
        ("chelsea.png", None, hand, {"top_k": 20, "repetition_penalty": 1.3}),
        ("chelsea.png", None, hand, {"top_k": 20, "no_repeat_ngram_size": 2}),
        ("chelsea.png", None, c1, {"top_k": 20, "bad_words_ids": [[tops[0]], [a_tok, tops[1]], [tops[2], tops[0]]]}),
        ("coffee.jpg", None, g("coffee.jpg", None, 2), {"top_k": 10, "min_new_tokens": 2, "repetition_penalty": 0.8}),
    ]


# ---------------------------------------------------------------------------------------------------------------
# invalid option sets
# ---------------------------------------------------------------------------------------------------------------

INVALID = [
    {"num_beams": 0},
    {"do_sample": True, "top_p": 0},
    {"do_sample": True, "top_p": 1.5},
    {"do_sample": True, "top_k": 0},
    {"do_sample": True, "top_k": -1},
    {"do_sample": True, "temperature": 0},
    {"do_sample": True, "temperature": -0.5},
    {"num_beams": 2, "num_return_sequences": 3},
    {"num_return_sequences": 2},
    {"repetition_penalty": 0},
    {"repetition_penalty": -1.0},
    {"do_sample": True, "repetition_penalty": 0},
    {"no_repeat_ngram_size": -1},
    {"num_beams": 2, "length_penalty": 0.0},
]


def invalid_case(ctx, image, options):
    prompt = [ctx.cls]
    case = {"image": image, "question": None, "prompt_ids": prompt, "options": dict(options, max_new_tokens=3)}
    COLLECT.messages.clear()
    try:
        out = ctx.generate(image, prompt, max_new_tokens=3, output_scores=True, return_dict_in_generate=True,
                           **options)
        result = {"sequences": out.sequences.tolist()}
        if getattr(out, "sequences_scores", None) is not None:
            result["sequences_scores"] = [f32(x) for x in out.sequences_scores.tolist()]
        if options.get("do_sample"):
            probs = torch.softmax(out.scores[0][0], -1)
            nz = [(i, p7(probs[i])) for i in range(probs.numel()) if probs[i] > 0]
            result["note"] = "sampled ids depend on torch's RNG (manual_seed(0)); the first-step distribution is exact"
            result["first_step_nonzero_tokens"] = len(nz)
            if len(nz) <= 64:
                result["first_step_probabilities"] = [list(x) for x in nz]
            else:
                top = torch.topk(probs, 5)
                result["first_step_top5"] = [[int(i), p7(v)] for v, i in zip(top.values.tolist(),
                                                                             top.indices.tolist())]
        case["result"] = result
    except Exception as error:  # noqa: BLE001
        case["error"] = error_text(error)
    msgs = list(dict.fromkeys(COLLECT.messages))
    if msgs:
        case["warnings"] = msgs
    COLLECT.messages.clear()
    return case


# ---------------------------------------------------------------------------------------------------------------
# classification by label scoring
# ---------------------------------------------------------------------------------------------------------------

@torch.no_grad()
def label_log_probs(ctx, pixel_values, prompt, label_ids):
    """For each row: per-token log-softmax (float32 logits) of label + [SEP] given the prompt, one forward pass."""
    seqs = [prompt + ids + [ctx.sep] for ids in label_ids]
    assert len({len(s) for s in seqs}) == 1
    logits = ctx.model(input_ids=torch.tensor(seqs), pixel_values=pixel_values).logits.float()
    n = len(seqs[0])
    lsm = torch.log_softmax(logits[:, -n:, :], dim=-1)
    out = []
    for r, s in enumerate(seqs):
        out.append([float(lsm[r, j - 1, s[j]]) for j in range(len(prompt), n)])
    return out


def classification_case(ctx, image, question, labels, expected=None):
    prompt = ctx.prompt(question)
    label_ids = [ctx.ids(lab) for lab in labels]
    tok_lps = []
    for ids in label_ids:  # one forward per label, batch 1
        tok_lps.append(label_log_probs(ctx, ctx.pix(image), prompt, [ids])[0])
    sums = [math.fsum(x) for x in tok_lps]
    case = {"image": image, "question": question, "prompt_ids": prompt, "labels": labels, "label_ids": label_ids,
            "log_probs": sums, "token_log_probs": [[f32(v) for v in x] for x in tok_lps],
            "best": labels[max(range(len(labels)), key=lambda i: sums[i])]}
    if expected is not None:
        case["expected"] = expected
    return case


@torch.no_grad()
def test_split_accuracy(ctx):
    labels = T.image_labels("test")
    _, paths = T.load_split("test")
    ids = sorted(paths)
    pix = T.pixel_values_for(ctx.processor, [paths[i] for i in ids])
    res = {"images": len(ids)}
    for kind, question, names in (("shape", SHAPE_Q, T.SHAPES), ("color", COLOR_Q, T.COLORS)):
        truth = [labels[i][0 if kind == "shape" else 1] for i in ids]
        prompt = ctx.prompt(question)
        label_ids = [ctx.ids(n) for n in names]
        # classification: the prompt (with the image) once per chunk of images, then each label + [SEP] on a
        # copy of its key/value cache (explicit text positions, since the cache also holds the image tokens);
        # checked against the plain single forward on the first chunk
        scores = torch.zeros(len(ids), len(names), dtype=torch.float64)
        chunk = 100
        for k in range(0, len(ids), chunk):
            px = pix[k:k + chunk]
            m = px.shape[0]
            first = ctx.model(input_ids=torch.tensor([prompt] * m), pixel_values=px, use_cache=True)
            first_lsm = torch.log_softmax(first.logits[:, -1, :].float(), dim=-1)
            cached = first.past_key_values.get_seq_length()
            for j, lid in enumerate(label_ids):
                lp = first_lsm[:, lid[0]].double()
                cache = first.past_key_values
                rest = torch.tensor([lid] * m)
                pos = torch.arange(len(prompt), len(prompt) + len(lid)).expand(m, -1)
                nxt = ctx.model(input_ids=rest, past_key_values=cache, position_ids=pos, use_cache=True)
                cache.crop(-len(lid))
                assert cache.get_seq_length() == cached
                lsm = torch.log_softmax(nxt.logits.float(), dim=-1)
                tgt = torch.tensor([lid[1:] + [ctx.sep]] * m)
                lp = lp + lsm.gather(-1, tgt.unsqueeze(-1)).squeeze(-1).double().sum(-1)
                scores[k:k + m, j] = lp
            if k == 0:
                for r in range(3):
                    plain = [math.fsum(x) for x in label_log_probs(ctx, px[r:r + 1], prompt, label_ids)]
                    assert max(abs(a - b) for a, b in zip(plain, scores[r].tolist())) < 1e-4, (plain, scores[r])
        pred = [names[int(a)] for a in scores.argmax(-1)]
        cls_ok = sum(p == t for p, t in zip(pred, truth))
        # free greedy generation
        gen_ok, answers = 0, []
        for k in range(0, len(ids), 250):
            px = pix[k:k + 250]
            seqs = ctx.model.generate(pixel_values=px, input_ids=torch.tensor([prompt] * px.shape[0]),
                                      max_new_tokens=10, do_sample=False)
            answers += [ctx.tok.decode(s[len(prompt):], skip_special_tokens=True) for s in seqs]
        gen_ok = sum(a == t for a, t in zip(answers, truth))
        agree = sum(a == p for a, p in zip(answers, pred))
        res[kind] = {"question": question, "labels": names, "classification_accuracy": cls_ok / len(ids),
                     "generation_accuracy": gen_ok / len(ids), "classification_equals_generation": agree / len(ids),
                     "generated_answers_outside_labels": sum(a not in names for a in answers)}
        log(f"  test split {kind}: classification {cls_ok / len(ids):.4f} generation {gen_ok / len(ids):.4f}")
    res["method"] = ("all easy-VQA test images (easy_vqa package), expected shape/colour from "
                     "train_tiny_git.image_labels('test'). (a) classification: for each label, sum over the label's "
                     "tokens and a final [SEP] of log_softmax(float32 logits) at the preceding position (batched over "
                     "images: [CLS] + question with the image once, then label + [SEP] on its key/value cache; "
                     "checked against the plain forward to 1e-4), summed in float64; "
                     "prediction = label with the highest sum. (b) generation: greedy generate(max_new_tokens 10), "
                     "batched without padding; answer = tokenizer.decode(ids after the prompt, "
                     "skip_special_tokens=True), exact string match")
    return res


# ---------------------------------------------------------------------------------------------------------------
# output
# ---------------------------------------------------------------------------------------------------------------

def dump(doc, path):
    parts = []
    for key, value in doc.items():
        if isinstance(value, list):
            body = ",\n".join(json.dumps(c, separators=(",", ":")) for c in value)
            parts.append(f"{json.dumps(key)}:[\n{body}]")
        else:
            parts.append(f"{json.dumps(key)}:{json.dumps(value, separators=(',', ':'))}")
    with open(path, "w") as f:
        f.write("{" + ",\n".join(parts) + "}\n")
    json.load(open(path))  # round-trip check


def origin(ctx, model_rel):
    return {"script": "tools/reference/make_generation_suite_goldens.py", "transformers": transformers.__version__,
            "torch": torch.__version__, "tokenizers": tokenizers.__version__, "pillow": PIL.__version__,
            "model": model_rel, "device": "cpu", "dtype": "float32", "threads": 1}


TOLERANCE = ("ids exact (sequences, batched/single rows, prefixes, label ids); sequences_scores, token_log_probs and "
             "classification log_probs: |ours - ref| <= 1e-4 * max(1, |ref|); probabilities: |ours - ref| <= 1e-5 "
             "absolute, and the set of token ids with probability > 0 exact (cutoff_margins tells how close a "
             "top-k / top-p cut-off is; treat a case whose margin is below 1e-4 as fragile); 'error' cases must be "
             "rejected with a typed error")


def conventions(ctx):
    return (f"batch-1 calls: generate(pixel_values, input_ids=[prompt_ids], **options), prompt_ids = [CLS] (caption) "
            f"or [CLS] + question ids without [SEP]; returned rows include the prompt. [SEP] = eos = {ctx.sep}, "
            f"pad = {ctx.pad}: greedy pads finished rows with {ctx.pad}, beam search pads the tail with "
            f"pad_token_id or eos_token_id = {ctx.sep} (docs/generation.md, Beam fill token). beam: do_sample False, "
            "return_dict_in_generate + output_scores, sequences_scores = the normalised beam scores. greedy_scores: "
            "token_log_probs = compute_transition_scores(sequences, scores, normalize_logits=True). batch: 4 items, "
            "prompts left-padded with pad id 0 and attention_mask 0 to the longest prompt, pixel_values stacked; "
            "'batched' = each item's rows with exactly (longest prompt - own prompt length) leading entries removed "
            "(rows of item k are k*n..k*n+n-1 for num_return_sequences n); '*_trimmed' rows are cut right after the "
            "first [SEP] after the prompt; batched_equals_single compares the trimmed rows. processed: "
            "generate(pixel_values, input_ids=[prefix_ids], do_sample=True, max_new_tokens=1, output_scores=True) "
            "with the options; the prefix is the prompt for every processor (min_new_tokens counts from its end, "
            "repetition penalty and n-gram / bad-word matching see all of it); probabilities = softmax(out.scores[0]) "
            "in float32, every token with probability > 0, rounded to 7 significant digits; options not given take "
            "the 5.23 defaults (temperature 1.0, top_k 50, top_p 1.0; processors run in the order repetition "
            "penalty, no-repeat n-gram, bad words, min_new_tokens, then temperature, top_k, top_p). "
            "raw_log_probs_top = top 5 of log_softmax(raw logits). invalid: max_new_tokens 3 on the caption prompt; "
            "'result' when transformers accepts the options, with 'warnings' = transformers' logged warnings. "
            "classification: one plain forward model(input_ids=[prompt + label ids + [SEP]], pixel_values) per "
            "label; token_log_probs[j] = log_softmax(float32 logits)[position before token j][token j] for the "
            "label's tokens and the final [SEP]; log_probs = their sum in float64. float32-derived values are "
            "rounded to 9 significant digits")


def run_tiny():
    ctx = Ctx("tiny", TINY, EASYVQA)
    log("tiny: loaded", TINY)
    doc = {"origin": origin(ctx, "Models/git-tiny-easyvqa"), "tolerance": TOLERANCE, "conventions": conventions(ctx),
           "special_ids": {"cls": ctx.cls, "sep": ctx.sep, "pad": ctx.pad, "vocab_size": ctx.vocab}}
    doc["beam"] = [beam_case(ctx, im, q, o) for im, q, o in tiny_beam_plan()]
    log(f"tiny: {len(doc['beam'])} beam cases")
    doc["greedy_scores"] = [greedy_scores_case(ctx, "0.png", None, 10),
                            greedy_scores_case(ctx, "15.png", SHAPE_Q, 10),
                            greedy_scores_case(ctx, "30.png", "is there a circle?", 3)]
    items = [("0.png", None), ("5.png", SHAPE_Q), ("10.png", None), ("15.png", "is there a circle?")]
    items2 = [("20.png", COLOR_Q), ("25.png", None), ("30.png", "is there a red shape?"), ("35.png", None)]
    doc["batch"] = [batch_case(ctx, items, {"max_new_tokens": 6}),
                    batch_case(ctx, items, {"num_beams": 3, "max_new_tokens": 6, "num_return_sequences": 2}),
                    batch_case(ctx, items2, {"max_new_tokens": 10}),
                    batch_case(ctx, items2, {"num_beams": 2, "max_new_tokens": 10, "length_penalty": 0.6,
                                             "num_return_sequences": 1})]
    log(f"tiny: {len(doc['batch'])} batch cases")
    doc["processed"] = [processed_case(ctx, *c) for c in tiny_processed_plan(ctx)]
    log(f"tiny: {len(doc['processed'])} processed cases")
    doc["invalid"] = [invalid_case(ctx, "0.png", o) for o in INVALID]
    labels = T.image_labels("test")
    cl = []
    for i in range(0, 100, 5):
        shape, color, _ = labels[i]
        cl.append(classification_case(ctx, f"{i}.png", SHAPE_Q, T.SHAPES, shape))
        cl.append(classification_case(ctx, f"{i}.png", COLOR_Q, T.COLORS, color))
    combos = [T.caption_of(s, c) for c in T.COLORS for s in T.SHAPES]
    for i in range(0, 25, 5):
        shape, color, _ = labels[i]
        cl.append(classification_case(ctx, f"{i}.png", None, combos, T.caption_of(shape, color)))
    doc["classification"] = cl
    log(f"tiny: {len(cl)} classification cases")
    doc["classification_accuracy"] = test_split_accuracy(ctx)
    doc["origin"]["easy_vqa"] = importlib.metadata.version("easy-vqa")
    # move the accuracy block before the case lists for readability
    order = ["origin", "tolerance", "conventions", "special_ids", "classification_accuracy", "beam", "greedy_scores",
             "batch", "processed", "invalid", "classification"]
    doc = {k: doc[k] for k in order}
    path = os.path.join(OUT_DIR, "tiny_generation_suite.json")
    dump(doc, path)
    return path, doc


def run_prng():
    if not os.path.exists(os.path.join(PRNG, "model.safetensors")):
        sys.exit(f"missing {PRNG}: run tools/reference/make_prng_checkpoint.py first")
    ctx = Ctx("prng", PRNG, IMAGES)
    log("prng: loaded", PRNG)
    doc = {"origin": origin(ctx, "tools/reference/.cache/git-base-prng (make_prng_checkpoint.py)"),
           "tolerance": TOLERANCE, "conventions": conventions(ctx),
           "special_ids": {"cls": ctx.cls, "sep": ctx.sep, "pad": ctx.pad, "vocab_size": ctx.vocab}}
    doc["beam"] = []
    for im, q, o in prng_beam_plan():
        doc["beam"].append(beam_case(ctx, im, q, o))
        log(f"prng: beam {im} {o}")
    doc["greedy_scores"] = [greedy_scores_case(ctx, "chelsea.png", None, 12),
                            greedy_scores_case(ctx, "coffee.jpg", "what is in the cup?", 8),
                            greedy_scores_case(ctx, "rocket.jpg", None, 6)]
    log("prng: greedy_scores")
    items = [("chelsea.png", None), ("coffee.jpg", "what is in the cup?"), ("rocket.jpg", None),
             ("astronaut_progressive.jpg", "what is the person wearing on the head?")]
    doc["batch"] = [batch_case(ctx, items, {"max_new_tokens": 6})]
    log("prng: batch greedy")
    doc["batch"].append(batch_case(ctx, items, {"num_beams": 3, "max_new_tokens": 6, "num_return_sequences": 2}))
    log("prng: batch beam")
    doc["processed"] = [processed_case(ctx, *c) for c in prng_processed_plan(ctx)]
    log(f"prng: {len(doc['processed'])} processed cases")
    doc["invalid"] = [invalid_case(ctx, "chelsea.png", o) for o in INVALID]
    log("prng: invalid")
    labels = ["a cat", "a dog on a sofa", "two cats", "coffee"]
    doc["classification"] = [classification_case(ctx, im, None, labels) for im in ("chelsea.png", "coffee.jpg")]
    path = os.path.join(OUT_DIR, "prng_generation_suite.json")
    dump(doc, path)
    return path, doc


def summary(path, doc):
    log(f"wrote {path} ({os.path.getsize(path)} bytes)")
    for key in ("beam", "greedy_scores", "batch", "processed", "invalid", "classification"):
        print(f"  {key}: {len(doc[key])} cases")
    for c in doc["batch"]:
        print(f"  batch {c['options']}: batched_equals_single={c['batched_equals_single']}"
              + (f" max score diff {c['max_abs_score_difference']}" if "max_abs_score_difference" in c else ""))
    for c in doc["invalid"]:
        print(f"  invalid {c['options']}: {c.get('error') or 'accepted: ' + json.dumps(c['result'])[:100]}"
              + (f" warnings={c['warnings']}" if "warnings" in c else ""))
    errors = [c for c in doc["beam"] if "error" in c]
    if errors:
        print(f"  beam errors: {[(c['options'], c['error']) for c in errors]}")
    fragile = [(c["options"], c["cutoff_margins"]) for c in doc["processed"]
               if any(v < 1e-3 for v in c.get("cutoff_margins", {}).values())]
    print(f"  processed cases with a cut-off margin < 1e-3: {fragile}")
    gm = min(m for c in doc["greedy_scores"] for m in c["step_top2_logit_margins"])
    print(f"  smallest greedy top-2 margin {gm}")
    if "classification_accuracy" in doc:
        print("  classification_accuracy:", json.dumps({k: v for k, v in doc["classification_accuracy"].items()
                                                       if k != "method"}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", choices=["tiny", "prng"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    setup_logging()
    results = []
    if args.only in (None, "tiny"):
        results.append(run_tiny())
    if args.only in (None, "prng"):
        results.append(run_prng())
    for path, doc in results:
        summary(path, doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
