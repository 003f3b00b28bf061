#pragma once
// jezero-cli's subcommands. Each add* function registers its subcommands (options bound to state it
// owns) and returns, for each, what to run when it was the one given.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace jezero::cli {

struct Command {
    CLI::App* app;
    std::function<void()> run;
};

std::vector<Command> addSceneCommands(CLI::App& app);    // info, spectrum, render
std::vector<Command> addSpectralCommands(CLI::App& app); // match, cassis, inputs, params, browse, params-spectrum
std::vector<Command> addSynthCommands(CLI::App& app);    // synth, sample
std::vector<Command> addDatasetCommands(CLI::App& app);  // dataset build, dataset info
std::vector<Command> addMetricsCommands(CLI::App& app);  // metrics
std::vector<Command> addFusionCommands(CLI::App& app);   // fusion-eval
std::vector<Command> addTrainCommands(CLI::App& app);    // train (jezero-ml)
std::vector<Command> addPredictCommands(CLI::App& app);  // predict (jezero-ml)
std::vector<Command> addBatchPredictCommands(CLI::App& app); // batch-predict (jezero-ml)
std::vector<Command> addEvaluateCommands(CLI::App& app); // evaluate (jezero-ml)
std::vector<Command> addPairEvalCommands(CLI::App& app); // pair-eval (jezero-ml)
std::vector<Command> addModelCommands(CLI::App& app);    // model-info, devices (jezero-ml)

// Parses argv into app, sets up logging as logName (--verbose is registered here), runs the command
// given, and turns any error into one line on stderr and exit code 1.
int runCommandLine(CLI::App& app, const std::vector<Command>& commands, int argc, char** argv, const std::string& logName);

struct Pixel {
    int x = 0;
    int y = 0;
};
// "X,Y" (column, row from 0); throws Error.
Pixel parsePixel(const std::string& text);
// The lower-case extension of a path ("" when none).
std::string extensionOf(const std::string& path);
// Throws Error unless path names a GeoTIFF (.tif or .tiff, any case).
void requireTiff(const std::string& path);
// Throws Error when out names the input file (it would be overwritten before or while it is read).
void requireNotInput(const std::string& out, const std::string& input);
// "A,B,C" → {"A", "B", "C"}, blanks trimmed.
std::vector<std::string> splitList(const std::string& text);

} // namespace jezero::cli
