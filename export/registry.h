/*
 * registry.h - the kommune registry (shared/data/kommuner.csv; SSB table 07459).
 */
#ifndef BP_REGISTRY_H
#define BP_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"

struct bp_kommune {
	char nr[5];            /* kommunenummer, "0301" */
	char name[64];
	char fylke[3];         /* fylkesnummer, "03" */
	char fylke_name[64];
	uint32_t population;   /* innbyggere */
	uint32_t population18; /* innbyggere_18plus */
};

struct bp_registry {
	struct bp_kommune *k;  /* owned, sorted by nr */
	size_t n;
	int year;              /* the registry's population year */
};

/* Loads and validates the registry CSV. On error returns -1 with the reasons
 * (line and column) in diags. The caller frees r with bp_registry_free. */
int bp_registry_load(const char *path, struct bp_registry *r, struct bp_diags *diags);
void bp_registry_free(struct bp_registry *r);
/* Finds a kommune by its 4-digit number; NULL when absent. */
const struct bp_kommune *bp_registry_find(const struct bp_registry *r, const char *nr);

/* Export years accepted: from BP_REGISTRY_YEAR_MIN to the registry's year
 * plus one. bpaggd refuses a signed year outside this span; bpagg check
 * and seal apply the same rule so nothing is sealed that it would refuse. */
#define BP_REGISTRY_YEAR_MIN 2000
int bp_registry_year_max(const struct bp_registry *r);
/* 1 when year is within the span, else 0. */
int bp_registry_year_ok(const struct bp_registry *r, int year);

#endif
