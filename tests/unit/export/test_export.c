/*
 * test_export.c - the validation rules of the export format, one valid and
 * one or more invalid cases each: every invalid case must give exactly one
 * error, at the right line, column position and column name, saying what
 * was expected.
 */
#include "test_export_util.h"

/* The case tables leave trailing fields (no_pos, line2) to zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

struct bad_case {
	struct tx_kv over[TX_MAXOVER];
	const char *column;  /* the column the error names */
	const char *msg;     /* a part of its message */
	bool no_pos;         /* the error has column position 0 */
	struct tx_kv line2[TX_MAXOVER]; /* overrides on the valid line 2 only */
};

#define KV(c, v) { c, v }
#define NOSUBST KV("alkohol", ""), KV("cannabis", ""), KV("heroin", ""), \
	KV("sentralstimulerende", ""), KV("lar_legemidler", ""), \
	KV("andre_legemidler", ""), KV("annet_rusmiddel", "")

static const struct bad_case bad_cases[] = {
	{ { KV("person_id", "01010112345") }, "person_id", "not a valid fødselsnummer" },
	{ { KV("person_id", "1234567890") }, "person_id", "expected 11 digits" },
	{ { KV("person_id", "123456789012") }, "person_id", "expected 11 digits" },
	{ { KV("person_id", "0101011234a") }, "person_id", "expected 11 digits" },
	{ { KV("person_id", "") }, "person_id", "required" },
	{ { KV("kommune", "460") }, "kommune", "expected a 4-digit kommunenummer" },
	{ { KV("kommune", "46O1") }, "kommune", "expected a 4-digit kommunenummer" },
	{ { KV("kommune", "0301") }, "kommune", "expected the submission's kommune 4601" },
	{ { KV("kommune", "") }, "kommune", "required" },
	{ { KV("aar", "2017") }, "aar", "expected the submission's year 2016" },
	{ { KV("aar", "16") }, "aar", "expected a 4-digit year" },
	{ { KV("kjonn", "m") }, "kjonn", "expected M or K" },
	{ { KV("kjonn", "X") }, "kjonn", "expected M or K" },
	{ { KV("kjonn", "") }, "kjonn", "required; expected M or K" },
	{ { KV("alder", "15") }, "alder", "expected a whole number 16-110" },
	{ { KV("alder", "111") }, "alder", "expected a whole number 16-110" },
	{ { KV("alder", "042") }, "alder", "expected a whole number 16-110" },
	{ { KV("alder", "4x") }, "alder", "expected a whole number 16-110" },
	{ { KV("alder", "-20") }, "alder", "expected a whole number 16-110" },
	{ { KV("rusproblem", "j") }, "rusproblem", "expected J or N" },
	{ { KV("rusproblem", "") }, "rusproblem", "required; expected J or N" },
	{ { KV("psykisk_problem", "Ja") }, "psykisk_problem", "expected J or N" },
	{ { KV("psykisk_problem", "N"), KV("rusproblem", "N"), NOSUBST },
	  "psykisk_problem", "at least one of rusproblem and psykisk_problem" },
	{ { KV("bolig", "GUL") }, "bolig", "expected gronn, gul or rod" },
	{ { KV("nettverk", "gronn ") }, "nettverk", "surrounding spaces" },
	{ { KV("okonomi", " rod") }, "okonomi", "surrounding spaces" },
	{ { KV("sosial_fungering", "") }, "sosial_fungering", "required; expected gronn, gul or rod" },
	{ { KV("psykisk_alvorlighet", "blaa") }, "psykisk_alvorlighet", "expected gronn, gul or rod" },
	{ { KV("psykisk_symptomtrykk", "Rod") }, "psykisk_symptomtrykk", "expected gronn, gul or rod" },
	{ { KV("alkohol", "") }, "alkohol", "required when rusproblem is J" },
	{ { KV("heroin", "mye") }, "heroin",
	  "expected ingen, beskjeden, betydelig or svaert_omfattende" },
	{ { KV("cannabis", " ingen") }, "cannabis", "surrounding spaces" },
	{ { KV("annet_rusmiddel", NULL) }, "annet_rusmiddel",
	  "column is missing from the header", true,
	  { KV("rusproblem", "N"), NOSUBST } },
	{ { KV("alkohol", "ingen"), KV("rusproblem", "N"), NOSUBST }, "alkohol",
	  "must be empty when rusproblem is N" },
	{ { KV("injiserer", "ja") }, "injiserer", "expected J or N" },
	{ { KV("lar", "n") }, "lar", "expected J or N" },
	{ { KV("utdanning_pagar", "1") }, "utdanning_pagar", "expected J or N" },
	{ { KV("antall_barn", "21") }, "antall_barn", "expected a whole number 0-20" },
	{ { KV("antall_barn", "-1") }, "antall_barn", "expected a whole number 0-20" },
	{ { KV("antall_barn", "00") }, "antall_barn", "expected a whole number 0-20" },
	{ { KV("vold", "slag") }, "vold", "expected ingen, utsatt, utover or begge" },
	{ { KV("fengsel", "ja") }, "fengsel", "expected ingen, loslatt or i_fengsel" },
	{ { KV("utdanning", "phd") }, "utdanning", "expected grunnskole, vgs, hoyere or ukjent" },
	{ { KV("fodeland", "no") }, "fodeland", "two upper-case letters" },
	{ { KV("fodeland", "NOR") }, "fodeland", "two upper-case letters" },
	{ { KV("fodeland", "N") }, "fodeland", "two upper-case letters" },
	{ { KV("fodeland", "XX") }, "fodeland", "ISO 3166-1 alpha-2 country code" },
	{ { KV("fodeland", "UK") }, "fodeland", "ISO 3166-1 alpha-2 country code" },
	{ { KV("tjenester_kommune", "fastlege|fastlege") }, "tjenester_kommune", "given twice" },
	{ { KV("tjenester_kommune", "fastlege||act") }, "tjenester_kommune", "joined by |" },
	{ { KV("tjenester_kommune", "fastlege|") }, "tjenester_kommune", "joined by |" },
	{ { KV("tjenester_kommune", "Fastlege") }, "tjenester_kommune", "joined by |" },
	{ { KV("tjenester_kommune", "fastlege | act") }, "tjenester_kommune", "joined by |" },
	{ { KV("tjenester_nav", "act") }, "tjenester_nav", "expected codes of tjenester_nav" },
	{ { KV("tjenester_somatikk", "dag") }, "tjenester_somatikk", "expected codes of tjenester_somatikk" },
	{ { KV("tjenester_phv", "akutt|dogn|akutt") }, "tjenester_phv", "given twice" },
	{ { KV("anbefalte_tjenester", "sosialhjelp") }, "anbefalte_tjenester",
	  "expected codes of anbefalte_tjenester" },
	{ { KV("tjenester_tsb", " akutt") }, "tjenester_tsb", "surrounding spaces" },
};
#define N_BAD_CASES (sizeof(bad_cases) / sizeof(bad_cases[0]))

/* Parameters cross into worker processes: pass indices, not pointers. */
ParameterizedTestParameters(export_rules, invalid)
{
	static size_t idx[N_BAD_CASES];
	for (size_t i = 0; i < N_BAD_CASES; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, N_BAD_CASES);
}

ParameterizedTest(size_t *ix, export_rules, invalid)
{
	const struct bad_case *c = &bad_cases[*ix];
	/* Line 2: valid (the context of over[1..] and line2), line 3: over. */
	struct tx_kv two[TX_MAXOVER];
	size_t k = 0;
	memset(two, 0, sizeof(two));
	for (int i = 0; i < TX_MAXOVER && c->line2[i].col; i++)
		two[k++] = c->line2[i];
	for (int i = 1; i < TX_MAXOVER && c->over[i].col && k + 1 < TX_MAXOVER; i++)
		two[k++] = c->over[i];
	struct tx_buf b = { 0 };
	tx_header(&b, c->over, ';', "\n");
	tx_row2(&b, c->over, two, 1, ';', "\n");
	tx_row(&b, c->over, 2, ';', "\n");

	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 1, "%s: %zu errors, expected 1 (first: line %lu %s)",
	    c->column, r.d.total, r.d.n ? r.d.v[0].line : 0, r.d.n ? r.d.v[0].msg : "");
	unsigned pos = c->no_pos ? 0 : tx_pos(c->over, c->column);
	tx_expect(&r, 0, 3, pos, c->column, c->msg);
	cr_expect_eq(r.finish, -1);
	cr_expect_eq(r.rows, 2);
	cr_expect_eq(r.delivered, 1, "only the valid row is delivered");
	tx_result_free(&r);
	free(b.p);
}

struct good_case {
	struct tx_kv over[TX_MAXOVER];
};

static const struct good_case good_cases[] = {
	{ { KV("alder", "16") } },
	{ { KV("alder", "110") } },
	{ { KV("kjonn", "K") } },
	{ { KV("rusproblem", "N"), NOSUBST } },
	{ { KV("psykisk_problem", "N") } },
	{ { KV("psykisk_alvorlighet", ""), KV("psykisk_symptomtrykk", "rod") } },
	{ { KV("injiserer", ""), KV("lar", "J"), KV("kriseplan", "N") } },
	{ { KV("antall_barn", "0") } },
	{ { KV("antall_barn", "20") } },
	{ { KV("antall_barn", "") } },
	{ { KV("vold", "begge"), KV("fengsel", "i_fengsel"), KV("utdanning", "ukjent") } },
	{ { KV("vold", ""), KV("fengsel", ""), KV("utdanning", "") } },
	{ { KV("fodeland", "SE") } },
	{ { KV("fodeland", "XK") } },
	{ { KV("fodeland", "ZW") } },
	{ { KV("fodeland", "AD") } },
	{ { KV("fodeland", "") } },
	{ { KV("tjenester_kommune", "") } },
	{ { KV("tjenester_kommune", "bv_melding_selv|saksbehandler|act") } },
	{ { KV("tjenester_phv", "akutt|ambulant|poliklinikk|act|dag|dogn") } },
	{ { KV("tjenester_somatikk", "dogn") } },
	{ { KV("anbefalte_tjenester", "fastlege|lavterskel") } },
	{ { KV("tjenester_nav", "okonomiforvaltning|rad_veiledning") } },
	{ { KV("fodeland", NULL), KV("vold", NULL), KV("tjenester_nav", NULL),
	    KV("lar", NULL), KV("injiserer", NULL), KV("antall_barn", NULL) } },
};
#define N_GOOD_CASES (sizeof(good_cases) / sizeof(good_cases[0]))

/* Parameters cross into worker processes: pass indices, not pointers. */
ParameterizedTestParameters(export_rules, valid)
{
	static size_t idx[N_GOOD_CASES];
	for (size_t i = 0; i < N_GOOD_CASES; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, N_GOOD_CASES);
}

ParameterizedTest(size_t *ix, export_rules, valid)
{
	const struct good_case *c = &good_cases[*ix];
	char *csv = tx_file(c->over, 5, ';');
	struct tx_result r = { 0 };
	tx_run(csv, 100, &r);
	cr_expect_eq(r.d.total, 0, "%zu errors; first: %s", r.d.total,
	    r.d.n ? r.d.v[0].msg : "");
	cr_expect_eq(r.finish, 0);
	cr_expect_eq(r.rows, 5);
	cr_expect_eq(r.delivered, 5);
	tx_result_free(&r);
	free(csv);
}

/* The typed row matches what was written. */
Test(export_rules, row_is_typed)
{
	struct tx_kv over[TX_MAXOVER] = {
		KV("tjenester_phv", "dag|akutt"), KV("kjonn", "K"), KV("alder", "37"),
	};
	char *csv = tx_file(over, 1, ',');
	struct tx_result r = { 0 };
	tx_run(csv, 7, &r);
	cr_assert_eq(r.d.total, 0);
	cr_assert_eq(r.delivered, 1);
	const struct bp_row *w = &r.last;
	char pid[12];
	tx_pid(0, pid);
	cr_expect(memcmp(w->person_id, pid, 12) == 0, "person_id carried over");
	cr_expect_eq(w->line, 2);
	cr_expect_str_eq(w->kommune, "4601");
	cr_expect_eq(w->aar, 2016);
	cr_expect_eq(w->kjonn, 'K');
	cr_expect_eq(w->alder, 37);
	cr_expect(w->rusproblem && w->psykisk_problem);
	cr_expect_eq(w->area[BP_AREA_BOLIG], BP_GUL);
	cr_expect_eq(w->area[BP_AREA_OKONOMI], BP_ROD);
	cr_expect_eq(w->area[BP_AREA_NETTVERK], BP_GRONN);
	cr_expect_eq(w->detail[BP_DETAIL_ALVORLIGHET], BP_GUL);
	cr_expect_eq(w->detail[BP_DETAIL_SYMPTOMTRYKK], -1);
	cr_expect_eq(w->substance[BP_SUB_ALKOHOL], BP_AMOUNT_BETYDELIG);
	cr_expect_eq(w->substance[BP_SUB_SENTRALSTIMULERENDE], BP_AMOUNT_SVAERT);
	cr_expect_eq(w->flag[BP_FLAG_LAR], 0);
	cr_expect_eq(w->flag[BP_FLAG_INJISERER], 1);
	cr_expect_eq(w->flag[BP_FLAG_KRISEPLAN], -1);
	cr_expect_eq(w->antall_barn, 2);
	cr_expect_eq(w->vold, BP_VOLD_UTSATT);
	cr_expect_eq(w->fengsel, BP_FENGSEL_LOSLATT);
	cr_expect_eq(w->utdanning, BP_UTD_VGS);
	cr_expect_str_eq(w->fodeland, "NO");
	/* fastlege is code 5 and medisinutdeling code 6 of the kommune list. */
	cr_expect_eq(w->services[BP_SVC_KOMMUNE], (1u << 5) | (1u << 6));
	cr_expect_eq(w->services[BP_SVC_NAV], 1u << 5); /* sosialhjelp */
	cr_expect_eq(w->services[BP_SVC_TSB], 0);
	cr_expect_eq(w->services[BP_SVC_PHV], (1u << 0) | (1u << 4)); /* akutt, dag */
	cr_expect_eq(w->services[BP_SVC_SOMATIKK], 0);
	tx_result_free(&r);
	free(csv);
}

Test(export_rules, rusproblem_n_leaves_substances_unknown)
{
	struct tx_kv over[TX_MAXOVER] = { KV("rusproblem", "N"), NOSUBST };
	char *csv = tx_file(over, 1, ';');
	struct tx_result r = { 0 };
	tx_run(csv, 4096, &r);
	cr_assert_eq(r.d.total, 0);
	for (int i = 0; i < BP_NSUB; i++)
		cr_expect_eq(r.last.substance[i], -1);
	cr_expect_not(r.last.rusproblem);
	tx_result_free(&r);
	free(csv);
}

Test(export_rules, identifier_kinds)
{
	char d[12], h[12];
	int di = 100, hi = 100;
	while (!tx_make_id(12 + 40, 3, 81, di, d))
		di++;
	while (!tx_make_id(12, 3 + 40, 81, hi, h))
		hi++;
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("person_id", d) }, 0, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("person_id", h) }, 0, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 0, "a D-nummer and an H-nummer are accepted");
	cr_expect_eq(r.delivered, 2);
	tx_result_free(&r);
	free(b.p);
}

Test(export_rules, duplicate_person_id)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, NULL, 7, ';', "\n");
	tx_row(&b, NULL, 8, ';', "\n");
	tx_row(&b, NULL, 7, ';', "\n");
	tx_row(&b, NULL, 7, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 2);
	/* Each names the line of the first row of that person. */
	tx_expect(&r, 0, 4, 1, "person_id", "the same person_id as on line 2;");
	tx_expect(&r, 1, 5, 1, "person_id", "the same person_id as on line 2;");
	cr_expect_eq(r.delivered, 2);
	tx_result_free(&r);
	free(b.p);
}

Test(export_rules, kommune_not_in_registry)
{
	struct bp_registry reg;
	struct bp_diags d;
	bp_diags_init(&d);
	const char *path = getenv("BPAGG_REGISTRY");
	cr_assert_not_null(path, "BPAGG_REGISTRY is set by the test environment");
	cr_assert_eq(bp_registry_load(path, &reg, &d), 0);
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("kommune", "0301") }, 0, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("kommune", "9999") }, 1, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("kommune", "1101") }, 2, ';', "\n");
	struct bp_export_opts o = { .registry = &reg, .expect_year = 2016 };
	struct tx_result r = { 0 };
	tx_run_opts(b.p, b.n, 4096, &o, &r);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 3, 2, "kommune", "not in the kommune registry");
	cr_expect_eq(r.delivered, 2);
	tx_result_free(&r);
	free(b.p);
	bp_registry_free(&reg);
	bp_diags_free(&d);
}

Test(export_header, mixed_delimiters_in_the_header_are_named)
{
	struct tx_buf b = { 0 };
	/* Read with ';' (the first delimiter of the header); "kommune,aar" holds ','. */
	tx_puts(&b, "person_id;kommune,aar;kjonn\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	tx_expect(&r, 0, 1, 2, "", "delimiter ';' and this name holds ','");
	cr_expect_eq(r.finish, -1);
	tx_result_free(&r);
	free(b.p);
}

Test(export_header, unknown_duplicate_and_missing_columns)
{
	struct tx_buf b = { 0 };
	/* kjonn twice, an unknown name, alder missing. */
	tx_puts(&b, "person_id;kommune;aar;kjonn;rusproblem;psykisk_problem;bolig;okonomi;"
	    "aktivitet;fysisk_helse;psykisk_helse;rusmiddelbruk;sosial_fungering;nettverk;"
	    "kjonn;Alder\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 3);
	tx_expect(&r, 0, 1, 15, "kjonn", "column given twice (first at column 4)");
	tx_expect(&r, 1, 1, 16, "", "unknown column name");
	tx_expect(&r, 2, 1, 0, "alder", "required column missing from the header");
	cr_expect_eq(r.finish, -1);
	tx_result_free(&r);
	free(b.p);
}

Test(export_header, rows_after_a_bad_header_are_checked_not_delivered)
{
	struct tx_kv over[TX_MAXOVER] = { KV("alder", NULL), KV("ukjent", "x") };
	struct tx_buf b = { 0 };
	tx_header(&b, over, ';', "\n");
	tx_row(&b, over, 0, ';', "\n");
	tx_row(&b, (struct tx_kv[TX_MAXOVER]){ KV("alder", NULL), KV("ukjent", "x"),
	    KV("kjonn", "F") }, 1, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 3);
	tx_expect(&r, 0, 1, tx_pos(over, "ukjent"), "", "unknown column name");
	tx_expect(&r, 1, 1, 0, "alder", "required column missing");
	tx_expect(&r, 2, 3, tx_pos(over, "kjonn"), "kjonn", "expected M or K");
	cr_expect_eq(r.delivered, 0, "no row of a file with a bad header is delivered");
	cr_expect_eq(r.rows, 2);
	tx_result_free(&r);
	free(b.p);
}

Test(export_header, substances_may_be_absent_without_rusproblem)
{
	struct tx_kv over[TX_MAXOVER] = {
		KV("rusproblem", "N"), KV("alkohol", NULL), KV("cannabis", NULL),
		KV("heroin", NULL), KV("sentralstimulerende", NULL),
		KV("lar_legemidler", NULL), KV("andre_legemidler", NULL),
		KV("annet_rusmiddel", NULL),
	};
	char *csv = tx_file(over, 3, ';');
	struct tx_result r = { 0 };
	tx_run(csv, 4096, &r);
	cr_expect_eq(r.d.total, 0);
	cr_expect_eq(r.delivered, 3);
	tx_result_free(&r);
	free(csv);
}

Test(export_header, header_only_is_valid_and_empty_file_is_not)
{
	struct tx_result r = { 0 };
	char *csv = tx_file(NULL, 0, ';');
	tx_run(csv, 4096, &r);
	cr_expect_eq(r.finish, 0);
	cr_expect_eq(r.rows, 0);
	tx_result_free(&r);
	free(csv);

	tx_run("", 4096, &r);
	cr_expect_eq(r.finish, -1);
	tx_expect(&r, 0, 1, 0, "", "empty file");
	tx_result_free(&r);

	tx_run("\n", 4096, &r);
	cr_expect_eq(r.finish, -1);
	tx_expect(&r, 0, 1, 0, "", "expected a header line");
	tx_result_free(&r);
}

Test(export_header, field_count_must_match)
{
	struct tx_buf b = { 0 };
	tx_header(&b, NULL, ';', "\n");
	tx_row(&b, NULL, 0, ';', "\n");
	b.n--; /* drop the line end, add a field */
	tx_puts(&b, ";\n");
	tx_row(&b, NULL, 1, ';', "\n");
	struct tx_result r = { 0 };
	tx_run(b.p, 4096, &r);
	cr_expect_eq(r.d.total, 1);
	tx_expect(&r, 0, 2, 0, "", "expected 33 as in the header");
	cr_expect_eq(r.delivered, 1);
	tx_result_free(&r);
	free(b.p);
}
