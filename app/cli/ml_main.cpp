// jezero-ml: the LibTorch half of the command line (train, predict, batch-predict, evaluate, pair-eval, model-info, devices). Kept out of jezero-cli so
// that its other commands start in milliseconds instead of loading LibTorch; `jezero-cli train …`
// (predict, evaluate, model-info, devices) runs this program with the same arguments.
#include "Commands.h"

int main(int argc, char** argv) {
    CLI::App app{"Jezero: model training, prediction and evaluation (also reached as jezero-cli train/predict/evaluate)"};
    auto commands = jezero::cli::addTrainCommands(app);
    for (auto& c : jezero::cli::addPredictCommands(app)) commands.push_back(c);
    for (auto& c : jezero::cli::addBatchPredictCommands(app)) commands.push_back(c);
    for (auto& c : jezero::cli::addEvaluateCommands(app)) commands.push_back(c);
    for (auto& c : jezero::cli::addModelCommands(app)) commands.push_back(c);
    for (auto& c : jezero::cli::addPairEvalCommands(app)) commands.push_back(c);
    return jezero::cli::runCommandLine(app, commands, argc, argv, "jezero-ml");
}
