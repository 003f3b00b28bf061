#!/usr/bin/python3
"""Reference values of test_metrics (matchScikitImageAndNumpy, the average-precision and percentile
cases) and test_core (percentilesMatchNumpyLinearInterpolation), from independent libraries:
scikit-image 0.19.3, numpy and scikit-learn as Debian 12 ships them
(apt install python3-skimage python3-sklearn). Run: python3 tests/reference/metrics.py"""
import numpy as np
from skimage.metrics import structural_similarity
from sklearn.metrics import average_precision_score

# The pair of test_metrics.cpp referencePair(): float32, 24 x 20, channels c = 0, 1.
y, x = np.mgrid[0:20, 0:24].astype(np.float64)
a = np.stack([np.float32(100 + 50 * np.sin(0.3 * x + c) + 30 * np.cos(0.2 * y)) for c in (0, 1)])
b = np.stack([np.float32(a[c].astype(np.float64) + 10 * np.sin(0.07 * x * y + c) + 5 * c) for c in (0, 1)])
a64, b64 = a.astype(np.float64), b.astype(np.float64)
for c in (0, 1):
    ssim = structural_similarity(a64[c], b64[c], gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255)
    rmse = np.sqrt(np.mean((a64[c] - b64[c]) ** 2))
    pcc = np.corrcoef(a64[c].ravel(), b64[c].ravel())[0, 1]
    cosine = a64[c].ravel() @ b64[c].ravel() / (np.linalg.norm(a64[c]) * np.linalg.norm(b64[c]))
    print("channel %d: SSIM %.16g  RMSE %.16g  PCC %.16g  cosine %.16g" % (c, ssim, rmse, pcc, cosine))
# Spectral angle per pixel between the 2-vectors (a0, a1) and (b0, b1), averaged, in degrees.
dot = (a64 * b64).sum(0)
angle = np.degrees(np.arccos(np.clip(dot / (np.linalg.norm(a64, axis=0) * np.linalg.norm(b64, axis=0)), -1, 1)))
print("SAM %.16g deg" % angle.mean())
print("AP of scikit-learn's documented example: %.16g" % average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]))
print("np.percentile([1, 2, 3, 4, 10], [0, 25, 50, 90, 100]) =", np.percentile([1, 2, 3, 4, 10], [0, 25, 50, 90, 100]))
