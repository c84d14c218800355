"""Writes the test images of Fixtures/images/ (photos from scikit-image's bundled samples plus generated edge cases)
and the bad inputs of Fixtures/images/bad/. Deterministic, no network. Run with tools/reference/.venv/bin/python.

Photos keep their original bytes where they are small enough; the others are re-encoded as stated in SOURCES.md.
Generated images use gradients, seeded noise and shapes so that resampling and chroma upsampling are exercised.
"""

import io
import shutil
import struct
import zlib
from pathlib import Path

import numpy as np
import skimage
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "Fixtures" / "images"
BAD = OUT / "bad"
SKIMAGE_DATA = Path(skimage.__file__).parent / "data"


def pattern(width, height, seed, channels=3):
    """Gradients + seeded noise + a few shapes, as uint8 [height, width, channels]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = [
        255 * x / max(width - 1, 1),
        255 * y / max(height - 1, 1),
        127.5 + 127.5 * np.sin((x + 2 * y) / 7.0),
        255 * ((x + y) % 32) / 31,
    ]
    planes = np.stack(base[:channels], axis=-1) + rng.normal(0, 18, size=(height, width, channels))
    pixels = np.clip(planes, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels)
    draw = ImageDraw.Draw(image)
    for index in range(4):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1, y1 = x0 + int(rng.integers(1, max(2, width // 2))), y0 + int(rng.integers(1, max(2, height // 2)))
        fill = tuple(int(v) for v in rng.integers(0, 256, size=channels)) if channels > 1 else int(rng.integers(0, 256))
        (draw.ellipse if index % 2 else draw.rectangle)([x0, y0, x1, y1], fill=fill)
    return np.asarray(image).reshape(height, width, channels)


def alpha_ramp(width, height, seed):
    """Alpha with fully transparent, fully opaque and partial regions."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    alpha = 255 * (x / max(width - 1, 1)) * (0.5 + 0.5 * np.cos(y / 9.0)) + rng.normal(0, 10, size=(height, width))
    alpha = np.clip(alpha, 0, 255).astype(np.uint8)
    alpha[: height // 4, : width // 4] = 0
    alpha[-height // 4 :, -width // 4 :] = 255
    return alpha


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_raw_png(path, array, color_type, bit_depth, extra_chunks=b""):
    """A PNG written chunk by chunk (Pillow cannot write 16-bit RGB, nor 2-bit gray with tRNS).
    `array` is [height, width, channels]; bit depths below 8 are packed big-endian as PNG wants."""
    height, width = array.shape[:2]
    if bit_depth < 8:
        bits = np.unpackbits(array.astype(np.uint8).reshape(height, width, 1), axis=-1)[:, :, 8 - bit_depth :]
        rows = np.packbits(bits.reshape(height, -1), axis=-1)
    else:
        rows = array.astype(">u2" if bit_depth == 16 else "u1").reshape(height, -1)
    raw = b"".join(b"\x00" + row.tobytes() for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + extra_chunks
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


def save(image, name, **options):
    image.save(OUT / name, **options)


def photos():
    """Real photographs. rocket.jpg and chelsea.png are byte-for-byte copies of the scikit-image files."""
    shutil.copyfile(SKIMAGE_DATA / "rocket.jpg", OUT / "rocket.jpg")
    shutil.copyfile(SKIMAGE_DATA / "chelsea.png", OUT / "chelsea.png")
    coffee = Image.open(SKIMAGE_DATA / "coffee.png").convert("RGB")
    save(coffee, "coffee.jpg", quality=90, subsampling="4:2:0")
    astronaut = Image.open(SKIMAGE_DATA / "astronaut.png").convert("RGB").resize((256, 256), Image.Resampling.LANCZOS)
    save(astronaut, "astronaut_progressive.jpg", quality=90, subsampling="4:2:0", progressive=True)


def generated():
    rgb = pattern(160, 120, 1)
    save(Image.fromarray(rgb), "pattern_444.jpg", quality=92, subsampling="4:4:4")
    save(Image.fromarray(rgb), "pattern_420.jpg", quality=92, subsampling="4:2:0")
    save(Image.fromarray(rgb), "pattern_422.jpg", quality=92, subsampling="4:2:2")
    save(Image.fromarray(rgb), "pattern_progressive.jpg", quality=85, progressive=True)
    save(Image.fromarray(rgb).convert("CMYK"), "pattern_cmyk.jpg", quality=92)
    gray = pattern(150, 110, 2, channels=1)[:, :, 0]
    save(Image.fromarray(gray), "gray.png")
    save(Image.fromarray(gray), "gray.jpg", quality=90)
    save(Image.fromarray(gray), "gray_trns.png", transparency=int(gray[0, 0]))
    save(Image.fromarray(pattern(120, 90, 3)), "rgb_trns.png", transparency=tuple(int(v) for v in pattern(120, 90, 3)[0, 0]))
    rgba = np.dstack([pattern(140, 100, 4), alpha_ramp(140, 100, 5)])
    save(Image.fromarray(rgba), "rgba.png")
    la = np.dstack([pattern(100, 130, 6, channels=1)[:, :, 0], alpha_ramp(100, 130, 7)])
    save(Image.fromarray(la, mode="LA"), "la.png")
    palette_image = Image.fromarray(pattern(128, 96, 8)).quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    alphas = bytes(int(v) for v in np.linspace(0, 255, 64))
    save(palette_image, "palette_trns.png", transparency=alphas)
    save(Image.fromarray(pattern(128, 96, 9)).quantize(colors=16, dither=Image.Dither.NONE), "palette_4bit.png", bits=4)
    rng = np.random.default_rng(10)
    y, x = np.mgrid[0:80, 0:110]
    rgb16 = np.stack([x * 595, y * 829, (x * y * 7) % 65536], axis=-1) + rng.integers(0, 300, size=(80, 110, 3))
    write_raw_png(OUT / "rgb16.png", np.clip(rgb16, 0, 65535), color_type=2, bit_depth=16)
    gray16 = (x * 600 + y * 7 + rng.integers(0, 200, size=(80, 110)))[:, :, None]
    write_raw_png(OUT / "gray16.png", np.clip(gray16, 0, 65535), color_type=0, bit_depth=16)
    # 16-bit with a real alpha channel (libpng premultiplies it) and with colour keys and colour-management chunks
    # (which Pillow ignores and libpng would apply).
    rgba16 = np.dstack([rgb16, alpha_ramp(110, 80, 15).astype(np.int64) * 257 + rng.integers(0, 257, size=(80, 110))])
    write_raw_png(OUT / "rgba16.png", np.clip(rgba16, 0, 65535), color_type=6, bit_depth=16)
    la16 = np.dstack([gray16[:, :, 0], alpha_ramp(110, 80, 16).astype(np.int64) * 257])
    write_raw_png(OUT / "la16.png", np.clip(la16, 0, 65535), color_type=4, bit_depth=16)
    srgb = png_chunk(b"sRGB", b"\x00")
    key = int(gray16[3, 0, 0])  # below 256, so it matches pixels of the first column
    write_raw_png(OUT / "gray16_trns.png", np.clip(gray16, 0, 65535), 0, 16, srgb + png_chunk(b"tRNS", struct.pack(">H", key)))
    linear_gamma = png_chunk(b"gAMA", struct.pack(">I", 100000)) + png_chunk(
        b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000)
    )
    write_raw_png(OUT / "rgb_gama.png", pattern(64, 48, 17), color_type=2, bit_depth=8, extra_chunks=linear_gamma)
    gray2 = (pattern(40, 30, 18, channels=1) // 64).astype(np.uint8)
    write_raw_png(OUT / "gray2_trns.png", gray2, 0, 2, png_chunk(b"tRNS", struct.pack(">H", 0)))
    gray1 = (pattern(33, 21, 19, channels=1) // 128).astype(np.uint8)
    write_raw_png(OUT / "gray1_trns.png", gray1, 0, 1, png_chunk(b"tRNS", struct.pack(">H", 0)))
    save(Image.fromarray(pattern(1, 1, 11)), "tiny_1x1.png")
    save(Image.fromarray(pattern(17, 23, 12)), "odd_17x23.jpg", quality=90, subsampling="4:2:0")
    save(Image.fromarray(pattern(17, 23, 12)), "odd_17x23.png")
    save(Image.fromarray(pattern(1000, 120, 13)), "wide_1000x120.png")
    save(Image.fromarray(pattern(90, 700, 14)), "tall_90x700.jpg", quality=90, subsampling="4:2:0")


def bad_inputs():
    BAD.mkdir(exist_ok=True)
    jpeg = (OUT / "tall_90x700.jpg").read_bytes()
    (BAD / "truncated.jpg").write_bytes(jpeg[: len(jpeg) * 3 // 5])
    png = (OUT / "odd_17x23.png").read_bytes()
    (BAD / "truncated.png").write_bytes(png[: len(png) // 2])
    garbage = np.random.default_rng(20).integers(0, 256, size=2000, dtype=np.uint8).tobytes()
    (BAD / "corrupt.jpg").write_bytes(b"\xff\xd8" + garbage)
    # Flip one byte inside the first IDAT payload and keep the old CRC: a CRC error in a critical chunk.
    idat = png.index(b"IDAT") + 4
    flipped = bytearray(png)
    flipped[idat + 10] ^= 0xFF
    (BAD / "bad_crc.png").write_bytes(bytes(flipped))
    # A valid chunk structure whose IDAT is not a zlib stream.
    ihdr = struct.pack(">IIBBBBB", 17, 23, 8, 2, 0, 0, 0)
    (BAD / "bad_idat.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", garbage[:200]) + png_chunk(b"IEND", b"")
    )
    (BAD / "empty.jpg").write_bytes(b"")
    (BAD / "text.jpg").write_bytes(b"This is a text file, not a JPEG image.\n")
    huge = struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)
    (BAD / "huge_100000x100000.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", huge) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + png_chunk(b"IEND", b"")
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    photos()
    generated()
    bad_inputs()
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file())
    print(f"wrote {len(list(OUT.rglob('*.*')))} files, {total} bytes")


if __name__ == "__main__":
    main()
