#!/bin/sh
# What publishing to the cluster adds to a phase as Proxmox sees it, and to serve's memory, in one go:
#
#   runtime/bench/publish-phase.sh [RUNS]     (default 21 runs of each, interleaved a b c d a b c d ...)
#
# Two copies of one simulated three-node cluster (mixed profile): on the first, node pve1 publishes
# after every phase (its status file and event ring in the shared /etc/pve); on the second, the same
# node is given a name the cluster has no folder for, so nothing is published (pmxcfs makes a folder
# per member: a node without one is in no cluster) and everything else is the same: root, VM,
# hooks, settings. VM 201's pre-start (the stock hooks, the health gate reading its GPU) on each:
#
#   (a) one-shot, publishing        GUESTHOOK_ROOT=<node> GUESTHOOK_SIMULATE=true ./guesthook 201 pre-start
#   (b) one-shot, not publishing    the same on the copy
#   (c) client -> warm serve, publishing       runtime/src/main/scripts/guesthook-hookscript 201 pre-start
#   (d) client -> warm serve, not publishing   the same against the copy's serve
#
# Each: median and p90 wall (timed by perl around fork/exec/wait), then the paired differences a-b
# and c-d (run by run, median and quartiles), and each serve's VmRSS and VmHWM after the runs.
# Needs: the built runtime (./guesthook builds it on first use), perl (core modules only).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-21}
case $runs in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] || { echo "usage: $0 [RUNS]" >&2; exit 2; }
command -v perl > /dev/null || { echo "bench: needs perl" >&2; exit 2; }

work=$(mktemp -d)
servers=
cleanup() {
  for pid in $servers; do
    kill "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # so that the EXIT trap runs

"$here/guesthook" sandbox create "$work/on" --nodes 3 --profile mixed > /dev/null
cp -a "$work/on" "$work/off"
echo pve-unclustered > "$work/off/nodes/pve1/etc/hostname"

# The resident runtime of each copy, on a socket of its own; hooks compiled by a first call.
for copy in on off; do
  root="$work/$copy/nodes/pve1"
  GUESTHOOK_ROOT="$root" GUESTHOOK_SIMULATE=true "$here/guesthook" 201 pre-start > /dev/null
  "$here/guesthook" --root "$root" --simulate serve --socket "$work/$copy.sock" > "$work/$copy.log" 2>&1 &
  servers="$servers $!"
  waited=0
  while [ ! -S "$work/$copy.sock" ]; do
    [ $waited -lt 600 ] || { echo "bench: serve did not come up:" >&2; cat "$work/$copy.log" >&2; exit 1; }
    sleep 0.1
    waited=$((waited + 1))
  done
done
[ -f "$work/on/pmxcfs/nodes/pve1/guesthook/status.json" ] || { echo "bench: pve1 did not publish" >&2; exit 1; }
[ ! -e "$work/off/pmxcfs/nodes/pve-unclustered" ] || { echo "bench: the copy is clustered" >&2; exit 1; }
client="$here/runtime/src/main/scripts/guesthook-hookscript"
i=0
while [ $i -lt 200 ]; do # warm-up: serve's code compiled, as on a node that has run for a while
  for copy in on off; do
    GUESTHOOK_SOCKET="$work/$copy.sock" GUESTHOOK_ONESHOT=/bin/false "$client" 201 pre-start > /dev/null ||
      { echo "bench: the client failed against serve ($copy)" >&2; exit 1; }
  done
  i=$((i + 1))
done

echo "VM 201 pre-start on node pve1 of a simulated mixed cluster, $runs interleaved runs each:"
RUNS=$runs WORK=$work HERE=$here CLIENT=$client perl -e '
  use strict; use warnings; use Time::HiRes qw(time);
  my ($runs, $work, $here, $client) = @ENV{qw(RUNS WORK HERE CLIENT)};
  sub oneshot { return ({GUESTHOOK_ROOT => "$work/$_[0]/nodes/pve1", GUESTHOOK_SIMULATE => "true"}, "$here/guesthook", "201", "pre-start"); }
  sub client { return ({GUESTHOOK_SOCKET => "$work/$_[0].sock", GUESTHOOK_ONESHOT => "/bin/false"}, $client, "201", "pre-start"); }
  my @paths = (
    [a => "one-shot, publishing", oneshot("on")],
    [b => "one-shot, not publishing", oneshot("off")],
    [c => "client -> serve, publishing", client("on")],
    [d => "client -> serve, not publishing", client("off")],
  );
  sub run {   # wall seconds and exit code of one run, output to /dev/null
    my ($env, @argv) = @_;
    select undef, undef, undef, 0.1;   # lets the previous run (a JVM, a publish) finish first
    my $t0 = time;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
      @ENV{keys %$env} = values %$env;
      open STDOUT, ">", "/dev/null"; open STDIN, "<", "/dev/null";
      exec @argv or exit 127;
    }
    waitpid $pid, 0;
    return (time - $t0, $? >> 8);
  }
  my (%wall, %bad);
  for my $round (1 .. $runs) {
    for my $p (@paths) {
      my ($key, $name, $env, @argv) = @$p;
      my ($wall, $code) = run($env, @argv);
      push @{$wall{$key}}, $wall; $bad{$key}++ if $code;
    }
  }
  sub rank { my ($q, @v) = @_; @v = sort { $a <=> $b } @v; my $i = int($q * @v + 0.999999) - 1; return $v[$i < 0 ? 0 : $i]; }
  printf "  %-36s %10s %10s\n", "", "median", "p90";
  for my $p (@paths) {
    my ($key, $name) = @$p;
    printf "  (%s) %-32s %7.1f ms %7.1f ms%s\n", $key, $name, 1000 * rank(0.5, @{$wall{$key}}),
      1000 * rank(0.9, @{$wall{$key}}), $bad{$key} ? "  ($bad{$key} runs FAILED)" : "";
  }
  for my $pair (["a", "b", "one-shot"], ["c", "d", "through serve"]) {
    my ($x, $y, $name) = @$pair;
    my @d = map { 1000 * ($wall{$x}[$_] - $wall{$y}[$_]) } 0 .. $runs - 1;
    printf "  publishing adds, %-13s median %+6.1f ms (quartiles %+.1f, %+.1f), paired run by run\n",
      $name, rank(0.5, @d), rank(0.25, @d), rank(0.75, @d);
  }
'
set -- $servers
for copy in on off; do
  echo "  serve, $copy: $(awk '/^VmRSS|^VmHWM/ { printf "%s %s %s  ", $1, $2, $3 }' "/proc/$1/status")"
  shift
done
