/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `flashkey-twin show` for a SPI NOR twin: registers, every named status bit, the protected
 * range as addresses (from the twin's own protection rules, prot.c), the status-register
 * protection mode with the /WP pin, block locks, security registers and what the chip refused. */
#include <stdio.h>

#include "spinor/spinor_int.h"

static const char *tw_show_mode(const tw_spinor *c)
{
	int srl = spinor_get(c->p, c->cur, SPINOR_SRL), srp = spinor_get(c->p, c->cur, SPINOR_SRP0);
	if (c->sr_otp)
		return "one-time-program (permanent)";
	if (srl == 1)
		return ((c->p->flags & SPINOR_F_SRP1_OTP) && srp == 1) ? "one-time-program (permanent)"
								      : "power-supply lock-down";
	if (srp == 1)
		return c->wp_high ? "hardware (unprotected: /WP high)" : "hardware (protected: /WP low)";
	return "software";
}

static unsigned tw_show_locked_units(const tw_spinor *c)
{
	unsigned n = 0;
	for (unsigned u = 0; u < tw_spinor_lock_units(c); u++)
		n += tw_spinor_unit_locked(c, u);
	return n;
}

void tw_spinor_show(const tw_spinor *c, FILE *f, bool json)
{
	uint8_t cur[3], nv[3];
	tw_spinor_regs(c, cur, nv);
	uint32_t ps, pl;
	bool contig;
	tw_spinor_protected_span(c, &ps, &pl, &contig);
	const spinor_part *p = c->p;
	if (json) {
		fprintf(f, "{\n  \"part\": \"%s\",\n  \"name\": \"%s\",\n  \"jedec_id\": \"%02X%02X%02X\",\n"
			   "  \"size\": %u,\n  \"sr\": [\"0x%02X\", \"0x%02X\", \"0x%02X\"],\n"
			   "  \"sr_nonvolatile\": [\"0x%02X\", \"0x%02X\", \"0x%02X\"],\n",
			p->key, p->name, p->id[0], p->id[1], p->id[2], p->size, cur[0], cur[1],
			cur[2], nv[0], nv[1], nv[2]);
		fprintf(f, "  \"bits\": {");
		const char *sep = "";
		for (int i = 0; i < SPINOR_NFIELDS; i++)
			if (spinor_has(p, (spinor_field)i)) {
				fprintf(f, "%s\"%s\": %d", sep, spinor_field_name((spinor_field)i),
					spinor_get(p, cur, (spinor_field)i));
				sep = ", ";
			}
		fprintf(f, "},\n  \"protected\": {\"start\": %u, \"length\": %u, \"contiguous\": %s},\n"
			   "  \"sr_protection\": \"%s\",\n  \"wp_pin\": \"%s\",\n"
			   "  \"locked_units\": %u,\n  \"busy_ns\": %llu,\n  \"virtual_ns\": %llu,\n"
			   "  \"ignored_protected\": %u,\n  \"ignored_srp\": %u,\n"
			   "  \"ignored_wel\": %u\n}\n",
			ps, pl, contig ? "true" : "false", tw_show_mode(c), c->wp_high ? "high" : "low",
			tw_show_locked_units(c), (unsigned long long)tw_spinor_busy_ns(c),
			(unsigned long long)tw_spinor_now(c), c->st.ignored_protected,
			c->st.ignored_srp, c->st.ignored_wel);
		return;
	}
	fprintf(f, "%s (%s): JEDEC ID %02X %02X %02X, %u KiB\n", p->name, p->key, p->id[0], p->id[1],
		p->id[2], p->size / 1024);
	fprintf(f, "status registers: %02X %02X %02X (non-volatile %02X %02X %02X)\n", cur[0],
		cur[1], cur[2], nv[0], nv[1], nv[2]);
	fprintf(f, "bits:");
	for (int i = 0; i < SPINOR_NFIELDS; i++)
		if (spinor_has(p, (spinor_field)i))
			fprintf(f, " %s=%d", spinor_field_name((spinor_field)i),
				spinor_get(p, cur, (spinor_field)i));
	fprintf(f, "\n");
	if (pl == 0)
		fprintf(f, "protected: none\n");
	else
		fprintf(f, "protected: 0x%06X..0x%06X (%u KiB)%s\n", ps, ps + pl - 1, pl / 1024,
			contig ? "" : " (not contiguous: individual block locks)");
	fprintf(f, "status-register protection: %s, /WP %s\n", tw_show_mode(c),
		c->wp_high ? "high" : "low");
	if (tw_spinor_lock_units(c))
		fprintf(f, "individual block locks: %u of %u units locked (%s)\n",
			tw_show_locked_units(c), tw_spinor_lock_units(c),
			spinor_get(p, cur, SPINOR_WPS) == 1 ? "in force: WPS=1" : "ignored: WPS=0");
	for (unsigned n = 1; n <= p->secreg_count; n++) {
		uint32_t sz;
		const uint8_t *r = c->secreg + (n - 1) * p->secreg_size;
		sz = p->secreg_size;
		unsigned used = 0;
		for (uint32_t i = 0; i < sz; i++)
			used += r[i] != 0xFF;
		int lb = (p->flags & SPINOR_F_MX_OTP) ? ((c->scur & 2) ? 1 : 0)
						       : spinor_get(p, cur, (spinor_field)(SPINOR_LB1 + n - 1));
		fprintf(f, "security register %u: %u bytes, %u programmed, %s\n", n, sz, used,
			lb == 1 ? "LOCKED (one-time)" : "unlocked");
	}
	if (tw_spinor_busy_ns(c))
		fprintf(f, "busy: %llu ns left\n", (unsigned long long)tw_spinor_busy_ns(c));
	fprintf(f, "refused: %u erase/program (protection), %u status writes (SRP/SRL/WP), %u "
		   "without WEL\n", c->st.ignored_protected, c->st.ignored_srp, c->st.ignored_wel);
}

/* The same document as `show --json` printed above, through the generic sink (twin/model.h). */
void tw_spinor_show_json(const tw_spinor *c, const tw_json *j)
{
	uint8_t cur[3], nv[3];
	tw_spinor_regs(c, cur, nv);
	uint32_t ps, pl;
	bool contig;
	tw_spinor_protected_span(c, &ps, &pl, &contig);
	const spinor_part *p = c->p;
	char id[8];
	snprintf(id, sizeof id, "%02X%02X%02X", p->id[0], p->id[1], p->id[2]);
	j->obj_begin(j->h);
	tw_json_kv_str(j, "part", p->key);
	tw_json_kv_str(j, "name", p->name);
	tw_json_kv_str(j, "jedec_id", id);
	tw_json_kv_uint(j, "size", p->size);
	const uint8_t *regs[2] = {cur, nv};
	const char *keys[2] = {"sr", "sr_nonvolatile"};
	for (int r = 0; r < 2; r++) {
		j->key(j->h, keys[r]);
		j->arr_begin(j->h);
		for (int i = 0; i < 3; i++)
			j->hex(j->h, regs[r][i], 2);
		j->arr_end(j->h);
	}
	j->key(j->h, "bits");
	j->obj_begin(j->h);
	for (int i = 0; i < SPINOR_NFIELDS; i++)
		if (spinor_has(p, (spinor_field)i))
			tw_json_kv_uint(j, spinor_field_name((spinor_field)i),
					(uint64_t)spinor_get(p, cur, (spinor_field)i));
	j->obj_end(j->h);
	j->key(j->h, "protected");
	j->obj_begin(j->h);
	tw_json_kv_uint(j, "start", ps);
	tw_json_kv_uint(j, "length", pl);
	tw_json_kv_bool(j, "contiguous", contig);
	j->obj_end(j->h);
	tw_json_kv_str(j, "sr_protection", tw_show_mode(c));
	tw_json_kv_str(j, "wp_pin", c->wp_high ? "high" : "low");
	tw_json_kv_uint(j, "locked_units", tw_show_locked_units(c));
	tw_json_kv_uint(j, "busy_ns", tw_spinor_busy_ns(c));
	tw_json_kv_uint(j, "virtual_ns", tw_spinor_now(c));
	tw_json_kv_uint(j, "ignored_protected", c->st.ignored_protected);
	tw_json_kv_uint(j, "ignored_srp", c->st.ignored_srp);
	tw_json_kv_uint(j, "ignored_wel", c->st.ignored_wel);
	j->obj_end(j->h);
}
