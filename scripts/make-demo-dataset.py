#!/usr/bin/python3
"""Build GAN Studio's bundled demo data set from Debian's Fashion-MNIST.

Reads the training set's idx files (gzipped or not) from
/usr/share/datasets/fashion-mnist/ (Debian package ``dataset-fashion-mnist``),
takes the first 300 images of each of the 10 classes in training-set order
(3,000 images) and writes them as 28x28 8-bit grayscale PNGs to

    resources/demo/fashion-mnist/<class-name>/<training-index>.png

Standard library only: the idx parser and the PNG writer are hand-written, so
the script runs with the system /usr/bin/python3 and nothing installed. The
output is deterministic (same input, same bytes).

Usage:
    /usr/bin/python3 scripts/make-demo-dataset.py [--source DIR] [--out DIR] [--per-class N]
    npm run make-demo-data
"""

import argparse
import gzip
import os
import shutil
import struct
import sys
import zlib

CLASS_NAMES = [
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle-boot",
]

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = "/usr/share/datasets/fashion-mnist"
DEFAULT_OUT = os.path.join(REPO_ROOT, "resources", "demo", "fashion-mnist")


def open_idx(source, stem):
    """Return the bytes of <stem> or <stem>.gz in the source folder."""
    for name, opener in ((stem, open), (stem + ".gz", gzip.open)):
        path = os.path.join(source, name)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                return f.read()
    sys.exit(f"error: {stem}[.gz] not found in {source} (apt-get install dataset-fashion-mnist)")


def parse_idx(data, expected_dims):
    """Parse an idx file: magic (0, 0, dtype, ndims), big-endian u32 dims, then data."""
    zero, dtype, ndims = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08 or ndims != expected_dims:
        sys.exit(f"error: unexpected idx header (dtype {dtype:#x}, {ndims} dims)")
    dims = struct.unpack(">" + "I" * ndims, data[4:4 + 4 * ndims])
    body = data[4 + 4 * ndims:]
    size = 1
    for d in dims:
        size *= d
    if len(body) != size:
        sys.exit(f"error: idx body is {len(body)} bytes, expected {size}")
    return dims, body


def png_chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_rows(pixels, width, height, ftype):
    """Apply one PNG filter type (0-4) to every row of an 8-bit gray image."""
    out = bytearray()
    prev = bytes(width)
    for y in range(height):
        row = pixels[y * width:(y + 1) * width]
        out.append(ftype)
        for x in range(width):
            a = row[x - 1] if x else 0
            b = prev[x]
            c = prev[x - 1] if x else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = a
            elif ftype == 2:
                pred = b
            elif ftype == 3:
                pred = (a + b) // 2
            else:
                pred = paeth(a, b, c)
            out.append((row[x] - pred) & 0xFF)
        prev = row
    return bytes(out)


def encode_gray_png(pixels, width, height):
    """An 8-bit grayscale PNG; picks the filter type that compresses smallest."""
    idat = min((zlib.compress(filter_rows(pixels, width, height, f), 9) for f in range(5)), key=len)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit, grayscale, no interlace
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)
            + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", default=DEFAULT_SOURCE, help="folder with the Fashion-MNIST idx files")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (replaced)")
    ap.add_argument("--per-class", type=int, default=300, help="images per class (default 300)")
    args = ap.parse_args()

    (n_img, rows, cols), images = parse_idx(open_idx(args.source, "train-images-idx3-ubyte"), 3)
    (n_lab,), labels = parse_idx(open_idx(args.source, "train-labels-idx1-ubyte"), 1)
    if n_img != n_lab:
        sys.exit(f"error: {n_img} images but {n_lab} labels")

    if os.path.isdir(args.out):
        shutil.rmtree(args.out)
    for name in CLASS_NAMES:
        os.makedirs(os.path.join(args.out, name))

    per_image = rows * cols
    taken = [0] * len(CLASS_NAMES)
    total_bytes = 0
    for i in range(n_img):
        label = labels[i]
        if taken[label] >= args.per_class:
            if min(taken) >= args.per_class:
                break
            continue
        taken[label] += 1
        png = encode_gray_png(images[i * per_image:(i + 1) * per_image], cols, rows)
        path = os.path.join(args.out, CLASS_NAMES[label], f"{i:05d}.png")
        with open(path, "wb") as f:
            f.write(png)
        total_bytes += len(png)

    if min(taken) < args.per_class:
        sys.exit(f"error: not enough images for every class: {taken}")
    print(f"wrote {sum(taken)} images ({len(CLASS_NAMES)} classes x {args.per_class}), "
          f"{total_bytes / 1e6:.2f} MB of PNG data, to {os.path.relpath(args.out, os.getcwd())}")


if __name__ == "__main__":
    main()
