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
# A checkout with no commit yet (git init) is not one either, and whatever git prints is taken only if
# it is a commit id: this file is read as properties, so a stray line could set any key.
if [ "$(git -C "$top" rev-parse --show-cdup 2> /dev/null || echo none)" = "" ]; then
  head=$(git -C "$top" rev-parse --short=12 --verify -q HEAD 2> /dev/null | head -n 1 || true)
  case $head in
    *[!0-9a-f]* | "") ;;
    *)
      commit=$head
      [ -z "$(git -C "$top" status --porcelain 2> /dev/null)" ] || modified=true
      ;;
  esac
fi

mkdir -p "$(dirname "$file")"
printf 'version=%s\ncommit=%s\nmodified=%s\n' "$version" "$commit" "$modified" > "$file.new"
if cmp -s "$file.new" "$file"; then rm -f "$file.new"; else mv -f "$file.new" "$file"; fi
