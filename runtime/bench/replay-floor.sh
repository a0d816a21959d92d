#!/bin/sh
# The floor of a replayed event without its hooks (JMH, ReplayFloorBenchmark): parsing the two
# lines of one recorded lifecycle of runtime/bench/replay.sh's one-guest file, building the hosts
# that answer from them, comparing what the hooks did. Average time per operation (two events), with
# the replay's JIT (C1 only); add -jvmArgsAppend -XX:TieredStopAtLevel=4 for full tiering.
#
#   runtime/bench/replay-floor.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$here/mvnw" -q -B -f "$here/pom.xml" -DskipTests -pl runtime -am package >&2
cp="$here/runtime/target/cp.txt"
"$here/mvnw" -q -B -f "$here/pom.xml" -pl runtime dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
exec "$java" -cp "$here/runtime/target/test-classes:$here/runtime/target/classes:$(cat "$cp")" \
  org.openjdk.jmh.Main 'dev.guesthook.bench.ReplayFloorBenchmark' "$@"
