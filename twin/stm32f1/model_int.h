/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The STM32F0/F1/F3 model's entries of the generic twin interface (model.c, configure.c,
 * show.c). */
#ifndef TW_STM32F1_MODEL_INT_H
#define TW_STM32F1_MODEL_INT_H

#include <stdio.h>

#include "model.h"

#define F1_MODEL_STATE_VERSION 1U /* = F1_STATE_VERSION of state.c (test_twin_f1_model) */

#define F1_OPTION_KEYS                                                                          \
	"rdp, user, data0, data1, wrp, boot, timing, power, fault_op, fault_ns"

extern const tw_model tw_model_stm32f1;
extern const tw_model_opt f1_new_opts[];
extern const tw_stream_port f1_an3155_port; /* an3155.c */
int f1_configure(void *m, fk_ctx *ctx, const tw_args *args);
int f1_set_option(void *m, fk_ctx *ctx, const char *kv);
void f1_show_text(const void *m, const char *path, FILE *out);
void f1_show_json(const void *m, const char *path, const tw_json *j);

#endif
