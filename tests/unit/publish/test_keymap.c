/*
 * test_keymap.c - bp_keymap (publish/keymap.c): ids are dense and in the
 * order keys are first seen, the same key keeps its id when the table
 * grows past what was reserved, and reserving room keeps the ids given.
 */
#include <stdint.h>

#include <criterion/criterion.h>

#include "keymap.h"

/* keys that share their low and high bits, as tables.c's (area << 32 |
 * position) do */
static uint64_t
key_of(uint32_t i)
{
	return (uint64_t)(i % 357) << 32 | (i / 357 + 1);
}

Test(keymap, ids_in_order_of_first_sight)
{
	struct bp_keymap m = { 0 };
	int fresh = -1;
	const uint32_t n = 50000;   /* far past the first 1 024 slots */

	for (uint32_t i = 0; i < n; i++) {
		cr_assert_eq(bp_keymap_id(&m, key_of(i), &fresh), i + 1, "key %u", i);
		cr_assert_eq(fresh, 1);
	}
	cr_assert_eq(m.n, n);
	for (uint32_t i = n; i-- > 0;) {
		cr_assert_eq(bp_keymap_id(&m, key_of(i), &fresh), i + 1, "key %u again", i);
		cr_assert_eq(fresh, 0);
	}
	/* key 0 is a key like any other */
	cr_assert_eq(bp_keymap_id(&m, 0, NULL), n + 1);
	cr_assert_eq(bp_keymap_id(&m, 0, NULL), n + 1);
	bp_keymap_free(&m);
	cr_assert_eq(m.cap, 0);
	cr_assert_eq(m.n, 0);
}

Test(keymap, reserve_keeps_the_ids)
{
	struct bp_keymap m = { 0 };

	cr_assert_eq(bp_keymap_reserve(&m, 10), 0);
	size_t cap = m.cap;
	cr_assert_geq(cap, 20);
	for (uint32_t i = 0; i < 300; i++)
		cr_assert_eq(bp_keymap_id(&m, key_of(i) * 3, NULL), i + 1);
	cr_assert_eq(bp_keymap_reserve(&m, 100000), 0);
	cr_assert_geq(m.cap, 200000);
	for (uint32_t i = 0; i < 300; i++)
		cr_assert_eq(bp_keymap_id(&m, key_of(i) * 3, NULL), i + 1, "key %u", i);
	cr_assert_eq(bp_keymap_id(&m, 1, NULL), 301);
	bp_keymap_free(&m);
}
