#pragma once
// CRISM summary parameters of Viviano-Beck et al. (2014), as tabulated in
// resources/crism/parameters/crism_summary_parameters_vb2014.csv (hyperspectral definitions), computed
// by one of two conventions (docs/crism-parameter-parity.md):
//
// CrismPipeline (default: what PDS MTRDR summary products hold, so what models are trained against) —
// the CRISM team's IDL library in its hyperspectral mode (compute_summary_params_cev, /conservative):
// the channels outside 430–1015 nm (less 635–706) and 1044–3900 nm (less 2657–2797) are dropped
// first; R(λ, k) is the NaN-aware median of the kept channels from i − ⌊k/2⌋ to i + ⌊k/2⌋ around the
// kept channel i nearest λ, clamped at the grid's ends (an even k gives k + 1 channels; an even count
// averages the middle pair); the nearest channel is taken however far it is, unless λ lies more than
// 50 nm beyond the kept range (a VNIR-only cube has no IR parameters); BD1900_2 is the single term
// 1 − R1930 / (a·R1850 + b·R2067).
//
// Paper — the table as printed: every channel kept, exactly k channels centred on the nearest one
// (i − k/2 to i + k/2 − 1 for an even k), no channel within 20 nm → NaN, BD1900_2 the two-term average.
//
// Both: band depth 1 − Rc / (a·Rs + b·Rl) with b = (Wc − Ws)/(Wl − Ws), a = 1 − b, W the wavelengths of
// the channels actually selected.
#include "jezero/core/ImageStack.h"
#include "jezero/core/SpectralCube.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace jezero {

class TaskControl;

enum class ParameterConvention { CrismPipeline, Paper };
// "pipeline" or "paper"; throws Error for anything else.
ParameterConvention parseParameterConvention(const std::string& name);

// What a parameter is, from the bundled table: its formula and what it maps (the paper's rationale).
struct ParameterDescription {
    std::string formula, rationale;
    // Read off the formula: "I/F" (one channel's value), "µm" (a wavelength, or an integral over
    // wavelength of a unitless depth), "I/F per µm" (a slope), "ratio" (one channel over another),
    // "unitless" (band depths, shoulders and indices: 1 − a ratio, or weighted sums of such).
    std::string unit;
};
// Empty fields for a name the table does not hold (or when the table cannot be read).
ParameterDescription describeParameter(const std::string& name);

// All 56 parameter names, in the table's order.
const std::vector<std::string>& summaryParameterNames();

class SummaryParameters {
public:
    // Binds the named parameters (all when empty) to a wavelength grid; throws Error for an unknown name.
    explicit SummaryParameters(const std::vector<double>& wavelengthsNm, const std::vector<std::string>& names = {},
                               ParameterConvention convention = ParameterConvention::CrismPipeline);
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
