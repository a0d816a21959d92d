#!/bin/sh
# In-process benchmarks (JMH): what the resident runtime does per hookscript call, without the
# process start and the socket. Sample-time mode: JMH prints the median (p0.50), p0.90 and p0.99.
#
#   runtime/bench/jmh.sh [BENCHMARK] [JMH options]   e.g. -wi 2 -i 3 for a quick look; -h for JMH's help
#
# BENCHMARK is a JMH pattern of benchmark classes (default PhaseBenchmark: a pre-start through the
# warm engine); phase-floor.sh and replay-floor.sh name theirs.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
benchmark=PhaseBenchmark
case ${1:-} in '' | -*) ;; *) benchmark=$1; shift ;; esac
. "$here/runtime/bench/jmh-classpath.sh"
cp=$(jmh_classpath "$here")
exec "$java" -cp "$cp" org.openjdk.jmh.Main "dev\.guesthook\.bench\.($benchmark)\." "$@"
