#!/usr/bin/env bash
# Longer checkpoint fuzz run than the suite's (issue #13): N seeded corruptions of a generator checkpoint per backend,
# each of which must load and serve finite scores or fail with a CheckpointException.
#   scripts/fuzz-checkpoints.sh [variants] [seed]      (defaults: 5000 variants, seed 1)
set -euo pipefail
cd "$(dirname "$0")/.."
variants=${1:-5000}
seed=${2:-1}
mvn -B -ntp -q -pl onerec-backend-cpu,onerec-backend-libtorch -am test \
  -Dtest='CpuCheckpointRobustnessTest#randomly*,TorchCheckpointRobustnessTest#randomly*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Donerec.fuzzVariants="$variants" -Donerec.fuzzSeed="$seed" -Donerec.fuzzSeconds=$((variants * 2 + 60))
