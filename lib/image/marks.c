/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The protection words an image carries (issue 17 Deliver 4), found by address alone so that
 * `image info` can show them without a chip and the write path can weigh them against the one
 * it has:
 *  - NXP LPC Code Read Protection word at 0x000002FC (../shared/reference/lpc-isp.md §2, from
 *    UM10360 / UM10800 Table 311): CRP1 0x12345678, CRP2 0x87654321, CRP3 0x43218765 (no ISP,
 *    no SWD: only the application's own IAP can ever reprogram the part), NO_ISP 0x4E697370;
 *  - Kinetis flash configuration field 0x400-0x40F (lpc-isp.md: OpenOCD kinetis.c): FSEC at
 *    0x40C, SEC[1:0] = 10b unsecured, anything else secured (the next debugger connect needs a
 *    mass erase through the MDM-AP); MEEN[5:4] = 10b disables that mass erase, and with the
 *    backdoor key off (KEYEN[7:6] != 10b) a secured part cannot be opened from outside again
 *    (MEEN/KEYEN encodings UNCONFIRMED: the Kinetis RM was not retrieved);
 *  - STM32 option bytes: F2/F4 at 0x1FFFC000 (RDP at +1; 0xCC = level 2, for good, RM0090
 *    §3.7.3), F0/F1/F3 at 0x1FFFF800 (RDP byte at +0; 0xCC is level 2 on F0/F3, RM0091 §4.1);
 *    0x1FFF7800 is the F4's OTP area and the L4/G0/G4 option bytes: named as both. */
#include <stdio.h>
#include <string.h>

#include "flashkey/image.h"

#define LPC_CRP_ADDR 0x000002FCu
#define KINETIS_FSEC 0x0000040Cu

static fk_image_mark *mark_add(fk_image_mark *out, unsigned max, unsigned *n,
			       fk_image_mark_kind kind, uint32_t addr, uint32_t value)
{
	if (*n >= max) {
		(*n)++;
		return NULL;
	}
	fk_image_mark *m = &out[(*n)++];
	memset(m, 0, sizeof *m);
	m->kind = kind;
	m->addr = addr;
	m->value = value;
	return m;
}

static bool mark_word(const fk_image *img, uint32_t addr, uint32_t *v)
{
	uint8_t b[4];
	if (fk_image_read(img, addr, 4, 0xFF, b) != 4)
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static void marks_lpc(const fk_image *img, fk_image_mark *out, unsigned max, unsigned *n)
{
	static const struct {
		uint32_t value;
		const char *name, *text;
		bool permanent;
	} crp[] = {
		{0x12345678u, "CRP1", "SWD disabled; ISP reads, Go and writes to sector 0 refused; an "
				      "ISP erase of all sectors removes it", false},
		{0x87654321u, "CRP2", "SWD disabled; ISP allows only an erase of all sectors, which "
				      "removes it", false},
		{0x43218765u, "CRP3", "SWD disabled and the ISP entry pin ignored: only the "
				      "application's own IAP code can ever reprogram the part", true},
		{0x4E697370u, "NO_ISP", "the ISP entry pin is ignored (SWD stays open)", false},
	};
	uint32_t v;
	if (!mark_word(img, LPC_CRP_ADDR, &v))
		return;
	for (unsigned i = 0; i < sizeof crp / sizeof crp[0]; i++) {
		if (v != crp[i].value)
			continue;
		fk_image_mark *m = mark_add(out, max, n, FK_MARK_LPC_CRP, LPC_CRP_ADDR, v);
		if (!m)
			return;
		m->permanent = crp[i].permanent;
		snprintf(m->name, sizeof m->name, "NXP LPC %s", crp[i].name);
		snprintf(m->text, sizeof m->text, "%s", crp[i].text);
	}
}

static void marks_kinetis(const fk_image *img, fk_image_mark *out, unsigned max, unsigned *n)
{
	uint8_t fsec;
	if (fk_image_read(img, KINETIS_FSEC, 1, 0xFF, &fsec) != 1 || (fsec & 3u) == 2u)
		return;
	fk_image_mark *m = mark_add(out, max, n, FK_MARK_KINETIS_FCF, KINETIS_FSEC, fsec);
	if (!m)
		return;
	bool no_mass = ((fsec >> 4) & 3u) == 2u, backdoor = ((fsec >> 6) & 3u) == 2u;
	m->permanent = no_mass && !backdoor;
	snprintf(m->name, sizeof m->name, "Kinetis FSEC secured");
	snprintf(m->text, sizeof m->text, "FSEC 0x%02X: the part comes up secured (SEC != 10b); %s",
		 fsec, m->permanent ? "mass erase disabled (MEEN = 10b) and no backdoor key: it "
				      "cannot be unsecured from outside, ever"
		 : no_mass ? "mass erase disabled: only the backdoor key opens it"
			   : "the next debugger connect needs a mass erase (MDM-AP)");
}

static void marks_stm32(const fk_image *img, fk_image_mark *out, unsigned max, unsigned *n)
{
	static const struct {
		uint32_t base, len, rdp_off;
		const char *name;
	} areas[] = {
		{0x1FFFC000u, 16, 1, "STM32F2/F4 option bytes"},
		{0x1FFEC000u, 16, 99, "STM32F42x/F43x bank 2 option bytes"},
		{0x1FFFF800u, 16, 0, "STM32F0/F1/F3 option bytes"},
		{0x1FFF7800u, 0x210, 99, "STM32F4 OTP area or STM32L4/G0/G4 option bytes"},
	};
	for (unsigned i = 0; i < sizeof areas / sizeof areas[0]; i++) {
		uint8_t buf[0x210];
		if (!fk_image_read(img, areas[i].base, areas[i].len, 0xFF, buf))
			continue;
		fk_image_mark *m = mark_add(out, max, n, FK_MARK_STM32_OPTIONS, areas[i].base, 0);
		if (!m)
			return;
		snprintf(m->name, sizeof m->name, "%s", areas[i].name);
		bool rdp = areas[i].rdp_off < areas[i].len &&
			   fk_image_read(img, areas[i].base + areas[i].rdp_off, 1, 0xFF, buf) == 1;
		m->value = rdp ? buf[0] : 0;
		m->permanent = rdp && buf[0] == 0xCC && areas[i].base == 0x1FFFC000u;
		if (rdp)
			snprintf(m->text, sizeof m->text, "RDP byte 0x%02X%s; written only with "
				 "`write --with-options` and the option gates", buf[0],
				 buf[0] == 0xCC ? " (level 2 on F0/F2/F3/F4: debug and bootloader off for "
						  "good)" : buf[0] == 0xAA || buf[0] == 0xA5 ? " (level 0)"
						: " (level 1)");
		else
			snprintf(m->text, sizeof m->text, "written only with `write --with-options` or "
				 "`--with-otp` and their gates");
	}
}

unsigned fk_image_marks(const fk_image *img, fk_image_mark *out, unsigned max)
{
	unsigned n = 0;
	marks_lpc(img, out, max, &n);
	marks_kinetis(img, out, max, &n);
	marks_stm32(img, out, max, &n);
	return n;
}

const char *fk_image_mark_kind_name(fk_image_mark_kind k)
{
	static const char *const names[] = {"lpc-crp", "kinetis-fsec", "stm32-options"};
	return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "?";
}
