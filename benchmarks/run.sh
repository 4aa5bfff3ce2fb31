#!/usr/bin/env bash
# Builds the packaged service and the benchmark, then runs it (see BENCHMARKS.md). Options as -D system properties, e.g.
#   benchmarks/run.sh -Dbench.fleets=500:4,5000:41 -Dbench.seconds=10 -Dbench.out=/tmp/bench.md
# or, for lifecycle-event publishing against an in-process broker:  benchmarks/run.sh events [-Dbench.events.backlog=50000]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${BENCH_SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -B -q -Pbenchmarks -pl autoscaler-grpc,benchmarks -am package -DskipTests
fi
main=dev.talosburst.benchmarks.ServiceBenchmark
if [[ "${1:-}" == "events" ]]; then
  shift
  main=dev.talosburst.benchmarks.EventsBenchmark
fi
exec java "$@" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" "$main"
