/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Streaming JSON writer (RFC 8259 string escaping; no floating point). */
#include <inttypes.h>
#include <string.h>

#include "common/json.h"

void json_init(json_w *j, FILE *out, int indent)
{
	memset(j, 0, sizeof *j);
	j->out = out;
	j->indent = indent;
	j->first[0] = true;
}

static void json_newline(json_w *j)
{
	if (!j->indent)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth * j->indent; i++)
		fputc(' ', j->out);
}

static void json_pre_value(json_w *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->out);
		json_newline(j);
	}
	j->first[j->depth] = false;
}

static void json_open(json_w *j, char c)
{
	json_pre_value(j);
	fputc(c, j->out);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void json_close(json_w *j, char c)
{
	bool empty = j->first[j->depth];
	if (j->depth > 0)
		j->depth--;
	if (!empty)
		json_newline(j);
	fputc(c, j->out);
}

void json_obj_begin(json_w *j) { json_open(j, '{'); }
void json_obj_end(json_w *j) { json_close(j, '}'); }
void json_arr_begin(json_w *j) { json_open(j, '['); }
void json_arr_end(json_w *j) { json_close(j, ']'); }

static void json_escaped(json_w *j, const char *s, size_t n)
{
	fputc('"', j->out);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': fputs("\\\"", j->out); break;
		case '\\': fputs("\\\\", j->out); break;
		case '\n': fputs("\\n", j->out); break;
		case '\r': fputs("\\r", j->out); break;
		case '\t': fputs("\\t", j->out); break;
		default:
			if (c < 0x20 || c == 0x7F)
				fprintf(j->out, "\\u%04x", c);
			else
				fputc(c, j->out);
		}
	}
	fputc('"', j->out);
}

void json_key(json_w *j, const char *key)
{
	json_pre_value(j);
	json_escaped(j, key, strlen(key));
	fputs(j->indent ? ": " : ":", j->out);
	j->after_key = true;
}

void json_str(json_w *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	json_strn(j, s, strlen(s));
}

void json_strn(json_w *j, const char *s, size_t n)
{
	json_pre_value(j);
	json_escaped(j, s, n);
}

void json_int(json_w *j, int64_t v)
{
	json_pre_value(j);
	fprintf(j->out, "%" PRId64, v);
}

void json_uint(json_w *j, uint64_t v)
{
	json_pre_value(j);
	fprintf(j->out, "%" PRIu64, v);
}

void json_bool(json_w *j, bool v)
{
	json_pre_value(j);
	fputs(v ? "true" : "false", j->out);
}

void json_null(json_w *j)
{
	json_pre_value(j);
	fputs("null", j->out);
}

void json_hex(json_w *j, uint32_t v, int digits)
{
	char buf[16];
	snprintf(buf, sizeof buf, "0x%0*" PRIX32, digits, v);
	json_str(j, buf);
}

void json_kv_str(json_w *j, const char *k, const char *v) { json_key(j, k); json_str(j, v); }
void json_kv_int(json_w *j, const char *k, int64_t v) { json_key(j, k); json_int(j, v); }
void json_kv_uint(json_w *j, const char *k, uint64_t v) { json_key(j, k); json_uint(j, v); }
void json_kv_bool(json_w *j, const char *k, bool v) { json_key(j, k); json_bool(j, v); }
void json_kv_hex(json_w *j, const char *k, uint32_t v, int digits)
{
	json_key(j, k);
	json_hex(j, v, digits);
}

void json_finish(json_w *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
