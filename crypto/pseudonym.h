/*
 * pseudonym.h - keyed pseudonyms for person_id (doc/privacy.md).
 *
 * pseudonym = BLAKE2b-128(key = pseudonym_key, domain || person_id), where
 * domain is "bpagg-pseudonym-v1:global" or "bpagg-pseudonym-v1:year:YYYY".
 */
#ifndef BP_PSEUDONYM_H
#define BP_PSEUDONYM_H

#include <stdint.h>

#define BP_PSEUDONYM_BYTES 16

enum bp_pseudonym_scope { BP_SCOPE_GLOBAL, BP_SCOPE_YEAR };

void bp_pseudonym(const uint8_t key[32], enum bp_pseudonym_scope scope, int year,
    const char person_id[11], uint8_t out[BP_PSEUDONYM_BYTES]);

#endif
