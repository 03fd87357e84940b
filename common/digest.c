#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void gk_sha256_init(struct gk_sha256 *h)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		abort();
	h->ctx = ctx;
}

void gk_sha256_update(struct gk_sha256 *h, const void *data, size_t len)
{
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		abort();
}

static void to_hex(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void gk_sha256_final_hex(struct gk_sha256 *h, char out[GK_SHA256_HEX_LEN + 1])
{
	unsigned char md[32];
	unsigned int n = 0;
	if (EVP_DigestFinal_ex(h->ctx, md, &n) != 1)
		abort();
	to_hex(md, n, out);
	gk_sha256_free(h);
}

void gk_sha256_free(struct gk_sha256 *h)
{
	if (h->ctx)
		EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void gk_sha256_hex(const void *data, size_t len, char out[GK_SHA256_HEX_LEN + 1])
{
	struct gk_sha256 h;
	gk_sha256_init(&h);
	gk_sha256_update(&h, data, len);
	gk_sha256_final_hex(&h, out);
}

int gk_digest_valid(const char *digest)
{
	if (!digest || strncmp(digest, "sha256:", 7) != 0)
		return 0;
	const char *hex = digest + 7;
	size_t n = 0;
	for (; hex[n]; n++)
		if (!((hex[n] >= '0' && hex[n] <= '9') || (hex[n] >= 'a' && hex[n] <= 'f')))
			return 0;
	return n == GK_SHA256_HEX_LEN;
}

int gk_digest_check(const char *digest, const char *what, struct gk_err *err)
{
	if (gk_digest_valid(digest))
		return 0;
	return gk_err_set(err, 0, "%s: invalid digest \"%s\" (want sha256: and 64 lowercase hex)",
			  what, digest ? digest : "");
}

int gk_random_hex(char *out, size_t nbytes, struct gk_err *err)
{
	unsigned char buf[64];
	if (nbytes > sizeof(buf))
		return gk_err_set(err, EINVAL, "random id too long");
	size_t got = 0;
	while (got < nbytes) {
		ssize_t n = getrandom(buf + got, nbytes - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return gk_err_set(err, errno, "getrandom");
		}
		got += (size_t)n;
	}
	to_hex(buf, nbytes, out);
	return 0;
}
