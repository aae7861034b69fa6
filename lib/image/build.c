/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The image builder: collects the records of a loader into runs of contiguous bytes, then
 * produces the segment model (sorted, non-overlapping, non-adjacent). Identical overlaps merge
 * silently; an overlap with different data is an error naming both records (file:line), since
 * flashing either version would be a guess. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image_int.h"

void imgb_init(img_builder *b, fk_ctx *ctx, const char *name, const char *unit)
{
	memset(b, 0, sizeof *b);
	b->ctx = ctx;
	b->name = name ? name : "<memory>";
	b->unit = unit;
}

void imgb_free(img_builder *b)
{
	for (size_t i = 0; i < b->nruns; i++) {
		free(b->runs[i].data);
		free(b->runs[i].marks);
	}
	free(b->runs);
	b->runs = NULL;
	b->nruns = b->cap = 0;
}

void imgb_where(const img_builder *b, uint32_t where, char *buf, size_t n)
{
	if (strcmp(b->unit, "line") == 0)
		snprintf(buf, n, "%s:%u", b->name, where);
	else
		snprintf(buf, n, "%s: %s %u", b->name, b->unit, where);
}

static int imgb_oom(img_builder *b)
{
	return fk_fail(b->ctx, FK_E_NOMEM, "%s: out of memory while loading the image", b->name);
}

static int run_mark(img_run *r, uint32_t off, uint32_t where)
{
	if (r->nmarks && r->marks[r->nmarks - 1].where == where)
		return 0;
	if (r->nmarks == r->mcap) {
		uint32_t ncap = r->mcap ? r->mcap * 2 : 2;
		img_mark *nm = realloc(r->marks, ncap * sizeof *nm);
		if (!nm)
			return -1;
		r->marks = nm;
		r->mcap = ncap;
	}
	r->marks[r->nmarks++] = (img_mark){off, where};
	return 0;
}

static int run_reserve(img_run *r, uint64_t need)
{
	if (need <= r->cap)
		return 0;
	uint64_t ncap = r->cap ? r->cap : need; /* scattered records: no slack per run */
	while (ncap < need)
		ncap *= 2;
	if (ncap > 0xFFFFFFFFu)
		ncap = need;
	uint8_t *nd = realloc(r->data, (size_t)ncap);
	if (!nd)
		return -1;
	r->data = nd;
	r->cap = (uint32_t)ncap;
	return 0;
}

static img_run *imgb_new_run(img_builder *b, uint32_t addr)
{
	if (b->nruns == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 8;
		img_run *nr = realloc(b->runs, ncap * sizeof *nr);
		if (!nr)
			return NULL;
		b->runs = nr;
		b->cap = ncap;
	}
	img_run *r = &b->runs[b->nruns++];
	memset(r, 0, sizeof *r);
	r->addr = addr;
	r->seq = b->nruns - 1;
	return r;
}

/* A firmware image is a few contiguous ranges. Each record that starts a new range costs about
 * 100 bytes of bookkeeping (run, data and mark allocations), so a hostile file of scattered or
 * descending 1-byte records would take 8 times its size; past this many ranges the file is
 * refused instead (1 Mi ranges = a 16 MiB image written backwards in 16-byte records). */
#define IMG_MAX_RUNS (1u << 20)

int imgb_add(img_builder *b, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t where)
{
	if ((uint64_t)addr + len > 0x100000000ull) {
		char w[160];
		imgb_where(b, where, w, sizeof w);
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s: %u bytes at 0x%08X run past the 4 GiB address space (end 0x%llX); "
			       "expected addresses below 0x100000000",
			       w, len, addr, (unsigned long long)addr + len);
	}
	if (len == 0)
		return 0;
	img_run *r = b->nruns ? &b->runs[b->nruns - 1] : NULL;
	if ((!r || (uint64_t)r->addr + r->len != addr) && b->nruns >= IMG_MAX_RUNS) {
		char w[160];
		imgb_where(b, where, w, sizeof w);
		fk_hint(b->ctx, "write the image in address order (objcopy -O ihex / -O srec does)");
		return fk_fail(b->ctx, FK_E_BAD_IMAGE,
			       "%s: data at 0x%08X starts range number %u: more than %u separate or "
			       "out-of-order address ranges is not a firmware image",
			       w, addr, IMG_MAX_RUNS + 1, IMG_MAX_RUNS);
	}
	if (!r || (uint64_t)r->addr + r->len != addr)
		r = imgb_new_run(b, addr);
	if (!r || run_reserve(r, (uint64_t)r->len + len) || run_mark(r, r->len, where))
		return imgb_oom(b);
	memcpy(r->data + r->len, data, len);
	r->len += len;
	return 0;
}

static int run_cmp(const void *pa, const void *pb)
{
	const img_run *a = pa, *b = pb;
	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	/* equal starts: keep file order so the earlier record is named first */
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* The record that supplied byte `off` of run r. */
static uint32_t run_where(const img_run *r, uint32_t off)
{
	uint32_t lo = 0, hi = r->nmarks;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (r->marks[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return r->nmarks ? r->marks[lo].where : 0;
}

static int imgb_conflict(img_builder *b, const img_run *cur, const img_run *r, uint32_t addr)
{
	char w1[160], w2[160];
	uint8_t v1 = cur->data[addr - cur->addr], v2 = r->data[addr - r->addr];
	imgb_where(b, run_where(r, addr - r->addr), w2, sizeof w2);
	imgb_where(b, run_where(cur, addr - cur->addr), w1, sizeof w1);
	fk_hint(b->ctx, "the file holds two different versions of the same flash bytes: "
			"rebuild it, or check the linker script for overlapping sections");
	return fk_fail(b->ctx, FK_E_BAD_IMAGE,
		       "%s: data for 0x%08X (0x%02X) overlaps %s with different data (0x%02X)", w2,
		       addr, v2, w1, v1);
}

/* Folds run r (starting at or before the end of cur) into cur. */
static int imgb_fold(img_builder *b, img_run *cur, img_run *r)
{
	uint64_t cur_end = (uint64_t)cur->addr + cur->len, r_end = (uint64_t)r->addr + r->len;
	uint64_t ov_end = cur_end < r_end ? cur_end : r_end;
	uint32_t ov_len = (uint32_t)(ov_end - r->addr);
	const uint8_t *a = cur->data + (r->addr - cur->addr);
	if (ov_len && memcmp(a, r->data, ov_len) != 0) {
		uint32_t i = 0;
		while (a[i] == r->data[i])
			i++;
		return imgb_conflict(b, cur, r, r->addr + i);
	}
	if (r_end <= cur_end)
		return 0;
	uint32_t tail = (uint32_t)(r_end - cur_end);
	if (run_reserve(cur, (uint64_t)cur->len + tail))
		return imgb_oom(b);
	uint32_t at = cur->len;
	if (run_mark(cur, at, run_where(r, ov_len)))
		return imgb_oom(b);
	for (uint32_t i = 0; i < r->nmarks; i++)
		if (r->marks[i].off > ov_len && run_mark(cur, at + r->marks[i].off - ov_len, r->marks[i].where))
			return imgb_oom(b);
	memcpy(cur->data + at, r->data + ov_len, tail);
	cur->len += tail;
	return 0;
}

static int img_push_seg(fk_image *img, img_run *r)
{
	if (img->nsegs == img->cap) {
		size_t ncap = img->cap ? img->cap * 2 : 4;
		fk_segment *ns = realloc(img->segs, ncap * sizeof *ns);
		if (!ns)
			return -1;
		img->segs = ns;
		img->cap = ncap;
	}
	uint8_t *d = r->data;
	if (r->cap > r->len) {
		uint8_t *shrunk = realloc(d, r->len);
		if (shrunk)
			d = shrunk;
	}
	img->segs[img->nsegs++] = (fk_segment){r->addr, r->len, d};
	r->data = NULL;
	free(r->marks);
	r->marks = NULL;
	return 0;
}

int imgb_finish(img_builder *b, fk_image *img)
{
	int rc = 0;
	if (b->nruns)
		qsort(b->runs, b->nruns, sizeof *b->runs, run_cmp);
	size_t cur = 0;
	for (size_t i = 1; i < b->nruns && rc == 0; i++) {
		img_run *c = &b->runs[cur], *r = &b->runs[i];
		if (r->addr <= (uint64_t)c->addr + c->len) {
			rc = imgb_fold(b, c, r);
			continue;
		}
		if (img_push_seg(img, c))
			rc = imgb_oom(b);
		cur = i;
	}
	if (rc == 0 && b->nruns && img_push_seg(img, &b->runs[cur]))
		rc = imgb_oom(b);
	imgb_free(b);
	return rc;
}
