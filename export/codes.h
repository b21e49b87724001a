/*
 * codes.h - the code lists of the export format (doc/export-format.md).
 *
 * One place names every column and every code, so that the reader, the
 * measures and the published tables spell them the same way. Indices into
 * these arrays are what a parsed row stores.
 */
#ifndef BP_CODES_H
#define BP_CODES_H

#include <stddef.h>

/* Area scores: the index is the score (gronn = 0, gul = 1, rod = 2). */
enum { BP_GRONN = 0, BP_GUL = 1, BP_ROD = 2, BP_NLEVEL = 3 };
extern const char *const bp_level_names[BP_NLEVEL];

/* The eight living-condition areas, in the order of the format. */
enum {
	BP_AREA_BOLIG, BP_AREA_OKONOMI, BP_AREA_AKTIVITET, BP_AREA_FYSISK_HELSE,
	BP_AREA_PSYKISK_HELSE, BP_AREA_RUSMIDDELBRUK, BP_AREA_SOSIAL_FUNGERING,
	BP_AREA_NETTVERK, BP_NAREA
};
extern const char *const bp_area_names[BP_NAREA];

/* Optional mental-health detail columns (gronn/gul/rod). */
enum { BP_DETAIL_ALVORLIGHET, BP_DETAIL_SYMPTOMTRYKK, BP_NDETAIL };
extern const char *const bp_detail_names[BP_NDETAIL];

/* Substances and their four amounts. */
enum {
	BP_SUB_ALKOHOL, BP_SUB_CANNABIS, BP_SUB_HEROIN, BP_SUB_SENTRALSTIMULERENDE,
	BP_SUB_LAR_LEGEMIDLER, BP_SUB_ANDRE_LEGEMIDLER, BP_SUB_ANNET, BP_NSUB
};
extern const char *const bp_substance_names[BP_NSUB];
enum { BP_AMOUNT_INGEN, BP_AMOUNT_BESKJEDEN, BP_AMOUNT_BETYDELIG, BP_AMOUNT_SVAERT, BP_NAMOUNT };
extern const char *const bp_amount_names[BP_NAMOUNT];

/* Optional J/N flags. */
enum {
	BP_FLAG_INJISERER, BP_FLAG_LAR, BP_FLAG_OVERDOSE_TATT, BP_FLAG_OVERDOSE_FARE,
	BP_FLAG_SELVMORD_FORSOK, BP_FLAG_SELVMORD_FARE, BP_FLAG_KOGNITIVE_VANSKER,
	BP_FLAG_INDIVIDUELL_PLAN, BP_FLAG_TILTAKSPLAN, BP_FLAG_ANSVARSGRUPPE,
	BP_FLAG_KRISEPLAN, BP_FLAG_OMSORG_BARN, BP_FLAG_SAMVAER_BARN, BP_FLAG_BOR_ALENE,
	BP_FLAG_AKTIVITET_EGEN_REGI, BP_FLAG_AKTIVITET_KOMMUNAL, BP_FLAG_UTDANNING_PAGAR,
	BP_NFLAG
};
extern const char *const bp_flag_names[BP_NFLAG];

/* Other optional coded columns. */
enum { BP_VOLD_INGEN, BP_VOLD_UTSATT, BP_VOLD_UTOVER, BP_VOLD_BEGGE, BP_NVOLD };
extern const char *const bp_vold_names[BP_NVOLD];
enum { BP_FENGSEL_INGEN, BP_FENGSEL_LOSLATT, BP_FENGSEL_I_FENGSEL, BP_NFENGSEL };
extern const char *const bp_fengsel_names[BP_NFENGSEL];
enum { BP_UTD_GRUNNSKOLE, BP_UTD_VGS, BP_UTD_HOYERE, BP_UTD_UKJENT, BP_NUTD };
extern const char *const bp_utdanning_names[BP_NUTD];

/* Service columns: each holds a set of codes, stored as a bit mask. */
enum {
	BP_SVC_NAV, BP_SVC_KOMMUNE, BP_SVC_TSB, BP_SVC_PHV, BP_SVC_SOMATIKK,
	BP_SVC_ANBEFALTE, BP_NSVC
};
struct bp_service_column {
	const char *column;       /* export column, e.g. "tjenester_nav" */
	const char *prefix;       /* indicator prefix, e.g. "nav" */
	size_t ncodes;
	const char *const *codes; /* bit i of the mask is codes[i] */
};
extern const struct bp_service_column bp_services[BP_NSVC];

/*
 * Looks name up in a code list of n entries. Returns its index, or -1 when
 * the name (len bytes, not necessarily NUL-terminated) is not in the list.
 */
int bp_code_find(const char *const *list, size_t n, const char *name, size_t len);

/* Whether code (len bytes) is an ISO 3166-1 alpha-2 country code in upper
 * case (or XK, Kosovo, as Norwegian registers use it). */
int bp_country_valid(const char *code, size_t len);

#endif
