#!/bin/sh
# In-process benchmarks (JMH): what the resident runtime does per hookscript call, without the
# process start and the socket. Sample-time mode: JMH prints the median (p0.50), p0.90 and p0.99.
#
#   runtime/bench/jmh.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look; -h for JMH's help
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
"$here/mvnw" -q -B -f "$here/pom.xml" -DskipTests -pl runtime -am package >&2
cp="$here/runtime/target/cp.txt"
"$here/mvnw" -q -B -f "$here/pom.xml" -pl runtime dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$cp" >&2
exec "$java" -cp "$here/runtime/target/test-classes:$here/runtime/target/classes:$(cat "$cp")" \
  org.openjdk.jmh.Main 'dev.guesthook.bench.PhaseBenchmark' "$@"
