#!/bin/sh
# Records what `guesthook --version` prints: the pom's version and the commit of the checkout the
# runtime is built from (12 digits, "modified" when files differ from it or are new and not ignored),
# or "unknown" in a source tree that is not a git checkout or where git is not installed.
# FILE is rewritten only when its content changes, so an unchanged tree does not repackage the jar.
#
#   sh runtime/src/build/build-info.sh VERSION FILE
set -eu
version=$1
file=$2
top=$(cd "$(dirname "$0")/../../.." && pwd)

commit=unknown
modified=false
# Only the project's own checkout: a source tree unpacked inside some other repository is not one.
if [ "$(git -C "$top" rev-parse --show-cdup 2> /dev/null || echo none)" = "" ]; then
  commit=$(git -C "$top" rev-parse --short=12 HEAD)
  [ -z "$(git -C "$top" status --porcelain)" ] || modified=true
fi

mkdir -p "$(dirname "$file")"
printf 'version=%s\ncommit=%s\nmodified=%s\n' "$version" "$commit" "$modified" > "$file.new"
if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv -f "$file.new" "$file"; fi
