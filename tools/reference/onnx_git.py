"""GIT under ONNX Runtime: the three graphs `export_onnx.py` writes, in CPU sessions, and the generate loops a user
would write around them (greedy and beam search, mirroring transformers 5.23's cached `generate`).

Graphs (one folder per precision, e.g. tools/reference/.cache/onnx/git-base-prng/fp32/; `manifest.json` one level up):
  vision.onnx           pixel_values [B, 3, 224, 224] -> image_tokens [B, 197, 768] (vision tower + visual projection)
  decoder_prefill.onnx  image_tokens [B, 197, 768], input_ids [B, T] -> logits [B, V] (last position only, as
                        generate's first step), image_key_i / image_value_i [B, 12, 197, 64] and text_key_i /
                        text_value_i [B, 12, T, 64] for every decoder layer i: one pass over image tokens + prompt
  decoder_step.onnx     input_ids [B, 1], image_key_i / image_value_i, past_text_key_i / past_text_value_i
                        [B, 12, P, 64] -> logits [B, V], text_key_i / text_value_i [B, 12, P + 1, 64]; the new
                        token's text position is P (text tokens before it), read from the cache's shape
Prompts are unpadded: every row of a batch has the same prompt ([CLS] for captions).
"""
import json
import os

import numpy as np
import onnxruntime as ort

GRAPHS = ("vision", "decoder_prefill", "decoder_step")
PRECISIONS = ("fp32", "int8")


def read_manifest(folder):
    with open(os.path.join(folder, "manifest.json")) as f:
        return json.load(f)


def session_options(threads):
    """N intra-op threads, one inter-op thread, sequential execution, every graph optimisation ORT has."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return options


def log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


class OnnxGit:
    """Sessions for one precision's three graphs and the loops that drive them."""

    def __init__(self, folder, precision, threads):
        self.manifest = read_manifest(folder)
        self.layers = self.manifest["decoder_layers"]
        self.bos, self.eos, self.pad = (self.manifest[k] for k in ("bos_token_id", "eos_token_id", "pad_token_id"))
        options = session_options(threads)
        self.sessions = {name: ort.InferenceSession(os.path.join(folder, precision, f"{name}.onnx"), options,
                                                    providers=["CPUExecutionProvider"]) for name in GRAPHS}
        self.image_cache_names = [f"image_{kind}_{i}" for i in range(self.layers) for kind in ("key", "value")]
        self.text_cache_names = [f"text_{kind}_{i}" for i in range(self.layers) for kind in ("key", "value")]

    def vision(self, pixel_values):
        return self.sessions["vision"].run(["image_tokens"], {"pixel_values": pixel_values})[0]

    def prefill(self, image_tokens, input_ids):
        """(logits [B, V], image cache, text cache); caches are lists in the order key_0, value_0, key_1, …"""
        names = ["logits"] + self.image_cache_names + self.text_cache_names
        out = self.sessions["decoder_prefill"].run(names, {"image_tokens": image_tokens, "input_ids": input_ids})
        return out[0], out[1:1 + 2 * self.layers], out[1 + 2 * self.layers:]

    def step(self, tokens, image_cache, text_cache):
        """(logits [B, V], text cache one longer) for tokens [B] at the next text position."""
        feed = {"input_ids": np.asarray(tokens, dtype=np.int64).reshape(-1, 1)}
        feed.update(zip(self.image_cache_names, image_cache))
        feed.update(zip(("past_" + n for n in self.text_cache_names), text_cache))
        out = self.sessions["decoder_step"].run(["logits"] + self.text_cache_names, feed)
        return out[0], out[1:]

    def greedy(self, pixel_values, max_new_tokens, min_new_tokens=0):
        """transformers' greedy `generate` from [CLS] per image: ids [B, 1 + generated] (padded with pad_token_id
        after a row's EOS; EOS is not chosen before min_new_tokens)."""
        batch = pixel_values.shape[0]
        ids = np.full((batch, 1), self.bos, dtype=np.int64)
        logits, image_cache, text_cache = self.prefill(self.vision(pixel_values), ids)
        finished = np.zeros(batch, dtype=bool)
        for produced in range(max_new_tokens):
            if produced > 0:
                logits, text_cache = self.step(ids[:, -1], image_cache, text_cache)
            if produced < min_new_tokens:
                logits[:, self.eos] = -np.inf
            tokens = np.where(finished, self.pad, logits.argmax(axis=-1))
            ids = np.concatenate([ids, tokens[:, None]], axis=1)
            finished |= tokens == self.eos
            if finished.all():
                break
        return ids

    def beam_search(self, pixel_values, num_beams, new_tokens):
        """transformers' beam search (length_penalty 1) for one image when EOS is blocked until the last token
        (min_new_tokens == max_new_tokens == new_tokens), so every hypothesis ends at the same length and the best
        is the highest summed log-probability: ids [1, 1 + new_tokens]. Vision and prefill run once; their caches
        are tiled over the beams (transformers runs them on num_beams copies of the image)."""
        if pixel_values.shape[0] != 1:
            raise ValueError("beam_search takes one image")
        ids = np.full((1, 1), self.bos, dtype=np.int64)
        logits, image_cache, text_cache = self.prefill(self.vision(pixel_values), ids)
        image_cache = [np.repeat(c, num_beams, axis=0) for c in image_cache]
        text_cache = [np.repeat(c, num_beams, axis=0) for c in text_cache]
        vocab = logits.shape[-1]
        scores = np.array([0.0] + [-1e9] * (num_beams - 1), dtype=np.float32)  # beams 1… start out of the race
        sequences = np.repeat(ids, num_beams, axis=0)
        logits = np.repeat(logits, num_beams, axis=0)
        for produced in range(new_tokens):
            if produced > 0:
                logits, text_cache = self.step(sequences[:, -1], image_cache, text_cache)
            log_probs = log_softmax(logits.astype(np.float32))
            log_probs[:, self.eos] = -np.inf  # min_new_tokens: after log_softmax, as transformers applies it
            total = (log_probs + scores[:, None]).reshape(-1)
            best = np.argpartition(-total, num_beams)[:num_beams]
            best = best[np.argsort(-total[best], kind="stable")]
            beams, tokens = best // vocab, best % vocab
            scores = total[best]
            sequences = np.concatenate([sequences[beams], tokens[:, None]], axis=1)
            text_cache = [c[beams] for c in text_cache]
        return sequences[:1]
