#!/bin/sh
# The in-process phase (PhaseBenchmark, in memory as a node's /run and /sys are) of checkouts side
# by side: ROUNDS rounds, each running every checkout once in turn, so that the machine's load
# falls on all of them alike. Prints each round's p50 and p99 per checkout, then each checkout's
# median p50 and its range.
#
#   runtime/bench/phase-vs.sh [-r ROUNDS] CHECKOUT ... [-- JMH options]
#
# e.g. git worktree add /tmp/base main && runtime/bench/phase-vs.sh -r 5 /tmp/base .
# Default: 5 rounds of 8 warm-up and 4 measured iterations (about 40 s per checkout a round).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rounds=5
[ "${1:-}" = -r ] && { rounds=$2; shift 2; }
checkouts=
while [ $# -gt 0 ] && [ "$1" != -- ]; do checkouts="$checkouts $(cd "$1" && pwd)"; shift; done
[ "${1:-}" = -- ] && shift
[ -n "$checkouts" ] || { echo "usage: phase-vs.sh [-r ROUNDS] CHECKOUT ... [-- JMH options]" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/runtime/bench/jmh-classpath.sh"
n=0
for checkout in $checkouts; do
  n=$((n + 1))
  jmh_classpath "$checkout" > "$work/cp.$n"
done
round=1
while [ $round -le "$rounds" ]; do
  n=0
  for checkout in $checkouts; do
    n=$((n + 1))
    "$java" -cp "$(cat "$work/cp.$n")" org.openjdk.jmh.Main 'dev\.guesthook\.bench\.PhaseBenchmark\.' \
      -p hostOn=memory -wi 8 -i 4 "$@" > "$work/out" 2>&1 || { cat "$work/out" >&2; exit 1; }
    p50=$(awk '/preStart:p0.50 / { print $(NF-1) }' "$work/out")
    p99=$(awk '/preStart:p0.99 / { print $(NF-1) }' "$work/out")
    echo "$p50" >> "$work/p50.$n"
    printf 'round %s  %-40s p50 %8s us  p99 %8s us  load %s\n' "$round" "$checkout" "$p50" "$p99" \
      "$(cut -d' ' -f1 /proc/loadavg)"
  done
  round=$((round + 1))
done
n=0
for checkout in $checkouts; do
  n=$((n + 1))
  sort -n "$work/p50.$n" | awk -v c="$checkout" '{ v[NR] = $1 }
    END { printf "%-40s p50 median %s us, range %s-%s (%d rounds)\n", c, v[int((NR + 1) / 2)], v[1], v[NR], NR }'
done
