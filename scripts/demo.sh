#!/usr/bin/env bash
# `make demo`: the main job against a locked digital twin (grows as the issues land).
set -euo pipefail
build=${1:-build/release}
fk="$build/flashkey"
echo "== flashkey $("$fk" --version)"
"$fk" --help | head -20
