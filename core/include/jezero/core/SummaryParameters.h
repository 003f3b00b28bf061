#pragma once
// CRISM summary parameters of Viviano-Beck et al. (2014), as tabulated in
// resources/crism/parameters/crism_summary_parameters_vb2014.csv (hyperspectral definitions).
//
// Conventions: R(λ, k) is the NaN-aware median of the k channels centred on the channel nearest λ
// (for an even k: channels i - k/2 to i + k/2 - 1); a
// wavelength with no channel within 20 nm of it makes every parameter that needs it NaN. Band depth
// 1 - Rc / (a·Rs + b·Rl) with b = (Wc - Ws)/(Wl - Ws), a = 1 - b, W the wavelengths of the channels
// actually selected. BD1900_2 is the paper's two-term average (the table's choice).
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jezero {

class TaskControl;

// All 56 parameter names, in the table's order.
const std::vector<std::string>& summaryParameterNames();

class SummaryParameters {
public:
    // Binds the named parameters (all when empty) to a wavelength grid; throws Error for an unknown name.
    explicit SummaryParameters(const std::vector<double>& wavelengthsNm, const std::vector<std::string>& names = {});
    ~SummaryParameters();
    SummaryParameters(SummaryParameters&&) noexcept;
    SummaryParameters& operator=(SummaryParameters&&) noexcept;

    const std::vector<std::string>& names() const;
    // The (nominal wavelength nm, kernel width) pairs parameter `name` reads, in the order it reads them.
    std::vector<std::pair<double, int>> kernelsOf(const std::string& name) const;

    // One spectrum on the bound grid → one value per name (NaN where undefined).
    std::vector<float> compute(const float* spectrum) const;
    // Every pixel of a cube (whose grid must be the bound one), in parallel.
    ImageStack compute(const SpectralCube& cube, TaskControl* control = nullptr) const;

private:
    struct Impl;
    std::unique_ptr<Impl> mImpl;
};

} // namespace jezero
