/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registry of twin chip models (twin/model.h). Adding a model = its `const tw_model` in its
 * own directory + ONE line in the table below, each in its own slot so that parallel additions do
 * not touch the same lines; keep the NULL at the end. The order matters only for `flashkey-twin
 * list`; variant names and state-file magics must be unique across models (a unit test checks). */
#include <stddef.h>

#include "model.h"

/* slot: stm32f4 */
extern const tw_model tw_model_stm32f4; /* twin/stm32f4/model.c */
/* slot: spinor */
extern const tw_model tw_model_spinor; /* twin/spinor/model.c */
/* slot: stm32l4 */
extern const tw_model tw_model_stm32l4; /* twin/stm32l4/model.c */
/* slot: stm32f1 */
extern const tw_model tw_model_stm32f1; /* twin/stm32f1/model.c */
/* slot: lpc */
extern const tw_model tw_model_lpc; /* twin/lpc/model.c */
/* slot: esp32 */
extern const tw_model tw_model_esp32; /* twin/esp32/model.c */
/* slot: lpc55 */
extern const tw_model tw_model_lpc55; /* twin/lpc55/model.c */

const tw_model *const tw_models[] = {
	/* slot: stm32f4 */
	&tw_model_stm32f4,
	/* slot: spinor */
	&tw_model_spinor,
	/* slot: stm32l4 */
	&tw_model_stm32l4,
	/* slot: stm32f1 */
	&tw_model_stm32f1,
	/* slot: lpc */
	&tw_model_lpc,
	/* slot: esp32 */
	&tw_model_esp32,
	/* slot: lpc55 */
	&tw_model_lpc55,
	NULL,
};
