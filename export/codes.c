/* codes.c - the code lists of the export format; see codes.h. */
#include "codes.h"

#include <stdlib.h>
#include <string.h>

const char *const bp_level_names[BP_NLEVEL] = { "gronn", "gul", "rod" };

const char *const bp_area_names[BP_NAREA] = {
	"bolig", "okonomi", "aktivitet", "fysisk_helse", "psykisk_helse",
	"rusmiddelbruk", "sosial_fungering", "nettverk",
};

const char *const bp_detail_names[BP_NDETAIL] = {
	"psykisk_alvorlighet", "psykisk_symptomtrykk",
};

const char *const bp_substance_names[BP_NSUB] = {
	"alkohol", "cannabis", "heroin", "sentralstimulerende", "lar_legemidler",
	"andre_legemidler", "annet_rusmiddel",
};

const char *const bp_amount_names[BP_NAMOUNT] = {
	"ingen", "beskjeden", "betydelig", "svaert_omfattende",
};

const char *const bp_flag_names[BP_NFLAG] = {
	"injiserer", "lar", "overdose_tatt", "overdose_fare", "selvmord_forsok",
	"selvmord_fare", "kognitive_vansker", "individuell_plan", "tiltaksplan",
	"ansvarsgruppe", "kriseplan", "omsorg_barn", "samvaer_barn", "bor_alene",
	"aktivitet_egen_regi", "aktivitet_kommunal", "utdanning_pagar",
};

const char *const bp_vold_names[BP_NVOLD] = { "ingen", "utsatt", "utover", "begge" };
const char *const bp_fengsel_names[BP_NFENGSEL] = { "ingen", "loslatt", "i_fengsel" };
const char *const bp_utdanning_names[BP_NUTD] = { "grunnskole", "vgs", "hoyere", "ukjent" };

static const char *const nav_codes[] = {
	"rad_veiledning", "midlertidig_bolig", "kvalifiseringsprogram",
	"arbeidsrettet_tiltak", "varig_arbeid", "sosialhjelp", "midlertidig_trygd",
	"varig_trygd", "barn_familie", "okonomiforvaltning",
};
static const char *const kommune_codes[] = {
	"saksbehandler", "bolig_uten_personale", "bolig_med_personale",
	"praktisk_bistand", "stottekontakt", "fastlege", "medisinutdeling",
	"psykisk_helsearbeid", "hjemmesykepleie", "act", "psykologtjeneste",
	"sykehjem", "privat_institusjon", "svangerskap", "skolehelse",
	"helsetjeneste_ungdom", "lavterskel", "bv_hjelpetiltak_barn",
	"bv_omsorgstiltak_barn", "bv_melding_barn", "bv_hjelpetiltak_selv",
	"bv_omsorgstiltak_selv", "bv_melding_selv",
};
static const char *const tsb_codes[] = {
	"akutt", "poliklinikk", "ambulant", "act", "dag", "dogn",
};
static const char *const phv_codes[] = {
	"akutt", "ambulant", "poliklinikk", "act", "dag", "dogn",
};
static const char *const somatikk_codes[] = { "akutt", "poliklinikk", "dogn" };

#define NCODES(a) (sizeof(a) / sizeof((a)[0]))

const struct bp_service_column bp_services[BP_NSVC] = {
	{ "tjenester_nav", "nav", NCODES(nav_codes), nav_codes },
	{ "tjenester_kommune", "kommune", NCODES(kommune_codes), kommune_codes },
	{ "tjenester_tsb", "tsb", NCODES(tsb_codes), tsb_codes },
	{ "tjenester_phv", "phv", NCODES(phv_codes), phv_codes },
	{ "tjenester_somatikk", "somatikk", NCODES(somatikk_codes), somatikk_codes },
	/* Recommended services use the kommune list; "anbefalt_" keeps their
	 * indicators apart from the services actually received. */
	{ "anbefalte_tjenester", "anbefalt", NCODES(kommune_codes), kommune_codes },
};

int
bp_code_find(const char *const *list, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(list[i]) == len && memcmp(list[i], name, len) == 0)
			return (int)i;
	return -1;
}

/*
 * ISO 3166-1 alpha-2: the 249 officially assigned codes, plus XK (Kosovo),
 * the user-assigned code that Folkeregisteret and Statistics Norway use.
 * Sorted, for bsearch.
 */
static const char country_codes[][3] = {
	"AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
	"BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
	"BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
	"CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
	"EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
	"GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
	"HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
	"JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
	"LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
	"ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
	"NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
	"PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
	"SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
	"ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
	"TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
	"VN", "VU", "WF", "WS", "XK", "YE", "YT", "ZA", "ZM", "ZW",
};

static int
country_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 2);
}

int
bp_country_valid(const char *code, size_t len)
{
	if (len != 2)
		return 0;
	return bsearch(code, country_codes, sizeof(country_codes) / sizeof(country_codes[0]),
	    sizeof(country_codes[0]), country_cmp) != NULL;
}
