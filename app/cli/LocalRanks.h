#pragma once
// `jezero-cli train --nproc N`: starts N ranks of a data-parallel run on this machine (this program
// again, told its rank through JEZERO_RANK / JEZERO_WORLD_SIZE / JEZERO_RENDEZVOUS), meeting through
// a temporary file store, each with its share of the cores. Rank 0's progress is the run's. SIGINT and
// SIGTERM are passed on (the ranks save and stop together); when one rank fails the others are stopped.
// Ranks other than 0 write their messages to logDirectory/rank-N.log; a failure only they saw is
// repeated as one line.
#include <string>
#include <vector>

namespace jezero::cli {

// Runs the ranks to the end; returns the exit status for the whole run (0 when every rank succeeded).
int runLocalRanks(int count, const std::vector<std::string>& arguments, const std::string& logDirectory);

} // namespace jezero::cli
