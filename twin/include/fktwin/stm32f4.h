/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public face of the STM32F4 twin model for the tools (cli/twin) and tests: the chip model API
 * lives in twin/stm32f4/f4.h (shared by every access path); this header only makes it reachable
 * through the public include path. */
#ifndef FKTWIN_STM32F4_H
#define FKTWIN_STM32F4_H
#include "../../stm32f4/f4.h"
#endif
