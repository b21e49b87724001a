/*
 * labels.c - names and colours of codes (see labels.h).
 */
#include "labels.h"

#include <stdio.h>
#include <string.h>

static const struct { const char *code, *label; } names[] = {
	{ "bolig", "Bosituasjon" }, { "okonomi", "Økonomi" },
	{ "aktivitet", "Meningsfull aktivitet" }, { "fysisk_helse", "Fysisk helse" },
	{ "psykisk_helse", "Psykisk helse" }, { "rusmiddelbruk", "Rusmiddelbruk" },
	{ "sosial_fungering", "Sosial fungering" }, { "nettverk", "Sosialt nettverk" },
	{ "levekarsindeks8", "Levekårsindeks, 8 områder" },
	{ "levekarsindeks6", "Levekårsindeks, 6 områder" },
	{ "rop_skala", "ROP-skala" }, { "rop", "ROP-lidelse" }, { "kjonn", "Kjønn" },
	{ "alder4", "Alder" }, { "alder7", "Alder" }, { "kommunestorrelse", "Kommunestørrelse" },
	{ "gronn", "Grønn" }, { "gul", "Gul" }, { "rod", "Rød" }, { "blalys", "Blålys" },
	{ "ikke_rop", "Ikke ROP" }, { "gul_rod", "Gul rus, rød psykisk" },
	{ "rod_gul", "Rød rus, gul psykisk" }, { "rod_rod", "Rød rus, rød psykisk" },
	{ "ikke_aktuelt", "Uten rusproblem" }, { "ja", "Ja" }, { "nei", "Nei" },
	{ "ukjent", "Ukjent" }, { "i_alt", "I alt" }, { "alle", "I alt" },
	{ "M", "Menn" }, { "K", "Kvinner" },
	{ "u24", "Under 24 år" }, { "24_44", "24–44 år" }, { "45_59", "45–59 år" },
	{ "60p", "60 år og over" }, { "24_29", "24–29 år" }, { "30_39", "30–39 år" },
	{ "40_49", "40–49 år" }, { "50_59", "50–59 år" }, { "60_69", "60–69 år" },
	{ "70p", "70 år og over" },
	{ "u2500", "Under 2 500" }, { "2500_4999", "2 500–4 999" }, { "5000_9999", "5 000–9 999" },
	{ "10000_29999", "10 000–29 999" }, { "30000p", "30 000 og over" },
	{ "alkohol", "Alkohol" }, { "cannabis", "Cannabis" }, { "heroin", "Heroin" },
	{ "sentralstimulerende", "Sentralstimulerende" },
	{ "lar_legemidler", "LAR-legemidler (illegalt)" },
	{ "andre_legemidler", "Andre legemidler (illegalt)" },
	{ "annet_rusmiddel", "Annet rusmiddel" },
	{ "rus", "Rus" }, { "rus_psyk", "Rus og psykisk" }, { "psyk", "Psykisk" },
	{ "nav_rad_veiledning", "Råd og veiledning" },
	{ "nav_okonomiforvaltning", "Økonomiforvaltning" },
	{ "nav_barn_familie", "Barn og familie" }, { "tsb_dogn", "Døgn" }, { "phv_dogn", "Døgn" },
	{ "somatikk_dogn", "Døgn" }, { "kommune_act", "ACT-team" }, { "tsb_act", "ACT-team" },
	{ "phv_act", "ACT-team" }, { "kommune_stottekontakt", "Støttekontakt" },
	{ "kommune_bolig_uten_personale", "Bolig uten personale" },
	{ "kommune_bolig_med_personale", "Bolig med personale" },
	{ "individuell_plan", "Individuell plan" }, { "tiltaksplan", "Tiltaksplan" },
	{ "ansvarsgruppe", "Ansvarsgruppe" }, { "kriseplan", "Kriseplan" },
	{ "injiserer", "Injiserer" }, { "kognitive_vansker", "Kognitive vansker" },
	{ "overdose_fare", "Risiko for overdose" }, { "selvmord_fare", "Risiko for selvmord" },
};

const char *
bp_label(const char *code, char *buf, size_t n)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(names[i].code, code))
			return names[i].label;
	/* A service code: its name without the column prefix, readable. */
	static const char *const prefix[] = { "nav_", "kommune_", "tsb_", "phv_", "somatikk_", "anbefalt_" };
	for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
		if (!strncmp(code, prefix[i], strlen(prefix[i]))) {
			code += strlen(prefix[i]);
			break;
		}
	snprintf(buf, n, "%s", code);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

const char *
bp_colour(const char *code, size_t i)
{
	/* Lightness falls with severity: yellow > green > red > blue. */
	if (!strcmp(code, "gronn"))
		return "#81c784";
	if (!strcmp(code, "gul"))
		return "#fff176";
	if (!strcmp(code, "rod"))
		return "#d32f2f";
	if (!strcmp(code, "blalys"))
		return "#0d2b6b";
	static const char *const pal[] = { "#1f4e79", "#9dc3e6", "#595959", "#c9c9c9",
		"#2e75b6", "#000000", "#a5a5a5", "#deebf7" };
	return pal[i % (sizeof pal / sizeof pal[0])];
}
