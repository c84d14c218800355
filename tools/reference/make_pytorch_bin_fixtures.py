"""Writes the small PyTorch checkpoint fixtures of the `pytorch_model.bin` reader (issue 6) and their golden.

    tools/reference/.venv/bin/python tools/reference/make_pytorch_bin_fixtures.py

Fixtures/pytorch/state_dict.bin       torch.save (zip format) of a state dict: f32, f16 and bf16 tensors, a tensor that is
                                      a view into another's storage (storage offset 2), a 0-d tensor, and the
                                      `_metadata` attribute every nn.Module state dict carries
Fixtures/pytorch/malicious.bin        a zip checkpoint whose data.pkl calls os.system (GLOBAL posix system + REDUCE):
                                      Python's pickle would run `touch <marker>`; a safe reader must refuse it
Fixtures/pytorch/transformers4.bin    a state dict made the way transformers 4.2x `save_pretrained` made the 2023
                                      `pytorch_model.bin` uploads: `module.state_dict()` of a small GIT-like module
                                      tree (f32 parameters, the `_metadata` of every module) with the int64
                                      `position_ids` buffers 4.2x registered as persistent (`torch.arange(n).expand((1,
                                      -1))`), so that the pickle names `torch.LongStorage`
Fixtures/pytorch/parameters.bin       the same module's `named_parameters()` in an OrderedDict: every tensor goes through
                                      `torch._utils._rebuild_parameter`
Fixtures/pytorch/storage_types.bin    one tensor per storage type a state dict may carry (Float, Half, BFloat16, Double,
                                      Long, Int, Short, Char, Byte, Bool)
Fixtures/goldens/pytorch_bin.json     per tensor of each file: dtype, shape, strides and the sha256 of its contiguous
                                      little-endian bytes (torch 2.15); for transformers4.bin and parameters.bin also the
                                      `_metadata` keys and the sha256 of data.pkl, which the Swift test writer must
                                      reproduce byte for byte
"""
import collections
import hashlib
import io
import json
import os
import pickle
import zipfile

import torch
from torch import nn

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Fixtures", "pytorch")


class GitLikeEmbeddings(nn.Module):
    """Like transformers 4.2x `GitEmbeddings`: the position_ids buffer is registered without `persistent=False`."""

    def __init__(self, vocabulary, positions, hidden):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocabulary, hidden)
        self.position_embeddings = nn.Embedding(positions, hidden)
        self.LayerNorm = nn.LayerNorm(hidden)
        self.register_buffer("position_ids", torch.arange(positions).expand((1, -1)))


class ClipLikeEmbeddings(nn.Module):
    """Like transformers 4.2x `CLIPVisionEmbeddings`: a parameter of its own, then the persistent position_ids."""

    def __init__(self, positions, hidden):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(hidden))
        self.patch_embedding = nn.Conv2d(3, hidden, kernel_size=2, stride=2, bias=False)
        self.position_embedding = nn.Embedding(positions, hidden)
        self.register_buffer("position_ids", torch.arange(positions).expand((1, -1)))


class GitLike(nn.Module):
    def __init__(self):
        super().__init__()
        self.git = nn.Module()
        self.git.embeddings = GitLikeEmbeddings(vocabulary=7, positions=6, hidden=4)
        self.git.image_encoder = nn.Module()
        self.git.image_encoder.vision_model = nn.Module()
        self.git.image_encoder.vision_model.embeddings = ClipLikeEmbeddings(positions=5, hidden=4)
        self.output = nn.Linear(4, 7)


def tensor_entries(state):
    entries = []
    for name, tensor in state.items():
        data = tensor.detach().contiguous()
        raw = data.view(torch.int16).numpy().tobytes() if data.dtype == torch.bfloat16 else data.numpy().tobytes()
        entries.append({"name": name, "dtype": str(data.dtype).replace("torch.", ""), "shape": list(data.shape),
                        "strides": list(tensor.stride()), "sha256": hashlib.sha256(raw).hexdigest()})
    return entries


def pickle_sha256(path):
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
        return hashlib.sha256(archive.read(name)).hexdigest()


def main():
    os.makedirs(OUT, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    base = torch.arange(10, dtype=torch.float32) / 4
    state = collections.OrderedDict()
    state["layer.weight"] = torch.randn(3, 4, generator=generator)
    state["layer.bias"] = torch.randn(4, generator=generator).half()
    state["embeddings.weight"] = torch.randn(2, 3, generator=generator).bfloat16()
    state["shared.all"] = base
    state["shared.view"] = base[2:6]
    state["scale"] = torch.tensor(1.5)
    state._metadata = collections.OrderedDict({"": {"version": 1}, "layer": {"version": 1}})
    path = os.path.join(OUT, "state_dict.bin")
    torch.save(state, path)

    tensors = tensor_entries(state)

    torch.manual_seed(0)
    module = GitLike()
    transformers4 = module.state_dict()
    assert transformers4["git.embeddings.position_ids"].dtype == torch.int64
    transformers4_path = os.path.join(OUT, "transformers4.bin")
    torch.save(transformers4, transformers4_path)
    parameters = collections.OrderedDict(module.named_parameters())
    parameters_path = os.path.join(OUT, "parameters.bin")
    torch.save(parameters, parameters_path)

    storage_types = collections.OrderedDict()
    for dtype in [torch.float32, torch.float16, torch.bfloat16, torch.float64, torch.int64, torch.int32, torch.int16,
                  torch.int8, torch.uint8, torch.bool]:
        values = torch.tensor([[-3, -1, 0], [1, 2, 5]]) if dtype != torch.uint8 else torch.tensor([[0, 1, 2], [127, 128, 255]])
        storage_types[str(dtype).replace("torch.", "")] = (values / 2 if dtype.is_floating_point else values).to(dtype)
    storage_types_path = os.path.join(OUT, "storage_types.bin")
    torch.save(storage_types, storage_types_path)

    # A checkpoint whose pickle runs a shell command in Python's unpickler.
    marker = "/tmp/image2text-malicious-pickle-ran"
    payload = b"\x80\x02cposix\nsystem\nq\x00X" + len(f"touch {marker}").to_bytes(4, "little") + \
        f"touch {marker}".encode() + b"\x85R."
    with zipfile.ZipFile(os.path.join(OUT, "malicious.bin"), "w", zipfile.ZIP_STORED) as archive:
        for name, contents in [("malicious/data.pkl", payload), ("malicious/version", "3\n")]:
            # A fixed timestamp (the first run's), so that a rerun writes the same bytes.
            entry = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 19, 50, 54))
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, contents)
    assert pickle.loads  # (never called on the payload here)

    golden = {
        "origin": {"script": "tools/reference/make_pytorch_bin_fixtures.py", "torch": torch.__version__},
        "tolerance": "exact (sha256 of each tensor's contiguous little-endian bytes)",
        "files": {"state_dict": "Fixtures/pytorch/state_dict.bin", "malicious": "Fixtures/pytorch/malicious.bin",
                  "transformers4": "Fixtures/pytorch/transformers4.bin", "parameters": "Fixtures/pytorch/parameters.bin",
                  "storage_types": "Fixtures/pytorch/storage_types.bin"},
        "malicious_marker": marker,
        "tensors": tensors,
        "transformers4": {"tensors": tensor_entries(transformers4), "metadata": list(transformers4._metadata.keys()),
                          "pickle_sha256": pickle_sha256(transformers4_path)},
        "parameters": {"tensors": tensor_entries(parameters), "pickle_sha256": pickle_sha256(parameters_path)},
        "storage_types": {"tensors": tensor_entries(storage_types)},
    }
    with open(os.path.join(REPO, "Fixtures", "goldens", "pytorch_bin.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(json.dumps(tensors, indent=1))


if __name__ == "__main__":
    main()
