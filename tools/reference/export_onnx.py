#!/usr/bin/env python3
"""Exports a GIT checkpoint (transformers 5.23 `GitForCausalLM`) to ONNX for ONNX Runtime, writes a dynamically
quantised int8 copy, and checks both against transformers (issue 17: ONNX Runtime as a second benchmark peer).

    tools/reference/.venv/bin/python tools/reference/export_onnx.py [--model DIR] [--output DIR] [--check-only]
        [--threads N]

GIT has no official ONNX exporter. This one writes the three graphs described in onnx_git.py, so that a generate loop
in ONNX Runtime does the work transformers' cached `generate` does: the vision tower once, one decoder pass over the
197 image tokens and the prompt (prefill), then one token per step against the cached keys and values. The decoder
graphs call transformers' own modules (embeddings, Linear layers, LayerNorms, activations, LM head); only the attention
core is written out here, because the cache is split into an image block (fixed after the prefill, an input of every
step) and a text block (grows by one per step).

Export: torch.onnx.export with dynamo=True (torch.export + onnxscript), the exporter's default opset; batch and text
lengths are dynamic. int8: onnxruntime.quantization.quantize_dynamic with its defaults (int8 weights, per tensor;
activations quantised at run time) on every graph.

Outputs (git-ignored): DIR (default tools/reference/.cache/onnx/<checkpoint folder name>) with fp32/ and int8/, each
holding vision.onnx, decoder_prefill.onnx and decoder_step.onnx, and manifest.json (token ids, shapes, versions, how
it was exported and the parity results below).

Parity, on three fixture images, against transformers in fp32 (torch.inference_mode):
  vision        image tokens after the projection
  prefill       first-step logits (model(pixel_values, input_ids=[[CLS]], use_cache=True))
  steps         the 19 cached steps' logits, both fed transformers' greedy tokens (teacher forcing), and how many
                of the 20 next-token choices agree
  greedy        generate(max_new_tokens=20, min_new_tokens=20) ids, per image and as one batch of the three
  beam4         the same with num_beams=4
Errors are max |ONNX Runtime - transformers| / max |transformers| over the tensor. fp32 must stay within 1e-4 and give
equal ids (exit status 1 otherwise); for int8 the same figures are reported, ids may differ.
"""
import argparse
import json
import math
import os
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import onnx_git  # noqa: E402

DEFAULT_MODEL = os.path.join(HERE, ".cache", "git-base-prng")
CHECK_IMAGES = ["chelsea.png", "coffee.jpg", "rocket.jpg"]
NEW_TOKENS = 20
NUM_BEAMS = 4
FP32_TOLERANCE = 1e-4


def default_output(model):
    return os.path.join(HERE, ".cache", "onnx", os.path.basename(os.path.normpath(model)))


# ---------------------------------------------------------------------------------------------------------------------
# graphs

class VisionGraph(nn.Module):
    """pixel_values -> projected image tokens: transformers' vision tower and visual projection as they are."""

    def __init__(self, model):
        super().__init__()
        self.image_encoder = model.git.image_encoder
        self.visual_projection = model.git.visual_projection

    def forward(self, pixel_values):
        return self.visual_projection(self.image_encoder(pixel_values).last_hidden_state)


class TextDecoder(nn.Module):
    """GIT's text decoder over transformers' modules; `extend(i, key, value)` gives layer i's full keys and values
    (and records what the graph returns as cache)."""

    def __init__(self, model):
        super().__init__()
        self.embeddings = model.git.embeddings
        self.layers = model.git.encoder.layer
        self.head = model.output
        self.heads = model.config.num_attention_heads
        self.head_dim = model.config.hidden_size // self.heads

    def embed(self, input_ids, first_position):
        positions = torch.arange(input_ids.shape[1]) + first_position
        words = self.embeddings.word_embeddings(input_ids)
        return self.embeddings.LayerNorm(words + self.embeddings.position_embeddings(positions))

    def split_heads(self, x):
        return x.view(x.shape[0], x.shape[1], self.heads, self.head_dim).transpose(1, 2)

    def run_layers(self, hidden, extend, mask=None):
        for i, layer in enumerate(self.layers):
            attention = layer.attention.self
            query = self.split_heads(attention.query(hidden))
            key, value = extend(i, self.split_heads(attention.key(hidden)), self.split_heads(attention.value(hidden)))
            scores = torch.matmul(query, key.transpose(-1, -2)) / math.sqrt(self.head_dim)
            if mask is not None:
                scores = scores + mask
            context = torch.matmul(nn.functional.softmax(scores, dim=-1), value)
            context = context.transpose(1, 2).reshape(hidden.shape)
            attended = layer.attention.output(context, hidden)
            hidden = layer.output(layer.intermediate(attended), attended)
        return hidden


class DecoderPrefill(TextDecoder):
    """image_tokens [B, N, D], input_ids [B, T] -> last-position logits, per-layer image and text keys/values.
    Mask as transformers builds it: image tokens see image tokens; text tokens see every image token and the text
    tokens up to themselves."""

    def forward(self, image_tokens, input_ids):
        n = image_tokens.shape[1]
        hidden = torch.cat([image_tokens, self.embed(input_ids, 0)], dim=1)
        index = torch.arange(hidden.shape[1])
        allowed = (index[None, :] < n) | (index[None, :] <= index[:, None])
        mask = torch.where(allowed, 0.0, torch.finfo(torch.float32).min)[None, None]
        image_cache, text_cache = [], []

        def extend(i, key, value):
            image_cache.extend([key[:, :, :n], value[:, :, :n]])
            text_cache.extend([key[:, :, n:], value[:, :, n:]])
            return key, value

        hidden = self.run_layers(hidden, extend, mask)
        return (self.head(hidden[:, -1]), *image_cache, *text_cache)


class DecoderStep(TextDecoder):
    """input_ids [B, 1], per-layer image keys/values, per-layer past text keys/values [B, H, P, d] -> logits,
    text keys/values [B, H, P + 1, d]. The token's text position is P; it sees every cached key, so no mask."""

    def forward(self, input_ids, image_cache, past_text_cache):
        hidden = self.embed(input_ids, past_text_cache[0].shape[2])
        text_cache = []

        def extend(i, key, value):
            past_key, past_value = past_text_cache[2 * i], past_text_cache[2 * i + 1]
            text_cache.extend([torch.cat([past_key, key], dim=2), torch.cat([past_value, value], dim=2)])
            return (torch.cat([image_cache[2 * i], text_cache[-2]], dim=2),
                    torch.cat([image_cache[2 * i + 1], text_cache[-1]], dim=2))

        hidden = self.run_layers(hidden, extend)
        return (self.head(hidden[:, -1]), *text_cache)


def export(model, folder, log):
    config = model.config
    layers, heads = config.num_hidden_layers, config.num_attention_heads
    head_dim = config.hidden_size // heads
    vision = config.vision_config
    image_tokens = (vision.image_size // vision.patch_size) ** 2 + 1
    batch, text, past = torch.export.Dim("batch", min=1, max=64), torch.export.Dim("text", min=1, max=512), \
        torch.export.Dim("past", min=1, max=config.max_position_embeddings - 1)
    cache_names = [f"{kind}_{i}" for i in range(layers) for kind in ("key", "value")]
    b = 2  # example sizes other than 1, so that the exporter keeps them symbolic
    pixel_values = torch.randn(b, 3, vision.image_size, vision.image_size)
    tokens = torch.randn(b, image_tokens, config.hidden_size)
    ids = torch.full((b, 3), 101, dtype=torch.long)
    image_cache = tuple(torch.randn(b, heads, image_tokens, head_dim) for _ in cache_names)
    text_cache = tuple(torch.randn(b, heads, 3, head_dim) for _ in cache_names)
    jobs = [
        ("vision", VisionGraph(model), (pixel_values,), ["pixel_values"], ["image_tokens"],
         ({0: batch},)),
        ("decoder_prefill", DecoderPrefill(model), (tokens, ids), ["image_tokens", "input_ids"],
         ["logits"] + ["image_" + n for n in cache_names] + ["text_" + n for n in cache_names],
         ({0: batch}, {0: batch, 1: text})),
        ("decoder_step", DecoderStep(model), (ids[:, :1], image_cache, text_cache),
         ["input_ids"] + ["image_" + n for n in cache_names] + ["past_text_" + n for n in cache_names],
         ["logits"] + ["text_" + n for n in cache_names],
         ({0: batch}, tuple({0: batch} for _ in cache_names), tuple({0: batch, 2: past} for _ in cache_names))),
    ]
    os.makedirs(os.path.join(folder, "fp32"), exist_ok=True)
    opsets = {}
    for name, module, args, input_names, output_names, dynamic_shapes in jobs:
        path = os.path.join(folder, "fp32", f"{name}.onnx")
        start = time.perf_counter()
        program = torch.onnx.export(module.eval(), args, dynamo=True, input_names=input_names,
                                    output_names=output_names, dynamic_shapes=dynamic_shapes, verbose=False)
        program.save(path)
        opsets[name] = {domain: version for domain, version in program.model.opset_imports.items()}
        log(f"exported {name}.onnx in {time.perf_counter() - start:.1f} s ({os.path.getsize(path) / 1e6:.0f} MB)")
    return {"image_tokens": image_tokens, "decoder_layers": layers, "heads": heads, "head_dim": head_dim,
            "hidden_size": config.hidden_size, "vocab_size": config.vocab_size, "opsets": opsets}


def quantize(folder, log):
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic
    os.makedirs(os.path.join(folder, "int8"), exist_ok=True)
    for name in onnx_git.GRAPHS:
        source, target = (os.path.join(folder, p, f"{name}.onnx") for p in ("fp32", "int8"))
        start = time.perf_counter()
        graph = onnx.load(source)
        # The exporter records the weights' shapes as value_info too; quantize_dynamic turns the LM head's Gemm into
        # a MatMul with the weight transposed, and its shape inference then fails on the stale [30522, 768].
        weights = {w.name for w in graph.graph.initializer}
        kept = [v for v in graph.graph.value_info if v.name not in weights]
        del graph.graph.value_info[:]
        graph.graph.value_info.extend(kept)
        quantize_dynamic(graph, target, weight_type=QuantType.QInt8)
        log(f"quantised {name}.onnx in {time.perf_counter() - start:.1f} s ({os.path.getsize(target) / 1e6:.0f} MB)")
    return {"function": "onnxruntime.quantization.quantize_dynamic", "weight_type": "QInt8",
            "other_options": "defaults (per tensor, every op type it quantises)"}


# ---------------------------------------------------------------------------------------------------------------------
# parity

def relative_error(theirs, ours):
    theirs, ours = np.asarray(theirs, dtype=np.float64), np.asarray(ours, dtype=np.float64)
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())


def transformers_reference(model, processor, images):
    """Per image: vision tokens, first-step logits, greedy tokens and the logits of each cached step (the decode loop
    of bench_side_by_side), generate's greedy and beam ids; and the batched greedy ids of all images."""
    refs = []
    with torch.inference_mode():
        for image in images:
            pixel_values = processor(images=image, return_tensors="pt").pixel_values
            vision = model.git.visual_projection(model.git.image_encoder(pixel_values).last_hidden_state)
            prompt = torch.tensor([[model.generation_config.bos_token_id]])
            result = model(pixel_values=pixel_values, input_ids=prompt, use_cache=True, logits_to_keep=1)
            logits = [result.logits[0, -1].numpy().copy()]
            cache, tokens = result.past_key_values, [int(result.logits[0, -1].argmax())]
            for t in range(1, NEW_TOKENS):
                result = model(input_ids=torch.tensor([[tokens[-1]]]), past_key_values=cache,
                               position_ids=torch.tensor([[t]]), use_cache=True, logits_to_keep=1)
                cache = result.past_key_values
                logits.append(result.logits[0, -1].numpy().copy())
                tokens.append(int(result.logits[0, -1].argmax()))
            options = dict(max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
            refs.append({"pixel_values": pixel_values.numpy(), "vision": vision[0].numpy(), "logits": logits,
                         "tokens": tokens,
                         "greedy": model.generate(pixel_values=pixel_values, **options)[0].tolist(),
                         "beam": model.generate(pixel_values=pixel_values, num_beams=NUM_BEAMS, **options)[0].tolist()})
        batch_pixels = processor(images=images, return_tensors="pt").pixel_values
        batch = model.generate(pixel_values=batch_pixels, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS)
    return refs, {"pixel_values": batch_pixels.numpy(), "greedy": batch.tolist()}


def id_agreement(theirs, ours):
    """Equal positions among the generated ids, and the first generated position that differs (None: none)."""
    theirs, ours = theirs[1:], list(ours[1:])
    differ = [i for i, (a, b) in enumerate(zip(theirs, ours)) if a != b]
    return {"equal": len(theirs) - len(differ), "of": len(theirs), "first_difference": differ[0] if differ else None}


def check(runner, refs, batch_ref):
    per_image = []
    for ref in refs:
        image_tokens = runner.vision(ref["pixel_values"])
        logits, image_cache, text_cache = runner.prefill(image_tokens, np.array([[runner.bos]], dtype=np.int64))
        step_errors, agree = [], int(logits[0].argmax()) == ref["tokens"][0]
        for t in range(1, NEW_TOKENS):
            step_logits, text_cache = runner.step([ref["tokens"][t - 1]], image_cache, text_cache)
            step_errors.append(relative_error(ref["logits"][t], step_logits[0]))
            agree += int(step_logits[0].argmax()) == ref["tokens"][t]
        greedy = runner.greedy(ref["pixel_values"], NEW_TOKENS, NEW_TOKENS)[0].tolist()
        beam = runner.beam_search(ref["pixel_values"], NUM_BEAMS, NEW_TOKENS)[0].tolist()
        per_image.append({"vision": relative_error(ref["vision"], image_tokens[0]),
                          "prefill_logits": relative_error(ref["logits"][0], logits[0]),
                          "step_logits_max": max(step_errors), "next_token_agreement": agree,
                          "greedy_ids": id_agreement(ref["greedy"], greedy),
                          "beam4_ids": id_agreement(ref["beam"], beam)})
    batch = runner.greedy(batch_ref["pixel_values"], NEW_TOKENS, NEW_TOKENS).tolist()
    batch_agreement = [id_agreement(t, o) for t, o in zip(batch_ref["greedy"], batch)]
    return {"images": per_image, "batch_greedy_ids": batch_agreement}


def summarise(name, result, log):
    images = result["images"]
    worst = {key: max(r[key] for r in images) for key in ("vision", "prefill_logits", "step_logits_max")}
    agree = sum(r["next_token_agreement"] for r in images)
    ids = {key: (sum(r[key]["equal"] for r in images), sum(r[key]["of"] for r in images))
           for key in ("greedy_ids", "beam4_ids")}
    batch = (sum(r["equal"] for r in result["batch_greedy_ids"]), sum(r["of"] for r in result["batch_greedy_ids"]))
    log(f"{name}: max relative error (max |Δ| / max |transformers|) vision {worst['vision']:.2e}, first-step logits "
        f"{worst['prefill_logits']:.2e}, step logits {worst['step_logits_max']:.2e}; next-token agreement under "
        f"teacher forcing {agree}/{NEW_TOKENS * len(images)}; equal generated ids: greedy {ids['greedy_ids'][0]}/"
        f"{ids['greedy_ids'][1]}, beam4 {ids['beam4_ids'][0]}/{ids['beam4_ids'][1]}, batch of {len(images)} "
        f"{batch[0]}/{batch[1]}")
    passed = max(worst.values()) <= FP32_TOLERANCE and ids["greedy_ids"][0] == ids["greedy_ids"][1] and \
        ids["beam4_ids"][0] == ids["beam4_ids"][1] and batch[0] == batch[1]
    return dict(worst, next_token_agreement=[agree, NEW_TOKENS * len(images)], greedy_ids=list(ids["greedy_ids"]),
                beam4_ids=list(ids["beam4_ids"]), batch_greedy_ids=list(batch), within_fp32_tolerance=passed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--output", help="default tools/reference/.cache/onnx/<checkpoint folder name>")
    parser.add_argument("--check-only", action="store_true", help="keep the graphs in --output, run the parity check")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="ONNX Runtime threads for the check")
    args = parser.parse_args()
    folder = os.path.abspath(args.output or default_output(args.model))

    def log(message):
        print(message, flush=True)

    import onnx
    import onnxruntime
    import onnxscript
    import transformers
    from PIL import Image
    from transformers import AutoProcessor, GitForCausalLM
    transformers.utils.logging.disable_progress_bar()
    model = GitForCausalLM.from_pretrained(args.model).eval()
    processor = AutoProcessor.from_pretrained(args.model)
    manifest_path = os.path.join(folder, "manifest.json")
    if args.check_only:
        manifest = onnx_git.read_manifest(folder)
    else:
        manifest = {"model": os.path.abspath(args.model),
                    "exporter": "torch.onnx.export(dynamo=True): torch.export, then onnxscript's translation",
                    "bos_token_id": model.generation_config.bos_token_id,
                    "eos_token_id": model.generation_config.eos_token_id,
                    "pad_token_id": model.generation_config.pad_token_id,
                    "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                                 "onnx": onnx.__version__, "onnxscript": onnxscript.__version__,
                                 "onnxruntime": onnxruntime.__version__}}
        with torch.no_grad():
            manifest.update(export(model, folder, log))
        manifest["int8"] = quantize(folder, log)
        os.makedirs(folder, exist_ok=True)
        with open(manifest_path, "w") as f:
            json.dump(manifest, f, indent=1)

    def rgb(name):
        with Image.open(os.path.join(REPO, "Fixtures", "images", name)) as im:
            return im.convert("RGB")

    start = time.perf_counter()
    refs, batch_ref = transformers_reference(model, processor, [rgb(name) for name in CHECK_IMAGES])
    log(f"transformers reference on {len(CHECK_IMAGES)} images in {time.perf_counter() - start:.1f} s")
    parity = {"images": CHECK_IMAGES, "tolerance_fp32": FP32_TOLERANCE, "new_tokens": NEW_TOKENS}
    for precision in onnx_git.PRECISIONS:
        runner = onnx_git.OnnxGit(folder, precision, args.threads)
        result = check(runner, refs, batch_ref)
        parity[precision] = dict(summarise(precision, result, log), details=result)
    manifest["parity"] = parity
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=1)
    log(f"wrote {folder}")
    if not parity["fp32"]["within_fp32_tolerance"]:
        log(f"fp32 graphs are NOT within {FP32_TOLERANCE:g} of transformers or their ids differ")
        return 1
    log(f"fp32 graphs agree with transformers within {FP32_TOLERANCE:g}, equal ids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
