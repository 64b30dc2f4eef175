#!/bin/sh
# Runs json_bench.c: tests/bench/run.sh DRIVER LIBRARY, where DRIVER is the
# driver binary and LIBRARY the LPC JSON library file to compare with. The
# library is linked into a temporary copy of this mudlib, never copied.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 DRIVER LIBRARY" >&2
  exit 2
fi
driver=$(realpath "$1")
library=$(realpath "$2")
here=$(dirname "$(realpath "$0")")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/config.bench" "$here/master.c" "$here/json_bench.c" "$work/"
mkdir "$work/lib"
ln -s "$library" "$work/lib/json_lib.c"
cd "$work"
"$driver" config.bench -fjson:/lib/json_lib
