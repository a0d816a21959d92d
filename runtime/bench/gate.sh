#!/bin/sh
# What the health gate (stock/device-health.groovy) adds to a pre-start, in process (JMH,
# GateBenchmark): VM 601 of the gpu-passthrough sandbox with the gate on and off, each in its own
# fork, ROUNDS rounds alternating which goes first (default 3). Prints each run's median (p0.50)
# and p0.90, then the median of each side over the rounds and their difference.
#
#   runtime/bench/gate.sh [ROUNDS] [JMH options]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rounds=${1:-3}
[ $# -gt 0 ] && shift
. "$here/runtime/bench/jmh-classpath.sh"
cp=$(jmh_classpath "$here")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() { # gate round [JMH options]
  gate=$1 round=$2
  shift 2
  "$java" -cp "$cp" org.openjdk.jmh.Main 'dev\.guesthook\.bench\.GateBenchmark\.' -p gate="$gate" "$@" \
    > "$work/run.txt"
  p50=$(awk '/preStart:p0.50 /{ print $(NF-1) }' "$work/run.txt")
  p90=$(awk '/preStart:p0.90 /{ print $(NF-1) }' "$work/run.txt")
  echo "$p50" >> "$work/$gate.txt"
  echo "  round $round gate=$gate: median $p50 us, p90 $p90 us"
}
i=1
while [ $i -le "$rounds" ]; do
  if [ $((i % 2)) -eq 1 ]; then run on $i "$@"; run off $i "$@"; else run off $i "$@"; run on $i "$@"; fi
  i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
on=$(median < "$work/on.txt"); off=$(median < "$work/off.txt")
echo "pre-start of VM 601, median of $rounds rounds: gate on $on us, off $off us," \
  "added $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.0f", a - b }') us"
