/*
 * io.h - whole reads and writes on a descriptor, retried on EINTR and short
 * counts; shared by the key files and the envelope.
 */
#ifndef BP_IO_H
#define BP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads up to n bytes; returns the count (short only at end of file) or -1. */
ssize_t bp_read_full(int fd, uint8_t *buf, size_t n);
/* Writes all n bytes; returns 0 or -1 with errno. */
int bp_write_full(int fd, const uint8_t *buf, size_t n);

#endif
