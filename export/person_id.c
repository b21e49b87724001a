/*
 * person_id.c - the check of a Norwegian identity number: fødselsnummer,
 * D-nummer (first digit + 4) or H-nummer (third digit + 4), both mod-11
 * control digits, and a date that exists once the offset is removed (the
 * century follows from the individual number). See export.h.
 */
#include "export.h"

#include <stdbool.h>

static const int w1[9] = { 3, 7, 6, 1, 8, 9, 4, 5, 2 };
static const int w2[10] = { 5, 4, 3, 2, 7, 6, 5, 4, 3, 2 };

/* The control digit for the weights w over d, or -1 when it would be 10. */
static int
control(const int *d, const int *w, int n)
{
	int s = 0;
	for (int i = 0; i < n; i++)
		s += d[i] * w[i];
	int k = 11 - s % 11;
	if (k == 11)
		return 0;
	return k == 10 ? -1 : k;
}

/* The full year from the two-digit year and the individual number, or -1
 * when the combination is not allocated. */
static int
century_year(int yy, int indiv)
{
	if (indiv <= 499)
		return 1900 + yy;
	if (indiv <= 749 && yy >= 54)
		return 1800 + yy;
	if (yy <= 39)
		return 2000 + yy;
	if (indiv >= 900)
		return 1900 + yy;
	return -1;
}

static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool
date_ok(int dd, int mm, int year)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mm < 1 || mm > 12 || dd < 1)
		return false;
	int max = mdays[mm - 1] + (mm == 2 && leap(year));
	return dd <= max;
}

bool
bp_person_id_valid(const char *id11)
{
	int d[11];

	if (!id11)
		return false;
	for (int i = 0; i < 11; i++) {
		if (id11[i] < '0' || id11[i] > '9')
			return false;
		d[i] = id11[i] - '0';
	}
	if (id11[11] != '\0')
		return false;
	if (control(d, w1, 9) != d[9] || control(d, w2, 10) != d[10])
		return false;

	int dd = d[0] * 10 + d[1];
	int mm = d[2] * 10 + d[3];
	int yy = d[4] * 10 + d[5];
	int indiv = d[6] * 100 + d[7] * 10 + d[8];
	if (dd > 40 && mm > 40)
		return false; /* not both a D- and an H-nummer */
	if (dd > 40)
		dd -= 40; /* D-nummer */
	if (mm > 40)
		mm -= 40; /* H-nummer */
	int year = century_year(yy, indiv);
	if (year < 0)
		return false;
	return date_ok(dd, mm, year);
}
