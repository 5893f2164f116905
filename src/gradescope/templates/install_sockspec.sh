#!/usr/bin/env bash
# Installs the sockspec binary shipped in this bundle (setup.sh runs it).
# Written by `sockspec gradescope bundle`.
#
# It runs the installed binary once: a binary that cannot start on this
# image (a glibc too old for it) fails here, when the image is built and
# the teacher is looking, not when the first student submits.
# SOCKSPEC_PREFIX installs somewhere else than /usr/local (for a test).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${SOCKSPEC_PREFIX:-/usr/local}"

install -d "$prefix/bin"
install -m 0755 "$here/bin/sockspec" "$prefix/bin/sockspec"
"$prefix/bin/sockspec" --version
