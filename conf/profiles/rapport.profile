# rapport - the tables the BrukerPlan reports publish, and no more: every
# table a reader of the reports in the seeds sees, at the level where the
# reports show it (bpagg-publish(1), PROFILES, says why each line is here).
# A table left out is not a figure hidden: it is a figure nobody reads, and
# every figure published is one more an intruder can combine.

# -- nasjonal: the national report (Tabell 1-31, Figur 1-23) and the key
#    figures with their change over the years.
# Every indicator and sum measure for the whole country: the key figures
# (kjonn, alder, IP, barn, rusmidler, LAR, ROP share) and the "I alt" column
# of every table of the report.
nasjonal  *__total
# ROP-mottakere beside ikke-ROP: Tabell 17-31 (NAV, plans, injecting,
# cognitive problems, violence, prison, kommune services, TSB, psychiatric
# care, somatic care), also the mean number of services (Tabell 25).
nasjonal  *__rop
# The ROP scale against the eight living-condition areas (Tabell 8-13,
# Figur 8-12), the living-conditions index with 8 and 6 areas (Tabell 6-7,
# Figur 6-7) and the age groups (Tabell 4, Figur 4).
nasjonal  bolig__rop_skala aktivitet__rop_skala sosial_fungering__rop_skala
nasjonal  nettverk__rop_skala fysisk_helse__rop_skala okonomi__rop_skala
nasjonal  psykisk_helse__rop_skala rusmiddelbruk__rop_skala
nasjonal  levekarsindeks8__rop_skala levekarsindeks6__rop_skala alder4__rop_skala
# Substances used to a considerable or very large extent by ROP scale
# (Figur 16), risk of overdose and of suicide (Tabell 23-24), injecting.
nasjonal  *_tung__rop_skala overdose_fare__rop_skala selvmord_fare__rop_skala
nasjonal  injiserer__rop_skala
# ROP persons per 10 000 inhabitants 18+ by kommune size (Tabell 5).
nasjonal  rop__kommunestorrelse
# The two groups of the fylke presentation (rus/ROP and psykisk helse),
# nationally, for the fylke comparison: the areas, the index, and the
# services it compares.
nasjonal  bolig__brukergruppe aktivitet__brukergruppe sosial_fungering__brukergruppe
nasjonal  nettverk__brukergruppe fysisk_helse__brukergruppe okonomi__brukergruppe
nasjonal  psykisk_helse__brukergruppe rusmiddelbruk__brukergruppe
nasjonal  levekarsindeks8__brukergruppe kommune_hjemmesykepleie__brukergruppe
nasjonal  kommune_praktisk_bistand__brukergruppe nav_sosialhjelp__brukergruppe

# -- fylke: the fylke presentation ("Innlandet vs Norge"): each figure for
#    the fylke beside the nation's.
fylke     *__total
fylke     bolig__brukergruppe aktivitet__brukergruppe sosial_fungering__brukergruppe
fylke     nettverk__brukergruppe fysisk_helse__brukergruppe okonomi__brukergruppe
fylke     psykisk_helse__brukergruppe rusmiddelbruk__brukergruppe
fylke     levekarsindeks8__brukergruppe kommune_hjemmesykepleie__brukergruppe
fylke     kommune_praktisk_bistand__brukergruppe nav_sosialhjelp__brukergruppe

# -- kommune: a kommune beside its fylke: who its users are and how they
#    live, by total only (a kommune's own breakdowns are mostly small cells).
kommune   bolig__total aktivitet__total sosial_fungering__total nettverk__total
kommune   fysisk_helse__total okonomi__total psykisk_helse__total rusmiddelbruk__total
kommune   levekarsindeks8__total levekarsindeks6__total rop_skala__total rop__total
kommune   brukergruppe__total kjonn__total alder4__total alder__total
