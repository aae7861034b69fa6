/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared fixtures for the STM32F0/F1/F3 twin tests (test_twin_f1*.c): register addresses as
 * the manuals give them (PM0075 §3, RM0091 §3.5), and small bus helpers that assert. */
#ifndef TWIN_F1_TEST_H
#define TWIN_F1_TEST_H
#include "fk_test.h"

#include "stm32f1/f1.h"

#define ACR 0x40022000U
#define KEYR 0x40022004U
#define OPTKEYR 0x40022008U
#define SR 0x4002200CU
#define CR 0x40022010U
#define AR 0x40022014U
#define OBR 0x4002201CU
#define WRPR 0x40022020U
#define FLASH 0x08000000U
#define OPTB 0x1FFFF800U
#define KEY1 0x45670123U
#define KEY2 0xCDEF89ABU
#define U TW_INIT_USER
#define D TW_INIT_DEBUG
#define B TW_INIT_BOOTLOADER

#define SR_BSY 0x01U
#define SR_PGERR 0x04U
#define SR_WRPRTERR 0x10U
#define SR_EOP 0x20U
#define CR_PG 0x01U
#define CR_PER 0x02U
#define CR_MER 0x04U
#define CR_OPTPG 0x10U
#define CR_OPTER 0x20U
#define CR_STRT 0x40U
#define CR_LOCK 0x80U
#define CR_OPTWRE 0x200U
#define CR_OBL_LAUNCH 0x2000U

static inline tw_f1 *f1_mk(const char *chip)
{
	tw_f1 *t = tw_f1_new(tw_f1_variant_find(chip));
	assert_non_null(t);
	return t;
}

static inline uint32_t f1_rd(tw_f1 *t, tw_initiator who, uint32_t a, unsigned size)
{
	uint32_t v = 0xDEADBEEF;
	assert_int_equal(tw_f1_read_wait(t, who, a, size, &v), TW_OK);
	return v;
}

static inline void f1_wr(tw_f1 *t, tw_initiator who, uint32_t a, unsigned size, uint32_t v)
{
	assert_int_equal(tw_f1_write_wait(t, who, a, size, v), TW_OK);
}

/* Wait for the end of the operation in progress (what a polling peer does). */
static inline void f1_wait(tw_f1 *t)
{
	tw_f1_advance(t, tw_f1_busy_until_ns(t) - tw_f1_now_ns(t));
}

static inline void f1_unlock(tw_f1 *t, tw_initiator who)
{
	f1_wr(t, who, KEYR, 4, KEY1);
	f1_wr(t, who, KEYR, 4, KEY2);
}

static inline void f1_opt_unlock(tw_f1 *t, tw_initiator who)
{
	f1_unlock(t, who);
	f1_wr(t, who, OPTKEYR, 4, KEY1);
	f1_wr(t, who, OPTKEYR, 4, KEY2);
}

/* OpenOCD's stm32x_erase_options(): CR=OPTER|OPTWRE, then |STRT, poll BSY. */
static inline void f1_opt_erase(tw_f1 *t, tw_initiator who)
{
	f1_opt_unlock(t, who);
	f1_wr(t, who, CR, 4, CR_OPTER | CR_OPTWRE);
	f1_wr(t, who, CR, 4, CR_OPTER | CR_STRT | CR_OPTWRE);
	f1_wait(t);
}

/* OpenOCD's stm32x_write_options(): CR=OPTPG|OPTWRE, 8 half-words 0x00VV, CR=LOCK. */
static inline void f1_opt_write(tw_f1 *t, tw_initiator who, const uint8_t v[8])
{
	f1_opt_unlock(t, who);
	f1_wr(t, who, CR, 4, CR_OPTPG | CR_OPTWRE);
	for (unsigned i = 0; i < 8; i++) {
		f1_wr(t, who, OPTB + 2 * i, 2, v[i]);
		f1_wait(t);
	}
	f1_wr(t, who, CR, 4, CR_LOCK);
}

static inline void f1_program(tw_f1 *t, tw_initiator who, uint32_t a, uint16_t v)
{
	f1_wr(t, who, CR, 4, CR_PG);
	f1_wr(t, who, a, 2, v);
	f1_wait(t);
}
#endif
