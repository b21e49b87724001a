/*
 * takeshim.c - an LD_PRELOAD library for tests/integration/daemon_returned.sh:
 * another file takes an inbox name while bpaggd holds the claimed file.
 *
 * At the first renameat2(2) that moves a claimed file (a queue entry
 * "T-R.in.*") out of the queue, the target name is first created with the
 * bytes of the file BP_TAKE_FROM, as an uploader starting the same upload
 * again would; that rename then finds the name taken. Later calls are left
 * alone. Built without sanitizers, as crashshim.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int done;

/* Copies the file from into name beneath dirfd (a new file). */
static void
take(int dirfd, const char *name, const char *from)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if ((in = open(from, O_RDONLY | O_CLOEXEC)) < 0)
		abort();
	if ((out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
		abort();
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	if (n < 0)
		abort();
	close(in);
	close(out);
}

int
renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
    unsigned int flags)
{
	static int (*f)(int, const char *, int, const char *, unsigned int);
	const char *from = getenv("BP_TAKE_FROM");

	if (!f && !(f = dlsym(RTLD_NEXT, "renameat2")))
		abort();
	if (from && !done && strstr(oldpath, ".in.") && newpath[0] != '.') {
		done = 1;
		take(newdirfd, newpath, from);
	}
	return f(olddirfd, oldpath, newdirfd, newpath, flags);
}
