/*
 * pidscan FILE... - counts the valid person_ids (11-digit runs that pass
 * the fødselsnummer / D-nummer / H-nummer control digits) in files.
 *
 * Used after the test suite to prove that no output of any test holds a
 * person_id. It prints file names and counts, never the numbers found.
 * Exit 0 when none were found, 1 when some were, 66 on a missing file.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "export.h"

static unsigned long
scan(FILE *f)
{
	char run[12];
	size_t len = 0;
	unsigned long found = 0;
	int c;

	do {
		c = getc(f);
		if (c != EOF && isdigit(c)) {
			if (len < sizeof(run))
				run[len] = (char)c;
			len++;
			continue;
		}
		if (len == 11) {
			run[11] = '\0';
			found += bp_person_id_valid(run);
		}
		len = 0;
	} while (c != EOF);
	return found;
}

int
main(int argc, char **argv)
{
	unsigned long total = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			fprintf(stderr, "pidscan: %s: cannot open\n", argv[i]);
			return 66;
		}
		unsigned long n = scan(f);
		fclose(f);
		if (n) {
			printf("%s: %lu person_id(s)\n", argv[i], n);
			total += n;
		}
	}
	printf("pidscan: %d files, %lu person_ids found\n", argc - 1, total);
	return total ? 1 : 0;
}
