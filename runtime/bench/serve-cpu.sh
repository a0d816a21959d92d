#!/bin/sh
# What one call through the client costs a warm 'guesthook serve', for checkouts side by side:
# the cpu of all the runtime's threads per call (from each thread's /proc schedstat, in
# nanoseconds) and the client's wall time, in interleaved rounds. On a shared VM wall times move
# with the load; the cpu a call takes moves far less, so small changes to the per-phase path show.
#
#   runtime/bench/serve-cpu.sh [CALLS] [ROUNDS] [CHECKOUT ...]   (default 200 calls, 7 rounds, this checkout)
#
# A CHECKOUT named stand-in is hookpath.sh's (h) instead: StandInRuntime.java, serve's JVM flags and
# threads, no phase: the floor of a Java runtime shaped like serve, in cpu. One named rules-stand-in
# is hookpath.sh's (i): the same doing a pre-start's file work under guesthook's safety rules.
#
# Each checkout gets its own sandbox (VM 101, two hooks each writing a file, as hookpath.sh's (b))
# and its own runtime on a temporary socket, warmed up with 300 calls. A round runs CALLS calls
# through the client against each runtime in turn (the order reversed every other round), 20 ms
# apart (a node's phases come seconds apart, so each call finds caches cold, as there). Prints
# each round's figures and the medians; on this VM rounds of one checkout differ by up to 15%, so
# a difference of a few percent needs many rounds. GAP=SECONDS sets the pause between calls (0 for
# back to back: what the same calls cost with warm caches).
#
# Needs: perl (core modules only); builds each checkout's runtime on first use (./guesthook).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
calls=${1:-200}
rounds=${2:-7}
for n in "$calls" "$rounds"; do
  case $n in '' | *[!0-9]* | 0) echo "usage: $0 [CALLS] [ROUNDS] [CHECKOUT ...]" >&2; exit 2 ;; esac
done
gap=${GAP:-0.02}
case $gap in '' | *[!0-9.]* | *.*.*) echo "bench: GAP is seconds between calls, like 0.02 or 0" >&2; exit 2 ;; esac
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
[ $# -gt 0 ] || set -- "$here"
command -v perl > /dev/null || { echo "bench: needs perl" >&2; exit 2; }

work=$(mktemp -d)
servers=
cleanup() {
  for pid in $servers; do kill "$pid" 2> /dev/null || true; done
  for pid in $servers; do wait "$pid" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # so that the EXIT trap runs
chmod 755 "$work"
client="$here/runtime/src/main/scripts/guesthook-hookscript"

n=0
sockets=
pids=
. "$here/runtime/bench/stand-in.sh"
# Starts StandInRuntime.java for checkout $n (with ROOT HOOKS REPORT: doing the rules' file work)
# and adds it to the runtimes measured once it listens.
add_stand_in() {
  socket="$work/$n/stand-in.sock"
  start_java_stand_in "$here" "$socket" "$work/$n/serve.log" "$@"
  pid=$!
  servers="$servers $pid"
  while [ ! -S "$socket" ]; do sleep 0.05; done
  sockets="$sockets $socket"
  pids="$pids $pid"
}
for checkout; do
  n=$((n + 1))
  if [ "$checkout" = stand-in ]; then
    mkdir -p "$work/$n"
    add_stand_in
    continue
  fi
  root="$work/$n/root"
  hooks="$work/$n/hooks"
  mkdir -p "$root/etc/pve/qemu-server" "$root/sys/a" "$root/sys/b" "$hooks"
  echo pve-bench > "$root/etc/hostname"
  printf 'memory: 2048\nname: bench\n' > "$root/etc/pve/qemu-server/101.conf"
  for h in a b; do
    : > "$root/sys/$h/attr"
    printf "hook('write-%s') { on('pre-start') { write '/sys/%s/attr', '1' } }\n" "$h" "$h" > "$hooks/write-$h.groovy"
    chmod 644 "$hooks/write-$h.groovy"
  done
  if [ "$checkout" = rules-stand-in ]; then
    "$here/guesthook" --root "$root" --hooks "$hooks" 101 pre-start > "$work/$n/report.txt"
    add_stand_in "$root" "$hooks" "$work/$n/report.txt"
    continue
  fi
  # Builds if needed, records the class-data archive and compiles the hooks into the cache.
  "$checkout/guesthook" --root "$root" --hooks "$hooks" 101 pre-start > /dev/null
  socket="$work/$n/guesthook.sock"
  "$checkout/guesthook" --root "$root" --hooks "$hooks" serve --socket "$socket" > "$work/$n/serve.log" 2>&1 &
  pid=$! # the launcher execs java: this is the runtime's JVM
  servers="$servers $pid"
  waited=0
  while [ ! -S "$socket" ]; do
    if [ $waited -ge 600 ]; then
      echo "bench: guesthook serve of $checkout did not come up:" >&2
      cat "$work/$n/serve.log" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  sockets="$sockets $socket"
  pids="$pids $pid"
done

GAP=$gap CALLS=$calls ROUNDS=$rounds CLIENT=$client SOCKETS=$sockets PIDS=$pids CHECKOUTS="$*" perl -e '
  use strict; use warnings; use Time::HiRes qw(time sleep);
  my ($gap, $calls, $rounds, $client) = @ENV{qw(GAP CALLS ROUNDS CLIENT)};
  my @sockets = split " ", $ENV{SOCKETS};
  my @pids = split " ", $ENV{PIDS};
  my @names = split " ", $ENV{CHECKOUTS};
  sub cpu_ns {   # all threads of a process, run time in ns
    my ($pid) = @_; my $sum = 0;
    for my $task (glob "/proc/$pid/task/*/schedstat") {
      open my $f, "<", $task or next; my $line = <$f>; close $f;
      $sum += (split " ", $line)[0] if defined $line;
    }
    return $sum;
  }
  sub call {   # wall seconds of one call through the client; dies when it fails
    my ($socket) = @_;
    my $t0 = time;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
      $ENV{GUESTHOOK_SOCKET} = $socket; $ENV{GUESTHOOK_ONESHOT} = "/bin/false";
      open STDOUT, ">", "/dev/null"; open STDIN, "<", "/dev/null";
      exec $client, "101", "pre-start" or exit 127;
    }
    waitpid $pid, 0;
    die "bench: a call through the client failed (exit " . ($? >> 8) . ")\n" if $?;
    return time - $t0;
  }
  for my $i (0 .. $#sockets) { call($sockets[$i]) for 1 .. 300; }   # warm-up
  sub median { my @v = sort { $a <=> $b } @_; return $v[int($#v / 2)]; }
  my (@cpu, @wall);
  printf "%d calls a round, %g ms apart; per call: runtime cpu (all threads), client wall median\n", $calls, 1000 * $gap;
  for my $round (1 .. $rounds) {
    my @order = 0 .. $#sockets;
    @order = reverse @order if $round % 2 == 0;   # ABBA: neither goes first every time
    for my $i (@order) {
      my @walls;
      my $before = cpu_ns($pids[$i]);
      for (1 .. $calls) { push @walls, call($sockets[$i]); sleep $gap if $gap > 0; }
      my $per_call = (cpu_ns($pids[$i]) - $before) / $calls / 1e6;
      push @{$cpu[$i]}, $per_call; push @{$wall[$i]}, median(@walls) * 1000;
      printf "  round %d  %-40s cpu %.3f ms  wall %.2f ms\n", $round, $names[$i], $per_call, $wall[$i][-1];
    }
  }
  print "medians over $rounds rounds:\n";
  for my $i (0 .. $#sockets) {
    my @c = sort { $a <=> $b } @{$cpu[$i]};
    printf "  %-40s cpu %.3f ms (%.3f-%.3f)  wall %.2f ms%s\n", $names[$i], median(@c), $c[0], $c[-1],
      median(@{$wall[$i]}), $i ? sprintf("  cpu ratio to the first %.2f", median(@c) / median(@{$cpu[0]})) : "";
  }
'
