/*
 * io.h - whole reads and writes on a descriptor, retried on EINTR and short
 * counts; shared by the key files and the envelope. And the one way every
 * stage opens a file someone else may have put in place.
 */
#ifndef BP_IO_H
#define BP_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Reads up to n bytes; returns the count (short only at end of file) or -1. */
ssize_t bp_read_full(int fd, uint8_t *buf, size_t n);
/* Writes all n bytes; returns 0 or -1 with errno. */
int bp_write_full(int fd, const uint8_t *buf, size_t n);

/*
 * Opens name beneath dir (AT_FDCWD: name is a path) with flags (O_RDONLY, or
 * O_RDWR | O_APPEND | O_CREAT with mode), never through a symbolic link
 * (ELOOP) and never waiting on a FIFO put in its place: anything but a
 * regular file is refused (EINVAL), as is a file over cap bytes when cap > 0
 * (EFBIG). On success *st is the opened file's status and O_NONBLOCK is off;
 * after EINVAL or EFBIG too, *st is the status of what was opened (e.g. to
 * tell a directory from a FIFO).
 * Returns the fd, which the caller closes, or -1 with errno set.
 */
int bp_open_regular(int dir, const char *name, int flags, mode_t mode, off_t cap,
    struct stat *st);

#endif
