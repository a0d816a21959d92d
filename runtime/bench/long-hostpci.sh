#!/bin/sh
# A hostpci0 line naming one function N times, read by two builds side by side:
#
#   runtime/bench/long-hostpci.sh BASELINE_CHECKOUT [N] [RUNS]   (defaults: N=8000, 3 runs, interleaved)
#
# For each run and each build (this checkout's ./guesthook, then BASELINE_CHECKOUT's), on a fresh
# gvt-g sandbox whose VM 201 has 'hostpci0: 0000:00:02.0;0000:00:02.0;...' (N ids): the wall time,
# exit code and peak RSS of 'check 201' and of '201 pre-start'. qemu-server refuses such a start
# ('device ... assigned more than once'), so the line should cost next to nothing.
#
# Needs: both checkouts built (./guesthook builds on first use), GNU time at /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:?usage: $0 BASELINE_CHECKOUT [N] [RUNS]}
n=${2:-8000}
runs=${3:-3}
[ -x "$base/guesthook" ] || { echo "bench: no $base/guesthook" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ids=$(awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "%s0000:00:02.0", (i ? ";" : "") }')

one() { # one LABEL LAUNCHER: a fresh sandbox, then check and pre-start
  root="$work/$1"
  rm -rf "$root"
  "$2" sandbox create "$root" --profile gvt-g > /dev/null
  conf="$root/etc/pve/qemu-server/201.conf"
  grep -v '^hostpci0' "$conf" > "$conf.new"
  printf 'hostpci0: %s\n' "$ids" >> "$conf.new"
  mv "$conf.new" "$conf"
  for cmd in "check 201" "201 pre-start"; do
    start=$(date +%s%N)
    rc=0
    # shellcheck disable=SC2086 # cmd is two words on purpose
    /usr/bin/time -f '%M' -o "$work/rss" timeout 120 "$2" --root "$root" --simulate $cmd > /dev/null 2>&1 || rc=$?
    end=$(date +%s%N)
    printf '%-9s %-14s exit %-3s %6.2f s  %6d KB\n' "$1" "$cmd" "$rc" "$(echo "($end - $start) / 1000000000" | bc -l)" \
      "$(tail -n 1 "$work/rss")"
  done
}

echo "hostpci0 with $n copies of one id ($(printf '%s' "$ids" | wc -c) bytes)"
i=0
while [ "$i" -lt "$runs" ]; do
  one new "$here/guesthook"
  one baseline "$base/guesthook"
  i=$((i + 1))
done
