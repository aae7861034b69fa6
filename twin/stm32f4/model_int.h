/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F4 model's entries of the generic twin interface (model.c, configure.c, show.c). */
#ifndef TW_STM32F4_MODEL_INT_H
#define TW_STM32F4_MODEL_INT_H

#include "model.h"

/* The state-file version state.c writes (F4_STATE_VERSION there); a unit test checks that they
 * agree (test_twin_models). */
#define F4_MODEL_STATE_VERSION 4U

#define F4_OPTION_KEYS                                                                             \
	"rdp, bor_lev, wdg_sw, nrst_stop, nrst_stdby, bfb2, db1m, sprmod, nwrp, nwrp2, boot, swd, "  \
	"voltage_mv, vpp, strict_keys, timing, hw_wdg_abort, power, fault_op, fault_ns, stuck_bsy"

extern const tw_model tw_model_stm32f4;
extern const tw_model_opt f4_new_opts[];
int f4_configure(void *m, fk_ctx *ctx, const tw_args *args);
int f4_set_option(void *m, fk_ctx *ctx, const char *kv);
void f4_show_text(const void *m, const char *path, FILE *out);
void f4_show_json(const void *m, const char *path, const tw_json *j);

#endif
