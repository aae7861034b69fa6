/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flashkey-twin show PATH [--json] and list: the twin decoded — every flash-interface register
 * and option field, the stored option bytes, a protection summary, the sector map and the OTP
 * blocks. Field layout: RM0090 §3.9 (Tables 20/21), stm32.md §1.3-§1.7. */
#include <stdio.h>
#include <string.h>

#include "fktwin/spinor.h"
#include "twin_cli.h"

const cli_opt tcli_show_opts[] = {
	{"json", 0, CLI_FLAG, NULL, "print one JSON document"},
	{NULL, 0, 0, NULL, NULL},
};

typedef struct tcli_field {
	uint32_t reg;
	const char *name;
	unsigned shift, bits;
} tcli_field;

static const tcli_field tcli_fields[] = {
	{0x40023C00, "LATENCY", 0, 4}, {0x40023C00, "PRFTEN", 8, 1}, {0x40023C00, "ICEN", 9, 1},
	{0x40023C00, "DCEN", 10, 1},   {0x40023C0C, "BSY", 16, 1},   {0x40023C0C, "RDERR", 8, 1},
	{0x40023C0C, "PGSERR", 7, 1},  {0x40023C0C, "PGPERR", 6, 1}, {0x40023C0C, "PGAERR", 5, 1},
	{0x40023C0C, "WRPERR", 4, 1},  {0x40023C0C, "OPERR", 1, 1},  {0x40023C0C, "EOP", 0, 1},
	{0x40023C10, "LOCK", 31, 1},   {0x40023C10, "ERRIE", 25, 1}, {0x40023C10, "EOPIE", 24, 1},
	{0x40023C10, "STRT", 16, 1},   {0x40023C10, "MER1", 15, 1},  {0x40023C10, "PSIZE", 8, 2},
	{0x40023C10, "SNB", 3, 5},     {0x40023C10, "MER", 2, 1},    {0x40023C10, "SER", 1, 1},
	{0x40023C10, "PG", 0, 1},      {0x40023C14, "SPRMOD", 31, 1}, {0x40023C14, "DB1M", 30, 1},
	{0x40023C14, "nWRP", 16, 12},  {0x40023C14, "RDP", 8, 8},    {0x40023C14, "nRST_STDBY", 7, 1},
	{0x40023C14, "nRST_STOP", 6, 1}, {0x40023C14, "WDG_SW", 5, 1}, {0x40023C14, "BFB2", 4, 1},
	{0x40023C14, "BOR_LEV", 2, 2}, {0x40023C14, "OPTSTRT", 1, 1}, {0x40023C14, "OPTLOCK", 0, 1},
	{0x40023C18, "nWRP(12-23)", 16, 12},
};

static const struct { uint32_t addr; const char *name; } tcli_regs[] = {
	{0x40023C00, "FLASH_ACR"}, {0x40023C0C, "FLASH_SR"},	{0x40023C10, "FLASH_CR"},
	{0x40023C14, "FLASH_OPTCR"}, {0x40023C18, "FLASH_OPTCR1"}, {0xE0042000, "DBGMCU_IDCODE"},
};

static uint32_t tcli_get(uint32_t v, const tcli_field *f)
{
	return (v >> f->shift) & ((1U << f->bits) - 1U);
}

static const char *tcli_rdp_text(unsigned lvl)
{
	return lvl == 0 ? "level 0: no read protection"
	       : lvl == 1 ? "level 1: flash, backup SRAM and OTP unreadable by a debugger or from "
			    "RAM/system-memory boot; regression to 0 mass-erases"
			  : "level 2: permanent; debug port and bootloader disabled, options frozen";
}

static uint32_t tcli_reg(const tw_f4 *t, uint32_t addr)
{
	if (addr == 0xE0042000U) {
		const tw_f4_variant *v = tw_f4_variant_of(t);
		return ((uint32_t)tw_f4_variant_rev_id(v) << 16) | tw_f4_variant_dev_id(v);
	}
	return tw_f4_reg(t, addr);
}

static bool tcli_blank(const tw_f4 *t, uint32_t addr, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (tw_f4_peek(t, addr + i) != 0xFF)
			return false;
	return true;
}

static void tcli_text_regs(const tw_f4 *t)
{
	printf("registers:\n");
	for (size_t r = 0; r < sizeof tcli_regs / sizeof tcli_regs[0]; r++) {
		uint32_t v = tcli_reg(t, tcli_regs[r].addr);
		printf("  %-13s 0x%08X ", tcli_regs[r].name, v);
		for (size_t f = 0; f < sizeof tcli_fields / sizeof tcli_fields[0]; f++)
			if (tcli_fields[f].reg == tcli_regs[r].addr)
				printf(" %s=0x%X", tcli_fields[f].name, tcli_get(v, &tcli_fields[f]));
		printf("\n");
	}
	printf("  key lockout: FLASH_CR %s, FLASH_OPTCR %s (a wrong key locks until reset)\n",
	       tw_f4_key_lockout(t, false) ? "LOCKED OUT" : "no",
	       tw_f4_key_lockout(t, true) ? "LOCKED OUT" : "no");
}

static void tcli_text_options(const tw_f4 *t)
{
	printf("option bytes (stored; loaded into OPTCR at reset):\n");
	printf("  0x1FFFC000: USER 0x%02X RDP 0x%02X   0x1FFFC008: 0x%02X%02X",
	       tw_f4_peek(t, 0x1FFFC000), tw_f4_peek(t, 0x1FFFC001), tw_f4_peek(t, 0x1FFFC009),
	       tw_f4_peek(t, 0x1FFFC008));
	if (tw_f4_variant_has_optcr1(tw_f4_variant_of(t)))
		printf("   0x1FFEC008: 0x%02X%02X", tw_f4_peek(t, 0x1FFEC009),
		       tw_f4_peek(t, 0x1FFEC008));
	printf("\n");
}

static void tcli_text_protection(const tw_f4 *t)
{
	unsigned lvl = tw_f4_rdp_level(t);
	printf("protection:\n  RDP: %s (OPTCR.RDP=0x%02X)\n", tcli_rdp_text(lvl),
	       (tw_f4_reg(t, 0x40023C14) >> 8) & 0xFF);
	char wrp[128] = "", pcrop[128] = "", otp[64] = "";
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++) {
		if (s.pcrop)
			fk_snprintf_cat(pcrop, sizeof pcrop, " %u", s.num);
		else if (s.wrp)
			fk_snprintf_cat(wrp, sizeof wrp, " %u", s.num);
	}
	for (unsigned b = 0; b < 16; b++)
		if (tw_f4_peek(t, 0x1FFF7A00U + b) == 0x00)
			fk_snprintf_cat(otp, sizeof otp, " %u", b);
	printf("  write-protected sectors:%s\n", wrp[0] ? wrp : " none");
	printf("  PCROP sectors:%s\n", pcrop[0] ? pcrop : " none");
	printf("  locked OTP blocks:%s\n", otp[0] ? otp : " none");
	printf("  debugger intrusion latch: %s (cleared only by a power-on reset)\n",
	       tw_f4_intrusion(t) ? "set" : "clear");
	printf("  debug port: %s; ROM bootloader: %s\n",
	       tw_f4_debug_reachable(t) ? "reachable"
	       : !tw_f4_powered(t)	 ? "no power"
	       : lvl == 2		 ? "disabled (RDP level 2)"
					 : "unreachable (SWD pins repurposed; connect under reset)",
	       tw_f4_bootloader_available(t) ? "available" : "disabled");
}

static void tcli_text_sectors(const tw_f4 *t)
{
	printf("sectors:\n  %-4s %-10s %-8s %-4s %-10s %s\n", "#", "address", "size", "bank",
	       "protection", "contents");
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++)
		printf("  %-4u 0x%08X %4u KiB %-4u %-10s %s\n", s.num, s.addr, s.size / 1024,
		       s.bank + 1, s.pcrop ? "PCROP" : s.wrp ? "WRP" : "-",
		       tcli_blank(t, s.addr, s.size) ? "blank" : "programmed");
	printf("OTP blocks programmed:");
	unsigned n = 0;
	for (unsigned b = 0; b < 16; b++)
		if (!tcli_blank(t, 0x1FFF7800U + b * 32U, 32)) {
			printf(" %u", b);
			n++;
		}
	printf("%s\n", n ? "" : " none");
}

static void tcli_text(const tw_f4 *t, const char *path)
{
	const tw_f4_variant *v = tw_f4_variant_of(t);
	printf("twin %s (%s, DEV_ID 0x%03X, REV_ID 0x%04X, %u KiB flash) at %s\n",
	       tw_f4_variant_name(v), tw_f4_variant_family(v), tw_f4_variant_dev_id(v),
	       tw_f4_variant_rev_id(v), tw_f4_variant_flash_bytes(v) / 1024, path);
	printf("power: %s (%d mV); virtual time %.6f s; boot pins: %s; NRST %s; flash %s; "
	       "flash operations: %u\n",
	       tw_f4_powered(t) ? "on" : "OFF", tw_f4_voltage_mv(t),
	       (double)tw_f4_now_ns(t) / 1e9,
	       tw_f4_boot(t) == TW_BOOT_FLASH ? "flash" : tw_f4_boot(t) == TW_BOOT_SYSMEM ? "sysmem"
											   : "sram",
	       tw_f4_nrst(t) ? "held" : "released", tw_f4_busy(t) ? "BUSY" : "idle",
	       tw_f4_flash_ops(t));
	tw_core_state cs = tw_f4_core_state(t);
	printf("core: %s%s\n", tw_core_state_name(cs),
	       cs == TW_CORE_HALTED  ? " (by the debugger: DHCSR.C_HALT)"
	       : cs != TW_CORE_RUNNING ? ""
	       : tw_f4_halting_debug(t) ? " (halting debug enabled: DHCSR.C_DEBUGEN = 1)"
					: " (halting debug off: DHCSR.C_DEBUGEN = 0)");
	tcli_text_protection(t);
	tcli_text_regs(t);
	tcli_text_options(t);
	tcli_text_sectors(t);
}

static void tcli_json_regs(json_w *j, const tw_f4 *t)
{
	json_key(j, "registers");
	json_obj_begin(j);
	for (size_t r = 0; r < sizeof tcli_regs / sizeof tcli_regs[0]; r++) {
		uint32_t v = tcli_reg(t, tcli_regs[r].addr);
		json_key(j, tcli_regs[r].name);
		json_obj_begin(j);
		json_kv_hex(j, "address", tcli_regs[r].addr, 8);
		json_kv_hex(j, "value", v, 8);
		for (size_t f = 0; f < sizeof tcli_fields / sizeof tcli_fields[0]; f++)
			if (tcli_fields[f].reg == tcli_regs[r].addr)
				json_kv_uint(j, tcli_fields[f].name, tcli_get(v, &tcli_fields[f]));
		json_obj_end(j);
	}
	json_obj_end(j);
}

static void tcli_json_sectors(json_w *j, const tw_f4 *t)
{
	json_key(j, "sectors");
	json_arr_begin(j);
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++) {
		json_obj_begin(j);
		json_kv_uint(j, "number", s.num);
		json_kv_hex(j, "address", s.addr, 8);
		json_kv_uint(j, "size", s.size);
		json_kv_uint(j, "bank", s.bank + 1);
		json_kv_bool(j, "write_protected", s.wrp);
		json_kv_bool(j, "pcrop", s.pcrop);
		json_kv_bool(j, "blank", tcli_blank(t, s.addr, s.size));
		json_obj_end(j);
	}
	json_arr_end(j);
	json_key(j, "otp");
	json_arr_begin(j);
	for (unsigned b = 0; b < 16; b++) {
		json_obj_begin(j);
		json_kv_uint(j, "block", b);
		json_kv_bool(j, "locked", tw_f4_peek(t, 0x1FFF7A00U + b) == 0x00);
		json_kv_hex(j, "lock_byte", tw_f4_peek(t, 0x1FFF7A00U + b), 2);
		json_kv_bool(j, "blank", tcli_blank(t, 0x1FFF7800U + b * 32U, 32));
		char hex[65] = "";
		for (unsigned i = 0; i < 32; i++)
			fk_snprintf_cat(hex, sizeof hex, "%02X", tw_f4_peek(t, 0x1FFF7800U + b * 32U + i));
		json_kv_str(j, "data", hex);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void tcli_json(const tw_f4 *t, const char *path)
{
	json_w j;
	const tw_f4_variant *v = tw_f4_variant_of(t);
	json_init(&j, stdout, 2);
	json_obj_begin(&j);
	json_kv_str(&j, "path", path);
	json_kv_str(&j, "chip", tw_f4_variant_name(v));
	json_kv_hex(&j, "dev_id", tw_f4_variant_dev_id(v), 3);
	json_kv_hex(&j, "rev_id", tw_f4_variant_rev_id(v), 4);
	json_kv_uint(&j, "flash_bytes", tw_f4_variant_flash_bytes(v));
	json_kv_bool(&j, "powered", tw_f4_powered(t));
	json_kv_uint(&j, "virtual_ns", tw_f4_now_ns(t));
	json_kv_bool(&j, "busy", tw_f4_busy(t));
	json_kv_uint(&j, "rdp_level", tw_f4_rdp_level(t));
	json_kv_bool(&j, "intrusion", tw_f4_intrusion(t));
	json_kv_str(&j, "core", tw_core_state_name(tw_f4_core_state(t)));
	json_kv_bool(&j, "halting_debug", tw_f4_halting_debug(t));
	json_kv_bool(&j, "debug_reachable", tw_f4_debug_reachable(t));
	json_kv_bool(&j, "bootloader_available", tw_f4_bootloader_available(t));
	json_kv_bool(&j, "cr_key_lockout", tw_f4_key_lockout(t, false));
	json_kv_bool(&j, "optcr_key_lockout", tw_f4_key_lockout(t, true));
	json_kv_hex(&j, "option_bytes", tw_f4_option_word(t, 0), 8);
	json_kv_hex(&j, "option_bytes2", tw_f4_option_word(t, 1), 8);
	tcli_json_regs(&j, t);
	tcli_json_sectors(&j, t);
	json_obj_end(&j);
	json_finish(&j);
}

int tcli_cmd_show(tcli_env *e)
{
	int rc = tcli_need_args(e, 1);
	if (rc)
		return rc;
	if (tw_spinor_is_state(tcli_arg(e, 0)))
		return tcli_spinor_show(e);
	tw_f4 *t;
	/* no lock: show works while a server holds the twin (it saves after every change) */
	if ((rc = tw_f4_load(e->ctx, tcli_arg(e, 0), &t)))
		return rc;
	if (cli_flag(&e->args, "json"))
		tcli_json(t, tcli_arg(e, 0));
	else
		tcli_text(t, tcli_arg(e, 0));
	tw_f4_free(t);
	return FK_OK;
}

int tcli_cmd_list(tcli_env *e)
{
	int rc = tcli_need_args(e, 0);
	if (rc)
		return rc;
	json_w j;
	bool json = cli_flag(&e->args, "json");
	if (json) {
		json_init(&j, stdout, 2);
		json_arr_begin(&j);
	}
	for (unsigned i = 0; tw_f4_variant_at(i); i++) {
		const tw_f4_variant *v = tw_f4_variant_at(i);
		if (!json) {
			printf("%-12s %-22s DEV_ID 0x%03X  %5u KiB flash\n", tw_f4_variant_name(v),
			       tw_f4_variant_family(v), tw_f4_variant_dev_id(v),
			       tw_f4_variant_flash_bytes(v) / 1024);
			continue;
		}
		json_obj_begin(&j);
		json_kv_str(&j, "name", tw_f4_variant_name(v));
		json_kv_str(&j, "family", tw_f4_variant_family(v));
		json_kv_hex(&j, "dev_id", tw_f4_variant_dev_id(v), 3);
		json_kv_uint(&j, "flash_bytes", tw_f4_variant_flash_bytes(v));
		json_obj_end(&j);
	}
	if (json) {
		json_arr_end(&j);
		json_finish(&j);
	}
	return FK_OK;
}

static int tcli_open_twin(tcli_env *e, tw_f4 **t)
{
	int rc = tcli_need_args(e, 1);
	return rc ? rc : tw_f4_open(e->ctx, tcli_arg(e, 0), t);
}

int tcli_cmd_power_cycle(tcli_env *e)
{
	tw_f4 *t;
	int rc = tcli_open_twin(e, &t);
	if (rc)
		return rc;
	if (tw_f4_powered(t))
		tw_f4_power_off(t);
	tw_f4_power_on(t);
	unsigned lvl = tw_f4_rdp_level(t);
	rc = tw_f4_close(t, e->ctx);
	if (!rc && e->out.verbosity >= 0)
		printf("power-on reset: option bytes reloaded (RDP level %u), intrusion latch "
		       "cleared\n", lvl);
	return rc;
}

int tcli_cmd_reset(tcli_env *e)
{
	tw_f4 *t;
	int rc = tcli_open_twin(e, &t);
	if (rc)
		return rc;
	if (!tw_f4_powered(t)) {
		tw_f4_close(t, e->ctx);
		fk_hint(e->ctx, "restore power with `flashkey-twin power-cycle %s`", tcli_arg(e, 0));
		return fk_fail(e->ctx, FK_E_NO_POWER, "%s: target not powered", tcli_arg(e, 0));
	}
	tw_f4_reset(t, TW_RESET_SYSTEM);
	unsigned lvl = tw_f4_rdp_level(t);
	bool intr = tw_f4_intrusion(t);
	rc = tw_f4_close(t, e->ctx);
	if (!rc && e->out.verbosity >= 0)
		printf("system reset: option bytes reloaded (RDP level %u), controller relocked; "
		       "intrusion latch %s\n", lvl, intr ? "still set (needs a power-on reset)" : "clear");
	return rc;
}
