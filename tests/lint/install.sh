#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make install PREFIX=...` puts the tools, the library, the public headers, a pkg-config file and
# the man page in place, and a program can build against the installed library with pkg-config.
set -uo pipefail
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
cmake --install "$FK_BUILD" --prefix "$dest" >/dev/null || { echo "FAIL: cmake --install"; exit 1; }
want_twin=""
[ -n "${FK_TWIN_BIN:-}" ] && want_twin=bin/flashkey-twin
for f in bin/flashkey $want_twin include/flashkey/core.h include/flashkey/errors.h \
         share/man/man1/flashkey.1; do
  [ -e "$dest/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
pc=$(find "$dest" -name flashkey.pc | head -1)
[ -n "$pc" ] || { echo "FAIL: flashkey.pc not installed"; exit 1; }
ls "$(dirname "$pc")"/../libflashkey.so* >/dev/null 2>&1 || { echo "FAIL: libflashkey.so not installed"; exit 1; }
grep -q '^\.TH FLASHKEY 1' "$dest/share/man/man1/flashkey.1" || { echo "FAIL: man page"; exit 1; }
# Build a program against the installed copy through pkg-config.
cat > "$dest/use.c" <<'C'
#include <stdio.h>
#include <flashkey/core.h>
int main(void) { printf("%s %s\n", fk_version(), fk_error_name(FK_E_PROTECTED)); return 0; }
C
export PKG_CONFIG_PATH="$(dirname "$pc")"
# The test build is instrumented: a client must link the sanitizer runtimes too.
san=""
grep -q 'FK_SANITIZE:BOOL=ON' "$FK_BUILD/CMakeCache.txt" && san="-fsanitize=address,undefined"
cc $san "$dest/use.c" -o "$dest/use" $(pkg-config --cflags --libs flashkey) -Wl,-rpath,"$(dirname "$pc")/.." \
  || { echo "FAIL: cannot build against the installed library"; exit 1; }
out=$("$dest/use") || { echo "FAIL: program linked against libflashkey does not run"; exit 1; }
case "$out" in *FK_E_PROTECTED) echo "PASS: install ($out)";; *) echo "FAIL: $out"; exit 1;; esac
