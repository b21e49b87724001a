/*
 * fields.c - the checks of one field of a kommune export, and the
 * duplicate check of person_id; see export_private.h. Each check stores the
 * value in the row in hand or records an error naming what was expected,
 * never the value that was found.
 */
#include "export.h"
#include "export_private.h"

#include <sodium.h>
#include <string.h>

#include "registry.h"

/* ---- the duplicate set: open addressing over 64-bit keyed hashes ---- */

static uint64_t
pid_hash(const bp_export *x, const char *pid)
{
	unsigned char h[crypto_shorthash_BYTES];
	uint64_t v = 0;
	crypto_shorthash(h, (const unsigned char *)pid, 11, x->key);
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)h[i] << (8 * i);
	sodium_memzero(h, sizeof(h));
	return v ? v : 1;
}

/* Adds pid's hash, seen on line: bp_pidset_add's answer. */
static int
set_add(bp_export *x, const char *pid, unsigned long line, unsigned long *first)
{
	return bp_pidset_add(&x->set, pid_hash(x, pid), line, first);
}

/* "a, b or c" from a code list, into buf. */
static const char *
list_text(const char *const *list, size_t n, char *buf, size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		const char *sep = i == 0 ? "" : (i + 1 == n ? " or " : ", ");
		int w = snprintf(buf + used, size - used, "%s%s", sep, list[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* ---- field checks; each returns 0 or records an error and returns -1 ---- */

static bool
all_digits(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return len > 0;
}

/* An integer min..max written with digits only and no leading zero. */
static int
parse_int(const char *v, size_t len, int min, int max)
{
	if (len == 0 || len > 3 || !all_digits(v, len) || (len > 1 && v[0] == '0'))
		return -1;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n = n * 10 + (v[i] - '0');
	return n < min || n > max ? -1 : n;
}

static int
check_pid(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	if (len != 11 || !all_digits(v, len)) {
		bp_export_fail_col(x, line, c, "expected 11 digits");
		return -1;
	}
	if (!bp_person_id_valid(v)) {
		bp_export_fail_col(x, line, c, "not a valid fødselsnummer, D-nummer or H-nummer "
		    "(control digits or date)");
		return -1;
	}
	unsigned long first = 0;
	int rc = set_add(x, v, line, &first);
	if (rc < 0) {
		bp_export_fail_col(x, line, c, "out of memory for the duplicate check");
		return -1;
	}
	if (rc == 1 && first) {
		bp_export_fail_col(x, line, c, "the same person_id as on line %lu; expected one row "
		    "per person", first);
		return -1;
	}
	if (rc == 1) {
		bp_export_fail_col(x, line, c, "the same person_id appears on an earlier line; "
		    "expected one row per person");
		return -1;
	}
	memcpy(x->row.person_id, v, 11);
	x->row.person_id[11] = '\0';
	return 0;
}

static int
check_kommune(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	if (len != 4 || !all_digits(v, len)) {
		bp_export_fail_col(x, line, c, "expected a 4-digit kommunenummer");
		return -1;
	}
	if (x->opts.expect_kommune && memcmp(v, x->opts.expect_kommune, 5) != 0) {
		/* A wrong --kommune (or another kommune's file) would give one
		 * error per row: said once, the count added at the end. */
		if (x->other_kommune++ == 0) {
			x->other_kommune_diag = x->diags.n;
			bp_export_fail_col(x, line, c, "expected the submission's kommune %s",
			    x->opts.expect_kommune);
		} else {
			x->row_bad = true;
		}
		return -1;
	}
	memcpy(x->row.kommune, v, 5);
	if (x->opts.registry && !bp_registry_find(x->opts.registry, x->row.kommune)) {
		bp_export_fail_col(x, line, c, "kommunenummer not in the kommune registry");
		return -1;
	}
	return 0;
}

static int
check_aar(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	if (len != 4 || !all_digits(v, len)) {
		bp_export_fail_col(x, line, c, "expected a 4-digit year");
		return -1;
	}
	int y = atoi(v);
	if (x->opts.expect_year && y != x->opts.expect_year) {
		bp_export_fail_col(x, line, c, "expected the submission's year %d", x->opts.expect_year);
		return -1;
	}
	x->row.aar = y;
	return 0;
}

/* J/N: returns 1, 0, or -1 after recording an error. */
static int
check_jn(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	if (len == 1 && (v[0] == 'J' || v[0] == 'N'))
		return v[0] == 'J';
	bp_export_fail_col(x, line, c, "expected J or N");
	return -1;
}

/*
 * bp_code_find with the same result, cheaper on the hot path: a candidate
 * whose first byte differs is passed over before its length is taken. v
 * holds len bytes and a NUL after them (a CSV field), so v[0] is readable
 * even when len is 0; the empty code is left to bp_code_find.
 */
static int
find_code(const char *const *list, size_t n, const char *v, size_t len)
{
	if (len == 0)
		return bp_code_find(list, n, v, len);
	for (size_t i = 0; i < n; i++)
		if (list[i][0] == v[0] && strlen(list[i]) == len &&
		    memcmp(list[i], v, len) == 0)
			return (int)i;
	return -1;
}

/* A code of list: returns its index or -1 after recording an error. */
static int
check_code(bp_export *x, unsigned long line, int c, const char *v, size_t len,
    const char *const *list, size_t n)
{
	int i = find_code(list, n, v, len);
	if (i < 0) {
		char buf[128];
		bp_export_fail_col(x, line, c, "expected %s", list_text(list, n, buf, sizeof(buf)));
	}
	return i;
}

static int
check_fodeland(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	if (!bp_country_valid(v, len)) {
		bp_export_fail_col(x, line, c, "expected an ISO 3166-1 alpha-2 country code, "
		    "two upper-case letters (such as NO)");
		return -1;
	}
	memcpy(x->row.fodeland, v, 2);
	x->row.fodeland[2] = '\0';
	return 0;
}

static int
check_services(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	const struct bp_service_column *s = &bp_services[x->cols[c].idx];
	uint32_t mask = 0;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && v[i] != '|')
			continue;
		int k = find_code(s->codes, s->ncodes, v + start, i - start);
		if (k < 0) {
			bp_export_fail_col(x, line, c, "expected codes of %s joined by |; "
			    "a code is not in the list of bpagg-export(5)", s->column);
			return -1;
		}
		if (mask & (UINT32_C(1) << k)) {
			bp_export_fail_col(x, line, c, "a service code is given twice; "
			    "expected each code at most once");
			return -1;
		}
		mask |= UINT32_C(1) << k;
		start = i + 1;
	}
	x->row.services[x->cols[c].idx] = mask;
	return 0;
}

/* See export_private.h. */
int
bp_export_check_value(bp_export *x, unsigned long line, int c, const char *v, size_t len)
{
	const struct coldef *d = &x->cols[c];
	int n;

	switch (d->kind) {
	case K_PID:
		return check_pid(x, line, c, v, len);
	case K_KOMMUNE:
		return check_kommune(x, line, c, v, len);
	case K_AAR:
		return check_aar(x, line, c, v, len);
	case K_KJONN:
		if (len == 1 && (v[0] == 'M' || v[0] == 'K')) {
			x->row.kjonn = v[0];
			return 0;
		}
		bp_export_fail_col(x, line, c, "expected M or K");
		return -1;
	case K_ALDER:
		if ((n = parse_int(v, len, BP_ALDER_MIN, BP_ALDER_MAX)) < 0) {
			bp_export_fail_col(x, line, c, "expected a whole number 16-110 (digits only)");
			return -1;
		}
		x->row.alder = n;
		return 0;
	case K_RUS:
	case K_PSYK:
		if ((n = check_jn(x, line, c, v, len)) < 0)
			return -1;
		if (d->kind == K_RUS)
			x->row.rusproblem = n;
		else
			x->row.psykisk_problem = n;
		return 0;
	case K_AREA:
	case K_DETAIL:
		if ((n = check_code(x, line, c, v, len, bp_level_names, BP_NLEVEL)) < 0)
			return -1;
		if (d->kind == K_AREA)
			x->row.area[d->idx] = (int8_t)n;
		else
			x->row.detail[d->idx] = (int8_t)n;
		return 0;
	case K_SUB:
		if ((n = check_code(x, line, c, v, len, bp_amount_names, BP_NAMOUNT)) < 0)
			return -1;
		x->row.substance[d->idx] = (int8_t)n;
		return 0;
	case K_FLAG:
		if ((n = check_jn(x, line, c, v, len)) < 0)
			return -1;
		x->row.flag[d->idx] = (int8_t)n;
		return 0;
	case K_BARN:
		if ((n = parse_int(v, len, 0, 20)) < 0) {
			bp_export_fail_col(x, line, c, "expected a whole number 0-20 (digits only)");
			return -1;
		}
		x->row.antall_barn = n;
		return 0;
	case K_VOLD:
		if ((n = check_code(x, line, c, v, len, bp_vold_names, BP_NVOLD)) < 0)
			return -1;
		x->row.vold = (int8_t)n;
		return 0;
	case K_FENGSEL:
		if ((n = check_code(x, line, c, v, len, bp_fengsel_names, BP_NFENGSEL)) < 0)
			return -1;
		x->row.fengsel = (int8_t)n;
		return 0;
	case K_UTD:
		if ((n = check_code(x, line, c, v, len, bp_utdanning_names, BP_NUTD)) < 0)
			return -1;
		x->row.utdanning = (int8_t)n;
		return 0;
	case K_FODELAND:
		return check_fodeland(x, line, c, v, len);
	case K_SVC:
		return check_services(x, line, c, v, len);
	}
	return -1;
}

/* See export_private.h. */
const char *
bp_export_expected(const struct coldef *d)
{
	switch (d->kind) {
	case K_PID: return "an 11-digit person_id";
	case K_KOMMUNE: return "a 4-digit kommunenummer";
	case K_AAR: return "a 4-digit year";
	case K_KJONN: return "M or K";
	case K_ALDER: return "a whole number 16-110";
	case K_RUS: case K_PSYK: return "J or N";
	case K_AREA: return "gronn, gul or rod";
	default: return "a value";
	}
}
