#include "jezero/ml/ScenePrediction.h"

#include "jezero/core/CassisSimulator.h"
#include "jezero/core/Comparison.h"
#include "jezero/core/Dataset.h"
#include "jezero/core/Error.h"
#include "jezero/core/ModelInputs.h"
#include "jezero/core/Harmonisation.h"
#include "jezero/core/PixelGeolocator.h"
#include "jezero/core/ScaleFusion.h"
#include "jezero/core/SpectralCube.h"
#include "jezero/core/Task.h"
#include "jezero/core/TiledPrediction.h"
#include "jezero/ml/LearnedFusion.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

namespace jezero::ml {

std::uint64_t tileSeed(std::uint64_t seed, int x, int y) {
    std::uint64_t z = seed + 0x9E3779B97F4A7C15ull * (1 + static_cast<std::uint64_t>(y) * 1000003ull + static_cast<std::uint64_t>(x));
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double pixelMetres(const SpectralCube& cube) {
    const auto& m = cube.metadata();
    if (!m.geoTransform || m.crsWkt.empty()) return 0;
    // WKT2 of a projected CRS ends with its axis units; a geographic one's are degrees.
    if (m.crsWkt.rfind("PROJCRS", 0) != 0 && m.crsWkt.rfind("PROJCS", 0) != 0) return 0;
    if (m.crsWkt.find("LENGTHUNIT[\"metre\"") == std::string::npos && m.crsWkt.find("UNIT[\"metre\"") == std::string::npos &&
        m.crsWkt.find("UNIT[\"Meter\"") == std::string::npos)
        return 0;
    const auto& gt = *m.geoTransform;
    return std::sqrt(std::abs(gt[1] * gt[5] - gt[2] * gt[4]));
}

namespace {

ScenePrediction predictOnGrid(const Predictor& predictor, const SpectralCube& cube, const ScenePredictionOptions& options, TaskControl* control);

// The filter bands the model takes, each brought by one gain on I/F to its training inputs' mean in the
// network's units (ln I/F for a log-input model: there the gain is an offset), in place; the lines
// applied, per band, in the network's units. A gain, because a calibration error is one (a detector's
// responsivity, the solar flux, the photometric angles all multiply I/F). Not the spread: the training
// inputs' spread pools many scenes (albedo from one to the next), several times one scene's own — matched
// to it, one scene's contrast would be stretched threefold.
// The units the network sees its inputs in (and a training match's lines are given in).
std::string networkUnits(const Predictor& predictor) { return predictor.inputStatistics().logInputs ? "ln I/F" : "I/F"; }

std::vector<BandFit> matchTrainingStatistics(const Predictor& predictor, SpectralCube& cube) {
    const auto statistics = predictor.inputStatistics();
    const auto channels = predictor.inputChannelNames();
    const auto& names = cube.metadata().filterNames;
    std::vector<BandFit> fits;
    const int n = cube.bands();
    for (std::size_t k = 0; k < channels.size(); ++k) {
        const auto it = std::find(names.begin(), names.end(), channels[k]);
        if (it == names.end())
            throw Error("matching the training statistics needs the model's input bands (" + predictor.inputKind() + "); this image lacks " + channels[k]);
        const int c = static_cast<int>(it - names.begin());
        const auto seen = [&](float v) { return statistics.logInputs ? std::log(std::max(static_cast<double>(v), 1e-4)) : static_cast<double>(v); };
        double sum = 0, count = 0;
        for (std::size_t p = 0; p < cube.pixelCount(); ++p)
            if (const float v = cube.data()[p * n + c]; std::isfinite(v)) sum += seen(v), ++count;
        if (count < 100) throw Error("matching the training statistics needs at least 100 valid pixels of " + channels[k]);
        const double mean = sum / count;
        BandFit fit;
        fit.band = channels[k];
        if (statistics.logInputs) {
            fit.gain = 1;
            fit.offset = statistics.mean[k] - mean;
        } else {
            if (!(mean > 0) || !(statistics.mean[k] > 0))
                throw Error("matching the training statistics needs positive I/F in " + channels[k] + " (its mean is " + std::to_string(mean) + ")");
            fit.gain = statistics.mean[k] / mean;
            fit.offset = 0;
        }
        fit.pixels = static_cast<std::size_t>(count);
        for (std::size_t p = 0; p < cube.pixelCount(); ++p) {
            float& v = cube.data()[p * n + c];
            if (!std::isfinite(v)) continue;
            const double mapped = fit.gain * seen(v) + fit.offset;
            v = static_cast<float>(statistics.logInputs ? std::exp(mapped) : mapped);
        }
        fits.push_back(fit);
    }
    return fits;
}

// A fine filter image: predicted on its degraded copy at the model's pixel, then fused back.
ScenePrediction predictAtModelScale(const Predictor& predictor, const SpectralCube& cube, const ScenePredictionOptions& options, double factor,
                                    std::vector<std::string> warnings, TaskControl* control) {
    const double sigma = psfSigmaForReduction(factor, options.psfMtfAtNyquist);
    if (options.fusion == FusionMethod::Learned) {
        if (!options.fusionModel) throw Error("the learned fusion (sr) needs a fusion model");
        requireFusionModel(*options.fusionModel);
        // Before the prediction, not after it: the network needs all four filters.
        const auto& names = cube.metadata().filterNames;
        for (const std::string& band : learnedFusionChannels())
            if (band != "COARSE" && std::find(names.begin(), names.end(), band) == names.end())
                throw Error("the learned fusion (sr) needs the filter band " + band + "; this image lacks it");
        // A fusion network learned the detail of one factor between the grids.
        if (const double trained = options.fusionModel->fusionFactor(); trained > 0 && std::abs(factor / trained - 1) > 0.05) {
            char line[240];
            std::snprintf(line, sizeof line,
                          "the fusion model was trained on pairs %.2f times coarser than fine; this image is %.2f times finer than the model's pixel: "
                          "its detail may be mis-scaled (train one on pairs of this factor: dataset pairs --fine-pixel/--coarse-pixel)",
                          trained, factor);
            warnings.push_back(line);
        }
        const SamplingOptions defaults = ScenePredictionOptions{}.fusionSampling;
        const SamplingOptions& given = options.fusionSampling;
        if (!options.fusionModel->stochastic() && (given.samples != defaults.samples || given.steps != defaults.steps || given.sampler != defaults.sampler))
            warnings.push_back("the fusion model is a regression network (one answer per tile): the fusion sampling options (samples, steps) are ignored");
    }
    SpectralCube coarseCube = degradeCube(cube, factor, sigma);
    // At the model's scale, where the training statistics were taken.
    const std::vector<BandFit> matched = options.matchTrainingStatistics ? matchTrainingStatistics(predictor, coarseCube) : std::vector<BandFit>{};
    // A learned fusion runs a network per channel: half the progress; the classic ones take moments.
    const double predicted = options.fusion == FusionMethod::Learned ? 0.5 : 1.0;
    TaskControl predicting(control, 0, predicted), fusing(control, predicted, 1);
    ScenePrediction result = predictOnGrid(predictor, coarseCube, options, &predicting);
    result.trainingMatch = matched;
    if (!matched.empty()) result.trainingMatchUnits = networkUnits(predictor);
    // The guide: PAN (CaSSIS's sharpest, widest filter), else all the filters (fusion averages them).
    const ImageStack bands = filterImageBands(cube);
    const ImageStack guide = bands.channelIndex("PAN") >= 0 ? selectChannels(bands, {"PAN"}) : bands;
    FusionOptions fusion;
    fusion.method = options.fusion;
    fusion.factor = factor;
    fusion.sigma = sigma;
    result.coarse = result.image;
    result.image = options.fusion == FusionMethod::Learned ? fuseLearned(*options.fusionModel, result.coarse, bands, factor, options.fusionSampling, &fusing)
                                                           : fuseToFineGrid(result.coarse, guide, fusion);
    // An ensemble's spread is not a field with detail: upsampled, never injected (it could go negative).
    // Probabilities stay probabilities after detail injection.
    std::vector<std::string> spreads;
    for (const std::string& name : result.coarse.channelNames)
        if (isSpreadBand(name)) spreads.push_back(name);
    const ImageStack upsampled =
        spreads.empty() ? ImageStack() : resampleBicubic(selectChannels(result.coarse, spreads), result.image.width, result.image.height, 1.0 / factor);
    const int n = result.image.channels();
    for (int c = 0; c < n; ++c) {
        const std::string& name = result.image.channelNames[c];
        const int spread = upsampled.channelIndex(name);
        const bool probability = name.rfind("P(", 0) == 0 || name == kCarbonateLabelChannel;
        for (std::size_t p = 0; p < result.image.pixelCount(); ++p) {
            float& v = result.image.values[p * n + c];
            if (spread >= 0) v = std::max(upsampled.values[p * upsampled.channels() + spread], 0.0f);
            if (probability && std::isfinite(v)) v = std::clamp(v, 0.0f, 1.0f);
        }
    }
    result.scaleFactor = factor;
    result.psfSigma = sigma;
    result.fusion = fusionMethodName(options.fusion);
    result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end());
    return result;
}

ScenePrediction predictOnGrid(const Predictor& predictor, const SpectralCube& cube, const ScenePredictionOptions& options, TaskControl* control) {
    ScenePrediction result;
    const ImageStack input = makeModelInput(cube, parseInputKind(predictor.inputKind()), cassisFilters());
    if (input.channelNames != predictor.inputChannelNames()) throw Error("the model takes other input channels than " + predictor.inputKind() + " gives");
    result.modelInput = input;
    const int tile = predictor.tile();
    result.overlap = options.overlap >= 0 ? options.overlap : tile / 4;
    const auto targets = predictor.targetChannelNames();
    result.carbonateChannel = carbonateChannel(targets);
    result.threshold = carbonateThreshold(targets, options.threshold);
    if (options.tilesPerBatch < 1) throw Error("tiles per batch must be at least 1");
    if (!options.location.empty()) {
        if (!predictor.usesMetadata()) {
            result.warnings.push_back("this model takes no location; --location " + options.location + " ignored");
        } else if (const std::string known = predictor.knownLocation(options.location); !known.empty()) {
            result.location = known;
        } else {
            std::string names;
            for (const auto& n : predictor.locations()) names += (names.empty() ? "" : ", ") + n;
            result.warnings.push_back("the model does not know the location \"" + options.location + "\" (it knows " + (names.empty() ? "none" : names) +
                                      "); predicting with location unknown");
        }
    }
    const bool ensemble = predictor.stochastic();
    const SamplingOptions defaults;
    const SamplingOptions& given = options.sampling;
    if (!ensemble && (given.samples != defaults.samples || given.steps != defaults.steps || given.sampler != defaults.sampler || given.seed != defaults.seed ||
                      given.imageGuidance != defaults.imageGuidance || given.metadataGuidance != defaults.metadataGuidance))
        result.warnings.push_back("a regression model gives one answer per tile: the diffusion options (samples, steps, sampler, seed, guidance) are ignored");
    std::vector<std::string> bands;
    for (const auto& t : targets) bands.push_back(ensemble ? t + " mean" : t);
    if (ensemble)
        for (const auto& t : targets) bands.push_back(t + " std");
    if (result.carbonateChannel >= 0) {
        char name[96];
        std::snprintf(name, sizeof name, "P(%s > %g)", targets[result.carbonateChannel].c_str(), result.threshold);
        bands.push_back(name);
    }
    const std::size_t plane = static_cast<std::size_t>(tile) * tile;
    // A diffusion tile is already a batch (its samples); regression tiles share a pass.
    const int tilesPerBatch = ensemble ? 1 : options.tilesPerBatch;
    result.image = predictTiledBatches(
        input, tile, result.overlap, tilesPerBatch, bands,
        [&](const std::vector<TileRequest>& tiles) {
            std::vector<std::vector<float>> inputs;
            std::vector<TileContext> contexts;
            std::vector<std::uint64_t> seeds;
            for (const TileRequest& t : tiles) {
                inputs.push_back(t.inputChw);
                TileContext context;
                context.location = result.location;
                if (const auto* geo = cube.geolocator())
                    if (const auto centre = geo->latLon(t.x + tile / 2.0, t.y + tile / 2.0))
                        context.latitudeDeg = centre->latitudeDeg, context.longitudeDeg = centre->longitudeDeg;
                contexts.push_back(context);
                seeds.push_back(tileSeed(options.sampling.seed, t.x, t.y));
            }
            const auto predictions = predictor.predictTiles(inputs, contexts, options.sampling, seeds, result.carbonateChannel, result.threshold);
            std::vector<std::vector<float>> outputs;
            for (const auto& p : predictions) {
                std::vector<float> out(p.mean);
                if (ensemble) out.insert(out.end(), p.stddev.begin(), p.stddev.end());
                if (result.carbonateChannel >= 0) out.insert(out.end(), p.exceedance.begin(), p.exceedance.begin() + static_cast<long>(plane));
                outputs.push_back(std::move(out));
            }
            return outputs;
        },
        control);
    return result;
}

} // namespace

ScenePrediction predictScene(const Predictor& predictor, const SpectralCube& cube, const ScenePredictionOptions& options, TaskControl* control) {
    if (options.calibrationReference && options.matchTrainingStatistics)
        throw Error("calibrating against a CRISM scene and matching the training statistics exclude each other (the match would undo the calibration)");
    if (!isFilterImage(cube.metadata())) {
        ScenePrediction result = predictOnGrid(predictor, cube, options, control);
        const ScenePredictionOptions defaults;
        if (options.matchTrainingStatistics || options.calibrationReference || options.fusion != defaults.fusion || options.fusionModel)
            result.warnings.push_back("a spectrometer scene is predicted on its own grid: the CaSSIS options (fusion, training match, calibration) are ignored");
        return result;
    }
    const ImageStack bands = filterImageBands(cube);
    const std::vector<double> noise = estimateNoiseSigma(bands);
    // Calibration against an overlapping CRISM scene: the image's bands fitted to the ones CRISM gives.
    std::vector<BandFit> fits;
    std::optional<SpectralCube> calibrated;
    // Simulating the reference's CaSSIS bands: the first tenth of the progress when calibrating.
    const double calibrating = options.calibrationReference ? 0.1 : 0.0;
    TaskControl simulating(control, 0, calibrating), predicting(control, calibrating, 1);
    if (options.calibrationReference) {
        const SpectralCube& reference = *options.calibrationReference;
        if (isFilterImage(reference.metadata())) throw Error("the calibration reference must be a spectrometer scene (CRISM), not another filter image");
        const ImageStack simulated = simulateCassis(reference, cassisFilters(), &simulating);
        // Fitted at the reference's resolution: the image blurred through the PSF between the grids, so its
        // finer detail (and noise), which the reference cannot follow, does not flatten the line.
        const auto pixelSide = [](const SceneMetadata& m) {
            return m.geoTransform ? std::sqrt(std::abs((*m.geoTransform)[1] * (*m.geoTransform)[5] - (*m.geoTransform)[2] * (*m.geoTransform)[4])) : 0.0;
        };
        const double imageSide = pixelSide(cube.metadata()), referenceSide = pixelSide(reference.metadata());
        const double ratio = imageSide > 0 && referenceSide > 0 ? std::min(referenceSide / imageSide, 64.0) : 1.0;
        const ImageStack atReferenceScale = ratio > 1.05 ? gaussianBlur(bands, psfSigmaForReduction(ratio)) : bands;
        fits = fitToReference(atReferenceScale, sampleOnGrid(simulated, reference.metadata(), cube.width(), cube.height(), cube.metadata()));
        calibrated = withBandFits(cube, fits);
    }
    const SpectralCube& image = calibrated ? *calibrated : cube;
    std::vector<std::string> warnings;
    if (cube.metadata().units == "reflectance" && !calibrated)
        warnings.push_back("the image's values are reflectance, the model's training inputs CRISM MTRDR I/F: predicted as they are; a brightness "
                           "difference between the two is one gain per band, which --match-training or --calibrate-with removes");
    double pixel = options.imagePixelMetres > 0 ? options.imagePixelMetres : pixelMetres(image);
    if (const double fromCrs = pixelMetres(image); options.imagePixelMetres > 0 && fromCrs > 0 && std::abs(fromCrs / options.imagePixelMetres - 1) > 0.05) {
        char line[200];
        std::snprintf(line, sizeof line, "the pixel size given (%.3g m) is not the one the image's CRS says (%.3g m): the given one is used", options.imagePixelMetres,
                      fromCrs);
        warnings.push_back(line);
    }
    if (!(pixel > 0)) {
        pixel = 4.6;
        warnings.push_back("the image's pixel size is unknown (no projected CRS in metres): taken as CaSSIS's nominal 4.6 m");
    }
    const double factor = options.modelPixelMetres / pixel;
    ScenePrediction result;
    if (factor > 1.05 && options.rescale) {
        result = predictAtModelScale(predictor, image, options, factor, warnings, &predicting);
    } else if (options.matchTrainingStatistics) {
        SpectralCube matched = image;
        const auto fits = matchTrainingStatistics(predictor, matched);
        result = predictOnGrid(predictor, matched, options, &predicting);
        result.trainingMatch = fits;
        result.trainingMatchUnits = networkUnits(predictor);
    } else {
        result = predictOnGrid(predictor, image, options, &predicting);
    }
    if (factor > 1.05 && !options.rescale) {
        char line[200];
        std::snprintf(line, sizeof line, "predicted on the image's own %.3g m pixels, not the model's %.3g m: the model sees finer detail than it was trained on",
                      pixel, options.modelPixelMetres);
        warnings.push_back(line);
    }
    if (!(factor > 1.05 && options.rescale)) result.warnings.insert(result.warnings.begin(), warnings.begin(), warnings.end()); // predictAtModelScale's carry them
    result.filterNames = cube.metadata().filterNames;
    result.noiseSigma = noise;
    result.calibration = fits;
    return result;
}

} // namespace jezero::ml
