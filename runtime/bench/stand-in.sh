# Sourced by hookpath.sh and serve-cpu.sh: starts StandInRuntime.java (a resident runtime in Java
# with serve's JVM flags and threads and none of a phase's work) on a socket, in the background.
#
#   . "$here/runtime/bench/stand-in.sh"; start_java_stand_in CHECKOUT SOCKET LOG [ROOT HOOKS REPORT]; pid=$!
# With ROOT, HOOKS and REPORT it does a pre-start's file work under the safety rules before answering
# (see StandInRuntime.java).
start_java_stand_in() {
  # serve's flags as CHECKOUT's launcher gives them (its common flags, serve's bounds and JIT).
  flags="-XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:+UseSerialGC $(sed -n \
    's/^serve_bounds="\(.*\)"$/\1/p; s/^serve_jit="\(.*\)"$/\1/p' "$1/guesthook" | tr '\n' ' ')"
  # shellcheck disable=SC2086 # the flags are words
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" $flags "$1/runtime/bench/StandInRuntime.java" "$2" ${4:+"$4" "$5" "$6"} > "$3" 2>&1 &
}
