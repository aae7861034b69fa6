/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public face of the generic twin (any chip model) for the tools and tests: see twin/chip.h
 * (a twin with its state file) and twin/model.h (the chip-model interface and registry). */
#ifndef FKTWIN_CHIP_H
#define FKTWIN_CHIP_H
#include "../../chip.h"
#endif
