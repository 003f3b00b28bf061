// jezero-ml: the LibTorch half of the command line (train; predict and evaluate to come). Kept out of
// jezero-cli so that its other commands start in milliseconds instead of loading LibTorch;
// `jezero-cli train …` runs this program with the same arguments.
#include "Commands.h"

int main(int argc, char** argv) {
    CLI::App app{"Jezero: model training from the command line (also reached as jezero-cli train)"};
    const auto commands = jezero::cli::addTrainCommands(app);
    return jezero::cli::runCommandLine(app, commands, argc, argv, "jezero-ml");
}
