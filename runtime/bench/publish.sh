#!/bin/sh
# What publishing a node's data to /etc/pve adds to a phase (PublishBenchmark): a warm pre-start on
# a node of a simulated three-node cluster, the same pre-start followed by a publish, and the
# publish alone, in one JVM run so the figures share the machine's load. Sample-time mode.
#
#   runtime/bench/publish.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look
exec "$(dirname "$0")/jmh.sh" 'PublishBenchmark' "$@"
