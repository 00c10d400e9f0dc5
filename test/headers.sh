#!/bin/sh
# The public headers stand alone: each compiles by itself as C99 with
# -pedantic, and the umbrella header compiles as C++.
set -eu
CC=${1:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for h in include/gridflow.h include/gridflow/*.h; do
	name=${h#include/}
	printf '#include "%s"\n#include "%s"\nint main(void){return 0;}\n' "$name" "$name" > "$tmp/t.c"
	$CC -std=c99 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/t.c" -o "$tmp/t.o"
	n=$((n + 1))
done
cat > "$tmp/t.cc" <<'CC'
#include "gridflow.h"
int main() {
	gf_options o = GF_OPTIONS_INIT;
	(void)o;
	return gf_strerror(GF_EINVAL) ? 0 : 1;
}
CC
c++ -std=c++11 -pedantic -Wall -Wextra -Werror -Iinclude -c "$tmp/t.cc" -o "$tmp/t.o"
n=$((n + 1))
echo "headers: $n passed, 0 failed"
