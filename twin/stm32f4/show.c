/* SPDX-License-Identifier: GPL-2.0-or-later */
/* STM32F4 model: `flashkey-twin show PATH [--json]` — the twin decoded: every flash-interface
 * register and option field, the stored option bytes, a protection summary, the sector map and
 * the OTP blocks. Moved from cli/twin/cmd_show.c; output unchanged.
 * Field layout: RM0090 §3.9 (Tables 20/21), stm32.md §1.3-§1.7. */
#include <stdio.h>
#include <string.h>

#include "stm32f4/f4.h"
#include "stm32f4/model_int.h"

typedef struct f4v_field {
	uint32_t reg;
	const char *name;
	unsigned shift, bits;
} f4v_field;

static const f4v_field f4v_fields[] = {
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

static const struct { uint32_t addr; const char *name; } f4v_regs[] = {
	{0x40023C00, "FLASH_ACR"}, {0x40023C0C, "FLASH_SR"},	{0x40023C10, "FLASH_CR"},
	{0x40023C14, "FLASH_OPTCR"}, {0x40023C18, "FLASH_OPTCR1"}, {0xE0042000, "DBGMCU_IDCODE"},
};

static uint32_t f4v_get(uint32_t v, const f4v_field *f)
{
	return (v >> f->shift) & ((1U << f->bits) - 1U);
}

static const char *f4v_rdp_text(unsigned lvl)
{
	return lvl == 0 ? "level 0: no read protection"
	       : lvl == 1 ? "level 1: flash, backup SRAM and OTP unreadable by a debugger or from "
			    "RAM/system-memory boot; regression to 0 mass-erases"
			  : "level 2: permanent; debug port and bootloader disabled, options frozen";
}

static uint32_t f4v_reg(const tw_f4 *t, uint32_t addr)
{
	if (addr == 0xE0042000U) {
		const tw_f4_variant *v = tw_f4_variant_of(t);
		return ((uint32_t)tw_f4_variant_rev_id(v) << 16) | tw_f4_variant_dev_id(v);
	}
	return tw_f4_reg(t, addr);
}

static bool f4v_blank(const tw_f4 *t, uint32_t addr, uint32_t size)
{
	for (uint32_t i = 0; i < size; i++)
		if (tw_f4_peek(t, addr + i) != 0xFF)
			return false;
	return true;
}

static void f4v_text_regs(const tw_f4 *t, FILE *out)
{
	fprintf(out, "registers:\n");
	for (size_t r = 0; r < sizeof f4v_regs / sizeof f4v_regs[0]; r++) {
		uint32_t v = f4v_reg(t, f4v_regs[r].addr);
		fprintf(out, "  %-13s 0x%08X ", f4v_regs[r].name, v);
		for (size_t f = 0; f < sizeof f4v_fields / sizeof f4v_fields[0]; f++)
			if (f4v_fields[f].reg == f4v_regs[r].addr)
				fprintf(out, " %s=0x%X", f4v_fields[f].name, f4v_get(v, &f4v_fields[f]));
		fprintf(out, "\n");
	}
	fprintf(out, "  key lockout: FLASH_CR %s, FLASH_OPTCR %s (a wrong key locks until reset)\n",
	       tw_f4_key_lockout(t, false) ? "LOCKED OUT" : "no",
	       tw_f4_key_lockout(t, true) ? "LOCKED OUT" : "no");
}

static void f4v_text_options(const tw_f4 *t, FILE *out)
{
	fprintf(out, "option bytes (stored; loaded into OPTCR at reset):\n");
	fprintf(out, "  0x1FFFC000: USER 0x%02X RDP 0x%02X   0x1FFFC008: 0x%02X%02X",
	       tw_f4_peek(t, 0x1FFFC000), tw_f4_peek(t, 0x1FFFC001), tw_f4_peek(t, 0x1FFFC009),
	       tw_f4_peek(t, 0x1FFFC008));
	if (tw_f4_variant_has_optcr1(tw_f4_variant_of(t)))
		fprintf(out, "   0x1FFEC008: 0x%02X%02X", tw_f4_peek(t, 0x1FFEC009),
		       tw_f4_peek(t, 0x1FFEC008));
	fprintf(out, "\n");
}

static void f4v_text_protection(const tw_f4 *t, FILE *out)
{
	unsigned lvl = tw_f4_rdp_level(t);
	fprintf(out, "protection:\n  RDP: %s (OPTCR.RDP=0x%02X)\n", f4v_rdp_text(lvl),
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
	fprintf(out, "  write-protected sectors:%s\n", wrp[0] ? wrp : " none");
	fprintf(out, "  PCROP sectors:%s\n", pcrop[0] ? pcrop : " none");
	fprintf(out, "  locked OTP blocks:%s\n", otp[0] ? otp : " none");
	fprintf(out, "  debugger intrusion latch: %s (cleared only by a power-on reset)\n",
	       tw_f4_intrusion(t) ? "set" : "clear");
	fprintf(out, "  debug port: %s; ROM bootloader: %s\n",
	       tw_f4_debug_reachable(t) ? "reachable"
	       : !tw_f4_powered(t)	 ? "no power"
	       : lvl == 2		 ? "disabled (RDP level 2)"
					 : "unreachable (SWD pins repurposed; connect under reset)",
	       tw_f4_bootloader_available(t) ? "available" : "disabled");
}

static void f4v_text_sectors(const tw_f4 *t, FILE *out)
{
	fprintf(out, "sectors:\n  %-4s %-10s %-8s %-4s %-10s %s\n", "#", "address", "size", "bank",
	       "protection", "contents");
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++)
		fprintf(out, "  %-4u 0x%08X %4u KiB %-4u %-10s %s\n", s.num, s.addr, s.size / 1024,
		       s.bank + 1, s.pcrop ? "PCROP" : s.wrp ? "WRP" : "-",
		       f4v_blank(t, s.addr, s.size) ? "blank" : "programmed");
	fprintf(out, "OTP blocks programmed:");
	unsigned n = 0;
	for (unsigned b = 0; b < 16; b++)
		if (!f4v_blank(t, 0x1FFF7800U + b * 32U, 32)) {
			fprintf(out, " %u", b);
			n++;
		}
	fprintf(out, "%s\n", n ? "" : " none");
}

void f4_show_text(const void *m, const char *path, FILE *out)
{
	const tw_f4 *t = m;
	const tw_f4_variant *v = tw_f4_variant_of(t);
	fprintf(out, "twin %s (%s, DEV_ID 0x%03X, REV_ID 0x%04X, %u KiB flash) at %s\n",
	       tw_f4_variant_name(v), tw_f4_variant_family(v), tw_f4_variant_dev_id(v),
	       tw_f4_variant_rev_id(v), tw_f4_variant_flash_bytes(v) / 1024, path);
	fprintf(out, "power: %s (%d mV); virtual time %.6f s; boot pins: %s; NRST %s; flash %s; "
	       "flash operations: %u\n",
	       tw_f4_powered(t) ? "on" : "OFF", tw_f4_voltage_mv(t),
	       (double)tw_f4_now_ns(t) / 1e9,
	       tw_f4_boot(t) == TW_BOOT_FLASH ? "flash" : tw_f4_boot(t) == TW_BOOT_SYSMEM ? "sysmem"
											   : "sram",
	       tw_f4_nrst(t) ? "held" : "released", tw_f4_busy(t) ? "BUSY" : "idle",
	       tw_f4_flash_ops(t));
	tw_core_state cs = tw_f4_core_state(t);
	fprintf(out, "core: %s%s\n", tw_core_state_name(cs),
	       cs == TW_CORE_HALTED  ? " (by the debugger: DHCSR.C_HALT)"
	       : cs != TW_CORE_RUNNING ? ""
	       : tw_f4_halting_debug(t) ? " (halting debug enabled: DHCSR.C_DEBUGEN = 1)"
					: " (halting debug off: DHCSR.C_DEBUGEN = 0)");
	f4v_text_protection(t, out);
	f4v_text_regs(t, out);
	f4v_text_options(t, out);
	f4v_text_sectors(t, out);
}

static void f4v_json_regs(const tw_json *j, const tw_f4 *t)
{
	j->key(j->h, "registers");
	j->obj_begin(j->h);
	for (size_t r = 0; r < sizeof f4v_regs / sizeof f4v_regs[0]; r++) {
		uint32_t v = f4v_reg(t, f4v_regs[r].addr);
		j->key(j->h, f4v_regs[r].name);
		j->obj_begin(j->h);
		tw_json_kv_hex(j, "address", f4v_regs[r].addr, 8);
		tw_json_kv_hex(j, "value", v, 8);
		for (size_t f = 0; f < sizeof f4v_fields / sizeof f4v_fields[0]; f++)
			if (f4v_fields[f].reg == f4v_regs[r].addr)
				tw_json_kv_uint(j, f4v_fields[f].name, f4v_get(v, &f4v_fields[f]));
		j->obj_end(j->h);
	}
	j->obj_end(j->h);
}

static void f4v_json_sectors(const tw_json *j, const tw_f4 *t)
{
	j->key(j->h, "sectors");
	j->arr_begin(j->h);
	tw_f4_sector_info s;
	for (unsigned i = 0; tw_f4_sector_get(t, i, &s); i++) {
		j->obj_begin(j->h);
		tw_json_kv_uint(j, "number", s.num);
		tw_json_kv_hex(j, "address", s.addr, 8);
		tw_json_kv_uint(j, "size", s.size);
		tw_json_kv_uint(j, "bank", s.bank + 1);
		tw_json_kv_bool(j, "write_protected", s.wrp);
		tw_json_kv_bool(j, "pcrop", s.pcrop);
		tw_json_kv_bool(j, "blank", f4v_blank(t, s.addr, s.size));
		j->obj_end(j->h);
	}
	j->arr_end(j->h);
	j->key(j->h, "otp");
	j->arr_begin(j->h);
	for (unsigned b = 0; b < 16; b++) {
		j->obj_begin(j->h);
		tw_json_kv_uint(j, "block", b);
		tw_json_kv_bool(j, "locked", tw_f4_peek(t, 0x1FFF7A00U + b) == 0x00);
		tw_json_kv_hex(j, "lock_byte", tw_f4_peek(t, 0x1FFF7A00U + b), 2);
		tw_json_kv_bool(j, "blank", f4v_blank(t, 0x1FFF7800U + b * 32U, 32));
		char hex[65] = "";
		for (unsigned i = 0; i < 32; i++)
			fk_snprintf_cat(hex, sizeof hex, "%02X", tw_f4_peek(t, 0x1FFF7800U + b * 32U + i));
		tw_json_kv_str(j, "data", hex);
		j->obj_end(j->h);
	}
	j->arr_end(j->h);
}

void f4_show_json(const void *m, const char *path, const tw_json *j)
{
	const tw_f4 *t = m;
	const tw_f4_variant *v = tw_f4_variant_of(t);
	j->obj_begin(j->h);
	tw_json_kv_str(j, "path", path);
	tw_json_kv_str(j, "chip", tw_f4_variant_name(v));
	tw_json_kv_hex(j, "dev_id", tw_f4_variant_dev_id(v), 3);
	tw_json_kv_hex(j, "rev_id", tw_f4_variant_rev_id(v), 4);
	tw_json_kv_uint(j, "flash_bytes", tw_f4_variant_flash_bytes(v));
	tw_json_kv_bool(j, "powered", tw_f4_powered(t));
	tw_json_kv_uint(j, "virtual_ns", tw_f4_now_ns(t));
	tw_json_kv_bool(j, "busy", tw_f4_busy(t));
	tw_json_kv_uint(j, "rdp_level", tw_f4_rdp_level(t));
	tw_json_kv_bool(j, "intrusion", tw_f4_intrusion(t));
	tw_json_kv_str(j, "core", tw_core_state_name(tw_f4_core_state(t)));
	tw_json_kv_bool(j, "halting_debug", tw_f4_halting_debug(t));
	tw_json_kv_bool(j, "debug_reachable", tw_f4_debug_reachable(t));
	tw_json_kv_bool(j, "bootloader_available", tw_f4_bootloader_available(t));
	tw_json_kv_bool(j, "cr_key_lockout", tw_f4_key_lockout(t, false));
	tw_json_kv_bool(j, "optcr_key_lockout", tw_f4_key_lockout(t, true));
	tw_json_kv_hex(j, "option_bytes", tw_f4_option_word(t, 0), 8);
	tw_json_kv_hex(j, "option_bytes2", tw_f4_option_word(t, 1), 8);
	f4v_json_regs(j, t);
	f4v_json_sectors(j, t);
	j->obj_end(j->h);
}
