#!/bin/sh
# A pre-start in process (PhaseBenchmark) beside its floor (PhaseFloorBenchmark): the files any
# runtime doing the job must touch, two Groovy closure calls, the recording's JSON line, each alone.
# Sample-time mode: medians and tails, in one JVM run, so the figures share the machine's load.
#
#   runtime/bench/phase-floor.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look
exec "$(dirname "$0")/jmh.sh" 'PhaseBenchmark|PhaseFloorBenchmark' "$@"
