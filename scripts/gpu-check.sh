#!/usr/bin/env bash
# GPU readiness check of the LibTorch backend (issue #14, item 4). On a machine with an NVIDIA GPU and driver:
#   1. builds with -Pgpu (CUDA natives of libtorch instead of the CPU ones),
#   2. runs the LibTorch tests on CUDA (-Donerec.torch.device=cuda: a test JVM that cannot get the GPU fails
#      instead of silently running on the CPU),
#   3. checks CPU/CUDA logit parity: CpuParityTest compares LibTorch's per-step log-probabilities and beams (now on
#      CUDA) with the pure-Java CPU backend's on the same checkpoints, to 1e-4,
#   4. trains the generator a few hundred steps on Amazon Beauty (the example program, LibTorch on CUDA),
#   5. runs GeneratorBenchmark (pure Java on the CPU vs LibTorch on CUDA, d128/d512, beam 10/32/128), short,
# and prints one summary table. Meant to finish inside 10 minutes once Maven has the -Pgpu dependencies (the first
# download of the CUDA jars, a few GB, is not counted; run `mvn -Pgpu -DskipTests package` once beforehand when the
# machine's network is slow).
#
# Usage: scripts/gpu-check.sh [DATA_DIR]   (default ../shared/data relative to the repository; must hold amazon-beauty/)
# Env:   JAVA_HOME (default /usr/lib/jvm/temurin-25-jdk-amd64), MVN (default mvn), OUT (default /tmp/onerec-gpu-check)
set -uo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:-$REPO/../shared/data}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export OMP_WAIT_POLICY=PASSIVE
MVN="${MVN:-mvn}"
OUT="${OUT:-/tmp/onerec-gpu-check}"
JAVA="$JAVA_HOME/bin/java"
JVM_FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m -Donerec.torch.device=cuda)
mkdir -p "$OUT"
cd "$REPO" || exit 1

declare -a ROWS=()
row() { ROWS+=("$(printf '| %-22s | %-6s | %6s s | %s |' "$1" "$2" "$3" "$4")"); }
now() { date +%s; }
START=$(now)

# ---------------------------------------------------------------- 0. the GPU
if ! command -v nvidia-smi >/dev/null 2>&1 || ! nvidia-smi -L >/dev/null 2>&1; then
    echo "gpu-check: no NVIDIA GPU here (nvidia-smi -L fails); nothing to check" >&2
    exit 2
fi
GPU="$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -1)"
echo "gpu-check: $GPU; data $DATA; logs in $OUT"
if [ ! -d "$DATA/amazon-beauty" ]; then
    echo "gpu-check: warning: no amazon-beauty under $DATA; the training step will fail" >&2
fi

# ---------------------------------------------------------------- 1. build with -Pgpu
t=$(now)
if timeout 300 "$MVN" -B -ntp -q -Pgpu -pl onerec-bench,onerec-examples,onerec-integration-tests -am package -DskipTests \
        > "$OUT/build.log" 2>&1 \
   && timeout 120 "$MVN" -B -ntp -q -o -Pgpu -pl onerec-bench,onerec-examples -am \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile="$OUT/cp-raw.txt" \
        -Dmdep.appendOutput=true >> "$OUT/build.log" 2>&1; then
    # Module classes from the reactor, then every dependency once.
    CP="onerec-bench/target/classes:onerec-examples/target/classes:onerec-backend-libtorch/target/classes:onerec-backend-cpu/target/classes"
    CP="$CP:onerec-tools/target/classes:onerec-core/target/classes:onerec-api/target/classes"
    CP="$CP:$(tr ':' '\n' < "$OUT/cp-raw.txt" | grep '\.jar$' | sort -u | paste -sd:)"
    if ls "$HOME/.m2/repository/org/bytedeco/pytorch/"*/*linux-x86_64-gpu*.jar >/dev/null 2>&1; then
        row "build -Pgpu" ok $(( $(now) - t )) "CUDA natives: $(ls "$HOME/.m2/repository/org/bytedeco/pytorch/"*/*linux-x86_64-gpu*.jar | head -1 | xargs basename)"
    else
        row "build -Pgpu" FAIL $(( $(now) - t )) "no pytorch linux-x86_64-gpu jar in ~/.m2"
    fi
else
    row "build -Pgpu" FAIL $(( $(now) - t )) "see $OUT/build.log"
    CP=""
fi

# ---------------------------------------------------------------- 2 + 3. LibTorch tests and CPU/CUDA parity on CUDA
surefire_counts() { # module -> "tests N, failures F, errors E, skipped S"
    local dir="$1/target/surefire-reports"
    [ -d "$dir" ] || { echo "no reports"; return; }
    awk -F'"' '/<testsuite /{for(i=1;i<NF;i++){if($i~/ tests=$/)t+=$(i+1);if($i~/ failures=$/)f+=$(i+1);if($i~/ errors=$/)e+=$(i+1);if($i~/ skipped=$/)s+=$(i+1)}}
        END{printf "tests %d, failures %d, errors %d, skipped %d", t, f, e, s}' "$dir"/TEST-*.xml
}
t=$(now)
timeout 240 "$MVN" -B -ntp -o -Pgpu -pl onerec-backend-libtorch -am test -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='io.onerec.libtorch.**' -Dsurefire.argLine=-Donerec.torch.device=cuda > "$OUT/test-libtorch.log" 2>&1
rc=$?
row "LibTorch tests (CUDA)" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $(( $(now) - t )) "$(surefire_counts onerec-backend-libtorch)$([ $rc -eq 124 ] && echo ', timed out')"
t=$(now)
timeout 120 "$MVN" -B -ntp -o -Pgpu -pl onerec-integration-tests -am test -Dsurefire.failIfNoSpecifiedTests=false \
    -Dtest='CpuParityTest,RewardModelCrossBackendTest,QwenCachedDecodingCrossBackendTest' \
    -Dsurefire.argLine=-Donerec.torch.device=cuda > "$OUT/test-parity.log" 2>&1
rc=$?
row "CPU/CUDA parity" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $(( $(now) - t )) "pure Java (CPU) vs LibTorch (CUDA) log-probs and beams to 1e-4: $(surefire_counts onerec-integration-tests)"

# ---------------------------------------------------------------- 4. training on Beauty
t=$(now)
if [ -n "$CP" ]; then
    # One epoch (a few hundred steps of 64 windows) inside a 2-minute budget, validation and test on 1,000 users.
    timeout 240 "$JAVA" "${JVM_FLAGS[@]}" -Xmx8g -Donerec.data.dir="$DATA" -cp "$CP" io.onerec.examples.BeautyEndToEnd \
        --epochs 1 --minutes 2 --eval-users 1000 --valid-users 1000 --backend libtorch --out "$OUT/beauty" \
        > "$OUT/train.log" 2>&1
    rc=$?
    # BeautyEndToEnd logs "trained E epochs / S steps in T; best validation ..." and the serving users/s.
    device="$(grep -oE 'device=[a-z:0-9]+' "$OUT/train.log" | head -1)"
    steps="$(grep -oE '[0-9]+ epochs / [0-9]+ steps in [^;]*' "$OUT/train.log" | tail -1)"
    serving="$(grep -oE 'beam [0-9]+, [0-9.]+ users/s' "$OUT/train.log" | tail -1)"
    row "train Beauty (CUDA)" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $(( $(now) - t )) "${device:-device ?}; ${steps:-steps ?}; serving ${serving:-?}; metrics in train.log"
else
    row "train Beauty (CUDA)" skip 0 "no build"
fi

# ---------------------------------------------------------------- 5. GeneratorBenchmark on CUDA
t=$(now)
if [ -n "$CP" ]; then
    timeout 420 "$JAVA" "${JVM_FLAGS[@]}" -cp "$CP" org.openjdk.jmh.Main GeneratorBenchmark \
        -p backend=cpu,libtorch -p model=d128,d512 -p beam=10,32,128 -f 1 -wi 1 -w 2 -i 2 -r 2 \
        -jvmArgsAppend "-Donerec.torch.device=cuda" -rf csv -rff "$OUT/bench.csv" > "$OUT/bench.log" 2>&1
    rc=$?
    row "GeneratorBenchmark" "$([ $rc -eq 0 ] && echo ok || echo FAIL)" $(( $(now) - t )) "users/s below (cpu = pure Java on $(nproc) cores)"
else
    row "GeneratorBenchmark" skip 0 "no build"
fi

# ---------------------------------------------------------------- summary
echo
echo "## gpu-check $(date -u +%Y-%m-%dT%H:%MZ): $GPU, $(nproc) cores, total $(( $(now) - START )) s"
echo
echo "| step                   | result | time     | detail |"
echo "|------------------------|--------|----------|--------|"
printf '%s\n' "${ROWS[@]}"
if [ -s "$OUT/bench.csv" ]; then
    echo
    echo "| model | beam | pure Java (CPU) users/s | LibTorch (CUDA) users/s | LibTorch / Java |"
    echo "|---|---|---|---|---|"
    # JMH csv: "Benchmark","Mode","Threads","Samples","Score","Score Error (99.9%)","Unit","Param: backend","Param: beam","Param: model","Param: threads"
    awk -F, 'NR==1{for(i=1;i<=NF;i++){gsub(/"/,"",$i);col[$i]=i};next}
        {gsub(/"/,""); b=$col["Param: backend"]; k=$col["Param: model"] " | " $col["Param: beam"]; s[k,b]=$col["Score"]; keys[k]=1}
        END{for(k in keys){c=s[k,"cpu"];l=s[k,"libtorch"]; printf "| %s | %.1f | %.1f | %s |\n", k, c, l, (c>0? sprintf("%.2fx", l/c) : "-")}}' \
        "$OUT/bench.csv" | sort -t'|' -k2,2 -k3,3n
fi
