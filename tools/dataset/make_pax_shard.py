#!/usr/bin/env python3
"""Writes Fixtures/datasets/pax-shard.tar, and the same bytes as the tar fuzz target's seed
Fuzz/Corpus/tar/python-pax.tar: a WebDataset shard as WebDataset's TarWriter writes one, through Python's
tarfile in its default (pax) format, with keys that need pax extended headers: one longer than the 100-byte ustar name
field and one that is not ASCII. Deterministic: fixed member metadata, so the file is the same on every run.

    python3 tools/dataset/make_pax_shard.py

TarReaderTests reads it and expects the full keys, which the ustar headers alone would truncate or mangle.
"""
import io
import pathlib
import tarfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUTS = [ROOT / "Fixtures" / "datasets" / "pax-shard.tar", ROOT / "Fuzz" / "Corpus" / "tar" / "python-pax.tar"]
SAMPLES = [
    ("shard-0/" + "long-key-" * 14 + "0001", {"png": (ROOT / "Fixtures/easyvqa/0.png").read_bytes(), "txt": b"a red triangle"}),
    ("shard-0/caf\u00e9-\u00fcber-0002", {"png": (ROOT / "Fixtures/easyvqa/10.png").read_bytes(), "txt": b"second"}),
    ("shard-0/short-0003", {"txt": b"third"}),
]


def main():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:  # tarfile's default format: pax
        assert tar.format == tarfile.PAX_FORMAT
        for key, parts in SAMPLES:
            for extension, data in parts.items():
                info = tarfile.TarInfo(f"{key}.{extension}")
                info.size, info.mtime, info.mode, info.uname, info.gname = len(data), 0, 0o444, "", ""
                tar.addfile(info, io.BytesIO(data))
    for out in OUTPUTS:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(buffer.getvalue())
        print(f"wrote {out.relative_to(ROOT)} ({len(buffer.getvalue())} bytes)")


if __name__ == "__main__":
    main()
