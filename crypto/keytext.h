/*
 * keytext.h - the text form of public key files (private to crypto/):
 *
 *     untrusted comment: bpagg kommune 0301 signing public key
 *     QlBLMQECq1y...   (base64 of the binary key file image)
 *
 * as minisign and signify write theirs: one line a person can mail, paste
 * or read out, beneath a comment line that nothing relies on (the owner
 * and the key id are inside the base64). See bpagg-submission(5).
 */
#ifndef BP_KEYTEXT_H
#define BP_KEYTEXT_H

#include <stddef.h>
#include <stdint.h>

#define BP_KEY_TEXT_PREFIX "untrusted comment: "
#define BP_KEY_TEXT_MAX 1024  /* the longest text key file bpagg writes */

/*
 * Turns the bytes of a key file into its binary image in img (capacity
 * BP_KEY_FILE_MAX): a text key (first line "untrusted comment: ...") is
 * decoded, a binary one copied. *text says which it was. Returns 0, or -1
 * with a message naming path (never key material) in err.
 */
int bp_key_text_decode(const char *path, const char *in, size_t n, uint8_t *img,
    size_t *len, int *text, char *err, size_t errlen);
/*
 * Writes the text form of the key image img (len bytes) with the comment
 * into out (capacity cap, BP_KEY_TEXT_MAX is enough): two lines, each ended
 * by a newline. Returns its length, or 0 when it does not fit.
 */
size_t bp_key_text_encode(const uint8_t *img, size_t len, const char *comment,
    char *out, size_t cap);

#endif
