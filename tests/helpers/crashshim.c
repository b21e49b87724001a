/*
 * crashshim.c - an LD_PRELOAD library for tests/integration/publish_crash.sh:
 * kills its process (SIGKILL) at the Nth call that changes a file or folder.
 *
 * It counts the calls of write, ftruncate, fsync, fdatasync, mkdir, mkdirat,
 * rename, renameat, renameat2, unlink, unlinkat and rmdir made through the
 * dynamic linker (the program's own; stdio's internal writes are not seen).
 *   BP_CRASH_AT=N      at call N: a write first writes a part of its buffer
 *                      (0..all bytes, picked by BP_CRASH_SEED), any other call
 *                      is made or not (by the seed), then the process is
 *                      killed with SIGKILL, as a power cut or kill -9 would;
 *   BP_CRASH_COUNT=F   at exit the number of calls is written to file F.
 * Without either variable it only counts. fsync and fdatasync are counted
 * but not made (a kill loses nothing the kernel holds). Built without
 * sanitizers, it is loaded into the plain and the ASan build alike.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static unsigned long calls, crash_at;
static unsigned long seed;

__attribute__((constructor)) static void
init(void)
{
	const char *a = getenv("BP_CRASH_AT"), *s = getenv("BP_CRASH_SEED");
	crash_at = a ? strtoul(a, NULL, 10) : 0;
	seed = s ? strtoul(s, NULL, 10) : 0;
}

__attribute__((destructor)) static void
fini(void)
{
	const char *f = getenv("BP_CRASH_COUNT");
	if (!f)
		return;
	FILE *fp = fopen(f, "w");
	if (fp) {
		fprintf(fp, "%lu\n", calls);
		fclose(fp);
	}
}

static void *
real(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		abort();
	return p;
}

/* 0: go on; 1: this is the call to die at. */
static int
tick(void)
{
	unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
	return crash_at && n == crash_at;
}

static void
die(void)
{
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	static ssize_t (*f)(int, const void *, size_t);
	if (!f)
		f = real("write");
	if (tick()) {
		size_t part = n ? (size_t)(seed % (n + 1)) : 0;
		if (part)
			f(fd, buf, part);
		die();
	}
	return f(fd, buf, n);
}

/* The other calls: made before dying when the seed is odd. */
#define WRAP(ret, name, params, args)                     \
	ret name params                                   \
	{                                                 \
		static ret (*f) params;                   \
		if (!f)                                   \
			f = (ret (*) params)real(#name);  \
		if (tick()) {                             \
			if (seed & 1)                     \
				f args;                   \
			die();                            \
		}                                         \
		return f args;                            \
	}

WRAP(int, ftruncate, (int fd, off_t len), (fd, len))
WRAP(int, mkdir, (const char *p, mode_t m), (p, m))
WRAP(int, mkdirat, (int d, const char *p, mode_t m), (d, p, m))
WRAP(int, rename, (const char *a, const char *b), (a, b))
WRAP(int, renameat, (int da, const char *a, int db, const char *b), (da, a, db, b))
WRAP(int, renameat2, (int da, const char *a, int db, const char *b, unsigned fl),
    (da, a, db, b, fl))
WRAP(int, unlink, (const char *p), (p))
WRAP(int, unlinkat, (int d, const char *p, int fl), (d, p, fl))
WRAP(int, rmdir, (const char *p), (p))

/* fsync and fdatasync are instants too, but not made: a killed process
 * loses nothing the kernel holds, so syncing only costs the test time. */
static int
sync_instant(void)
{
	if (tick()) {
		die();
	}
	return 0;
}

int
fsync(int fd)
{
	(void)fd;
	return sync_instant();
}

int
fdatasync(int fd)
{
	(void)fd;
	return sync_instant();
}
