/*
 * key_fixture.h - the fixture of the key tests (test_keys.c,
 * test_keytext.c): a fresh temporary directory per test, removed after it,
 * names in it, and a file's bytes. Included by one test file each.
 */
#ifndef BP_KEY_FIXTURE_H
#define BP_KEY_FIXTURE_H

#include <criterion/criterion.h>
#include <ftw.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static char dir[64];
static char err[512];

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static void
setup(void)
{
	cr_assert_eq(sodium_init() >= 0, 1);
	strcpy(dir, "/tmp/bp_keys_XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void
teardown(void)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* DIR/name, in one of two buffers that take turns (two at once are fine). */
static const char *
path_of(const char *name)
{
	static char p[2][256];
	static int i;
	i ^= 1;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

/* Reads at most cap bytes of file p into buf; returns the count. */
static size_t
file_bytes(const char *p, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(p, "rb");
	cr_assert_not_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

#endif
