#!/bin/sh
# System calls per in-process phase (the JMH PhaseBenchmark's pre-start), by call, for checkouts
# side by side: a count the machine's load does not move, where times on a shared VM do (on this
# 2-core VM half a phase's cpu is in the kernel).
#
#   runtime/bench/phase-syscalls.sh [CHECKOUT ...]      (default: this checkout)
#
# Runs the benchmark twice per checkout under `strace -f -c`, in single-shot mode with a small and
# a large batch of phases; the difference, divided by the difference in phases, is one phase's
# calls: the JVM's start, the hooks' compilation and JMH's own work cancel out. Needs strace.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- "$here"
command -v strace > /dev/null || { echo "bench: needs strace (apt-get install strace)" >&2; exit 2; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
small=200
large=1200
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/runtime/bench/jmh-classpath.sh"

calls_of() { # classpath batch -> "call count" lines
  strace -f -qq -c -o "$work/strace" "$java" -Djmh.ignoreLock=true -cp "$1" org.openjdk.jmh.Main \
    'dev\.guesthook\.bench\.PhaseBenchmark\.' -bm ss -f 0 -wi 1 -i 1 -wbs "$2" -bs "$2" > "$work/jmh.out" 2>&1 ||
    { cat "$work/jmh.out" >&2; exit 1; }
  awk '$1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { print $NF, $4 }' "$work/strace"
}

for checkout; do
  cp=$(jmh_classpath "$checkout")
  calls_of "$cp" $small | sort > "$work/a"
  calls_of "$cp" $large | sort > "$work/b"
  echo "== $checkout: system calls per phase"
  join -a 2 -e 0 -o 0,1.2,2.2 "$work/a" "$work/b" |
    awk -v n=$((2 * (large - small))) '{ d = ($3 - $2) / n; if (d >= 0.05) printf "%8.1f  %s\n", d, $1; t += d }
      END { printf "%8.1f  total\n", t }' | sort -rn
done
