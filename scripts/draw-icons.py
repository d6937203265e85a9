"""Draw Coparent's app icons (coparent/web/static/coparent/icons/): two rings, one for each
home, linked over the site's blue. Run again after changing the drawing:

    .venv/bin/python scripts/draw-icons.py

The "any" icons keep a margin and rounded corners; the maskable one fills its square and keeps
the rings inside the central 80 % circle that every launcher's mask leaves visible."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (31, 95, 153, 255)
WHITE = (255, 255, 255, 255)
AMBER = (255, 196, 120, 255)
OUT = Path(__file__).resolve().parent.parent / "coparent" / "web" / "static" / "coparent" / "icons"
SCALE = 4  # drawn large, then scaled down: smooth edges without an anti-aliasing library


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=BLUE)
        area = big * 0.62  # the rings' box, well inside the 80 % safe circle
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=BLUE)
        area = big * 0.74
    ring = area * 0.58  # each ring's diameter
    width = max(int(ring * 0.14), 2)
    top = (big - ring) / 2
    left = (big - area) / 2
    right = big - left - ring
    pen.ellipse((left, top, left + ring, top + ring), outline=WHITE, width=width)
    pen.ellipse((right, top, right + ring, top + ring), outline=AMBER, width=width)
    # Where the rings cross, the white one passes over: linked, not merged.
    cut = ImageDraw.Draw(image)
    cut.arc((left, top, left + ring, top + ring), start=-40, end=40, fill=WHITE, width=width)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
