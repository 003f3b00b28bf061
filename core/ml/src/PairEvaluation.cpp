#include "jezero/ml/PairEvaluation.h"

#include "jezero/core/Error.h"
#include "jezero/core/ImageMetrics.h"
#include "jezero/core/Task.h"
#include "jezero/ml/ScenePrediction.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace jezero::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The prediction's channel for each truth channel: its own name, or "<name> mean" (a diffusion ensemble).
ImageStack channelsLike(const ImageStack& prediction, const ImageStack& truth) {
    ImageStack out(prediction.width, prediction.height, truth.channelNames);
    const int n = prediction.channels(), m = truth.channels();
    for (int c = 0; c < m; ++c) {
        const auto& names = prediction.channelNames;
        auto it = std::find(names.begin(), names.end(), truth.channelNames[c]);
        if (it == names.end()) it = std::find(names.begin(), names.end(), truth.channelNames[c] + " mean");
        if (it == names.end()) throw Error("the FAL model predicts no " + truth.channelNames[c]);
        const auto k = static_cast<std::size_t>(it - names.begin());
        for (std::size_t p = 0; p < prediction.pixelCount(); ++p) out.values[p * m + c] = prediction.values[p * n + k];
    }
    return out;
}

// Pixels of the fine grid with a label: their carbonate probability and label.
void collect(const ScenePrediction& prediction, const ImageStack& label, std::vector<float>& scores, std::vector<char>& truth) {
    const ImageStack& image = prediction.image;
    const int n = image.channels();
    for (std::size_t p = 0; p < label.pixelCount(); ++p) {
        const float l = label.values[p];
        if (!std::isfinite(l)) continue;
        scores.push_back(image.values[p * n + prediction.carbonateChannel]);
        truth.push_back(l > 0.5f ? 1 : 0);
    }
}

SpectralCube miscalibrated(const SpectralCube& cassis) {
    SpectralCube out = cassis;
    const std::size_t n = out.pixelCount() * static_cast<std::size_t>(out.bands());
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(out.data()[i])) out.data()[i] = 1.1f * out.data()[i] + 0.01f;
    return out;
}

} // namespace

PairEvaluation evaluateSyntheticPairs(const SynthesisInputs& inputs, const Predictor* carbonate, const Predictor* fal,
                                      const PairEvaluationOptions& options, TaskControl* control) {
    if (!carbonate && !fal) throw Error("the pair evaluation needs a carbonate model, a FAL model or both");
    if (options.count < 1) throw Error("the pair evaluation needs at least one pair");
    if (options.methods.empty()) throw Error("the pair evaluation needs at least one fusion method");
    if (carbonate && carbonate->targetChannelNames().empty()) throw Error("the carbonate model predicts nothing");
    PairEvaluation result;
    result.factor = options.pair.coarsePixelMetres / options.pair.finePixelMetres;
    const std::size_t methods = options.methods.size();
    std::vector<std::vector<float>> scores(methods);
    std::vector<std::vector<char>> truths(methods);
    std::vector<FusionScore> falSums(methods);
    std::vector<float> harmonisedScores[3];
    std::vector<char> harmonisedTruth[3];
    double harmonisedRmse[3] = {0, 0, 0}, gainSum = 0, offsetSum = 0;
    int fits = 0;
    SynthesisOptions synthesis;
    synthesis.size = options.size;
    synthesis.seed = options.seed;
    synthesis.carbonateFraction = options.carbonateFraction;
    for (int i = 0; i < options.count; ++i) {
        if (control) control->throwIfCanceled();
        const SyntheticPair pair = synthesizePair(inputs, synthesis, i, options.pair);
        result.scenes.push_back(pair.name);
        result.carbonateScenes += pair.hasCarbonate;
        ScenePredictionOptions base;
        base.sampling = options.sampling;
        base.modelPixelMetres = options.pair.coarsePixelMetres;
        base.imagePixelMetres = options.pair.finePixelMetres;
        base.fusionModel = options.fusionModel;
        base.fusionSampling = options.fusionSampling;
        for (std::size_t m = 0; m < methods; ++m) {
            ScenePredictionOptions o = base;
            o.fusion = options.methods[m];
            if (carbonate) collect(predictScene(*carbonate, pair.cassis, o), pair.carbonateLabel, scores[m], truths[m]);
            if (fal) {
                const FusionScore s = scoreFused(channelsLike(predictScene(*fal, pair.cassis, o).image, pair.fal), pair.fal, result.factor);
                FusionScore& sum = falSums[m];
                sum.rmse += s.rmse, sum.ergas += s.ergas, sum.samDeg += s.samDeg, sum.ssim += s.ssim, sum.psnr += s.psnr;
            }
        }
        if (options.harmonisation) {
            // The miscalibrated view as it is and calibrated on the CRISM view; the true view's scores are
            // the first method's, already computed above.
            const SpectralCube wrong = miscalibrated(pair.cassis);
            const SpectralCube* views[3] = {&pair.cassis, &wrong, &wrong};
            for (int k = 1; k < 3; ++k) {
                ScenePredictionOptions o = base;
                o.fusion = options.methods.front();
                if (k == 2) o.calibrationReference = &pair.crism;
                if (carbonate) {
                    const ScenePrediction p = predictScene(*carbonate, *views[k], o);
                    collect(p, pair.carbonateLabel, harmonisedScores[k], harmonisedTruth[k]);
                    if (k == 2)
                        for (const BandFit& fit : p.calibration) gainSum += fit.gain, offsetSum += fit.offset, ++fits;
                }
                if (fal) {
                    const ScenePrediction p = predictScene(*fal, *views[k], o);
                    harmonisedRmse[k] += scoreFused(channelsLike(p.image, pair.fal), pair.fal, result.factor).rmse;
                    if (k == 2 && !carbonate)
                        for (const BandFit& fit : p.calibration) gainSum += fit.gain, offsetSum += fit.offset, ++fits;
                }
            }
        }
        if (control) control->setProgress(static_cast<double>(i + 1) / options.count, "pair " + std::to_string(i + 1) + " of " + std::to_string(options.count));
    }
    const double n = options.count;
    for (std::size_t m = 0; m < methods; ++m) {
        PairMethodScore s;
        s.method = fusionMethodName(options.methods[m]);
        s.carbonateAp = carbonate ? averagePrecision(scores[m], truths[m]) : kNaN;
        if (fal) {
            s.fal = falSums[m];
            s.fal.rmse /= n, s.fal.ergas /= n, s.fal.samDeg /= n, s.fal.ssim /= n, s.fal.psnr /= n;
        }
        s.fal.method = s.method;
        result.methods.push_back(s);
    }
    if (carbonate && !truths.front().empty()) {
        result.labelledPixels = truths.front().size();
        result.baseRate = static_cast<double>(std::count(truths.front().begin(), truths.front().end(), 1)) / static_cast<double>(result.labelledPixels);
    }
    if (options.harmonisation) {
        HarmonisationCheck h;
        h.method = fusionMethodName(options.methods.front());
        if (carbonate) {
            h.apTrue = averagePrecision(scores.front(), truths.front());
            h.apMiscalibrated = averagePrecision(harmonisedScores[1], harmonisedTruth[1]);
            h.apCalibrated = averagePrecision(harmonisedScores[2], harmonisedTruth[2]);
        } else {
            h.apTrue = h.apMiscalibrated = h.apCalibrated = kNaN;
        }
        h.falRmseTrue = fal ? falSums.front().rmse / n : kNaN;
        h.falRmseMiscalibrated = fal ? harmonisedRmse[1] / n : kNaN;
        h.falRmseCalibrated = fal ? harmonisedRmse[2] / n : kNaN;
        h.meanGain = fits ? gainSum / fits : kNaN;
        h.meanOffset = fits ? offsetSum / fits : kNaN;
        result.harmonisation = h;
    }
    return result;
}

} // namespace jezero::ml
