/* sha256 over OpenSSL's libcrypto, random ids, and digest-string validation. */
#ifndef GK_DIGEST_H
#define GK_DIGEST_H

#include <stddef.h>

#include "err.h"

#define GK_SHA256_HEX_LEN 64

struct gk_sha256 {
	void *ctx; /* EVP_MD_CTX */
};

void gk_sha256_init(struct gk_sha256 *h);
void gk_sha256_update(struct gk_sha256 *h, const void *data, size_t len);
/* Writes 64 lowercase hex chars + NUL into out[65] and frees the context. */
void gk_sha256_final_hex(struct gk_sha256 *h, char out[GK_SHA256_HEX_LEN + 1]);
void gk_sha256_free(struct gk_sha256 *h);
void gk_sha256_hex(const void *data, size_t len, char out[GK_SHA256_HEX_LEN + 1]);

/* "sha256:" + 64 lowercase hex, nothing else: safe to use as a file name. */
int gk_digest_valid(const char *digest);
/* Like gk_digest_valid but fills err naming `what`. */
int gk_digest_check(const char *digest, const char *what, struct gk_err *err);

/* n random bytes as 2n lowercase hex chars into out (2n+1 bytes). */
int gk_random_hex(char *out, size_t nbytes, struct gk_err *err);

#endif
