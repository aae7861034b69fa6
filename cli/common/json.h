/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer for --json output (one document on stdout). */
#ifndef FK_CLI_JSON_H
#define FK_CLI_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_w {
	FILE *out;
	int depth;
	bool first[JSON_MAX_DEPTH];
	bool after_key;
	int indent; /* spaces per level; 0 = compact */
} json_w;

void json_init(json_w *j, FILE *out, int indent);
void json_obj_begin(json_w *j);
void json_obj_end(json_w *j);
void json_arr_begin(json_w *j);
void json_arr_end(json_w *j);
void json_key(json_w *j, const char *key);
void json_str(json_w *j, const char *s);
void json_strn(json_w *j, const char *s, size_t n);
void json_int(json_w *j, int64_t v);
void json_uint(json_w *j, uint64_t v);
void json_bool(json_w *j, bool v);
void json_null(json_w *j);
void json_hex(json_w *j, uint32_t v, int digits); /* "0x08000000" as a string */
/* Shorthands: key + value */
void json_kv_str(json_w *j, const char *k, const char *v);
void json_kv_int(json_w *j, const char *k, int64_t v);
void json_kv_uint(json_w *j, const char *k, uint64_t v);
void json_kv_bool(json_w *j, const char *k, bool v);
void json_kv_hex(json_w *j, const char *k, uint32_t v, int digits);
/* Ends the document with a newline. */
void json_finish(json_w *j);

#endif
