/*
 * json.h - JSON through jansson, the one JSON library of bpagg, with the
 * project's conventions: members in the documented (insertion) order, 64-bit
 * counters as decimal strings (jq and JavaScript round numbers above 2^53),
 * text that may not be UTF-8 made valid instead of refused, and reads with
 * a size cap that name the line and column of a fault.
 */
#ifndef BP_JSON_H
#define BP_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Dump flags: keys in insertion order, reals to 15 significant digits (a
 * figure written "12.3" comes back "12.3", not 12.300000000000001). Add
 * JSON_COMPACT for one-line files (receipts, log lines, release.json). */
#define BP_JSON_FLAGS (JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

/*
 * A new JSON string of s. Bytes that are not UTF-8 become U+FFFD, so a
 * name from outside never makes a document fail. New reference (the
 * caller's, or stolen by json_pack "o"); NULL only on ENOMEM.
 */
json_t *bp_json_text(const char *s);
/* A new JSON string of v in decimal: the form of every 64-bit counter. */
json_t *bp_json_u64(uint64_t v);
/*
 * A figure written as text ("113", "12.5", "-3", "1e3") as a new JSON
 * number: an integer when it has only digits, else a real (dumped with
 * BP_JSON_FLAGS it comes back as written, "12.5"). NULL when s is not
 * wholly a finite number, or on ENOMEM.
 */
json_t *bp_json_number_text(const char *s);
/*
 * Reads an unsigned 64-bit counter written either way: a JSON integer
 * >= 0 (the old form) or a string of 1..20 decimal digits that fits.
 * 0 or -1.
 */
int bp_json_get_u64(const json_t *v, uint64_t *out);

/*
 * Parses len bytes of buf as one JSON object (at most cap bytes; duplicate
 * keys refused). Returns a new reference the caller json_decref()s, or NULL
 * with "column C: what" in err ("line L, column C: what" past the
 * first line): for one line of a file whose caller names the line.
 */
json_t *bp_json_parse(const char *buf, size_t len, size_t cap, char *err, size_t errlen);

/* The same for a whole file (release.json): err always names the line,
 * "line 1, column C: what" too. */
json_t *bp_json_parse_file(const char *buf, size_t len, size_t cap, char *err,
    size_t errlen);

/*
 * The member at a dotted path of obj ("settings.min_cell": member
 * min_cell of member settings) as text into out: a string as it is, an
 * integer in decimal, a real to 17 digits, true, false or null. Returns 0,
 * 1 when absent (or a step is not an object), -1 when it is an array or
 * object, or does not fit in outlen.
 */
int bp_json_path_text(const json_t *obj, const char *path, char *out, size_t outlen);

/*
 * bp_json_path_text on len bytes of text parsed as one JSON object.
 * 0, 1 (absent) or -1 (not a JSON object, or the member does not fit).
 */
int bp_json_get(const char *text, size_t len, const char *path, char *out, size_t outlen);

#endif
