#!/usr/bin/env python3
"""The bar a carbonate model must clear: gradient boosting on the model's own inputs, no metadata.

Per pixel: the input channels (PNR or the four CaSSIS bands), their pairwise ratios, and their
5 x 5 and 15 x 15 local means (spatial context a CNN also sees). A histogram gradient-boosting
classifier (scikit-learn, Debian's python3-sklearn) is trained on the train split's pixels and scored on
the test split against the dataset's carbonate label (jezero-cli dataset build/synth, format 2):
average precision (sklearn), the base rate, and the number of carbonate-bearing test scenes.

--features picks what the classifier sees, for the ablation of where carbonate skill comes from:
  spectral  the bands and their ratios only (one pixel's colour)
  context   + the 5 x 5 and 15 x 15 local means (the default: the issue's baseline)
  location  + latitude, longitude (sin/cos) and the region (one-hot), the metadata a diffusion model gets

Usage: bench/carbonate_baseline.py DATASET [--features spectral|context|location] [--split test|val] [--max-train-pixels N] [--json OUT]
"""
import argparse
import csv
import json
import os
import sys

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import average_precision_score


def load_split(directory, split):
    manifest = json.load(open(os.path.join(directory, "dataset.json")))
    if manifest.get("format_version", 1) < 2:
        sys.exit(f"{directory}: a format-1 dataset has no carbonate labels; rebuild it")
    t = manifest["tile"]
    c = len(manifest["input_channels"])
    n = manifest["splits"][split]["tiles"]
    inputs = np.fromfile(os.path.join(directory, f"{split}_inputs.f32"), "<f4").reshape(n, c, t, t)
    labels = np.fromfile(os.path.join(directory, f"{split}_labels.u8"), "u1").reshape(n, t, t)
    with open(os.path.join(directory, f"{split}_tiles.csv")) as f:
        rows = list(csv.DictReader(f))
    return manifest, inputs, labels, rows


def box_mean(image, size):
    """Mean over a size x size window (edges: the part inside), NaN-aware, via summed-area tables."""
    valid = np.isfinite(image)
    values = np.where(valid, image, 0.0)
    pad = size // 2
    def window_sum(a):
        a = np.pad(a, ((pad + 1, pad), (pad + 1, pad)))
        s = a.cumsum(0).cumsum(1)
        return s[size:, size:] - s[:-size, size:] - s[size:, :-size] + s[:-size, :-size]
    total = window_sum(values)
    count = window_sum(valid.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / count, np.nan)


def features(inputs, rows, kind, regions):
    """tiles x C x T x T → (pixels, features): bands, pairwise ratios; context: 5x5 and 15x15 means;
    location: sin/cos of latitude and longitude and the region one-hot."""
    n, c, t, _ = inputs.shape
    per_tile = []
    for tile, row in zip(inputs.astype(np.float64), rows):
        planes = list(tile)
        for i in range(c):
            for j in range(i + 1, c):
                with np.errstate(invalid="ignore", divide="ignore"):
                    planes.append(tile[i] / tile[j])
        if kind in ("context", "location"):
            for size in (5, 15):
                planes.extend(box_mean(band, size) for band in tile)
        if kind == "location":
            lat, lon = np.radians(float(row["latitude_deg"])), np.radians(float(row["longitude_deg"]))
            for v in (np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)):
                planes.append(np.full((t, t), v))
            for r in regions:
                planes.append(np.full((t, t), 1.0 if row["region"] == r else 0.0))
        per_tile.append(np.stack(planes, -1).reshape(t * t, -1))
    return np.concatenate(per_tile)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset")
    parser.add_argument("--features", choices=("spectral", "context", "location"), default="context")
    parser.add_argument("--max-train-pixels", type=int, default=400000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", default="test", help="the split scored (val to choose settings without looking at test)")
    parser.add_argument("--json", help="write the result here")
    a = parser.parse_args()
    manifest, train_in, train_lab, train_rows = load_split(a.dataset, "train")
    _, test_in, test_lab, test_rows = load_split(a.dataset, a.split)
    test_scenes = [r["scene"] for r in test_rows]
    regions = sorted({r["region"] for r in train_rows})
    x, y = features(train_in, train_rows, a.features, regions), train_lab.reshape(-1)
    keep = (y != 255) & np.isfinite(x[:, : train_in.shape[1]]).all(1)
    x, y = x[keep], y[keep]
    rng = np.random.default_rng(a.seed)
    if len(y) > a.max_train_pixels:
        pick = rng.choice(len(y), a.max_train_pixels, replace=False)
        x, y = x[pick], y[pick]
    model = HistGradientBoostingClassifier(max_iter=300, learning_rate=0.1, class_weight="balanced", random_state=a.seed)
    model.fit(x, y)
    xt, yt = features(test_in, test_rows, a.features, regions), test_lab.reshape(-1)
    keep = (yt != 255) & np.isfinite(xt[:, : test_in.shape[1]]).all(1)
    scores = model.predict_proba(xt[keep])[:, 1]
    ap = float(average_precision_score(yt[keep], scores))
    tile_has = (test_lab == 1).reshape(len(test_scenes), -1).any(1)
    result = {
        "dataset": a.dataset,
        "input": manifest["input"],
        "model": "sklearn HistGradientBoostingClassifier",
        "features": {"spectral": "bands and their ratios", "context": "bands, ratios, 5x5 and 15x15 means",
                     "location": "bands, ratios, 5x5 and 15x15 means, lat/lon sin/cos, region one-hot"}[a.features],
        "train_pixels": int(len(y)),
        "split": a.split,
        "test_pixels": int(keep.sum()),
        "base_rate": float(yt[keep].mean()),
        "average_precision": ap,
        "carbonate_bearing_test_scenes": len({s for s, h in zip(test_scenes, tile_has) if h}),
        "sklearn": __import__("sklearn").__version__,
    }
    print(json.dumps(result, indent=2))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
