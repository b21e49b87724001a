/*
 * fuzz_conf.c - a libFuzzer target for the configuration reader
 * (conf/conf.c, inih under it): the input is written to a file and read as
 * bpagg.conf. It aborts when an invariant fails:
 *  - a configuration that loads has every path set, absolute and not empty,
 *    and every number within the range bpagg.conf(5) gives;
 *  - one that does not load says why, naming the file.
 * Built with clang by `make fuzz-conf`; fuzz/replay.c runs the seed corpus
 * fuzz/corpus/conf in `make check` with any compiler.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void
remove_file(void)
{
	unlink(path);
}

static void
path_ok(const char *p)
{
	if (!p || p[0] != '/' || strlen(p) >= PATH_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bp_config c;
	char err[1024];

	if (!path[0]) {
		snprintf(path, sizeof(path), "/tmp/bp-fuzz-conf.XXXXXX");
		int fd = mkstemp(path);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_file);
	}
	FILE *f = fopen(path, "w");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	err[0] = '\0';
	if (bp_config_load(path, &c, err, sizeof(err)) == 0) {
		const char *paths[] = { c.inbox, c.archive, c.rejected, c.outbox, c.keys,
			c.registry, c.suppression_log, c.store_path };
		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			path_ok(paths[i]);
		if (c.max_rows < 1 || c.max_rows > 10000000 || c.scan_seconds < 1 ||
		    c.min_cell < 1 || c.min_cell > 1000 || !c.user || !c.store_backend)
			abort();
	} else if (!strstr(err, "bp-fuzz-conf")) {
		abort();
	}
	bp_config_free(&c);
	return 0;
}
