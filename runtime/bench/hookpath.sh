#!/bin/sh
# The hookscript paths side by side, in one go:
#
#   runtime/bench/hookpath.sh [RUNS]        (default 21 runs of each, interleaved a b c d g h i a b c d g h i ...)
#   QUICK=1 runtime/bench/hookpath.sh [RUNS] (only a, b, g, h and i: the client's paths)
#
#   (a) a bash hookscript doing two sysfs-like writes (the yardstick);
#   (b) the hookscript client (runtime/src/main/scripts/guesthook-hookscript) against a warm
#       'guesthook serve' on a temporary socket (200 calls before the measured ones), two trivial compiled Groovy hooks doing the same writes;
#   (c) the one-shot path, './guesthook <vmid> pre-start' with the root and hook folder in
#       GUESTHOOK_ROOT and GUESTHOOK_HOOK_DIRS (as the client runs it when serve is down), with its
#       startup cache (the class-data sharing archive the launcher records once per build);
#   (d) the same one-shot path without it (GUESTHOOK_CDS=off);
#   (g) the client against a stand-in runtime (a perl loop) that answers "X 0" the moment it has read
#       the request: the floor of any resident runtime behind this client (perl's start, connect,
#       one round trip), so b - g is what guesthook serve itself adds to a call;
#   (h) the client against a stand-in runtime in Java (runtime/bench/StandInRuntime.java, serve's JVM
#       flags and threads: an accept thread reads the request, a phase thread answers "X 0"): the
#       floor of a Java runtime shaped like serve, so h - g is the JVM's wake-ups and one hand-off,
#       and b - h what serve's phase (lock, config, hooks, recording, report) adds.
#   (i) the client against the same Java stand-in doing, before it answers, the file work of a
#       pre-start of two hooks under guesthook's safety rules, done plainly, and no hook code (config
#       read, settings and hook folders looked at, the lock's folder walked and its file opened with
#       no link followed, the two writes with their real locations checked, the recording's line,
#       serve's report, the recording synced after the answer): the floor of a Java runtime that
#       keeps guesthook's rules, so i - h is what those rules' file work costs a call and b - i what
#       serve's layers (Groovy, the engine, the recording's JSON) add above it.
# Each: median and p90 wall time (timed by perl around fork/exec/wait), and median peak RSS (GNU time,
# in a second interleaved pass, as its own process start would blur the wall times of (a) and (b)).
# For (b) the RSS is the client's (perl); the runtime's own peak is its VmHWM. Then the ratios
# b/a and c/a. The compiled-hook cache is warm in (b), (c) and (d) alike, as on a node.
#
#   (e) 200 pre-starts of different VMs (1000..1199, each with a hook in hooks/<vmid>/ writing
#       /sys/vm/<vmid>) through the client against the same runtime, all launched at once: checks
#       every one exited 0 and did its write, and prints the total wall time and the per-call p50
#       and p99 (each call timed on its own).
#   (f) the same 200 pre-starts through a bash hookscript doing the same write, all launched at
#       once, right after each round of (e): the yardstick for (e), and the ratio e/f.
#   (k) the same 200 through the client against (i)'s stand-in, right after (f): k/f is the floor
#       of e/f for a runtime in Java that keeps guesthook's rules and runs no hook.
#
# Needs: the built runtime (./guesthook builds it on first use), perl (core modules only), GNU time at
# /usr/bin/time, and awk. Leaves nothing behind: the temporary root and the runtime go on exit.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-21}
case $runs in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
[ "$runs" -ge 1 ] || { echo "usage: $0 [RUNS]" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "bench: needs GNU time at /usr/bin/time (apt-get install time)" >&2; exit 2; }
command -v perl > /dev/null || { echo "bench: needs perl" >&2; exit 2; }

work=$(mktemp -d)
server=
stand_in=
java_stand_in=
rules_stand_in=
cleanup() {
  for pid in $stand_in $java_stand_in $rules_stand_in; do
    kill "$pid" 2> /dev/null || true
  done
  if [ -n "$server" ]; then
    kill "$server" 2> /dev/null || true
    wait "$server" 2> /dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE # so that the EXIT trap runs
chmod 755 "$work"

# The host: VM 101 for (a)-(d), VMs 1000..1199 for (e).
root="$work/root"
hooks="$work/hooks"
mkdir -p "$root/etc/pve/qemu-server" "$root/sys/a" "$root/sys/b" "$root/sys/vm" "$hooks"
echo pve-bench > "$root/etc/hostname"
printf 'memory: 2048\nname: bench\n' > "$root/etc/pve/qemu-server/101.conf"
: > "$root/sys/a/attr"
: > "$root/sys/b/attr"
for h in a b; do
  printf "hook('write-%s') { on('pre-start') { write '/sys/%s/attr', '1' } }\n" "$h" "$h" > "$hooks/write-$h.groovy"
done
vm=1000
while [ $vm -le 1199 ]; do
  printf 'memory: 1024\nname: vm%s\n' "$vm" > "$root/etc/pve/qemu-server/$vm.conf"
  mkdir -p "$hooks/$vm"
  # The same text for every VM: compiled once, cached by content.
  printf "hook('write-vm') { on('pre-start') { ev -> write \"/sys/vm/\${ev.vmid}\", 'started' } }\n" > "$hooks/$vm/write-vm.groovy"
  vm=$((vm + 1))
done
find "$hooks" -type f -exec chmod 644 {} +
cat > "$work/baseline.sh" << SH
#!/bin/bash
# The same two writes as a classic bash hookscript.
[ "\$2" = pre-start ] || exit 0
echo -n 1 > "$root/sys/a/attr"
echo -n 1 > "$root/sys/b/attr"
SH
chmod 755 "$work/baseline.sh"
cat > "$work/baseline-vm.sh" << SH
#!/bin/bash
# The write of (e)'s hook, as a classic bash hookscript.
[ "\$2" = pre-start ] || exit 0
echo -n started > "$root/sys/vm/\$1"
SH
chmod 755 "$work/baseline-vm.sh"

# Build if needed, record the CDS archive if needed, and compile the hooks into the cache.
"$here/guesthook" --root "$root" --hooks "$hooks" 101 pre-start > /dev/null
"$here/guesthook" --root "$root" --hooks "$hooks" 1000 pre-start > /dev/null
rm -f "$root/sys/vm/1000"

# The resident runtime on a temporary socket.
socket="$work/guesthook.sock"
"$here/guesthook" --root "$root" --hooks "$hooks" serve --socket "$socket" > "$work/serve.log" 2>&1 &
server=$!
waited=0
while [ ! -S "$socket" ]; do
  if ! kill -0 "$server" 2> /dev/null || [ $waited -ge 600 ]; then
    echo "bench: guesthook serve did not come up:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
done
client="$here/runtime/src/main/scripts/guesthook-hookscript"
# (g)'s stand-in: accepts one connection at a time, reads the request line, answers exit 0.
stub="$work/stand-in.sock"
perl -e '
  my $path = shift;
  socket(my $listening, 1, 1, 0) or die "stand-in: socket: $!";
  bind($listening, pack("S Z*", 1, $path)) or die "stand-in: bind: $!";
  listen($listening, 256) or die "stand-in: listen: $!";
  while (accept(my $peer, $listening)) { my $request = <$peer>; syswrite $peer, "X 0\n"; close $peer; }
' "$stub" &
stand_in=$!
# (h)'s stand-in, with serve's flags.
java_stub="$work/java-stand-in.sock"
. "$here/runtime/bench/stand-in.sh"
start_java_stand_in "$here" "$java_stub" "$work/java-stand-in.log"
java_stand_in=$!
# (i)'s stand-in: serve's flags, a pre-start's file work under the safety rules, serve's report.
GUESTHOOK_SOCKET="$socket" GUESTHOOK_ONESHOT=/bin/false "$client" 101 pre-start > "$work/report.txt" ||
  { echo "bench: the client failed against the runtime" >&2; exit 1; }
rules_stub="$work/rules-stand-in.sock"
start_java_stand_in "$here" "$rules_stub" "$work/rules-stand-in.log" "$root" "$hooks" "$work/report.txt"
rules_stand_in=$!
while [ ! -S "$stub" ] || [ ! -S "$java_stub" ] || [ ! -S "$rules_stub" ]; do sleep 0.05; done
# The client's environment: a fallback to the one-shot path (/bin/false) shows as a failed call.
i=0
while [ $i -lt 200 ]; do # warm-up: the runtime's code compiled, as on a node that has run for a while
  GUESTHOOK_SOCKET="$socket" GUESTHOOK_ONESHOT=/bin/false "$client" 101 pre-start > /dev/null ||
    { echo "bench: the client failed against the runtime" >&2; exit 1; }
  GUESTHOOK_SOCKET="$java_stub" GUESTHOOK_ONESHOT=/bin/false "$client" 101 pre-start > /dev/null ||
    { echo "bench: the client failed against the Java stand-in" >&2; exit 1; }
  GUESTHOOK_SOCKET="$rules_stub" GUESTHOOK_ONESHOT=/bin/false "$client" 101 pre-start > /dev/null ||
    { echo "bench: the client failed against the Java stand-in doing the file work" >&2; exit 1; }
  i=$((i + 1))
done

echo "hookscript paths, pre-start of VM 101, $runs interleaved runs each:"
RUNS=$runs WORK=$work HERE=$here CLIENT=$client SOCKET=$socket STUB=$stub JAVA_STUB=$java_stub \
  RULES_STUB=$rules_stub perl -e '
  use strict; use warnings; use Time::HiRes qw(time);
  my ($runs, $work, $here, $client, $socket, $stub, $java_stub, $rules_stub) =
    @ENV{qw(RUNS WORK HERE CLIENT SOCKET STUB JAVA_STUB RULES_STUB)};
  my %client_env = (GUESTHOOK_SOCKET => $socket, GUESTHOOK_ONESHOT => "/bin/false");
  my %stub_env = (GUESTHOOK_SOCKET => $stub, GUESTHOOK_ONESHOT => "/bin/false");
  my %java_stub_env = (GUESTHOOK_SOCKET => $java_stub, GUESTHOOK_ONESHOT => "/bin/false");
  my %rules_stub_env = (GUESTHOOK_SOCKET => $rules_stub, GUESTHOOK_ONESHOT => "/bin/false");
  # As the client runs it without a serve: "<vmid> <phase>", the settings in the environment.
  my %oneshot_env = (GUESTHOOK_ROOT => "$work/root", GUESTHOOK_HOOK_DIRS => "$work/hooks");
  my @gh = ("$here/guesthook", "101", "pre-start");
  my @paths = (
    [a => "bash hookscript (two writes)", {}, "$work/baseline.sh", "101", "pre-start"],
    [b => "client -> warm guesthook serve", \%client_env, $client, "101", "pre-start"],
    [c => "one-shot, CDS archive", {%oneshot_env}, @gh],
    [d => "one-shot, no CDS archive", {%oneshot_env, GUESTHOOK_CDS => "off"}, @gh],
    [g => "client -> stand-in answering at once", \%stub_env, $client, "101", "pre-start"],
    [h => "client -> Java stand-in, 2 threads", \%java_stub_env, $client, "101", "pre-start"],
    [i => "client -> Java stand-in, file work", \%rules_stub_env, $client, "101", "pre-start"],
  );
  @paths = grep { $_->[0] !~ /^[cd]$/ } @paths if $ENV{QUICK};
  sub run {   # wall seconds and exit code of one run, output to /dev/null
    my ($env, @argv) = @_;
    select undef, undef, undef, 0.1;   # lets the previous run (a JVM) finish tearing down first
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
  my (%wall, %rss, %bad);
  for my $round (1 .. $runs) {
    for my $p (@paths) {
      my ($key, $name, $env, @argv) = @$p;
      my ($wall, $code) = run($env, @argv);
      push @{$wall{$key}}, $wall; $bad{$key}++ if $code;
    }
    for my $p (@paths) {
      my ($key, $name, $env, @argv) = @$p;
      my (undef, $code) = run($env, "/usr/bin/time", "-f", "%M", "-o", "$work/rss", @argv);
      open my $f, "<", "$work/rss" or die; my @l = <$f>; close $f;
      push @{$rss{$key}}, 0 + $l[-1]; $bad{$key}++ if $code;
    }
  }
  sub rank { my ($q, @v) = @_; @v = sort { $a <=> $b } @v; my $i = int($q * @v + 0.999999) - 1; return $v[$i < 0 ? 0 : $i]; }
  my %med;
  printf "  %-40s %10s %10s %14s\n", "", "median", "p90", "peak RSS";
  for my $p (@paths) {
    my ($key, $name) = @$p;
    $med{$key} = rank(0.5, @{$wall{$key}});
    printf "  (%s) %-36s %7.1f ms %7.1f ms %10d KiB%s\n", $key, $name, 1000 * $med{$key},
      1000 * rank(0.9, @{$wall{$key}}), rank(0.5, @{$rss{$key}}),
      $bad{$key} ? "  ($bad{$key} runs FAILED)" : "";
  }
  printf "  b/a = %.1f   c/a = %.0f   c/d = %.2f\n", $med{b} / $med{a}, $med{c} / $med{a}, $med{c} / $med{d}
    unless $ENV{QUICK};
  printf "  b/a = %.2f   g/a = %.2f (the floor of b/a)   b - g = %.2f ms (what serve adds)\n",
    $med{b} / $med{a}, $med{g} / $med{a}, 1000 * ($med{b} - $med{g});
  printf "  h/a = %.2f   h - g = %.2f ms (the JVM and one hand-off)   b - h = %.2f ms (the phase in serve)\n",
    $med{h} / $med{a}, 1000 * ($med{h} - $med{g}), 1000 * ($med{b} - $med{h});
  printf "  i/a = %.2f (the floor of a Java runtime under the safety rules)   i - h = %.2f ms (the rules\x27 file work)   b - i = %.2f ms (serve\x27s layers above it)\n",
    $med{i} / $med{a}, 1000 * ($med{i} - $med{h}), 1000 * ($med{b} - $med{i});
'
echo "  runtime (guesthook serve) peak RSS, VmHWM: $(awk '/^VmHWM/ { print $2, $3 }' "/proc/$server/status")"
[ -z "${QUICK:-}" ] || exit 0

# 200 pre-starts of VMs 1000..1199 launched at once through CLIENT ($1), against the runtime on
# SOCKET ($3, default serve's); checks each call's exit and write, prints the figures and leaves the
# total wall in ms in the file $2.
concurrent() {
  rm -f "$root"/sys/vm/*
  WORK=$work CLIENT=$1 TOTAL=$2 GUESTHOOK_SOCKET=${3:-$socket} GUESTHOOK_ONESHOT=/bin/false perl -e '
  use strict; use warnings; use Time::HiRes qw(time);
  my ($work, $client, $total_file) = @ENV{qw(WORK CLIENT TOTAL)};
  my $results = "$work/concurrent.txt";
  unlink $results;
  open my $out, ">>", $results or die "$results: $!";
  my $start = time;
  my @kids;
  for my $vm (1000 .. 1199) {
    my $kid = fork // die "fork: $!";
    if (!$kid) {   # times its own call: launch to exit
      my $t0 = time;
      my $pid = fork // die "fork: $!";
      if (!$pid) { open STDOUT, ">", "/dev/null"; open STDIN, "<", "/dev/null"; exec $client, $vm, "pre-start" or exit 127; }
      waitpid $pid, 0;
      syswrite $out, sprintf("%d %d %.3f\n", $vm, $? >> 8, 1000 * (time - $t0));
      exit 0;
    }
    push @kids, $kid;
  }
  waitpid $_, 0 for @kids;
  my $total = time - $start;
  close $out;
  open my $in, "<", $results or die; my @lines = <$in>; close $in;
  my (@ms, @wrong);
  for (@lines) {
    my ($vm, $code, $ms) = split;
    push @ms, $ms;
    my $file = "$work/root/sys/vm/$vm";
    my $written = -f $file && do { open my $f, "<", $file; local $/; <$f> } eq "started";
    push @wrong, "$vm (exit $code" . ($written ? "" : ", no write") . ")" if $code || !$written;
  }
  my $correct = @lines - @wrong;
  @ms = sort { $a <=> $b } @ms;
  my $rank = sub { my $i = int($_[0] * @ms + 0.999999) - 1; $ms[$i < 0 ? 0 : $i] };
  printf "  %d/200 correct%s\n", $correct, @wrong ? ": wrong " . join(", ", @wrong) : "";
  printf "  total wall %.0f ms; per call p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
    1000 * $total, $rank->(0.5), $rank->(0.99), $ms[-1];
  open my $t, ">", $total_file or die; print $t 1000 * $total, "\n"; close $t;
  exit(@wrong || @lines != 200 ? 1 : 0);
'
}

status=0
for round in "first phase of each VM for this runtime (serve loaded every guest's hooks when it started)" "again, each VM's hooks now loaded"; do
  echo "(e) 200 concurrent pre-starts (VMs 1000..1199) through the client, all launched at once; $round:"
  concurrent "$client" "$work/total-e" || status=1
  echo "(f) the same 200 through a bash hookscript doing the same write, all launched at once:"
  concurrent "$work/baseline-vm.sh" "$work/total-f" || status=1
  echo "  e/f = $(awk 'NR == FNR { e = $1; next } { printf "%.1f", e / $1 }' "$work/total-e" "$work/total-f") (total wall)"
  echo "(k) the same 200 through the client against (i)'s stand-in (the rules' file work, no hooks), all launched at once:"
  concurrent "$client" "$work/total-k" "$rules_stub" || status=1
  echo "  k/f = $(awk 'NR == FNR { k = $1; next } { printf "%.1f", k / $1 }' "$work/total-k" "$work/total-f") (the floor of e/f for a Java runtime under the rules)"
done
echo "  runtime (guesthook serve) peak RSS after them, VmHWM: $(awk '/^VmHWM/ { print $2, $3 }' "/proc/$server/status")"
exit $status
