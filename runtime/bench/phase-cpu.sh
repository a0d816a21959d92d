#!/bin/sh
# CPU time per in-process phase (the JMH PhaseBenchmark's pre-start), for checkouts side by side:
# what a phase costs the node's cores, which wall-time medians cannot show on a loaded machine.
#
#   runtime/bench/phase-cpu.sh [ROUNDS] [CHECKOUT ...]    (default 5 rounds, this checkout)
#
# Each round runs, for each checkout in turn, the benchmark in single-shot mode twice, with a small
# and a large batch of phases (a warm-up batch and a measured one each), timing the whole process's
# user+sys cpu (GNU time; the JMH fork included). The difference between the two, divided by the
# difference in phases, is the cpu of one phase: the JVM's start, the hooks' compilation and JMH's
# own work cancel out. Prints each round's figure and the median per checkout.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${1:-5}
case $rounds in '' | *[!0-9]*) echo "usage: $0 [ROUNDS] [CHECKOUT ...]" >&2; exit 2 ;; esac
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$here"
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
small=200
large=2200
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. "$here/runtime/bench/jmh-classpath.sh"
n=0
for checkout; do
  n=$((n + 1))
  jmh_classpath "$checkout" > "$work/cp.$n"
done

cpu_of() { # classpath-file batch -> seconds of user+sys
  /usr/bin/time -f '%U %S' -o "$work/time" "$java" -cp "$(cat "$1")" org.openjdk.jmh.Main 'dev\.guesthook\.bench\.PhaseBenchmark\.' -bm ss -f 1 -wi 1 -i 1 -wbs "$2" -bs "$2" \
    > "$work/jmh.out" 2>&1 || { cat "$work/jmh.out" >&2; exit 1; }
  awk '{ print $1 + $2 }' "$work/time"
}

round=1
while [ "$round" -le "$rounds" ]; do
  n=0
  for checkout; do
    n=$((n + 1))
    a=$(cpu_of "$work/cp.$n" $small)
    b=$(cpu_of "$work/cp.$n" $large)
    per=$(awk -v a="$a" -v b="$b" -v s=$small -v l=$large 'BEGIN { printf "%.0f", (b - a) * 1e6 / (2 * (l - s)) }')
    echo "$per" >> "$work/per.$n"
    echo "round $round  $checkout: ${per} us cpu per phase (process cpu ${a} s / ${b} s; load $(cut -d' ' -f1 /proc/loadavg))"
  done
  round=$((round + 1))
done
n=0
for checkout; do
  n=$((n + 1))
  echo "median  $checkout: $(sort -n "$work/per.$n" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }') us cpu per phase (range $(sort -n "$work/per.$n" | head -1)-$(sort -n "$work/per.$n" | tail -1))"
done
