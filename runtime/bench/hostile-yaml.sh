#!/bin/sh
# How a phase ends on hostile settings files: exit code, wall seconds and peak RSS of the process.
#
#   runtime/bench/hostile-yaml.sh [-n RUNS] [LAUNCHER...]   (default: 5 runs, this checkout's ./guesthook)
#
# Give several launchers (e.g. another checkout's ./guesthook as the baseline) to measure them side by
# side: runs are interleaved case by case and launcher by launcher, after one warm-up phase each (so a
# launcher's one-time build or class-data archive is not counted); the medians are printed. Each case
# is VM 501's /etc/pve/guesthook/501.yaml on the sriov-nic sandbox, then `pre-start`; every run is
# capped at 60 s (a capped run exits 124).
#   alias-bomb   49 aliases (under SnakeYAML's default limit of 50): six levels of eight, 8^6 = 262144
#                references to one 4 KB string, 1 GB once expanded, 1.3 KB on disk
#   recursive    an anchor whose list holds its own alias
#   two-mib      a 2 MiB file of one comment line
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=5
if [ "${1:-}" = "-n" ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || set -- "$here/guesthook"
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bomb() {   # inside the hook's own settings, where a reader that expands aliases carries them on
  printf 'sriov-vf:\n  a0: &a0 "%s"\n' "$(head -c 4096 /dev/zero | tr '\0' x)"
  i=1
  while [ $i -le 6 ]; do
    p="*a$((i - 1))"
    printf '  a%d: &a%d [%s, %s, %s, %s, %s, %s, %s, %s]\n' $i $i "$p" "$p" "$p" "$p" "$p" "$p" "$p" "$p"
    i=$((i + 1))
  done
  printf '  vfs: [*a6]\n'
}
bomb > "$work/alias-bomb.yaml"
printf 'sriov-vf: &x { vfs: [*x] }\n' > "$work/recursive.yaml"
{ printf '# '; head -c 2097152 /dev/zero | tr '\0' x; printf '\n'; } > "$work/two-mib.yaml"

n=0
for launcher in "$@"; do
  n=$((n + 1))
  "$launcher" sandbox create "$work/host-$n" --profile sriov-nic > /dev/null
  "$launcher" --root "$work/host-$n" --simulate --dry-run 502 pre-start > /dev/null 2>&1 || true   # warm-up
done

for case in alias-bomb recursive two-mib; do
  r=0
  while [ $r -lt "$runs" ]; do
    n=0
    for launcher in "$@"; do
      n=$((n + 1))
      cp "$work/$case.yaml" "$work/host-$n/etc/pve/guesthook/501.yaml"
      set +e
      /usr/bin/time -f '%e %M' -o "$work/time" timeout 60 "$launcher" --root "$work/host-$n" --simulate 501 pre-start \
        > /dev/null 2> "$work/err-$case-$n"
      code=$?
      set -e
      echo "$code $(tail -n 1 "$work/time")" >> "$work/$case-$n.txt"
    done
    r=$((r + 1))
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
printf '%-11s %-34s %6s %9s %13s\n' case launcher exit wall_s peak_RSS_KiB
for case in alias-bomb recursive two-mib; do
  n=0
  for launcher in "$@"; do
    n=$((n + 1))
    f="$work/$case-$n.txt"
    printf '%-11s %-34s %6s %9s %13s\n' "$case" "$launcher" "$(cut -d' ' -f1 "$f" | sort -u | tr '\n' ' ')" \
      "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)"
    grep -v 'Instrumented\|^$' "$work/err-$case-$n" | head -n 1 | cut -c1-150 | sed 's/^/    /'
  done
done
echo "(medians of $runs interleaved runs each)"
