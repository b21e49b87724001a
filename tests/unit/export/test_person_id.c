/*
 * test_person_id.c - bp_person_id_valid: fødselsnummer, D-nummer, H-nummer.
 *
 * Valid numbers are computed with the published algorithm (tx_make_id; control
 * digits k1 and k2 over the weights 3 7 6 1 8 9 4 5 2 and 5 4 3 2 7 6 5 4 3 2)
 * from a date and an individual number. No test prints a number.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "export.h"
#include "test_export_util.h" /* tx_make_id */

/* The first individual number from indiv up whose id exists. */
static void
first_id(int dd, int mm, int yy, int indiv, char out[12])
{
	for (int i = indiv; i < indiv + 50; i++)
		if (tx_make_id(dd, mm, yy, i, out))
			return;
	cr_assert_fail("no valid individual number near the one asked for");
}

Test(person_id, placeholder_of_the_spec_is_invalid)
{
	cr_assert_not(bp_person_id_valid("01010112345"));
}

Test(person_id, fodselsnummer_valid)
{
	char id[12];
	first_id(15, 6, 85, 123, id);
	cr_assert(bp_person_id_valid(id), "a computed fødselsnummer must pass");
}

Test(person_id, d_nummer_valid)
{
	char id[12];
	first_id(15 + 40, 6, 85, 123, id);
	cr_assert(bp_person_id_valid(id), "a computed D-nummer must pass");
	first_id(31 + 40, 12, 99, 200, id);
	cr_assert(bp_person_id_valid(id), "D-nummer on day 31 must pass");
}

Test(person_id, h_nummer_valid)
{
	char id[12];
	first_id(15, 6 + 40, 85, 123, id);
	cr_assert(bp_person_id_valid(id), "a computed H-nummer must pass");
}

Test(person_id, d_and_h_at_once_invalid)
{
	char id[12];
	first_id(15 + 40, 6 + 40, 85, 123, id);
	cr_assert_not(bp_person_id_valid(id));
}

Test(person_id, wrong_control_digits_invalid)
{
	char id[12];
	first_id(1, 2, 70, 300, id);
	cr_assert(bp_person_id_valid(id));
	char bad[12];
	memcpy(bad, id, 12);
	bad[9] = (char)('0' + (bad[9] - '0' + 1) % 10);
	cr_assert_not(bp_person_id_valid(bad), "k1 changed");
	memcpy(bad, id, 12);
	bad[10] = (char)('0' + (bad[10] - '0' + 1) % 10);
	cr_assert_not(bp_person_id_valid(bad), "k2 changed");
}

/* Mod 11 with weights prime to 11 catches every single-digit change. */
Test(person_id, every_single_digit_change_is_caught)
{
	char id[12], bad[12];
	int tested = 0;
	for (int dd = 1; dd <= 28; dd += 3)
		for (int mm = 1; mm <= 12; mm++) {
			if (!tx_make_id(dd, mm, 77, 400 + dd, id))
				continue;
			cr_assert(bp_person_id_valid(id));
			for (int pos = 0; pos < 11; pos++)
				for (int delta = 1; delta < 10; delta++) {
					memcpy(bad, id, 12);
					bad[pos] = (char)('0' + (bad[pos] - '0' + delta) % 10);
					cr_assert_not(bp_person_id_valid(bad),
					    "a changed digit at position %d passed", pos + 1);
				}
			tested++;
		}
	cr_assert_gt(tested, 50);
}

Test(person_id, shape_invalid)
{
	cr_assert_not(bp_person_id_valid(""));
	cr_assert_not(bp_person_id_valid("1234567890"));   /* 10 digits */
	cr_assert_not(bp_person_id_valid("123456789012")); /* 12 digits */
	cr_assert_not(bp_person_id_valid("0101011234a"));
	cr_assert_not(bp_person_id_valid(" 1010112345"));
	cr_assert_not(bp_person_id_valid(NULL));
}

Test(person_id, impossible_dates_invalid)
{
	char id[12];
	struct { int dd, mm, yy, indiv; } bad[] = {
		{ 31, 2, 85, 100 }, /* 31 February */
		{ 31, 4, 85, 100 }, /* 31 April */
		{ 0, 5, 85, 100 },  /* day 0 */
		{ 10, 13, 85, 100 },/* month 13 */
		{ 10, 0, 85, 100 }, /* month 0 */
		{ 32, 1, 85, 100 }, /* day 32 */
		{ 29, 2, 1, 100 },  /* 1901 is not a leap year */
		{ 29, 2, 0, 100 },  /* 1900 is not a leap year */
		{ 10, 10, 45, 600 },/* 500-749 with year 40-53: not allocated */
		{ 32 + 40, 1, 85, 100 }, /* D-nummer of day 32 */
	};
	int tested = 0;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int k = 0; k < 30; k++) {
			if (!tx_make_id(bad[i].dd, bad[i].mm, bad[i].yy, bad[i].indiv + k, id))
				continue;
			cr_assert_not(bp_person_id_valid(id), "impossible date case %zu passed", i);
			tested++;
			break;
		}
	}
	cr_assert_eq(tested, (int)(sizeof(bad) / sizeof(bad[0])));
}

Test(person_id, leap_days_and_centuries_valid)
{
	char id[12];
	first_id(29, 2, 4, 100, id);   /* 1904 */
	cr_assert(bp_person_id_valid(id), "29.02.1904");
	first_id(29, 2, 0, 500, id);   /* 2000 */
	cr_assert(bp_person_id_valid(id), "29.02.2000");
	first_id(29, 2, 96, 900, id);  /* 1996 (900-999) */
	cr_assert(bp_person_id_valid(id), "29.02.1996");
	first_id(1, 1, 60, 520, id);   /* 1860 (500-749) */
	cr_assert(bp_person_id_valid(id), "1860");
	first_id(30, 4, 20, 800, id);  /* 2020 */
	cr_assert(bp_person_id_valid(id), "2020");
}
