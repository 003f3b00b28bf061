#!/usr/bin/python3
"""No-data counts of the bundled TRR3 sample, from the raw IMG files with numpy alone.

test_cli infoJsonHasTheDocumentedKeys: pixels with no value (65535) in any S or L band -> 60.
test_io (TRR3 reader): of the raw S values at samples 0, 5, 32, 63 x lines 0, 7, 14 x bands 0, 20, 53,
106, how many are 65535 -> 24.
The IMGs are line-interleaved (BIL) little-endian float32, 64 samples x 15 lines; S has 107 bands,
L 438 (their labels say so)."""
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "crism", "trr3")


def cube(name, bands):
    raw = np.fromfile(os.path.join(ROOT, name), dtype="<f4", count=15 * bands * 64)
    return raw.reshape(15, bands, 64)  # line, band, sample


s = cube("frt0001458f_01_if156s_trr3.img", 107)
l = cube("frt0001458f_01_if156l_trr3.img", 438)
nodata = (s == 65535).all(axis=1) & (l == 65535).all(axis=1)
print("pixels without any valid S or L value:", int(nodata.sum()))
picked = s[np.ix_([0, 7, 14], [0, 20, 53, 106], [0, 5, 32, 63])]
print("65535 among the 48 sampled S values:", int((picked == 65535).sum()))
