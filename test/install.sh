#!/bin/sh
# make install into a temporary prefix, then build and run an example
# with nothing but pkg-config's answer, against the shared and the
# static library.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s install PREFIX=/opt/gf DESTDIR="$tmp" >/dev/null
export PKG_CONFIG_PATH="$tmp/opt/gf/lib/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$tmp"
cflags=$(pkg-config --cflags gridflow)
libs=$(pkg-config --libs gridflow)
cc -std=c99 -Wall -Werror $cflags -o "$tmp/hello" examples/hello.c $libs
LD_LIBRARY_PATH="$tmp/opt/gf/lib" "$tmp/hello" examples/config > "$tmp/out"
grep -q '^order WO' "$tmp/out" || { cat "$tmp/out"; echo "install: 0 passed, 1 failed"; exit 1; }
static_libs=$(pkg-config --static --libs gridflow | sed "s|-lgridflow|$tmp/opt/gf/lib/libgridflow.a|")
cc -std=c99 -Wall -Werror $cflags -o "$tmp/hello-static" examples/hello.c $static_libs
"$tmp/hello-static" examples/config > "$tmp/out2"
cmp -s "$tmp/out" "$tmp/out2" || { echo "install: static and shared differ"; echo "install: 1 passed, 1 failed"; exit 1; }
echo "install: 2 passed, 0 failed"
