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
# The service benchmark's clients decode every answer (20,000 100-instance answers a second): with a young generation
# of the JVM's default size their own collections paused all 8 clients several times a second and showed up in the p99
# of the reads that allocate most. A large young generation keeps the measuring instrument quiet; the service runs with
# its JVM's defaults. Options given on the command line come after these and win.
instrument=(-Xms2g -Xmn1g)
if [[ "${1:-}" == "events" ]]; then
  shift
  main=dev.talosburst.benchmarks.EventsBenchmark
  instrument=() # the events benchmark measures the sink inside its own JVM: its GC is part of what is measured
fi
exec java "${instrument[@]}" "$@" -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" "$main"
