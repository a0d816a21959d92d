#!/bin/sh
# The floor under serve-heap.sh's row (200 guests, each with a hook text of its own): what a JVM
# with serve's flags takes to hold N such texts in Groovy and nothing else of guesthook's
# (runtime/bench/TextsFloor.java), beside the same JVM holding one, interleaved:
#
#   runtime/bench/texts-floor.sh [TEXTS] [RUNS]     (default 200 texts, 5 runs of each)
#
# Each text is serve-heap.sh's, compiled ahead (a node's compiled-hook cache), with its interpolation
# written as a concatenation so that Groovy's formatter is not loaded (serve does not load it
# either). Prints each run's VmRSS, VmHWM and live heap after full collections, then the medians and
# what one text costs (against the same JVM holding one). The JDK's class-data archive only: Groovy's
# classes take metaspace instead of serve's archive (the same RSS within 1.5 MB, "serve's memory").
# Needs the built runtime (for its Groovy jar and serve's flags).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
texts=${1:-200}
runs=${2:-5}
case $texts$runs in '' | *[!0-9]*) echo "usage: $0 [TEXTS] [RUNS]" >&2; exit 2 ;; esac
[ "$texts" -ge 1 ] && [ "$runs" -ge 1 ] || { echo "usage: $0 [TEXTS] [RUNS]: at least 1 of each" >&2; exit 2; }
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
javac="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP PIPE
"$here/guesthook" --version > /dev/null # builds the runtime if needed
groovy_jar=$(ls "$here"/runtime/target/lib/groovy-[0-9]*.jar)
# serve's flags as the launcher gives them (its common flags, serve's bounds, JIT and native ones).
flags="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -XX:-UsePerfData $(sed -n \
  's/^serve_bounds="\(.*\)"$/\1/p; s/^serve_jit="\(.*\)"$/\1/p; s/^serve_native="\(.*\)"$/\1/p' \
  "$here/guesthook" | tr '\n' ' ')"

# The program and its script class in one folder, the texts in another: each text's own loader
# must be the one that defines it (the application's loader would otherwise, for all of them).
mkdir -p "$work/floor" "$work/texts" "$work/src"
"$javac" -cp "$groovy_jar" -d "$work/floor" "$here/runtime/bench/TextsFloor.java"
i=0
while [ $i -lt "$texts" ]; do
  printf "hook('own-%s') { on('pre-start') { ev -> write '/sys/vm/' + ev.vmid, 'started' } }\n" \
    $((1000 + i)) > "$work/src/Own$i.groovy"
  i=$((i + 1))
done
"$java" -cp "$groovy_jar:$work/floor" org.codehaus.groovy.tools.FileSystemCompiler \
  -b 'TextsFloor$Base' -d "$work/texts" "$work/src"/*.groovy > /dev/null

echo "a JVM with serve's flags holding Groovy hook texts and nothing else, $runs interleaved runs:"
r=0
while [ $r -lt "$runs" ]; do
  # shellcheck disable=SC2086 # the flags are words
  MALLOC_ARENA_MAX=2 "$java" $flags -cp "$groovy_jar:$work/floor" TextsFloor "$work/texts" 1 | tee -a "$work/one.txt"
  # shellcheck disable=SC2086
  MALLOC_ARENA_MAX=2 "$java" $flags -cp "$groovy_jar:$work/floor" TextsFloor "$work/texts" "$texts" | tee -a "$work/many.txt"
  r=$((r + 1))
done
awk -v texts="$texts" '
  function median(v, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  FNR == 1 { file++ }
  { n[file]++; rss[file, n[file]] = $4; hwm[file, n[file]] = $7; live[file, n[file]] = $11 }
  END {
    for (f = 1; f <= 2; f++) {
      for (i = 1; i <= n[f]; i++) { a[i] = rss[f, i]; b[i] = hwm[f, i]; c[i] = live[f, i] }
      mr[f] = median(a, n[f]); mh[f] = median(b, n[f]); ml[f] = median(c, n[f])
    }
    printf "medians: one text VmRSS %d KiB, VmHWM %d KiB, live heap %d KiB\n", mr[1], mh[1], ml[1]
    printf "         %d texts VmRSS %d KiB, VmHWM %d KiB, live heap %d KiB\n", texts, mr[2], mh[2], ml[2]
    if (texts > 1) printf "a text: %.0f KiB of RSS, %.0f KiB of live heap\n", (mr[2] - mr[1]) / (texts - 1), (ml[2] - ml[1]) / (texts - 1)
  }' "$work/one.txt" "$work/many.txt"
