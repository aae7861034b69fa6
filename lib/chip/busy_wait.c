/* SPDX-License-Identifier: GPL-2.0-or-later */
/* See busy_wait.h. */
#include "chip/busy_wait.h"

#include <time.h>

#define FK_BUSY_QUIET_MS 1000U /* waits shorter than this say nothing */

static long busy_ms_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long)(now.tv_sec - t0->tv_sec) * 1000L + (now.tv_nsec - t0->tv_nsec) / 1000000L;
}

int fk_wait_not_busy(fk_ctx *ctx, fk_sr_read_fn rd, void *user, uint32_t bsy, const char *reg,
		     unsigned timeout_ms, uint32_t *sr)
{
	struct timespec t0, pause = {0, 200000};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool said = false;
	long shown = -1;
	for (unsigned i = 0;; i++) {
		int rc = rd(user, ctx, sr);
		if (rc)
			return fk_fail_wrap(ctx, rc, "reading the status register for %s", reg);
		if (!(*sr & bsy)) {
			if (said)
				fk_progress(ctx, "wait", timeout_ms, timeout_ms);
			return FK_OK;
		}
		if (i > 64)
			nanosleep(&pause, NULL);
		long ms = busy_ms_since(&t0);
		if (ms >= (long)FK_BUSY_QUIET_MS) {
			if (!said) {
				fk_log(ctx, FK_LOG_INFO, FK_TRACE_FLASH, "waiting for %s to clear (SR="
					"0x%08X): a flash operation is still running; giving up after "
					"%u s", reg, *sr, timeout_ms / 1000U);
				said = true;
			}
			if (ms / 1000 != shown) { /* one bar update a second */
				shown = ms / 1000;
				fk_progress(ctx, "wait", (uint64_t)ms, timeout_ms);
			}
			if (fk_stop_requested(ctx))
				return fk_fail(ctx, FK_E_INTERRUPTED, "stopped while waiting for %s to "
					       "clear (SR=0x%08X, %ld ms): the operation in progress "
					       "goes on in the chip", reg, *sr, ms);
		}
		if (ms > (long)timeout_ms) {
			fk_hint(ctx, "no flash operation takes this long: the controller is stuck; reset "
				     "the chip (`flashkey reset`) or power-cycle it, then run the command "
				     "again");
			return fk_fail(ctx, FK_E_TIMEOUT, "%s still set after %u ms (SR=0x%08X)", reg,
				       timeout_ms, *sr);
		}
	}
}

static bool unit_blank(const uint8_t *p, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		if (p[i] != 0xFFU)
			return false;
	return true;
}

bool fk_next_program_run(const uint8_t *buf, uint32_t len, uint32_t addr, uint32_t page,
			 unsigned width, uint32_t *off, uint32_t *end)
{
	uint32_t o = *off;
	while (o + width <= len && unit_blank(buf + o, width))
		o += width;
	if (o + width > len)
		return false;
	uint32_t e = o + width, page_end = (addr + o) / page * page + page - addr;
	while (e + width <= len && e < page_end && !unit_blank(buf + e, width))
		e += width;
	*off = o;
	*end = e;
	return true;
}
