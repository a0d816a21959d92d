#!/bin/sh
# What 'guesthook serve' holds under the launcher's serve bounds on a node with many guests, each
# with every stock hook loaded and one hook of its own (a different text per guest, so nothing is
# shared between guests: the most a node can ask of it):
#
#   runtime/bench/serve-heap.sh [GUESTS] [PHASES]      (default 200 guests, 400 phases)
#
# Prints, after serve loaded every guest's hooks and again after each round of a phase of every
# guest at once through the hookscript client (pre-start, then post-stop, in turn), until PHASES
# phases ran: the live heap after a full collection, the heap's bound, metaspace used and reserved,
# the process's RSS and peak RSS (VmHWM) and its threads. With PHASES of 1000 or more it prints
# every 1,000 phases instead of every round, so that a soak shows whether anything grows:
#
#   runtime/bench/serve-heap.sh 200 10000      (50 rounds; a few minutes on 2 cores)
#
# With IDLE=SECONDS, serve lets a guest's hooks go after that long without a phase instead of its
# 10 minutes (never sooner than 4 hook timeouts after the phase: 120 s here), and the figures are
# printed once more after the phases, when IDLE + IDLE/4 + 10 seconds (and at least 160) passed,
# and after one more pre-start of every guest at once (which loads their hooks again), with its wall:
#
#   IDLE=150 runtime/bench/serve-heap.sh 200 400
#
# Checks every phase exited 0 and every pre-start's hook wrote. Needs the JDK's jcmd and perl.
# Leaves nothing behind.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
guests=${1:-200}
phases=${2:-400}
case $guests$phases in '' | *[!0-9]*) echo "usage: $0 [GUESTS] [PHASES]" >&2; exit 2 ;; esac
[ "$guests" -gt 0 ] || { echo "usage: $0 [GUESTS] [PHASES]: at least one guest" >&2; exit 2; }
jcmd="${JAVA_HOME:+$JAVA_HOME/bin/}jcmd"
command -v "$jcmd" > /dev/null || { echo "bench: needs the JDK's jcmd" >&2; exit 2; }

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && { kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; }
  rm -rf "$work"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap "echo kept $work" EXIT
trap 'exit 130' INT TERM HUP PIPE
chmod 755 "$work"

root="$work/root"
hooks="$work/hooks"
mkdir -p "$root/etc/pve/qemu-server" "$root/sys/vm" "$hooks"
echo pve-bench > "$root/etc/hostname"
cp "$here"/hooks/stock/*.groovy "$hooks/"
vm=1000
while [ $vm -lt $((1000 + guests)) ]; do
  printf 'memory: 1024\nname: vm%s\n' "$vm" > "$root/etc/pve/qemu-server/$vm.conf"
  mkdir -p "$hooks/$vm"
  printf "hook('own-%s') { on('pre-start') { ev -> write \"/sys/vm/\${ev.vmid}\", 'started' } }\n" "$vm" > "$hooks/$vm/own.groovy"
  vm=$((vm + 1))
done
find "$hooks" -type f -exec chmod 644 {} +
"$here/guesthook" --root "$root" --hooks "$hooks" 1000 pre-start > /dev/null # builds, compiles the stock hooks

socket="$work/guesthook.sock"
idle=${IDLE:-}
case $idle in *[!0-9]*) echo "IDLE: seconds" >&2; exit 2 ;; esac
JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:-}${idle:+ -Dguesthook.idle-hooks-seconds=$idle}" \
  "$here/guesthook" --root "$root" --hooks "$hooks" serve --socket "$socket" > "$work/serve.log" 2>&1 &
server=$!
waited=0
until grep -q "hooks of .* loaded" "$work/serve.log"; do
  if ! kill -0 "$server" 2> /dev/null || [ $waited -ge 3000 ]; then
    echo "bench: guesthook serve did not load the hooks:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
done
pid=$(pgrep -P "$server" java || echo "$server") # ./guesthook execs java, or runs it as a child

report() {
  rss_before=$(awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$pid/status")
  "$jcmd" "$pid" GC.run > /dev/null
  heap=$("$jcmd" "$pid" GC.heap_info | awk '/tenured generation|def new generation/ { for (i = 1; i <= NF; i++) if ($i == "used") { sub("K,?", "", $(i+1)); s += $(i+1) } } END { printf "%.1f", s / 1024 }')
  bound=$("$jcmd" "$pid" VM.flags | tr ' ' '\n' | awk -F= '$1 == "-XX:MaxHeapSize" { printf "%.0f", $2 / 1048576 }')
  meta=$("$jcmd" "$pid" GC.heap_info | awk '/Metaspace/ { for (i = 1; i <= NF; i++) { if ($i == "used") u = $(i+1); if ($i == "reserved") r = $(i+1) } } END { sub("K,?", "", u); sub("K,?", "", r); printf "%.1f MB used (%.0f MB reserved)", u / 1024, r / 1024 }')
  rss=$(awk '/^VmRSS/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status")
  hwm=$(awk '/^VmHWM/ { printf "%.0f MB", $2 / 1024 }' "/proc/$pid/status")
  threads=$(awk '/^Threads/ { print $2 }' "/proc/$pid/status")
  echo "  $1: live heap $heap MB of $bound MB; metaspace $meta; RSS $rss_before MB, $rss after the collection, peak $hwm; $threads threads"
}

# One phase of every guest at once through the client; each must exit 0.
round() {
  GUESTS=$guests CLIENT=$client PHASE=$1 GUESTHOOK_SOCKET=$socket GUESTHOOK_ONESHOT=/bin/false perl -e '
    my @kids;
    for my $vm (1000 .. 999 + $ENV{GUESTS}) {
      my $kid = fork // die "fork: $!";
      if (!$kid) { open STDOUT, ">", "/dev/null"; exec $ENV{CLIENT}, $vm, $ENV{PHASE} or exit 127; }
      push @kids, $kid;
    }
    my $bad = 0;
    for (@kids) { waitpid $_, 0; $bad++ if $?; }
    exit($bad ? 1 : 0);
  '
}

echo "guesthook serve with the hooks of $guests guests loaded ($(ls "$hooks"/*.groovy | wc -l) stock hooks each, plus one of its own):"
grep "hooks of" "$work/serve.log" | sed 's/^/  /'
report "after loading"
client="$here/runtime/src/main/scripts/guesthook-hookscript"
done_phases=0
reported=0
started=$(date +%s)
while [ $done_phases -lt "$phases" ]; do
  phase=pre-start
  [ $((done_phases / guests % 2)) -eq 1 ] && phase=post-stop
  rm -f "$root"/sys/vm/*
  round $phase || { echo "bench: some ${phase}s failed (after $done_phases phases)" >&2; exit 1; }
  if [ $phase = pre-start ]; then
    written=$(ls "$root/sys/vm" | wc -l)
    [ "$written" -eq "$guests" ] || { echo "bench: $written of $guests hooks wrote (after $done_phases phases)" >&2; exit 1; }
  fi
  done_phases=$((done_phases + guests))
  if [ "$phases" -lt 1000 ] || [ $((done_phases / 1000)) -gt $reported ] || [ $done_phases -ge "$phases" ]; then
    reported=$((done_phases / 1000))
    report "after $done_phases phases ($guests at once, pre-start and post-stop in turn, all exit 0; $(($(date +%s) - started)) s)"
  fi
done
if [ -n "$idle" ]; then
  quiet=$((idle + idle / 4 + 10))
  [ $quiet -ge 160 ] || quiet=160
  sleep $quiet
  report "after $quiet s without a phase"
  rm -f "$root"/sys/vm/*
  start_ms=$(perl -MTime::HiRes=time -e 'printf "%.0f", time * 1000')
  round pre-start || { echo "bench: some pre-starts failed after the idle period" >&2; exit 1; }
  took_ms=$(($(perl -MTime::HiRes=time -e 'printf "%.0f", time * 1000') - start_ms))
  written=$(ls "$root/sys/vm" | wc -l)
  [ "$written" -eq "$guests" ] || { echo "bench: $written of $guests hooks wrote after the idle period" >&2; exit 1; }
  report "after one more pre-start of every guest at once ($took_ms ms, all exit 0)"
fi
