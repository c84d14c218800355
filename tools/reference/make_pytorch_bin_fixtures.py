"""Writes the small PyTorch checkpoint fixtures of the `pytorch_model.bin` reader (issue 6) and their golden.

    tools/reference/.venv/bin/python tools/reference/make_pytorch_bin_fixtures.py

Fixtures/pytorch/state_dict.bin       torch.save (zip format) of a state dict: f32, f16 and bf16 tensors, a tensor that is
                                      a view into another's storage (storage offset 2), a 0-d tensor, and the
                                      `_metadata` attribute every nn.Module state dict carries
Fixtures/pytorch/malicious.bin        a zip checkpoint whose data.pkl calls os.system (GLOBAL posix system + REDUCE):
                                      Python's pickle would run `touch <marker>`; a safe reader must refuse it
Fixtures/goldens/pytorch_bin.json     per tensor of state_dict.bin: dtype, shape and the sha256 of its contiguous
                                      little-endian bytes (torch 2.15)
"""
import collections
import hashlib
import io
import json
import os
import pickle
import zipfile

import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(REPO, "Fixtures", "pytorch")


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

    tensors = []
    for name, tensor in state.items():
        data = tensor.contiguous()
        raw = data.view(torch.int16).numpy().tobytes() if data.dtype == torch.bfloat16 else data.numpy().tobytes()
        tensors.append({"name": name, "dtype": str(data.dtype).replace("torch.", ""), "shape": list(data.shape),
                        "sha256": hashlib.sha256(raw).hexdigest()})

    # A checkpoint whose pickle runs a shell command in Python's unpickler.
    marker = "/tmp/image2text-malicious-pickle-ran"
    payload = b"\x80\x02cposix\nsystem\nq\x00X" + len(f"touch {marker}").to_bytes(4, "little") + \
        f"touch {marker}".encode() + b"\x85R."
    with zipfile.ZipFile(os.path.join(OUT, "malicious.bin"), "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("malicious/data.pkl", payload)
        archive.writestr("malicious/version", "3\n")
    assert pickle.loads  # (never called on the payload here)

    golden = {
        "origin": {"script": "tools/reference/make_pytorch_bin_fixtures.py", "torch": torch.__version__},
        "tolerance": "exact (sha256 of each tensor's contiguous little-endian bytes)",
        "files": {"state_dict": "Fixtures/pytorch/state_dict.bin", "malicious": "Fixtures/pytorch/malicious.bin"},
        "malicious_marker": marker,
        "tensors": tensors,
    }
    with open(os.path.join(REPO, "Fixtures", "goldens", "pytorch_bin.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print(json.dumps(tensors, indent=1))


if __name__ == "__main__":
    main()
