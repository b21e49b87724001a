/*
 * fuzz_export.c - a libFuzzer target for the export reader (export/export.c and
 * the CSV tokenizer under it).
 *
 * The first input byte picks a chunk size; the rest is fed to a reader in
 * chunks of that size and, separately, in one piece. Beyond not crashing
 * (under ASan/UBSan), it checks invariants and aborts when one fails:
 *  - both runs give the same diagnostics, rows and outcome (chunking does
 *    not matter);
 *  - no diagnostic message holds a run of 11 digits (a person_id);
 *  - every row delivered is in range (the typed fields of export.h) and the
 *    file is valid only when no diagnostic was recorded.
 * Built with clang by `make fuzz-export`; fuzz/replay.c runs the seed corpus
 * in `make check` with any compiler.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct run {
	int finish;
	unsigned long rows, delivered;
	size_t total;
	unsigned long sum; /* of line, col and message lengths of the diagnostics */
};

static void
check_row(const struct bp_row *r)
{
	if (!bp_person_id_valid(r->person_id) || r->alder < 16 || r->alder > 110 ||
	    (r->kjonn != 'M' && r->kjonn != 'K') || strlen(r->kommune) != 4 ||
	    r->antall_barn < -1 || r->antall_barn > 20 ||
	    (!r->rusproblem && !r->psykisk_problem))
		abort();
	for (int i = 0; i < BP_NAREA; i++)
		if (r->area[i] < BP_GRONN || r->area[i] > BP_ROD)
			abort();
	for (int i = 0; i < BP_NSUB; i++)
		if (r->rusproblem ? r->substance[i] < 0 || r->substance[i] >= BP_NAMOUNT :
		    r->substance[i] != -1)
			abort();
}

static int
on_row(const struct bp_row *r, void *ud)
{
	struct run *run = ud;
	check_row(r);
	run->delivered++;
	return 0;
}

static void
read_all(const uint8_t *data, size_t size, size_t chunk, struct run *run)
{
	struct bp_export_opts o = { .expect_kommune = "4601", .expect_year = 2016,
	    .max_rows = 1000 };
	memset(run, 0, sizeof(*run));
	bp_export *x = bp_export_new(&o, on_row, run);
	if (!x)
		abort();
	for (size_t off = 0; off < size; off += chunk)
		if (bp_export_feed(x, data + off, size - off < chunk ? size - off : chunk) < 0)
			break;
	run->finish = bp_export_finish(x);
	run->rows = bp_export_rows(x);
	const struct bp_diags *d = bp_export_diags(x);
	run->total = d->total;
	for (size_t i = 0; i < d->n; i++) {
		size_t digits = 0;
		for (const char *m = d->v[i].msg; *m; m++) {
			digits = (*m >= '0' && *m <= '9') ? digits + 1 : 0;
			if (digits >= 11)
				abort();
		}
		run->sum += d->v[i].line + d->v[i].col + strlen(d->v[i].msg);
	}
	if ((run->finish == 0) != (d->total == 0))
		abort();
	bp_export_free(x);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run a, b;
	if (size == 0)
		return 0;
	size_t chunk = 1 + data[0] % 64;
	read_all(data + 1, size - 1, chunk, &a);
	read_all(data + 1, size - 1, size, &b);
	if (a.finish != b.finish || a.rows != b.rows || a.delivered != b.delivered ||
	    a.total != b.total || a.sum != b.sum)
		abort();
	return 0;
}
