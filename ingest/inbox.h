/*
 * inbox.h - what the inbox holds, shared by bpaggd(8) and `bpagg status`:
 * which names are submissions, and the form of a name that may be written
 * to a log, a receipt, a reason file or the store.
 */
#ifndef BP_INBOX_H
#define BP_INBOX_H

#include <stdbool.h>
#include <stddef.h>

enum bp_inbox_kind {
	BP_INBOX_SUBMISSION, /* "*.bpx", not hidden: a sealed submission */
	BP_INBOX_WRITING,    /* ".*", "*.part", "*.tmp": still being written */
	BP_INBOX_OTHER,      /* anything else: not ours, left alone */
};

/* What a file name in the inbox (or inbox/NNNN/) is, by its name alone. */
enum bp_inbox_kind bp_inbox_kind(const char *name);
/* True when name is a submission the daemon takes (and status counts). */
bool bp_inbox_is_submission(const char *name);

/*
 * Copies name into out (outlen > 0, always terminated, truncated to fit)
 * in a form safe to log or store: every byte outside printable ASCII
 * becomes '?', and every run of digits becomes one '#': no digit of an
 * inbox name is ever repeated (a person_id or a date of birth may be split
 * by dots or spaces). Returns out.
 */
char *bp_inbox_safe_name(const char *name, char *out, size_t outlen);

#endif
