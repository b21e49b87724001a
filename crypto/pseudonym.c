/* pseudonym.c - keyed pseudonyms for person_id; see pseudonym.h. */
#include "pseudonym.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

/*
 * BLAKE2b with a 32-byte key and a 16-byte output over the domain string
 * (without a terminating NUL) followed by the 11 digits of person_id. The
 * hash state is wiped after use.
 */
void
bp_pseudonym(const uint8_t key[32], enum bp_pseudonym_scope scope, int year,
    const char person_id[11], uint8_t out[BP_PSEUDONYM_BYTES])
{
	crypto_generichash_state st;
	char domain[48];
	int n;

	if (scope == BP_SCOPE_YEAR)
		n = snprintf(domain, sizeof(domain), "bpagg-pseudonym-v1:year:%04d", year);
	else
		n = snprintf(domain, sizeof(domain), "bpagg-pseudonym-v1:global");
	crypto_generichash_init(&st, key, 32, BP_PSEUDONYM_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)domain, (size_t)n);
	crypto_generichash_update(&st, (const unsigned char *)person_id, 11);
	crypto_generichash_final(&st, out, BP_PSEUDONYM_BYTES);
	sodium_memzero(&st, sizeof(st));
}
