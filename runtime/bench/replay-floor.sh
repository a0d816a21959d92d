#!/bin/sh
# The floor of a replayed event without its hooks (JMH, ReplayFloorBenchmark): parsing the two
# lines of one recorded lifecycle of runtime/bench/replay.sh's one-guest file, building the hosts
# that answer from them, comparing what the hooks did. Average time per operation (two events), with
# the replay's JIT (C1 only); add -jvmArgsAppend -XX:TieredStopAtLevel=4 for full tiering.
#
#   runtime/bench/replay-floor.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look
exec "$(dirname "$0")/jmh.sh" ReplayFloorBenchmark "$@"
