#!/usr/bin/env python3
"""Draws resources/icons/org.jezero.Jezero.png (256 px) from the same shapes as the SVG icon beside it,
for Qt builds without the SVG plugin (the window icon) and icon themes that want a bitmap.
Needs Debian's python3-pil. Usage: packaging/make-icon-png.py"""
from pathlib import Path

from PIL import Image, ImageDraw

S = 8  # supersampling: drawn at 8 x 128 px, then reduced to 256 px
img = Image.new("RGBA", (128 * S, 128 * S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)


def p(x, y):
    return (x * S, y * S)


def circle(cx, cy, r, fill, outline=None, width=0):
    d.ellipse([p(cx - r, cy - r), p(cx + r, cy + r)], fill=fill, outline=outline, width=width * S)


# Mars disc: a radial gradient as in the SVG (light centre up-left, dark limb)
for i in range(58 * S, 0, -1):
    t = i / (58 * S)
    stops = [(0.0, (0xF0, 0xA0, 0x60)), (0.6, (0xC1, 0x59, 0x2B)), (1.0, (0x6E, 0x28, 0x12))]
    for (t0, c0), (t1, c1) in zip(stops, stops[1:]):
        if t0 <= t <= t1:
            f = (t - t0) / (t1 - t0)
            colour = tuple(int(a + (b - a) * f) for a, b in zip(c0, c1))
    cx = 64 - 14 * (1 - t)
    cy = 64 - 17 * (1 - t)
    d.ellipse([cx * S - i, cy * S - i, cx * S + i, cy * S + i], fill=colour + (255,))
circle(50, 56, 20, (0xA4, 0x48, 0x20, 255), (0xF4, 0xC0, 0x8A, 255), 3)
d.line([p(36, 60), p(43, 55.5), p(50, 58), p(56, 61), p(62, 58)], fill=(0x3F, 0xBF, 0x7F, 255), width=4 * S, joint="curve")
circle(88, 86, 7, (0xA4, 0x48, 0x20, 255), (0xF4, 0xC0, 0x8A, 255), 2)
points = [(14, 98), (30, 90), (42, 94), (52, 84), (64, 80), (74, 90), (80, 80), (90, 76), (98, 88), (104, 78), (116, 74)]
d.line([p(x, y) for x, y in points], fill=(255, 255, 255, 255), width=5 * S, joint="curve")
for x, y in (points[0], points[-1]):
    circle(x, y, 2.5, (255, 255, 255, 255))
out = Path(__file__).resolve().parent.parent / "resources/icons/org.jezero.Jezero.png"
img.resize((256, 256), Image.LANCZOS).save(out)
print("wrote", out)
