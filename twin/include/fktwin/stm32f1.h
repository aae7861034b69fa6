/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Public face of the STM32F0/F1/F3 (FPEC) twin model for the tools and tests: the model API
 * lives in twin/stm32f1/f1.h; this header only makes it reachable through the public path. */
#ifndef FKTWIN_STM32F1_H
#define FKTWIN_STM32F1_H
#include "../../stm32f1/f1.h"
#endif
