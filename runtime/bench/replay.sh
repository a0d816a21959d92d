#!/bin/sh
# Replay throughput and memory, two scenarios, each at N/10 and N lifecycles (pre-start + post-stop),
# so that memory can be seen not to grow with the input (it is streamed):
#   one guest:   VM 501 of the sriov-nic sandbox (sriov-vf enabling VFs, setting the VF's link,
#                binding it, and putting it back) N times in one file, as before;
#   four guests: VMs 501-504 of the same sandbox, one file per guest and five lifecycles (a guest's
#                day), as a CI replays a node's recordings: many small files of different guests,
#                whose events may run side by side (one guest's events always run in order).
# Prints events/s, MB/s and peak RSS per run, and the rate between the two sizes (start-up and
# hook compilation taken out).
#
#   runtime/bench/replay.sh [LIFECYCLES]     (default 10000)
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
[ -f "$here/runtime/target/guesthook-runtime.jar" ] || (cd "$here" && ./mvnw -q -B -DskipTests -pl runtime -am package)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
"$here/guesthook" sandbox create "$work/host" --profile sriov-nic > /dev/null
gh="$here/guesthook --root $work/host --simulate --hooks $here/hooks/stock"
for vm in 501 502 503 504; do # 503's pre-start fails (a VF out of range): recorded all the same
  $gh $vm pre-start > /dev/null || true
  $gh $vm post-stop > /dev/null || true
  mv "$work"/host/var/lib/guesthook/recordings/$vm-*.jsonl "$work/$vm.jsonl"
done

copies() {  # copies FILE COUNT: COUNT copies of the recorded lifecycle FILE
  i=0
  while [ $i -lt "$2" ]; do cat "$1"; i=$((i + 1)); done
}

one_guest() {  # one_guest DIR LIFECYCLES
  mkdir -p "$1"
  copies "$work/501.jsonl" "$2" > "$1/501.jsonl"
}

four_guests() {  # four_guests DIR LIFECYCLES: files of 5 lifecycles, the guests in turn
  mkdir -p "$1"
  f=0
  while [ $((f * 5)) -lt "$2" ]; do
    vm=$((501 + f % 4))
    copies "$work/$vm.jsonl" 5 > "$1/$(printf %05d $f)-$vm.jsonl"
    f=$((f + 1))
  done
}

run() {  # run NAME DIR: replays every file of DIR; sets events and secs
  events=$(cat "$2"/*.jsonl | wc -l)
  bytes=$(cat "$2"/*.jsonl | wc -c)
  # shellcheck disable=SC2086
  /usr/bin/time -f '%e %M' -o "$work/time" $gh replay "$2"/*.jsonl > "$work/out" || true
  read -r secs rss < "$work/time"
  echo "$1: $events events ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB," \
    "$(ls "$2" | wc -l) files) in ${secs}s:" \
    "$(awk -v e="$events" -v s="$secs" 'BEGIN { printf "%.0f", e / s }') events/s," \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN { printf "%.1f", b / 1e6 / s }') MB/s," \
    "peak RSS $((rss / 1024)) MB; $(tail -1 "$work/out")"
}

for scenario in one_guest four_guests; do
  $scenario "$work/$scenario-small" $((n / 10))
  $scenario "$work/$scenario-big" "$n"
  run "$scenario, small" "$work/$scenario-small"
  small_events=$events small_secs=$secs
  run "$scenario, big" "$work/$scenario-big"
  echo "$scenario: $(awk -v e=$((events - small_events)) -v s="$secs" -v t="$small_secs" \
    'BEGIN { printf "%.0f", e / (s - t) }') events/s between the two sizes (start-up taken out)"
  rm -rf "$work/$scenario-small" "$work/$scenario-big"
done
