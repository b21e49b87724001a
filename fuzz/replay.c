/*
 * replay.c - runs LLVMFuzzerTestOneInput over a seed corpus, for `make
 * check` with any compiler (and under ASan/UBSan in the sanitizer build).
 *
 *   replay_<target> [DIR|FILE]...
 * Without arguments it reads $BP_SRCDIR/fuzz/corpus/<BP_REPLAY_CORPUS>
 * (export unless the build says otherwise). Files of more
 * than 1 MiB are refused. It prints a count, never the content. Exit 0, or
 * 66 when a path cannot be read (a failing input aborts).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPLAY_MAX_BYTES (1u << 20)
#ifndef BP_REPLAY_CORPUS
#define BP_REPLAY_CORPUS "export"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a regular file (no symlink) into a buffer the caller frees. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf = NULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > REPLAY_MAX_BYTES)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)n;
	}
	*len = got;
out:
	close(fd);
	return buf;
}

static int
run_file(const char *path, unsigned *count)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	if (!buf) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		return -1;
	}
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	(*count)++;
	return 0;
}

static int
run_path(const char *path, unsigned *count)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: missing\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path, count);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int ret = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (run_file(p, count) < 0)
			ret = -1;
	}
	closedir(d);
	return ret;
}

int
main(int argc, char **argv)
{
	unsigned count = 0;
	int ret = 0;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (run_path(argv[i], &count) < 0)
				ret = 66;
	} else {
		const char *src = getenv("BP_SRCDIR");
		char p[4096];
		snprintf(p, sizeof(p), "%s/fuzz/corpus/%s", src ? src : ".", BP_REPLAY_CORPUS);
		if (run_path(p, &count) < 0)
			ret = 66;
	}
	if (count == 0)
		ret = 66;
	printf("replay: %u inputs\n", count);
	return ret;
}
