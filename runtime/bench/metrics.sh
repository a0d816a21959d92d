#!/bin/sh
# What the node_exporter metrics add after a phase (MetricsBenchmark): the publish to /etc/pve alone,
# the publish with the metrics (one capacity survey for both, the counts file, the textfile), and
# the metrics alone, in one JVM run so the figures share the machine's load. Sample-time mode.
#
#   runtime/bench/metrics.sh [JMH options]     e.g. -wi 2 -i 3 for a quick look
exec "$(dirname "$0")/jmh.sh" 'MetricsBenchmark' "$@"
