#!/bin/sh
# What the stock device hooks cost on top of the runtime, on the simulated kernel.
#
#   runtime/bench/device-hooks.sh [RUNS]     (default 21 pairs, alternating)
#
# A: VM 501 of the sriov-nic sandbox, pre-start then post-stop as two processes: sriov-vf enables 4 VFs,
#    reads and sets the VF's link with ip, binds it to vfio-pci, saves its state; post-stop puts it back.
# B: VM 502 with no per-VM settings: the same three stock hooks load and all skip.
# Both run the same processes, so the difference is the device work and its sysfs round trips.
# Prints median wall seconds and peak RSS of each and the median of the pairwise ratios A/B.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-21}
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
[ -f "$here/runtime/target/guesthook-runtime.jar" ] || "$here/mvnw" -q -B -f "$here/pom.xml" -DskipTests -pl runtime -am package

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$here/guesthook" sandbox create "$work/host" --profile sriov-nic > /dev/null
rm "$work/host/etc/pve/guesthook/502.yaml"
gh="$here/guesthook --root $work/host --simulate --hooks $here/hooks/stock"
cycle() { $gh "$1" pre-start > /dev/null && $gh "$1" post-stop > /dev/null; }
cycle 501; cycle 502   # compile the hooks into the cache once

: > "$work/a.txt"; : > "$work/b.txt"
i=0
while [ $i -lt "$runs" ]; do
  /usr/bin/time -f '%e %M' -a -o "$work/a.txt" sh -c "$gh 501 pre-start >/dev/null && $gh 501 post-stop >/dev/null"
  /usr/bin/time -f '%e %M' -a -o "$work/b.txt" sh -c "$gh 502 pre-start >/dev/null && $gh 502 post-stop >/dev/null"
  i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
a_wall=$(cut -d' ' -f1 "$work/a.txt" | median); a_rss=$(cut -d' ' -f2 "$work/a.txt" | median)
b_wall=$(cut -d' ' -f1 "$work/b.txt" | median); b_rss=$(cut -d' ' -f2 "$work/b.txt" | median)
ratio=$(paste -d' ' "$work/a.txt" "$work/b.txt" | awk '{ printf "%.3f\n", $1 / $3 }' | median)
echo "pre-start + post-stop, $runs pairs (median wall s, median peak RSS KiB of the larger process):"
echo "  A sriov-vf acting (VM 501):  $a_wall s  $a_rss KiB"
echo "  B hooks all skip (VM 502):   $b_wall s  $b_rss KiB"
echo "  median of pairwise A/B:      $ratio"
