#!/bin/sh
# Builds guesthook_<version>_all.deb with dpkg-deb from what the reactor built before this module:
# runtime/target (the jar, lib/), hooks/stock, the hookscript client, and packaging/deb (launcher,
# systemd units, tmpfiles.d, maintainer scripts).
#
#   sh packaging/build-deb.sh VERSION TARGET_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
version=$(printf '%s' "$1" | sed 's/-/~/')   # 0.1.0-SNAPSHOT sorts before 0.1.0 as 0.1.0~SNAPSHOT
target=$2
if ! command -v dpkg-deb > /dev/null; then
  echo "guesthook package: skipped, dpkg-deb is not installed (apt-get install dpkg)" >&2
  exit 0
fi
stage="$target/deb-root"
rm -rf "$stage"
share="$stage/usr/share/guesthook"
mkdir -p "$share/lib" "$share/hooks" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/usr/lib/tmpfiles.d" \
  "$stage/etc/guesthook/hooks.d" "$stage/usr/share/doc/guesthook" "$stage/DEBIAN"

install -m 0644 "$top/runtime/target/guesthook-runtime.jar" "$share/"
# Only the jars the runtime's manifest names: a runtime/target/lib left from an earlier build (before
# a dependency's version changed) may hold others, and the package would ship both versions.
manifest="$target/manifest"
rm -rf "$manifest" && mkdir -p "$manifest"
(cd "$manifest" && "${JAVA_HOME:+$JAVA_HOME/bin/}jar" xf "$top/runtime/target/guesthook-runtime.jar" META-INF/MANIFEST.MF)
classpath=$(tr -d '\r' < "$manifest/META-INF/MANIFEST.MF" | awk '
  /^Class-Path: / { on = 1; sub(/^Class-Path: /, ""); printf "%s", $0; next }
  on && /^ / { sub(/^ /, ""); printf "%s", $0; next }
  { on = 0 }')
for jar in $classpath; do
  install -m 0644 "$top/runtime/target/$jar" "$share/lib/"
done
cp -r "$top/hooks/stock" "$share/hooks/stock"
find "$share/hooks" -type d -exec chmod 0755 {} + && find "$share/hooks" -type f -exec chmod 0644 {} +
install -m 0755 "$top/runtime/src/main/scripts/guesthook-hookscript" "$share/guesthook-hookscript"
install -m 0755 "$here/deb/guesthook" "$stage/usr/bin/guesthook"
install -m 0644 "$here/deb/systemd/"*.service "$stage/lib/systemd/system/"
install -m 0644 "$here/deb/tmpfiles.conf" "$stage/usr/lib/tmpfiles.d/guesthook.conf"
install -m 0644 "$here/deb/guesthook.yaml" "$stage/etc/guesthook/guesthook.yaml"
install -m 0644 "$top/README.md" "$stage/usr/share/doc/guesthook/README.md"
mkdir -p "$stage/usr/share/man/man8"
gzip -9n < "$here/deb/guesthook.8" > "$stage/usr/share/man/man8/guesthook.8.gz"
chmod 0644 "$stage/usr/share/man/man8/guesthook.8.gz"
printf 'guesthook (%s) unstable; urgency=medium\n\n  * Built from the guesthook source tree.\n\n -- guesthook developers <maintainers@guesthook.dev>  %s\n' \
  "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")" |
  gzip -9n > "$stage/usr/share/doc/guesthook/changelog.gz"
printf 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: guesthook\n\nFiles: *\nCopyright: 2026 guesthook developers\nLicense: see the source tree\n' \
  > "$stage/usr/share/doc/guesthook/copyright"

for script in postinst prerm postrm; do
  install -m 0755 "$here/deb/DEBIAN/$script" "$stage/DEBIAN/$script"
done
install -m 0644 "$here/deb/DEBIAN/conffiles" "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size/" "$here/deb/DEBIAN/control.in" > "$stage/DEBIAN/control"

deb="$target/guesthook_${version}_all.deb"
dpkg-deb --root-owner-group -Zgzip --build "$stage" "$deb" > /dev/null
echo "guesthook package: $deb" >&2
