/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Bare memory bus for the debug-port core (see membus.h). Flash writes are plain stores here
 * (no cell semantics): this bus exercises the debug port, not the flash controller. */
#include "debug/membus.h"

#include <stdlib.h>
#include <string.h>

tw_membus *tw_membus_new(void)
{
	tw_membus *m = calloc(1, sizeof(*m));
	if (m)
		memset(m->flash, 0xFF, sizeof(m->flash));
	return m;
}

void tw_membus_free(tw_membus *m)
{
	free(m);
}

static uint8_t *membus_map(tw_membus *m, uint32_t addr, unsigned size, bool *flash)
{
	*flash = false;
	if (addr < TW_MEMBUS_FLASH_SIZE && addr + size <= TW_MEMBUS_FLASH_SIZE)
		addr += TW_MEMBUS_FLASH; /* boot alias */
	if (addr >= TW_MEMBUS_FLASH && addr - TW_MEMBUS_FLASH + size <= TW_MEMBUS_FLASH_SIZE) {
		*flash = true;
		return &m->flash[addr - TW_MEMBUS_FLASH];
	}
	if (addr >= TW_MEMBUS_SRAM && addr - TW_MEMBUS_SRAM + size <= TW_MEMBUS_SRAM_SIZE)
		return &m->sram[addr - TW_MEMBUS_SRAM];
	return NULL;
}

static tw_status membus_check(tw_membus *m, uint32_t addr, unsigned size, bool *flash,
			      uint8_t **p)
{
	if (m->fault_all || (size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
		return TW_BUS_ERROR;
	if (m->stall_forever)
		return TW_STALL;
	*p = membus_map(m, addr, size, flash);
	if (!*p)
		return TW_BUS_ERROR;
	if (*flash && m->now_ns < m->busy_until_ns)
		return TW_STALL;
	return TW_OK;
}

static tw_status membus_read(void *h, uint32_t addr, unsigned size, uint32_t *val)
{
	tw_membus *m = h;
	bool flash;
	uint8_t *p;
	tw_status st = membus_check(m, addr, size, &flash, &p);
	if (st != TW_OK)
		return st;
	if (flash && m->read_protect)
		return TW_BUS_ERROR;
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint32_t)p[i] << (8 * i);
	return TW_OK;
}

static tw_status membus_write(void *h, uint32_t addr, unsigned size, uint32_t val)
{
	tw_membus *m = h;
	bool flash;
	uint8_t *p;
	tw_status st = membus_check(m, addr, size, &flash, &p);
	if (st != TW_OK)
		return st;
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(val >> (8 * i));
	if (flash)
		m->busy_until_ns = m->now_ns + m->write_ns;
	return TW_OK;
}

static tw_status membus_fetch(void *h, uint32_t addr, uint32_t *val)
{
	tw_membus *m = h;
	bool flash;
	uint8_t *p = membus_map(m, addr, 4, &flash);
	if (!p || m->fault_all || (flash && m->read_protect && m->attached))
		return TW_BUS_ERROR;
	*val = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
	return TW_OK;
}

static void membus_system_reset(void *h)
{
	((tw_membus *)h)->system_resets++;
}

static void membus_set_nrst(void *h, bool asserted)
{
	tw_membus *m = h;
	if (m->nrst && !asserted)
		m->nrst_pulses++;
	m->nrst = asserted;
}

static bool membus_reachable(void *h)
{
	return !((tw_membus *)h)->unreachable;
}

static bool membus_powered(void *h)
{
	(void)h;
	return true;
}

static void membus_attach(void *h)
{
	((tw_membus *)h)->attached = true;
}

static void membus_advance(void *h, uint64_t ns)
{
	((tw_membus *)h)->now_ns += ns;
}

static uint64_t membus_now(void *h)
{
	return ((tw_membus *)h)->now_ns;
}

static uint64_t membus_busy_until(void *h)
{
	const tw_membus *m = h;
	return m->busy_until_ns > m->now_ns ? m->busy_until_ns : 0;
}

const tw_dap_bus tw_membus_bus = {
	.read = membus_read,
	.write = membus_write,
	.fetch = membus_fetch,
	.system_reset = membus_system_reset,
	.set_nrst = membus_set_nrst,
	.reachable = membus_reachable,
	.powered = membus_powered,
	.attach = membus_attach,
	.advance = membus_advance,
	.now = membus_now,
	.busy_until = membus_busy_until,
};
