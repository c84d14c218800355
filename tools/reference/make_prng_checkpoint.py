#!/usr/bin/env python3
"""Builds the full-size PRNG checkpoint (git-base shape, deterministic weights, no download) described in
tools/reference/PRNG_CHECKPOINT.md, and writes the golden that ties the Swift generator to this one.

    tools/reference/.venv/bin/python tools/reference/make_prng_checkpoint.py [--output DIR]

Outputs:
  DIR (default tools/reference/.cache/git-base-prng, git-ignored): model.safetensors (~706 MB) + config, generation
      config, processor and tokenizer files as transformers 5.23 saves them (plus vocab.txt, copied from the fixture,
      so that the folder also has the hub layout's tokenizer file).
  Fixtures/goldens/prng_checkpoint_tensors.json: name, dtype, shape and sha256 (little-endian float32 bytes) of every
      tensor in state_dict() order, the parameter count and the sha256 of model.safetensors.
  Fixtures/prng-checkpoint/: the small non-weight files 5.23 wrote (config.json, generation_config.json,
      processor_config.json, tokenizer_config.json), so that Swift tests can assemble a complete checkpoint folder.

Deterministic; no network (HF_HUB_OFFLINE=1); takes seconds for the values (vectorised SplitMix64 in numpy).
"""
import argparse
import fnmatch
import hashlib
import json
import os
import shutil
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
VOCAB = os.path.join(REPO, "Fixtures", "vocab", "bert-base-uncased-vocab.txt")
GOLDEN = os.path.join(REPO, "Fixtures", "goldens", "prng_checkpoint_tensors.json")
SMALL_FILES_DIR = os.path.join(REPO, "Fixtures", "prng-checkpoint")
SMALL_FILES = ["config.json", "generation_config.json", "processor_config.json", "tokenizer_config.json"]
EXPECTED_PARAMETERS = 176_619_066
EXPECTED_TENSORS = 305

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB


def fnv1a64(name: str) -> int:
    h = 0xCBF29CE484222325
    for byte in name.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & MASK64
    return h


# Role table of PRNG_CHECKPOINT.md, first match wins, top to bottom. Entries: (role, patterns, scale, offset).
ROLES = [
    ("layernorm_weight", ["*LayerNorm.weight", "*layer_norm1.weight", "*layer_norm2.weight",
                          "*pre_layrnorm.weight", "*post_layernorm.weight",
                          "git.visual_projection.visual_projection.1.weight"], 2.0 ** -3, 1.0),
    ("bias", ["*.bias"], 2.0 ** -4, 0.0),
    ("embedding", ["*word_embeddings.weight", "*position_embeddings.weight", "*position_embedding.weight",
                   "*class_embedding", "*img_temporal_embedding.*", "*img_temperal_embedding.*"], 1.0, 0.0),
    ("lm_head", ["output.weight"], 2.0 ** -1, 0.0),
]


def role_of(name: str, shape) -> tuple:
    """(role, scale, offset) of a tensor, by name (fnmatch patterns: '*' matches anything, also dots)."""
    for role, patterns, scale, offset in ROLES:
        if any(fnmatch.fnmatchcase(name, p) for p in patterns):
            return role, scale, offset
    fan_in = 1
    for d in shape[1:]:
        fan_in *= int(d)
    k = 0
    while 3 * 4 ** k < fan_in:
        k += 1
    return "weight", 2.0 ** -k, 0.0


def splitmix_values(name: str, count: int, scale: float, offset: float, chunk: int = 1 << 22) -> np.ndarray:
    """float32 values of a tensor, row-major, per PRNG_CHECKPOINT.md."""
    seed = np.uint64(fnv1a64(name))
    out = np.empty(count, dtype=np.float32)
    gamma, m1, m2 = np.uint64(GAMMA), np.uint64(MIX1), np.uint64(MIX2)
    s30, s27, s31, s40 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(40)
    with np.errstate(over="ignore"):
        for start in range(0, count, chunk):
            n = min(chunk, count - start)
            z = np.arange(start + 1, start + n + 1, dtype=np.uint64)
            z *= gamma          # state after (i+1) increments = seed + (i+1)·gamma (mod 2^64)
            z += seed
            z ^= z >> s30
            z *= m1
            z ^= z >> s27
            z *= m2
            z ^= z >> s31
            u = (z >> s40).astype(np.int64)            # 24-bit integer
            x = (u - (1 << 23)).astype(np.float64) * (2.0 ** -23)  # exact, in [-1, 1)
            v = x * scale                               # exact: scale is a power of two
            v += offset                                 # exact: offset + scale·x is a multiple of 2^-26 below 2
            out[start:start + n] = v.astype(np.float32)  # one round-to-nearest-even cast
    return out


def splitmix_reference(name: str, count: int, scale: float, offset: float) -> np.ndarray:
    """Scalar pure-Python version of the same scheme (slow); used to cross-check the vectorised one on a prefix."""
    state = fnv1a64(name)
    vals = []
    for _ in range(count):
        state = (state + GAMMA) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        z = z ^ (z >> 31)
        u = z >> 40
        x = (u - 2 ** 23) / 2 ** 23
        vals.append(offset + scale * x)
    return np.array(vals, dtype=np.float64).astype(np.float32)


def sha256_f32(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a, dtype="<f4").tobytes()).hexdigest()


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 24), b""):
            h.update(block)
    return h.hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", default=os.path.join(HERE, ".cache", "git-base-prng"),
                    help="checkpoint directory to write (default: tools/reference/.cache/git-base-prng)")
    ap.add_argument("--no-fixtures", action="store_true",
                    help="write only the checkpoint; leave Fixtures/ untouched")
    args = ap.parse_args()

    import torch
    import transformers
    import safetensors
    import safetensors.numpy
    from transformers import GitConfig, GitForCausalLM, GitProcessor, CLIPImageProcessor, BertTokenizer

    t0 = time.time()
    model = GitForCausalLM(GitConfig()).eval()
    reference_sd = model.state_dict()
    names = [k for k in reference_sd if not k.endswith("position_ids")]
    assert len(names) == EXPECTED_TENSORS, len(names)

    # Self-check of the vectorised generator against the scalar definition (prefixes of a few tensors).
    for probe in ["output.weight", "git.embeddings.LayerNorm.weight", "output.bias",
                  "git.encoder.layer.0.intermediate.dense.weight"]:
        shape = tuple(reference_sd[probe].shape)
        _, scale, offset = role_of(probe, shape)
        n = 5000
        assert np.array_equal(splitmix_values(probe, n, scale, offset, chunk=777),
                              splitmix_reference(probe, n, scale, offset)), probe

    t1 = time.time()
    arrays, entries, roles_count = {}, [], {}
    for name in names:
        shape = tuple(int(d) for d in reference_sd[name].shape)
        count = int(np.prod(shape)) if shape else 1
        role, scale, offset = role_of(name, shape)
        roles_count[role] = roles_count.get(role, 0) + 1
        a = splitmix_values(name, count, scale, offset).reshape(shape)
        arrays[name] = a
        entries.append({"name": name, "dtype": "F32", "shape": list(shape), "role": role, "scale": scale,
                        "offset": offset, "seed": f"{fnv1a64(name):016x}", "sha256": sha256_f32(a),
                        "first": [float(v) for v in a.reshape(-1)[:4]]})
    t2 = time.time()
    total = sum(int(np.prod(e["shape"])) for e in entries)
    assert total == EXPECTED_PARAMETERS, total
    print(f"generated {len(entries)} tensors, {total:,} values in {t2 - t1:.1f} s; roles {roles_count}")

    state = {k: torch.from_numpy(v) for k, v in arrays.items()}
    missing, unexpected = model.load_state_dict(state, strict=True)
    assert not missing and not unexpected, (missing, unexpected)
    # Parameters really hold the generated values (no tying, no copy conversion).
    for name, p in model.state_dict().items():
        if name in arrays:
            assert np.array_equal(p.detach().numpy(), arrays[name]), name

    os.makedirs(args.output, exist_ok=True)
    model.save_pretrained(args.output)
    ip = CLIPImageProcessor(size={"shortest_edge": 224}, crop_size={"height": 224, "width": 224},
                            image_mean=CLIP_MEAN, image_std=CLIP_STD)
    tok = BertTokenizer(VOCAB)  # positional! (keyword vocab_file= silently builds a 5-token vocab in 5.23)
    assert tok.vocab_size == 30522, tok.vocab_size
    GitProcessor(image_processor=ip, tokenizer=tok).save_pretrained(args.output)
    shutil.copyfile(VOCAB, os.path.join(args.output, "vocab.txt"))
    t3 = time.time()

    st_path = os.path.join(args.output, "model.safetensors")
    loaded = safetensors.numpy.load_file(st_path)
    assert set(loaded) == set(names), sorted(set(loaded) ^ set(names))
    for name in names:
        assert loaded[name].dtype == np.float32 and loaded[name].shape == arrays[name].shape, name
        assert np.array_equal(loaded[name], arrays[name]), name
    # safetensors header order (by offset), for the record
    with open(st_path, "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_len))
    file_order = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
    file_sha = sha256_file(st_path)
    file_size = os.path.getsize(st_path)
    t4 = time.time()
    print(f"saved + verified {st_path} ({file_size:,} bytes, sha256 {file_sha}) in {t4 - t2:.1f} s")
    print("files written:", sorted(os.listdir(args.output)))

    if args.no_fixtures:
        return 0
    golden = {
        "origin": {
            "script": "tools/reference/make_prng_checkpoint.py",
            "scheme": "tools/reference/PRNG_CHECKPOINT.md",
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
            "safetensors": safetensors.__version__,
            "python": sys.version.split()[0],
        },
        "tolerance": "exact: every tensor's sha256 of its little-endian float32 bytes must match (the scheme is "
                     "integer arithmetic plus exact float64 arithmetic and one round-to-nearest-even cast)",
        "tensor_count": len(entries),
        "parameter_count": total,
        "model_safetensors": {"sha256": file_sha, "bytes": file_size,
                              "header_metadata": header.get("__metadata__"),
                              "tensor_order_by_offset_first_last": [file_order[0], file_order[-1]]},
        "note": "tensors in state_dict() order; 'first' = the first 4 values (row-major) for locating a mismatch; "
                "model_safetensors describes the file transformers 5.23 save_pretrained wrote, whose byte layout "
                "another writer need not reproduce",
        "tensors": entries,
    }
    os.makedirs(os.path.dirname(GOLDEN), exist_ok=True)
    with open(GOLDEN, "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    os.makedirs(SMALL_FILES_DIR, exist_ok=True)
    for fn in SMALL_FILES:
        shutil.copyfile(os.path.join(args.output, fn), os.path.join(SMALL_FILES_DIR, fn))
    print(f"wrote {GOLDEN} ({os.path.getsize(GOLDEN):,} bytes) and {SMALL_FILES_DIR}/{{{','.join(SMALL_FILES)}}}")
    print(f"total {time.time() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
