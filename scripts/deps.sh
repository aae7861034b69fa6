#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Installs the Debian packages flashkey needs, if any are missing: apt-get as root, sudo
# otherwise; when neither works, prints the exact command and fails.
#   scripts/deps.sh build     libraries and tools to build
#   scripts/deps.sh test      + cmocka, clang (fuzzers), peers for interop tests, the ARM
#                             assembler that checks the committed on-chip code (lib/boot/stub)
set -euo pipefail
want=(build-essential cmake pkg-config libelf-dev libusb-1.0-0-dev libhidapi-dev libjaylink-dev)
if [ "${1:-build}" = test ]; then
  # the peers of the interop tests: without them those tests are skipped, not run
  want+=(libcmocka-dev clang libclang-rt-dev stm32flash openocd flashrom binutils-arm-none-eabi
         stlink-tools lpc21isp)
  # Node.js and npm run esptool-js (tests/interop/esptool_js_*.sh). A machine may already have
  # them from elsewhere (NodeSource's nodejs bundles npm and Conflicts: with Debian's npm, so
  # asking apt for npm there fails the whole install): a working `node` and `npm` are enough.
  if ! { command -v node >/dev/null && command -v npm >/dev/null; }; then
    want+=(nodejs npm)
  fi
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "flashkey: installing missing Debian packages: ${missing[*]}" >&2
cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || true
  "${cmd[@]}" >&2
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo apt-get update -qq || true
  sudo DEBIAN_FRONTEND=noninteractive "${cmd[@]}" >&2
else
  echo "flashkey: cannot install packages (not root, no sudo). Run:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
