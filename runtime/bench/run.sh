#!/bin/sh
# Benchmarks of the one-shot hookscript path, run side by side with a bash hookscript baseline.
#
#   runtime/bench/run.sh [RUNS]        (default 21 runs of each, alternating)
#
# 1. One 'guesthook <vmid> pre-start' process with two trivial, already-compiled Groovy hooks that
#    each write one sysfs-like attribute, against a bash hookscript doing the same two writes.
#    Median wall time and peak RSS of each (GNU time), and the ratio of the medians.
# 2. In-process dispatch throughput: events/s through the event bus to one Groovy hook.
# Needs the built runtime (./guesthook builds it on first use) and /usr/bin/time.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-21}
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -f "$here/runtime/target/guesthook-runtime.jar" ] || "$here/mvnw" -q -B -DskipTests -pl runtime -am package

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
mkdir -p "$work/root/etc/pve/qemu-server" "$work/root/sys/a" "$work/root/sys/b" "$work/hooks"
echo pve-bench > "$work/root/etc/hostname"
printf 'memory: 2048\nname: bench\n' > "$work/root/etc/pve/qemu-server/101.conf"
: > "$work/root/sys/a/attr"; : > "$work/root/sys/b/attr"
for h in a b; do
  printf "hook('write-%s') { on('pre-start') { write '/sys/%s/attr', '1' } }\n" "$h" "$h" > "$work/hooks/write-$h.groovy"
done
chmod 644 "$work/hooks/"*.groovy
cat > "$work/baseline.sh" <<SH
#!/bin/bash
# The same two writes as a classic bash hookscript.
[ "\$2" = pre-start ] || exit 0
echo -n 1 > "$work/root/sys/a/attr"
echo -n 1 > "$work/root/sys/b/attr"
SH
chmod 755 "$work/baseline.sh"

guesthook="$here/guesthook --root $work/root --hooks $work/hooks 101 pre-start"
$guesthook > /dev/null   # compile the hooks into the cache once
echo "one-shot pre-start, $runs runs each, alternating (wall seconds, peak RSS KiB):"
: > "$work/gh.txt"; : > "$work/sh.txt"
i=0
while [ $i -lt "$runs" ]; do
  /usr/bin/time -f '%e %M' -a -o "$work/gh.txt" $guesthook > /dev/null
  /usr/bin/time -f '%e %M' -a -o "$work/sh.txt" "$work/baseline.sh" 101 pre-start > /dev/null
  i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
gh_wall=$(cut -d' ' -f1 "$work/gh.txt" | median); gh_rss=$(cut -d' ' -f2 "$work/gh.txt" | median)
sh_wall=$(cut -d' ' -f1 "$work/sh.txt" | median); sh_rss=$(cut -d' ' -f2 "$work/sh.txt" | median)
echo "  guesthook (2 cached Groovy hooks): median wall ${gh_wall} s, peak RSS ${gh_rss} KiB"
echo "  bash hookscript (same writes):     median wall ${sh_wall} s, peak RSS ${sh_rss} KiB"
awk -v a="$gh_wall" -v b="$sh_wall" 'BEGIN { if (b > 0) printf "  ratio guesthook/bash: %.0fx (wall)\n", a / b; else print "  bash took under the 10 ms resolution of time(1)" }'

echo "in-process dispatch:"
"$java" -cp "$here/runtime/target/test-classes:$here/runtime/target/guesthook-runtime.jar:$here/runtime/target/lib/*" \
  dev.guesthook.bench.DispatchThroughput 20000 7 16 | sed 's/^/  /'
