# Sourced by the JMH scripts here: builds a checkout's runtime and prints the classpath its
# benchmarks run with (test classes, classes, every test-scope dependency).
#
#   . "$here/runtime/bench/jmh-classpath.sh"; cp=$(jmh_classpath CHECKOUT)
jmh_classpath() {
  "$1/mvnw" -q -B -f "$1/pom.xml" -DskipTests -pl runtime -am package >&2
  "$1/mvnw" -q -B -f "$1/pom.xml" -pl runtime dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile="$1/runtime/target/cp.txt" >&2
  echo "$1/runtime/target/test-classes:$1/runtime/target/classes:$(cat "$1/runtime/target/cp.txt")"
}
