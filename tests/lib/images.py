#!/usr/bin/env python3
"""Test images, made with the standard library and poppler: no image files in the repository.

    images.py png WIDTH HEIGHT [--depth 8|16] OUT   a logo-like PNG (a green badge, white stripes)
    images.py jpeg WIDTH HEIGHT OUT                 the same picture as a JPEG (drawn by pdftoppm)
    images.py png-header WIDTH HEIGHT OUT           a PNG header claiming that size, no pixels
"""
import os
import struct
import subprocess
import sys
import tempfile
import zlib

GREEN = (0x1F, 0x6F, 0x43)
WHITE = (0xFF, 0xFF, 0xFF)


def pixel(x, y, w, h):
    """A badge: green, with three white diagonal stripes and a white border inset."""
    inset = max(1, min(w, h) // 12)
    if x < inset or y < inset or x >= w - inset or y >= h - inset:
        return WHITE
    if ((x + y) * 6 // max(1, w + h)) % 2 and (x + y) % max(4, h // 3) < max(2, h // 8):
        return WHITE
    return GREEN


def png(w, h, depth):
    rows = bytearray()
    for y in range(h):
        rows.append(0)  # filter: none
        for x in range(w):
            for c in pixel(x, y, w, h):
                rows += bytes([c, c]) if depth == 16 else bytes([c])

    return (b"\x89PNG\r\n\x1a\n" + png_ihdr(w, h, depth) +
            chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_ihdr(w, h, depth):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, 2, 0, 0, 0))


def jpeg(w, h):
    """A one-page PDF of w x h points filled like the PNG (as stripes of rectangles), drawn by
    pdftoppm at 72 dpi: w x h pixels."""
    ops = ["0.122 0.435 0.263 rg 0 0 %d %d re f" % (w, h), "1 1 1 rg"]
    for k in range(3):
        x = (k + 1) * w // 4
        ops.append("%d 0 %d %d re f" % (x, max(2, w // 20), h))
    content = "\n".join(ops).encode()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R >>" % (w, h),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = os.path.join(tmp, "p.pdf")
        with open(pdf, "wb") as f:
            f.write(out)
        subprocess.run(["pdftoppm", "-jpeg", "-r", "72", "-singlefile", pdf,
                        os.path.join(tmp, "p")], check=True)
        with open(os.path.join(tmp, "p.jpg"), "rb") as f:
            return f.read()


def main(argv):
    kind, w, h = argv[1], int(argv[2]), int(argv[3])
    if kind == "png-header":
        full = png(1, 1, 8)
        data, out = full[:8] + png_ihdr(w, h, 8) + full[-12:], argv[-1]
    elif kind == "png":
        depth = int(argv[5]) if argv[4] == "--depth" else 8
        data, out = png(w, h, depth), argv[-1]
    else:
        data, out = jpeg(w, h), argv[-1]
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main(sys.argv)
