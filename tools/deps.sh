#!/bin/sh
# Installs the Debian packages the build, the tests and the demo need,
# when they are missing. Run by `make check` and `make demo`; safe to run
# again (it installs nothing when all are present).
set -eu
PKGS="build-essential pkg-config libjson-c-dev check libsubunit-dev valgrind python3 g++ libuv1-dev libpq-dev postgresql-15 postgresql-client-15"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
		echo "deps: need root (or sudo) to install:$missing" >&2; exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
