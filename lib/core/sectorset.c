/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fk_sector_set (include/flashkey/inventory.h): a bit set of sector indexes of any size. */
#include <stdlib.h>

#include "core/core.h"
#include "flashkey/inventory.h"

int fk_sector_set_init(fk_sector_set *s, unsigned n)
{
	s->n = n;
	s->bits = calloc(n / 8U + 1U, 1);
	if (!s->bits)
		s->n = 0;
	return s->bits ? FK_OK : FK_E_NOMEM;
}

void fk_sector_set_free(fk_sector_set *s)
{
	free(s->bits);
	s->bits = NULL;
	s->n = 0;
}

void fk_sector_set_add(fk_sector_set *s, unsigned i)
{
	if (i < s->n)
		s->bits[i / 8U] = (uint8_t)(s->bits[i / 8U] | (1U << (i % 8U)));
}

void fk_sector_set_del(fk_sector_set *s, unsigned i)
{
	if (i < s->n)
		s->bits[i / 8U] = (uint8_t)(s->bits[i / 8U] & ~(1U << (i % 8U)));
}

bool fk_sector_set_has(const fk_sector_set *s, unsigned i)
{
	return i < s->n && (s->bits[i / 8U] >> (i % 8U)) & 1U;
}

unsigned fk_sector_set_count(const fk_sector_set *s)
{
	unsigned c = 0;
	for (unsigned i = 0; i < s->n; i++)
		c += fk_sector_set_has(s, i);
	return c;
}

bool fk_sector_set_next_run(const fk_sector_set *s, unsigned n, unsigned *from, unsigned *first,
			    unsigned *last)
{
	unsigned i = *from;
	while (i < n && !fk_sector_set_has(s, i))
		i++;
	if (i >= n)
		return false;
	unsigned j = i;
	while (j + 1U < n && fk_sector_set_has(s, j + 1U))
		j++;
	*first = i;
	*last = j;
	*from = j + 1U;
	return true;
}
