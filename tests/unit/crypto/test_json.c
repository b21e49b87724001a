/*
 * test_json.c - crypto/json.c, the project's use of jansson: 64-bit
 * counters round-trip as strings (above 2^53 too) and are read in both
 * forms, text that is not UTF-8 still makes valid JSON, reads refuse what
 * is not one JSON object and say where, dotted paths find members whose
 * names hold dots.
 */
#include <criterion/criterion.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* Dumps {"s": bp_json_u64(v)} and reads it back. */
static uint64_t
round_trip(uint64_t v)
{
	char err[160];
	uint64_t got = 0;
	json_t *o = json_pack("{s:o}", "s", bp_json_u64(v));
	cr_assert_not_null(o);
	char *text = json_dumps(o, JSON_COMPACT | BP_JSON_FLAGS);
	json_decref(o);
	json_t *back = bp_json_parse(text, strlen(text), 1024, err, sizeof(err));
	cr_assert_not_null(back, "%s: %s", text, err);
	cr_assert(json_is_string(json_object_get(back, "s")), "%s", text);
	cr_assert_eq(bp_json_get_u64(json_object_get(back, "s"), &got), 0, "%s", text);
	json_decref(back);
	free(text);
	return got;
}

Test(json, u64_round_trips_as_a_string)
{
	const uint64_t v[] = { 0, 1, (1ull << 53) + 1, 1764680000123456789ull, UINT64_MAX };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		cr_assert_eq(round_trip(v[i]), v[i], "%llu", (unsigned long long)v[i]);
	/* As a double (what jq and JavaScript make of a number) 2^53 + 1 is
	 * lost: the reason for strings. */
	cr_assert_neq((uint64_t)(double)((1ull << 53) + 1), (1ull << 53) + 1);
}

static int
get_u64(const char *text, uint64_t *out)
{
	char err[160];
	json_t *o = bp_json_parse(text, strlen(text), 1024, err, sizeof(err));
	cr_assert_not_null(o, "%s: %s", text, err);
	int rc = bp_json_get_u64(json_object_get(o, "s"), out);
	json_decref(o);
	return rc;
}

Test(json, u64_read_in_both_forms_and_refused_otherwise)
{
	uint64_t got;
	cr_assert_eq(get_u64("{\"s\":9007199254740993}", &got), 0);   /* old form */
	cr_assert_eq(got, 9007199254740993ull);
	cr_assert_eq(get_u64("{\"s\":\"18446744073709551615\"}", &got), 0);
	cr_assert_eq(got, UINT64_MAX);
	const char *bad[] = { "{\"s\":-1}", "{\"s\":\"-1\"}", "{\"s\":\"01\"}", "{\"s\":\"\"}",
		"{\"s\":\"18446744073709551616\"}", "{\"s\":\"12a\"}", "{\"s\":1.5}",
		"{\"s\":null}", "{\"t\":1}", "{\"s\":\" 1\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(get_u64(bad[i], &got), -1, "%s", bad[i]);
}

Test(json, text_that_is_not_utf8_still_dumps)
{
	/* A Latin-1 "ø", a lone continuation byte, a surrogate, an overlong. */
	json_t *s = bp_json_text("R\xf8" "dy \x80 \xed\xa0\x80 \xc0\xaf \xc3\xa6");
	cr_assert_not_null(s);
	cr_assert_str_eq(json_string_value(s), "R\xef\xbf\xbd" "dy \xef\xbf\xbd "
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd \xc3\xa6");
	json_decref(s);
	s = bp_json_text("Bærum \"q\"\n");
	char *d = json_dumps(s, JSON_ENCODE_ANY);
	cr_assert_str_eq(d, "\"Bærum \\\"q\\\"\\n\"");
	free(d);
	json_decref(s);
}

Test(json, parse_says_where_and_refuses_what_is_not_one_object)
{
	char err[160];
	cr_assert_null(bp_json_parse("{\"a\":1,}", 8, 100, err, sizeof(err)));
	cr_assert(!strncmp(err, "column 8: ", 10), "%s", err);
	cr_assert_null(bp_json_parse("{\"a\":1,\n\"b\":}", 13, 100, err, sizeof(err)));
	cr_assert(!strncmp(err, "line 2, column ", 15), "%s", err);
	cr_assert_null(bp_json_parse("[1]", 3, 100, err, sizeof(err)));
	/* a whole file (release.json) names its first line too */
	cr_assert_null(bp_json_parse_file("{\"a\":1,}", 8, 100, err, sizeof(err)));
	cr_assert(!strncmp(err, "line 1, column 8: ", 18), "%s", err);
	cr_assert_null(bp_json_parse_file("[1]", 3, 100, err, sizeof(err)));
	cr_assert_str_eq(err, "line 1, column 1: not a JSON object");
	cr_assert_null(bp_json_parse("{\"a\":1,\"a\":2}", 13, 100, err, sizeof(err)));
	cr_assert(strstr(err, "duplicate"), "%s", err);
	cr_assert_null(bp_json_parse("{\"a\":1}", 7, 6, err, sizeof(err)));
	cr_assert_null(bp_json_parse("{\"a\":\"\\u0000\"}", 13, 100, err, sizeof(err)));
	json_t *o = bp_json_parse("{\"a\":1} ", 8, 100, err, sizeof(err));
	cr_assert_not_null(o, "%s", err);
	json_decref(o);
}

Test(json, dotted_paths)
{
	const char *j = "{\"files\":{\"tables.csv\":\"ab\"},\"s\":{\"min_cell\":5,\"cut\":0.5,"
	    "\"z\":false,\"n\":null,\"a\":[1]}}";
	char out[32];
	cr_assert_eq(bp_json_get(j, strlen(j), "files.tables.csv", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "ab");
	cr_assert_eq(bp_json_get(j, strlen(j), "s.min_cell", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "5");
	cr_assert_eq(bp_json_get(j, strlen(j), "s.cut", out, sizeof(out)), 0);
	cr_assert_eq(strtod(out, NULL), 0.5);
	cr_assert_eq(bp_json_get(j, strlen(j), "s.z", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "false");
	cr_assert_eq(bp_json_get(j, strlen(j), "s.n", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "null");
	cr_assert_eq(bp_json_get(j, strlen(j), "s.a", out, sizeof(out)), -1);
	cr_assert_eq(bp_json_get(j, strlen(j), "s.missing", out, sizeof(out)), 1);
	cr_assert_eq(bp_json_get(j, strlen(j), "files.sums.csv", out, sizeof(out)), 1);
	cr_assert_eq(bp_json_get(j, strlen(j), "files.tables.csv", out, 2), -1);  /* too long */
}

/* Dumps keep the order members were added in, and reals come back as
 * written. */
Test(json, order_and_reals)
{
	json_t *o = json_pack("{s:i,s:f,s:f,s:s}", "zeta", 1, "alpha", 0.1, "mid", 3.0, "b", "x");
	char *d = json_dumps(o, JSON_COMPACT | BP_JSON_FLAGS);
	cr_assert_str_eq(d, "{\"zeta\":1,\"alpha\":0.1,\"mid\":3.0,\"b\":\"x\"}");
	free(d);
	d = json_dumps(o, BP_JSON_FLAGS);
	cr_assert_str_eq(d, "{\"zeta\": 1, \"alpha\": 0.1, \"mid\": 3.0, \"b\": \"x\"}");
	free(d);
	json_decref(o);
}

/* Figures as tables.csv prints them become numbers that dump as written. */
Test(json, figures_as_numbers)
{
	const char *ok[][2] = { { "113", "113" }, { "12.5", "12.5" }, { "-3", "-3" },
		{ "100.0", "100.0" }, { "188.3", "188.3" }, { "0.1", "0.1" } };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		json_t *v = bp_json_number_text(ok[i][0]);
		cr_assert_not_null(v, "%s", ok[i][0]);
		char *d = json_dumps(v, JSON_ENCODE_ANY | BP_JSON_FLAGS);
		cr_assert_str_eq(d, ok[i][1]);
		free(d);
		json_decref(v);
	}
	const char *bad[] = { ":", "", " 1", "12a", "nan", "inf", "1e999", "0x10" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(bp_json_number_text(bad[i]), "%s", bad[i]);
}
