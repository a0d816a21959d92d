#!/bin/sh
# How a phase ends on hostile settings files: exit code, wall seconds and peak RSS of the process.
#
#   runtime/bench/hostile-yaml.sh [LAUNCHER...]   (default: this checkout's ./guesthook)
#
# Give several launchers (e.g. another checkout's ./guesthook as the baseline) to run them side by
# side, interleaved case by case. Each case is VM 501's /etc/pve/guesthook/501.yaml on the sriov-nic
# sandbox, then `pre-start`; every run is capped at 30 s (a capped run prints exit 124).
#   alias-bomb   48 anchors, each a list of the one before twice: 2^48 strings once expanded, 2 KB on disk
#   recursive    an anchor whose list holds its own alias
#   two-mib      a 2 MiB file of one comment line
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -gt 0 ] || set -- "$here/guesthook"
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bomb() {
  printf 'a0: &a0 ["%s"]\n' "$(head -c 1000 /dev/zero | tr '\0' x)"
  i=1
  while [ $i -le 48 ]; do
    printf 'a%d: &a%d [*a%d, *a%d]\n' $i $i $((i - 1)) $((i - 1))
    i=$((i + 1))
  done
  printf 'sriov-vf: { vfs: [*a48] }\n'
}
bomb > "$work/alias-bomb.yaml"
printf 'sriov-vf: &x { vfs: [*x] }\n' > "$work/recursive.yaml"
{ printf '# '; head -c 2097152 /dev/zero | tr '\0' x; printf '\n'; } > "$work/two-mib.yaml"

printf '%-12s %-40s %5s %8s %10s\n' case launcher exit wall_s peak_KiB
for case in alias-bomb recursive two-mib; do
  n=0
  for launcher in "$@"; do
    n=$((n + 1))
    root="$work/host-$n"
    [ -d "$root" ] || "$launcher" sandbox create "$root" --profile sriov-nic > /dev/null
    cp "$work/$case.yaml" "$root/etc/pve/guesthook/501.yaml"
    set +e
    /usr/bin/time -f '%e %M' -o "$work/time" timeout 30 "$launcher" --root "$root" --simulate 501 pre-start \
      > /dev/null 2> "$work/err"
    code=$?
    set -e
    printf '%-12s %-40s %5s %8s %10s\n' "$case" "$launcher" "$code" $(tail -n 1 "$work/time")
    head -c 300 "$work/err" | head -n 1 | sed 's/^/    /'
  done
done
