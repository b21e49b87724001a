/* inbox.c - inbox names; see inbox.h. */
#include "inbox.h"

#include <string.h>

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

enum bp_inbox_kind
bp_inbox_kind(const char *name)
{
	if (name[0] == '.' || ends_with(name, ".part") || ends_with(name, ".tmp"))
		return BP_INBOX_WRITING;
	if (strlen(name) > 4 && ends_with(name, ".bpx"))
		return BP_INBOX_SUBMISSION;
	return BP_INBOX_OTHER;
}

bool
bp_inbox_is_submission(const char *name)
{
	return bp_inbox_kind(name) == BP_INBOX_SUBMISSION;
}

char *
bp_inbox_safe_name(const char *name, char *out, size_t outlen)
{
	size_t o = 0;

	for (const unsigned char *s = (const unsigned char *)name; *s && o + 1 < outlen;) {
		if (*s >= '0' && *s <= '9') {
			/* No digit of an inbox name is repeated: a person_id may be
			 * split by dots or spaces ("08.12.76 480 19"). */
			while (*s >= '0' && *s <= '9')
				s++;
			out[o++] = '#';
			continue;
		}
		out[o++] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
		s++;
	}
	out[o] = '\0';
	return out;
}
