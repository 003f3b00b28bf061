#!/usr/bin/python3
"""Reference values of test_ml's samplersFollowTheClosedFormFlowOfGaussianData, computed independently
of the C++ code: EDM Algorithm 1 (Heun, S_churn = 0; Karras et al. 2022) and DPM-Solver++(2M) in the
k-diffusion form, both on data ~ N(mu, s^2), whose ideal denoiser is closed-form.
Needs only numpy (Debian: python3-numpy). Run: python3 tests/reference/samplers.py"""
import numpy as np

MU, S = 0.3, 0.5
SIGMA_MIN, SIGMA_MAX, RHO = 0.002, 80.0, 7.0


def denoise(x, sigma):
    return MU + (x - MU) * (S * S / (S * S + sigma * sigma))


def karras_sigmas(n):
    i = np.arange(n)
    s = (SIGMA_MAX ** (1 / RHO) + i / (n - 1) * (SIGMA_MIN ** (1 / RHO) - SIGMA_MAX ** (1 / RHO))) ** RHO
    return np.append(s, 0.0)


def heun(x, sigmas):
    for cur, nxt in zip(sigmas[:-1], sigmas[1:]):
        d = (x - denoise(x, cur)) / cur
        x_next = x + (nxt - cur) * d
        if nxt > 0:  # second-order correction except on the last step to sigma = 0
            d2 = (x_next - denoise(x_next, nxt)) / nxt
            x_next = x + (nxt - cur) * (d + d2) / 2
        x = x_next
    return x


def dpm_solver_2m(x, sigmas):
    t = lambda sigma: -np.log(sigma)
    previous = None
    h_last = None
    for i, (cur, nxt) in enumerate(zip(sigmas[:-1], sigmas[1:])):
        denoised = denoise(x, cur)
        if nxt == 0:
            x = denoised
        else:
            h = t(nxt) - t(cur)
            if previous is None:
                d = denoised
            else:
                r = h_last / h
                d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * previous
            x = (nxt / cur) * x - np.expm1(-h) * d
            h_last = h
        previous = denoised
    return x


start = 80.0 * np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
exact = MU + (start - MU) * (S / np.sqrt(S * S + SIGMA_MAX * SIGMA_MAX))
print("heun-18 max|error| = %.7f" % np.abs(heun(start, karras_sigmas(18)) - exact).max())
print("dpm-10  max|error| = %.7f" % np.abs(dpm_solver_2m(start, karras_sigmas(10)) - exact).max())
