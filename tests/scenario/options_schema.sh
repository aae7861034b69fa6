#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The options schema is the driver's (issue 12: cli/ knows no chip): `options show` lists the
# keys `options set` takes, with their values, in text and JSON ("keys"), per part: an F407
# has no SPRMOD (no pcrop/sprmod keys, RM0090 §3.9.10), an F429 has it, an F103 has the F1
# driver's keys; a key the schema lists is accepted by `options set --dry-run`, an unknown one
# refused (exit 2) naming it.
. "$(dirname "$0")/lib.sh"
T=${FK_TWIN_BIN:?flashkey-twin not built}
keys() { "$FK_BIN" -c "twin:$1" --json options show >k.json 2>/dev/null || fail "options show $1";
	 json_get k.json "' '.join(k['key'] for k in d['keys'])"; }
expect_exit 0 "$T" new stm32f407 f407.twin
expect_exit 0 "$T" new stm32f429 f429.twin
expect_exit 0 "$T" new stm32f103c8 f103.twin
K407=$(keys f407.twin)
K429=$(keys f429.twin)
K103=$(keys f103.twin)
case " $K407 " in *" rdp "*) ;; *) fail "F407 keys lack rdp: $K407" ;; esac
case " $K407 " in *" wrp "*) ;; *) fail "F407 keys lack wrp: $K407" ;; esac
case " $K407 " in *" sprmod "*|*" pcrop "*) fail "F407 lists PCROP keys it has no bit for: $K407" ;; esac
case " $K429 " in *" pcrop "*) ;; *) fail "F429 keys lack pcrop: $K429" ;; esac
case " $K429 " in *" sprmod "*) ;; *) fail "F429 keys lack sprmod: $K429" ;; esac
[ -n "$K103" ] && [ "$K103" != "$K407" ] || fail "F103 keys not its driver's: $K103"
expect_exit 0 "$FK_BIN" -c twin:f407.twin options show
grep -q "^keys for \`flashkey options set KEY=VALUE\`:" "$OUT" || fail "text lists no keys"
grep -q "^  rdp .*0|1|2.*irreversible" "$OUT" || fail "rdp key line: $(cat "$OUT")"
# every listed key is one `options set` takes
for k in $K103; do
	v=$(json_get k.json "[x['values'] for x in d['keys'] if x['key'] == '$k'][0].split('|')[0]")
	case "$v" in LIST|*[!A-Za-z0-9_]*) continue ;; esac
	"$FK_BIN" -c twin:f103.twin options set "$k=$v" --dry-run >/dev/null 2>err.txt
	rc=$?
	[ $rc -ne 2 ] || fail "F103 key $k=$v listed but refused as usage: $(cat err.txt)"
done
expect_exit 2 "$FK_BIN" -c twin:f407.twin options set nosuchkey=1 --dry-run
grep -q "nosuchkey" "$ERR" || fail "unknown key not named"
pass
