/*
 * memfile.h - envelopes in memory for the envelope tests (test_envelope.c,
 * test_envelope_kit.c): a buffer as a file descriptor, and back.  Included
 * by one test file each.
 */
#ifndef BP_TEST_MEMFILE_H
#define BP_TEST_MEMFILE_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memory file holding buf[0..len), at offset 0. */
static int
memfile(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("bpx", 0);
	cr_assert_geq(fd, 0);
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);
		cr_assert_gt(w, 0);
		off += (size_t)w;
	}
	cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Reads the whole of fd from offset 0 into a malloc'd buffer (one byte
 * more for a terminator; the caller frees). */
static uint8_t *
slurp(int fd, size_t *len)
{
	off_t end = lseek(fd, 0, SEEK_END);
	cr_assert_geq(end, 0);
	uint8_t *b = malloc((size_t)end + 1);
	cr_assert_not_null(b);
	cr_assert_eq(pread(fd, b, (size_t)end, 0), end);
	*len = (size_t)end;
	return b;
}

#endif
