#!/usr/bin/python3
"""A second implementation of the CRISM team's hyperspectral summary-parameter code, transcribed from
the IDL routines (CAT "summary_parameters" v2.0: compute_summary_params_cev.pro with
mro_crism_wavelength_defaults(/conservative), mro_crism_lookupwv.pro, crism_sumutil_single.pro with
/hyper, crism_sumutil_band_depth.pro, crism_summary_bd1900_2.pro, crism_summary_bd3400_2.pro), with
numpy alone. Prints the parameters of one fixed spectrum on the MTRDR grid, float32 as the cubes are;
test_spectral `pipelineParametersMatchASecondImplementation` compares with them.

What the IDL does that this follows: channels outside 430-1015 nm (less 635-706) and 1044-3900 nm (less
2657-2797) are removed before anything; the channel is the nearest one (no distance limit); a kernel
of width w is the channels R - w//2 .. R + w//2 clamped at the ends; the median ignores NaN and averages
the middle pair of an even count (median(/even)); band-depth weights use the selected channels'
wavelengths."""
import os

import numpy as np

ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "resources", "crism", "wavelengths")
table = np.loadtxt(os.path.join(ROOT, "mtrdr_axis.tab"), delimiter=",")
grid = np.sort(table[:, 2])


def spectrum(w):
    """Mars-like: sloped continuum with a ripple, a 1.93 um and a 3.42 um absorption (float32)."""
    um = w / 1000.0
    s = 0.25 + 0.02 * um + 0.01 * np.sin(w / 97.0)
    s *= 1 - 0.05 * np.exp(-0.5 * ((w - 1930) / 30.0) ** 2)
    s *= 1 - 0.06 * np.exp(-0.5 * ((w - 3420) / 70.0) ** 2)
    return s.astype(np.float32)


kept = ((grid >= 430) & (grid <= 1015) & ~((grid > 635) & (grid < 706))) | ((grid >= 1044) & (grid <= 3900) & ~((grid > 2657) & (grid < 2797)))
wvt = grid[kept]
cube = spectrum(grid)[kept].astype(np.float64)


def lookup(nm):
    return int(np.where(np.abs(wvt - nm) == np.min(np.abs(wvt - nm)))[0][0])


def single(nm, width):
    r = lookup(nm)
    half = width // 2
    lo, hi = max(r - half, 0), min(r + half, len(wvt) - 1)
    return float(np.nanmedian(cube[lo:hi + 1])) if half else float(cube[r])


def band_depth(low, mid, hi, wl, wm, wh):
    a = (wvt[lookup(mid)] - wvt[lookup(low)]) / (wvt[lookup(hi)] - wvt[lookup(low)])
    return 1.0 - single(mid, wm) / ((1 - a) * single(low, wl) + a * single(hi, wh))


values = {
    "BD1900_2": band_depth(1850, 1930, 2067, 5, 5, 5),
    "BD3400_2": band_depth(3250, 3420, 3630, 10, 15, 10),
    "R1330": single(1330, 11),
    "R3920": single(3920, 5),
    "BD2500_2": band_depth(2364, 2480, 2570, 5, 5, 5),
    "R1080": single(1080, 5),
}
for name, v in values.items():
    print(f"{name} {v:.7f}")
