#!/bin/sh
# Replay throughput and memory: a recording of N lifecycles (pre-start + post-stop of VM 501 on the
# sriov-nic sandbox: sriov-vf enabling VFs, setting the VF's link, binding it, and putting it back),
# replayed through the stock hooks. Prints events/s and peak RSS for N and for N/10, to show that
# memory does not grow with the file (it is streamed).
#
#   runtime/bench/replay.sh [LIFECYCLES]     (default 10000)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
[ -f "$here/runtime/target/guesthook-runtime.jar" ] || "$here/mvnw" -q -B -DskipTests -pl runtime -am package

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/guesthook" sandbox create "$work/host" --profile sriov-nic > /dev/null
gh="$here/guesthook --root $work/host --simulate --hooks $here/hooks/stock"
$gh 501 pre-start > /dev/null
$gh 501 post-stop > /dev/null
one=$(ls "$work"/host/var/lib/guesthook/recordings/501-*.jsonl)
make() {  # make FILE COUNT: COUNT copies of the recorded lifecycle
  i=0; : > "$1"
  while [ $i -lt "$2" ]; do cat "$one" >> "$1"; i=$((i + 1)); done
}
make "$work/small.jsonl" $((n / 10))
make "$work/big.jsonl" "$n"
for f in small big; do
  events=$(wc -l < "$work/$f.jsonl")
  /usr/bin/time -f '%e %M' -o "$work/$f.time" $gh replay "$work/$f.jsonl" > "$work/$f.out" || true
  read -r secs rss < "$work/$f.time"
  echo "$f: $events events ($(du -h "$work/$f.jsonl" | cut -f1)) replayed in ${secs}s:" \
    "$(awk -v e="$events" -v s="$secs" 'BEGIN { printf "%.0f", e / s }') events/s, peak RSS ${rss} KiB;" \
    "$(tail -1 "$work/$f.out")"
done
