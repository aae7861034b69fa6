# SPDX-License-Identifier: GPL-2.0-or-later
# Embeds lib/doctor/catalogue.txt into the library as a C array (cmake -P; called from the
# top-level CMakeLists.txt). Inputs: IN (text file), OUT (generated .c).
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR nbytes "${nhex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n" body "${body}")
file(WRITE "${OUT}.tmp"
  "/* Generated from lib/doctor/catalogue.txt by lib/doctor/embed.cmake: do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const unsigned char fk_doctor_catalogue_data[];\n"
  "extern const size_t fk_doctor_catalogue_size;\n"
  "const unsigned char fk_doctor_catalogue_data[] = {\n${body}0x00};\n"
  "const size_t fk_doctor_catalogue_size = ${nbytes};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
