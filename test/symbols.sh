#!/bin/sh
# Only gf_ names leave the shared library, and its SONAME follows the
# major version of include/gridflow/common.h.
set -eu
so=$1
bad=$(nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^gf_' || true)
if [ -n "$bad" ]; then
	echo "symbols: exported names without the gf_ prefix:" >&2
	echo "$bad" >&2
	echo "symbols: 0 passed, 1 failed"
	exit 1
fi
internal=$(nm -D --defined-only "$so" | awk '{print $3}' | grep '^gf__' || true)
if [ -n "$internal" ]; then
	echo "symbols: internal gf__ names are exported:" >&2
	echo "$internal" >&2
	echo "symbols: 0 passed, 1 failed"
	exit 1
fi
major=$(sed -n 's/^#define GF_VERSION_MAJOR \([0-9]*\)$/\1/p' include/gridflow/common.h)
soname=$(objdump -p "$so" | awk '/SONAME/{print $2}')
if [ "$soname" != "libgridflow.so.$major" ]; then
	echo "symbols: SONAME is $soname, expected libgridflow.so.$major" >&2
	echo "symbols: 1 passed, 1 failed"
	exit 1
fi
count=$(nm -D --defined-only "$so" | grep -c ' T gf_')
echo "symbols: $count exported gf_ functions, SONAME $soname"
echo "symbols: 2 passed, 0 failed"
