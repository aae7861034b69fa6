#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The family ratchet (issue 12, docs/ADDING-A-FAMILY.md): the layers above the chip drivers and
# the twin's servers name no chip family. A C source or header under the protected paths must
# not contain stm32f4_ / STM32F4_ / tw_f4 (any case), optcr (any case) or RM0090, unless it is
# listed in tests/lint/family_ids.allow. That list may only shrink:
#   - a listed file that no longer needs its entry fails the check (remove the line);
#   - a file may be listed only if it is in CEILING below, the list as the ratchet started
#     (a new entry would need this script edited too, which review sees).
# Goal: an empty allowlist.
set -uo pipefail
: "${FK_SRC:=$(cd "$(dirname "$0")/../.." && pwd)}"
cd "$FK_SRC" || exit 1
ALLOW=tests/lint/family_ids.allow
PROTECTED=(lib/api lib/plan lib/doctor cli twin/serve.c twin/serve.h twin/serve_modules.c
	   twin/twin_mem.c twin/twin_mem.h twin/probe)
PATTERN='stm32f4_|tw_f4|optcr|RM0090'

CEILING="
lib/api/backup.c lib/api/flash.c lib/api/options.c lib/api/otp.c lib/api/run.c lib/api/session.c
lib/api/session.h lib/api/special.c lib/api/unlock.c lib/plan/flashplan.c lib/plan/ladder.c
lib/doctor/facts.c cli/cmd_common.c cli/cmd_doctor_live.c cli/cmd_erase.c cli/cmd_info.c
cli/cmd_options.c cli/cmd_otp.c cli/cmd_read.c cli/cmd_reset.c cli/cmd_status.c
cli/cmd_unlock.c cli/cmd_write.c cli/cmd_image.c cli/twin/cmd_new.c cli/twin/cmd_show.c
cli/twin/main.c twin/serve.c twin/serve.h twin/twin_mem.c twin/twin_mem.h twin/probe/dap_tcp_serve.c
twin/probe/targets_f4.c twin/probe/usb_bridge_serve.c
"

allowed() { grep -v '^[[:space:]]*#' "$ALLOW" | grep -v '^[[:space:]]*$' | awk '{print $1}'; }
in_list() { printf '%s\n' $2 | grep -qxF "$1"; }

bad=0
files=$(find "${PROTECTED[@]}" -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort)
for f in $files; do
	hits=$(grep -nEi "$PATTERN" "$f" | grep -E 'stm32f4_|STM32F4_|tw_f4|TW_F4|[oO][pP][tT][cC][rR]|RM0090' || true)
	if allowed | grep -qxF "$f"; then
		if [ -z "$hits" ]; then
			echo "$f: listed in $ALLOW but names no family any more: remove its line" >&2
			bad=1
		fi
		continue
	fi
	if [ -n "$hits" ]; then
		echo "$f: family identifiers above the chip drivers (use lib/chip/driver.h):" >&2
		printf '%s\n' "$hits" | head -5 | sed 's/^/    /' >&2
		bad=1
	fi
done
for f in $(allowed); do
	if ! in_list "$f" "$CEILING"; then
		echo "$ALLOW: $f was not in the list when the ratchet started; it may only shrink" >&2
		bad=1
	elif [ ! -f "$f" ]; then
		echo "$ALLOW: $f does not exist: remove its line" >&2
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "family ratchet: $(allowed | wc -l) file(s) still allowlisted"
exit $bad
