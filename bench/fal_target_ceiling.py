#!/usr/bin/env python3
"""How far the target's own noise lets any FAL model go: the observed targets of a dataset (as an MTRDR
SU product holds them) scored against the noise-free targets of the same scenes, tile by tile, with the
metrics `jezero-cli evaluate` reports — PCC (mean over channels) and SSIM on the 0-255 renderings (both
images mapped by the reference's per-channel min-max; Gaussian 11 x 11 window, sigma 1.5, C1 = (0.01 L)^2,
C2 = (0.03 L)^2, L = 255, only windows without no-data) — written again here with numpy/scipy (Debian's
python3-scipy), so the numbers are a second implementation's.

The two datasets must come from the same scenes, splits and tiles: `jezero-cli dataset synth` twice
with the same --count, --size, --seed, --carbonate-fraction and --tile, --target-source observed and clean.
Scored with the observed target as the reference, as evaluate scores a model.

Usage: bench/fal_target_ceiling.py OBSERVED_DATASET CLEAN_DATASET [--split test|val]
"""
import argparse
import json
import os

import numpy as np
from scipy.ndimage import convolve


def targets(directory, split):
    manifest = json.load(open(os.path.join(directory, "dataset.json")))
    tile, channels = manifest["tile"], len(manifest["target_channels"])
    values = np.fromfile(os.path.join(directory, manifest["splits"][split]["targets"]), dtype=np.float32)
    return values.reshape(-1, channels, tile, tile)


KERNEL = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5 ** 2))
WINDOW = np.outer(KERNEL, KERNEL) / np.outer(KERNEL, KERNEL).sum()


def ssim(a, b, data_range=255.0):
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    valid = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(valid, a, 0.0), np.where(valid, b, 0.0)
    whole = convolve(valid.astype(float), np.ones((11, 11)), mode="constant")[5:-5, 5:-5] > 120.5
    mean = lambda x: convolve(x, WINDOW, mode="constant")[5:-5, 5:-5]
    ma, mb = mean(a), mean(b)
    va, vb, cov = mean(a * a) - ma * ma, mean(b * b) - mb * mb, mean(a * b) - ma * mb
    s = ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return float(np.mean(s[whole])) if whole.any() else float("nan")


def score(image, reference):
    pcc, structure = [], []
    for c in range(reference.shape[0]):
        r, p = reference[c], image[c]
        valid = np.isfinite(r) & np.isfinite(p)
        if valid.sum() < 2:
            continue
        low, high = r[valid].min(), r[valid].max()
        if high <= low:
            continue
        pcc.append(np.corrcoef(p[valid], r[valid])[0, 1])
        structure.append(ssim((p - low) / (high - low) * 255, (r - low) / (high - low) * 255))
    return (np.mean(pcc), np.mean(structure)) if pcc else (np.nan, np.nan)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("observed")
    parser.add_argument("clean")
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    observed, clean = targets(args.observed, args.split), targets(args.clean, args.split)
    if observed.shape != clean.shape:
        raise SystemExit(f"the datasets differ in shape: {observed.shape} and {clean.shape} (not the same scenes and tiles)")
    scores = np.array([score(c, o) for o, c in zip(observed, clean)])
    kept = np.isfinite(scores).all(axis=1)
    noise = np.nanstd(observed - clean, axis=(0, 2, 3))
    spread = np.nanmean(np.nanstd(clean, axis=(2, 3)), axis=0)
    print(json.dumps({"split": args.split, "tiles": int(kept.sum()), "pcc": float(scores[kept, 0].mean()),
                      "ssim": float(scores[kept, 1].mean()), "noise_sigma": noise.round(5).tolist(),
                      "within_tile_spread": spread.round(5).tolist()}))


if __name__ == "__main__":
    main()
