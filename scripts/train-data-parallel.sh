#!/usr/bin/env bash
# Data-parallel training of the main example on one machine, in the manner of torchrun: starts N processes of
# BeautyEndToEnd that join one c10d/Gloo group through a FileStore, each training on its share of every global batch
# (GeneratorTrainer.withDataParallel); rank 0 fits the codec, saves and evaluates. The cores are split between the
# processes. Data-parallel runs train for --epochs (no time budget: the processes must agree on every step).
#   scripts/train-data-parallel.sh N [example flags...]     e.g. scripts/train-data-parallel.sh 2 --epochs 3 --out runs/dp
# Across machines: run BeautyEndToEnd yourself on each with --world-size N --rank R --rendezvous tcp:HOST:PORT
# (rank 0 serves the store) and -Donerec.dist.hostname=<this machine's address>.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:?usage: scripts/train-data-parallel.sh N [example flags...]}
shift
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export OMP_WAIT_POLICY=PASSIVE
mvn -B -ntp -q -pl onerec-examples -am package -DskipTests \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/dp-classpath.txt
cp="onerec-examples/target/classes:$(cat onerec-examples/target/dp-classpath.txt 2>/dev/null || cat target/dp-classpath.txt)"
cores=$(nproc)
threads=$(( cores / n > 0 ? cores / n : 1 ))
store=$(mktemp -u /tmp/onerec-dp-store.XXXXXX)
data_dir=${ONEREC_DATA_DIR:-../shared/data}
pids=()
for ((r = n - 1; r >= 0; r--)); do
  cmd=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m
       -Donerec.data.dir="$data_dir" -Donerec.torch.threads="$threads" -Donerec.progress=lines -cp "$cp"
       io.onerec.examples.BeautyEndToEnd --world-size "$n" --rank "$r" --rendezvous "file:$store" "$@")
  if [ "$r" -eq 0 ]; then
    "${cmd[@]}" &
  else
    "${cmd[@]}" > "target/dp-rank-$r.log" 2>&1 &
  fi
  pids+=($!)
done
status=0
for p in "${pids[@]}"; do wait "$p" || status=$?; done
rm -f "$store"
exit $status
