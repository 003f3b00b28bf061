#pragma once
// Private, torch-free: the EDM (Karras et al. 2022) noise schedule and the samplers of the
// probability-flow ODE dx/dσ = (x − D(x; σ)) / σ, written for any array type with +, − and scalar ×
// (torch::Tensor in the model, Eigen arrays in the tests), so the same code is checked against a
// closed-form denoiser.
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace jezero::ml::detail {

struct NoiseSchedule {
    double sigmaMin = 0.002, sigmaMax = 80.0, rho = 7.0;
};
// σ_0 = σ_max > … > σ_{steps−1} = σ_min, then 0 (EDM eq. 5): steps + 1 values.
inline std::vector<double> karrasSigmas(int steps, const NoiseSchedule& s = {}) {
    if (steps < 1) throw std::invalid_argument("a sampler needs at least one step");
    std::vector<double> sigmas;
    const double a = std::pow(s.sigmaMax, 1 / s.rho), b = std::pow(s.sigmaMin, 1 / s.rho);
    for (int i = 0; i < steps; ++i) sigmas.push_back(std::pow(a + (steps == 1 ? 0.0 : i / (steps - 1.0)) * (b - a), s.rho));
    sigmas.push_back(0.0);
    return sigmas;
}

enum class Sampler { Heun, Euler, DpmSolver2M };
inline Sampler parseSampler(const std::string& name) {
    if (name == "heun") return Sampler::Heun;
    if (name == "euler") return Sampler::Euler;
    if (name == "dpm") return Sampler::DpmSolver2M;
    throw std::invalid_argument("sampler must be heun, euler or dpm, not '" + name + "'");
}

// Integrates from x (noise at σ = sigmas[0]) to σ = 0 with the denoiser D(x, σ):
//   Heun   EDM Algorithm 1 with S_churn = 0: Euler step corrected by the slope at the next σ (not at 0)
//   Euler  first order
//   DPM    DPM-Solver++(2M) (Lu et al. 2022, as in k-diffusion): second order from the previous
//          denoised value, one denoiser call per step; good at 8–12 steps
template <class Array>
Array sampleProbabilityFlow(const std::function<Array(const Array&, double)>& denoise, Array x, const std::vector<double>& sigmas, Sampler method) {
    Array previousDenoised;
    bool havePrevious = false;
    for (std::size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double sigma = sigmas[i], next = sigmas[i + 1];
        const Array denoised = denoise(x, sigma);
        if (method == Sampler::DpmSolver2M) {
            // In t = −log σ: x_next = (σ_next/σ) x − (e^{−h} − 1) D', D' extrapolated from the last step.
            if (next == 0) {
                x = denoised;
                break;
            }
            const double t = -std::log(sigma), tNext = -std::log(next), h = tNext - t;
            Array d = denoised;
            if (havePrevious) {
                const double hLast = t + std::log(sigmas[i - 1]);
                const double r = hLast / h;
                d = denoised * (1 + 1 / (2 * r)) - previousDenoised * (1 / (2 * r));
            }
            x = x * (next / sigma) - d * std::expm1(-h);
            previousDenoised = denoised;
            havePrevious = true;
            continue;
        }
        const Array slope = (x - denoised) * (1.0 / sigma);
        const Array euler = x + slope * (next - sigma);
        if (method == Sampler::Euler || next == 0) {
            x = euler;
            continue;
        }
        const Array slopeNext = (euler - denoise(euler, next)) * (1.0 / next);
        x = x + (slope + slopeNext) * (0.5 * (next - sigma));
    }
    return x;
}

// Two-scale classifier-free guidance (InstructPix2Pix, eq. 3, on denoised values):
//   D = D(∅, ∅) + s_I (D(I, ∅) − D(∅, ∅)) + s_M (D(I, M) − D(I, ∅))
// s_I = s_M = 1 is the plain conditional denoiser D(I, M).
template <class Array>
Array guided(const Array& unconditional, const Array& imageOnly, const Array& full, double imageScale, double metadataScale) {
    return unconditional + (imageOnly - unconditional) * imageScale + (full - imageOnly) * metadataScale;
}

} // namespace jezero::ml::detail
