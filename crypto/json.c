/* json.c - JSON through jansson with the project's conventions; see json.h. */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the UTF-8 sequence at p (at most n bytes), 0 when it is not
 * one (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len;
	unsigned min, cp;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2, min = 0x80, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3, min = 0x800, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4, min = 0x10000, cp = p[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

json_t *
bp_json_text(const char *s)
{
	json_t *v = json_string(s);
	if (v)
		return v;
	/* Not UTF-8: each byte of no sequence becomes U+FFFD (3 bytes). */
	size_t n = strlen(s);
	char *o = malloc(3 * n + 1), *at = o;
	if (!o)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t k = utf8_len((const unsigned char *)s + i, n - i);
		if (k) {
			memcpy(at, s + i, k);
			at += k;
			i += k;
		} else {
			memcpy(at, "\xEF\xBF\xBD", 3);
			at += 3;
			i++;
		}
	}
	*at = '\0';
	v = json_string(o);
	free(o);
	return v;
}

json_t *
bp_json_u64(uint64_t v)
{
	char d[24];
	snprintf(d, sizeof(d), "%" PRIu64, v);
	return json_string(d);
}

json_t *
bp_json_number_text(const char *s)
{
	char *end;
	/* Decimal only: no spaces, hex, "nan" or "inf" that strtod takes. */
	if (!*s || s[strspn(s, "0123456789+-.eE")] != '\0')
		return NULL;
	if (!strpbrk(s, ".eE")) {
		errno = 0;
		long long v = strtoll(s, &end, 10);
		if (!*end && errno == 0)
			return json_integer(v);
	}
	errno = 0;
	double d = strtod(s, &end);
	return *end || errno || !isfinite(d) ? NULL : json_real(d);
}

int
bp_json_get_u64(const json_t *v, uint64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if (i < 0)
			return -1;
		*out = (uint64_t)i;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	uint64_t x = 0;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

static json_t *
parse_object(const char *buf, size_t len, size_t cap, bool line_1, char *err, size_t errlen)
{
	json_error_t je;
	if (len > cap) {
		snprintf(err, errlen, "larger than %zu bytes", cap);
		return NULL;
	}
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		if (je.line > 1 || line_1)
			snprintf(err, errlen, "line %d, column %d: %s", je.line, je.column, je.text);
		else
			snprintf(err, errlen, "column %d: %s", je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		snprintf(err, errlen, "%scolumn 1: not a JSON object", line_1 ? "line 1, " : "");
		return NULL;
	}
	return v;
}

json_t *
bp_json_parse(const char *buf, size_t len, size_t cap, char *err, size_t errlen)
{
	return parse_object(buf, len, cap, false, err, errlen);
}

json_t *
bp_json_parse_file(const char *buf, size_t len, size_t cap, char *err, size_t errlen)
{
	return parse_object(buf, len, cap, true, err, errlen);
}

/* The member at the dotted path, or NULL. A member's name may hold dots
 * itself ("files.tables.csv" is member "tables.csv" of "files"): the whole
 * rest of the path is tried as a name first, then each split at a dot. */
static const json_t *
path_get(const json_t *obj, const char *path, int depth)
{
	char step[128];
	if (!json_is_object(obj) || depth > 8)
		return NULL;
	const json_t *v = json_object_get(obj, path);
	if (v)
		return v;
	for (const char *dot = strchr(path, '.'); dot; dot = strchr(dot + 1, '.')) {
		size_t n = (size_t)(dot - path);
		if (n >= sizeof(step))
			return NULL;
		memcpy(step, path, n);
		step[n] = '\0';
		if ((v = path_get(json_object_get(obj, step), dot + 1, depth + 1)))
			return v;
	}
	return NULL;
}

int
bp_json_path_text(const json_t *obj, const char *path, char *out, size_t outlen)
{
	const json_t *v = path_get(obj, path, 0);
	int n;
	if (!v)
		return 1;
	switch (json_typeof(v)) {
	case JSON_STRING:
		if (json_string_length(v) >= outlen ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return -1;   /* too long, or a NUL inside */
		memcpy(out, json_string_value(v), json_string_length(v) + 1);
		return 0;
	case JSON_INTEGER:
		n = snprintf(out, outlen, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		n = snprintf(out, outlen, "%.17g", json_real_value(v));
		break;
	case JSON_TRUE:
		n = snprintf(out, outlen, "true");
		break;
	case JSON_FALSE:
		n = snprintf(out, outlen, "false");
		break;
	case JSON_NULL:
		n = snprintf(out, outlen, "null");
		break;
	default:
		return -1;
	}
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int
bp_json_get(const char *text, size_t len, const char *path, char *out, size_t outlen)
{
	char err[160];
	json_t *o = bp_json_parse(text, len, len, err, sizeof(err));
	if (!o)
		return -1;
	int rc = bp_json_path_text(o, path, out, outlen);
	json_decref(o);
	return rc;
}
