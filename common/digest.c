#include "digest.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* libcrypto is loaded on the first digest, not linked: its relocations cost
 * every process ~1 ms at start, and most gocker commands (run, ps, stop)
 * never hash. Only the functions below are used; dlopen() of the soname the
 * headers belong to returns the copy libcurl already loaded, if any. */
#define GK_STR2(x)	 #x
#define GK_STR(x)	 GK_STR2(x)
#define LIBCRYPTO_SONAME "libcrypto.so." GK_STR(OPENSSL_SHLIB_VERSION)

static struct {
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *);
	const EVP_MD *(*sha256)(void);
	int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
	int (*update)(EVP_MD_CTX *, const void *, size_t);
	int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
} evp;

static void *sym(void *lib, const char *name)
{
	void *f = dlsym(lib, name);
	if (!f) {
		fprintf(stderr, "gocker: %s: no %s\n", LIBCRYPTO_SONAME, name);
		abort();
	}
	return f;
}

static void load_libcrypto(void)
{
	void *lib = dlopen(LIBCRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "gocker: cannot load %s: %s\n", LIBCRYPTO_SONAME, dlerror());
		abort();
	}
	evp.ctx_new = (EVP_MD_CTX * (*)(void)) sym(lib, "EVP_MD_CTX_new");
	evp.ctx_free = (void (*)(EVP_MD_CTX *))sym(lib, "EVP_MD_CTX_free");
	evp.sha256 = (const EVP_MD *(*)(void))sym(lib, "EVP_sha256");
	evp.init = (int (*)(EVP_MD_CTX *, const EVP_MD *, ENGINE *))sym(lib, "EVP_DigestInit_ex");
	evp.update = (int (*)(EVP_MD_CTX *, const void *, size_t))sym(lib, "EVP_DigestUpdate");
	evp.final =
	    (int (*)(EVP_MD_CTX *, unsigned char *, unsigned int *))sym(lib, "EVP_DigestFinal_ex");
}

void gk_sha256_init(struct gk_sha256 *h)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load_libcrypto);
	EVP_MD_CTX *ctx = evp.ctx_new();
	if (!ctx || evp.init(ctx, evp.sha256(), NULL) != 1)
		abort();
	h->ctx = ctx;
}

void gk_sha256_update(struct gk_sha256 *h, const void *data, size_t len)
{
	if (evp.update(h->ctx, data, len) != 1)
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
	if (evp.final(h->ctx, md, &n) != 1)
		abort();
	to_hex(md, n, out);
	gk_sha256_free(h);
}

void gk_sha256_free(struct gk_sha256 *h)
{
	if (h->ctx)
		evp.ctx_free(h->ctx);
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
