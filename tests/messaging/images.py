"""Image and PDF files for the upload tests: what phones send, and what attackers send."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image


def gif_bomb(frames: int = 8, side: int = 6000) -> bytes:
    """Issue #8's bomb, by hand: a 6000×6000 logical screen and `frames` frames of one pixel
    each. A few hundred bytes, yet every frame decodes to the whole screen (before the fix,
    12 s and 2 GB of memory for the eight, inside the write transaction)."""
    out = bytearray(b"GIF89a")
    out += struct.pack("<HHBBB", side, side, 0x80, 0, 0)  # global colour table of two
    out += b"\x00\x00\x00\xff\xff\xff"
    out += b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"  # loop for ever
    for index in range(frames):
        out += b"!\xf9\x04\x00\x0a\x00\x00\x00"  # 0.1 s per frame
        out += b"," + struct.pack("<HHHHB", index, index, 1, 1, 0)  # a 1×1 frame
        out += b"\x02\x02\x44\x01\x00"  # its LZW data: clear, colour 0, end
    out += b";"
    return bytes(out)


def animated(fmt: str, frames: int = 3, size: tuple[int, int] = (40, 30)) -> bytes:
    """A small animation in `fmt` (GIF, PNG for APNG, WEBP)."""
    images = [Image.new("RGB", size, (40 * i, 100, 200)) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, fmt, save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def huge_png(width: int = 10_000, height: int = 8_000) -> bytes:
    """A still PNG of `width` × `height` black pixels, written by hand in a few kilobytes."""
    row = b"\x00" + b"\x00" * width  # filter byte, then one grey byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def photo(width: int = 4032, height: int = 3024, *, fmt: str = "JPEG", seed: int = 0) -> bytes:
    """A photo-like picture (a gradient under sensor noise) at a phone's 12 megapixels: a few
    megabytes, like the real thing."""
    base = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 24 + seed)
    image = Image.merge("RGB", (base, noise, Image.blend(base, noise, 0.5)))
    out = io.BytesIO()
    image.save(out, fmt, quality=92)
    return out.getvalue()


def with_everything(fmt: str) -> bytes:
    """A small `fmt` picture carrying every kind of metadata that format can hold: EXIF with a
    GPS position, XMP, an ICC profile, a comment, text chunks."""
    image = Image.new("RGB", (32, 24), (10, 200, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.5)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>SECRET-XMP</rdf:Description>'
    xmp += b"</x:xmpmeta>"
    icc = b"\x00\x00\x02\x0cSECRET-ICC" + b"\x00" * 500
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, fmt, exif=exif, xmp=xmp, icc_profile=icc, comment=b"SECRET-COMMENT")
    elif fmt == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Comment", "SECRET-COMMENT")
        text.add_text("XML:com.adobe.xmp", xmp.decode())
        image.save(out, fmt, exif=exif, icc_profile=icc, pnginfo=text)
    elif fmt == "WEBP":
        image.save(out, fmt, exif=exif, xmp=xmp, icc_profile=icc)
    else:
        image.save(out, fmt, comment=b"SECRET-COMMENT")
    return out.getvalue()


def turned_jpeg() -> bytes:
    """A photo taken with the phone on its side: stored 60×20, EXIF orientation 6 (turn it a
    quarter clockwise to view), so it should come out 20×60, standing."""
    image = Image.new("RGB", (60, 20), (255, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def mpo_jpeg() -> bytes:
    """A JPEG with a second picture in it (MPO), as phones write an HDR gain map or a depth
    map beside the photo."""
    first = Image.new("RGB", (48, 32), (250, 200, 10))
    second = Image.new("RGB", (24, 16), (0, 0, 0))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def pdf(*objects: bytes, trailer: bytes = b"<</Root 1 0 R>>") -> bytes:
    """A PDF whose objects are `objects` (1 0 obj, 2 0 obj, …)."""
    body = b"".join(b"%d 0 obj\n%s\nendobj\n" % (n, o) for n, o in enumerate(objects, start=1))
    return b"%PDF-1.7\n" + body + b"trailer\n" + trailer + b"\n%%EOF\n"


def object_stream(
    *objects: bytes, first_number: int = 10, filters: bytes = b"/FlateDecode"
) -> bytes:
    """An object stream (`/Type /ObjStm`) holding `objects`, numbered from `first_number`,
    packed with FlateDecode: the way most PDF writers hide their dictionaries today."""
    header, body, offset = b"", b"", 0
    for n, o in enumerate(objects, start=first_number):
        header += b"%d %d " % (n, offset)
        body += o + b"\n"
        offset += len(o) + 1
    packed = zlib.compress(header + body)
    return (
        b"<</Type/ObjStm/N %d/First %d/Filter%s/Length %d>>\nstream\n"
        % (len(objects), len(header), filters, len(packed))
        + packed
        + b"\nendstream"
    )
