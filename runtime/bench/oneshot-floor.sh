#!/bin/sh
# The one-shot hookscript call beside the floors under it, interleaved in one go:
#
#   runtime/bench/oneshot-floor.sh [RUNS]     (default 21 runs of each)
#
#   (j) the JVM alone: a class whose main returns at once, with the one-shot's flags (./guesthook:
#       C1 only, serial GC, bounded heap, no perf data) and the JDK's own class-data archive;
#   (g) the JVM and Groovy: a compiled Groovy script whose closure writes '1' to a file, with a
#       class-data archive recorded from it, as the launcher records the runtime's;
#   (o) the one-shot pre-start of VM 101 with two hooks each writing '1' to a file (hookpath.sh (c)).
# Median and p90 wall time of each (timed by perl around fork/exec/wait); o-g is what guesthook adds
# to a Groovy program that does the same writes, g-j what Groovy's start costs.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-21}
case $runs in '' | *[!0-9]*) echo "usage: $0 [RUNS]" >&2; exit 2 ;; esac
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
javac="${JAVA_HOME:+$JAVA_HOME/bin/}javac"
jar="${JAVA_HOME:+$JAVA_HOME/bin/}jar"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
"$here/guesthook" --version > /dev/null # builds the runtime and records its archive if needed
groovy_jar=$(ls "$here"/runtime/target/lib/groovy-[0-9]*.jar)
flags="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC -Xshare:auto -Xmx128m -XX:MaxMetaspaceSize=128m -XX:-UsePerfData"

mkdir -p "$work/j" "$work/g" "$work/root/etc/pve/qemu-server" "$work/root/sys/a" "$work/root/sys/b" "$work/hooks"
printf 'public class Floor { public static void main(String[] args) {} }\n' > "$work/j/Floor.java"
"$javac" -d "$work/j" "$work/j/Floor.java"
printf "def write = { String file -> new File(file).text = '1' }\nwrite(args[0])\nwrite(args[1])\n" > "$work/g/Hook.groovy"
"$java" -cp "$groovy_jar" org.codehaus.groovy.tools.FileSystemCompiler -d "$work/g/classes" "$work/g/Hook.groovy" > /dev/null
"$jar" cf "$work/g/hook.jar" -C "$work/g/classes" . # a class-data archive takes jars, not folders
: > "$work/a" && : > "$work/b"
# shellcheck disable=SC2086
"$java" $flags -XX:ArchiveClassesAtExit="$work/g.jsa" -Xlog:disable -cp "$groovy_jar:$work/g/hook.jar" Hook "$work/a" "$work/b"

echo pve-bench > "$work/root/etc/hostname"
printf 'memory: 2048\nname: bench\n' > "$work/root/etc/pve/qemu-server/101.conf"
: > "$work/root/sys/a/attr"
: > "$work/root/sys/b/attr"
for h in a b; do
  printf "hook('write-%s') { on('pre-start') { write '/sys/%s/attr', '1' } }\n" "$h" "$h" > "$work/hooks/write-$h.groovy"
done
chmod 644 "$work/hooks/"*
GUESTHOOK_ROOT="$work/root" GUESTHOOK_HOOK_DIRS="$work/hooks" "$here/guesthook" 101 pre-start > /dev/null # compiles the hooks once

echo "one-shot pre-start and its floors, $runs interleaved runs each:"
RUNS=$runs WORK=$work HERE=$here JAVA=$java FLAGS=$flags GROOVY=$groovy_jar perl -e '
  use strict; use warnings; use Time::HiRes qw(time);
  my ($runs, $work, $here, $java, $groovy) = @ENV{qw(RUNS WORK HERE JAVA GROOVY)};
  my @flags = split " ", $ENV{FLAGS};
  my @paths = (
    [j => "JVM alone (main returns)", {}, $java, @flags, "-cp", "$work/j", "Floor"],
    [g => "JVM + Groovy, compiled script, two writes", {}, $java, @flags,
      "-XX:SharedArchiveFile=$work/g.jsa", "-Xlog:disable", "-cp", "$groovy:$work/g/hook.jar", "Hook", "$work/a", "$work/b"],
    [o => "one-shot pre-start, two hooks", {GUESTHOOK_ROOT => "$work/root", GUESTHOOK_HOOK_DIRS => "$work/hooks"},
      "$here/guesthook", "101", "pre-start"],
  );
  my %wall;
  for my $round (1 .. $runs) {
    for my $p (@paths) {
      my ($key, $name, $env, @argv) = @$p;
      select undef, undef, undef, 0.1; # the previous JVM tears down first
      my $t0 = time;
      my $pid = fork // die "fork: $!";
      if (!$pid) {
        @ENV{keys %$env} = values %$env;
        open STDOUT, ">", "/dev/null"; open STDIN, "<", "/dev/null";
        exec @argv or exit 127;
      }
      waitpid $pid, 0;
      die "$name failed: exit " . ($? >> 8) . "\n" if $?;
      push @{$wall{$key}}, time - $t0;
    }
  }
  sub pct { my ($q, @v) = @_; @v = sort { $a <=> $b } @v; return $v[int($q * $#v + 0.5)] }
  my %median;
  for my $p (@paths) {
    my ($key, $name) = @$p;
    $median{$key} = pct(0.5, @{$wall{$key}});
    printf "  (%s) %-45s median %6.1f ms  p90 %6.1f ms\n", $key, $name, 1000 * $median{$key}, 1000 * pct(0.9, @{$wall{$key}});
  }
  printf "  Groovy start and two closure writes (g-j): %.1f ms; guesthook on top (o-g): %.1f ms\n",
    1000 * ($median{g} - $median{j}), 1000 * ($median{o} - $median{g});
'
