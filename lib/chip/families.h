/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The registered chip families, in the order the registry tries them (lib/chip/registry.c).
 * Adding a family is one line here: FK_FAMILY(name) for a driver defined as
 * `const fk_chip_driver name_chip_driver` in lib/chip/name_driver.c (docs/ADDING-A-FAMILY.md).
 * No include guard: the includer defines FK_FAMILY. */
FK_FAMILY(stm32f4)
FK_FAMILY(stm32f1)
FK_FAMILY(spinor)
FK_FAMILY(stm32l4)
FK_FAMILY(esp32)
FK_FAMILY(esp32c3)
FK_FAMILY(lpc)
FK_FAMILY(lpc_dbg) /* the same family over the debug port (lib/chip/lpc_dbg.c) */
FK_FAMILY(lpc55)
