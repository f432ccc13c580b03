/* libFuzzer target: the image reference parser (api/imageref.c).
 *
 * The input is one reference (cut at its first NUL, as a C string would be). Beyond the
 * sanitizers, it checks imageref.h: a parsed reference has a registry, a path, and a tag or
 * a digest (the tag "latest" when neither was given), within docker's lengths; and the forms
 * glovebox builds from it (imageref_name_tag, imageref_pinned) parse back to the same
 * reference, since they are what the engine and the audit records are given. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base/xalloc.h"
#include "api/core/imageref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ref comes from the input: its bytes outside printable ASCII are shown as \xHH. */
static void require(int ok, const char *what, const char *ref)
{
	if (!ok) {
		fprintf(stderr, "fuzz_imageref: broken contract: %s: \"", what);
		for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
			fprintf(stderr, *p >= 0x20 && *p < 0x7F ? "%c" : "\\x%02x", *p);
		fputs("\"\n", stderr);
		abort();
	}
}

static int same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* text must parse to a reference with want's registry and path, and the tag and digest
 * given. */
static void reparse(const char *text, const struct imageref *want, const char *tag,
                    const char *digest)
{
	struct imageref r;
	char *err = NULL;
	require(imageref_parse(text, &r, &err) == 0, "a form glovebox built does not parse", text);
	require(err == NULL, "a message with success", text);
	require(same(r.registry, want->registry) && same(r.path, want->path), "registry or path changed",
	        text);
	require(same(r.tag, tag) && same(r.digest, digest), "tag or digest changed", text);
	imageref_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct imageref r;
	char *err = NULL;

	int rc = imageref_parse(s, &r, &err);
	require(rc == 0 || rc == -1, "neither 0 nor -1", s);
	if (rc == -1) {
		require(err != NULL, "a failure without a message", s);
		free(err);
		free(s);
		return 0;
	}
	require(err == NULL, "a message with success", s);
	require(r.registry && *r.registry && r.path && *r.path, "no registry or no path", s);
	require(r.tag || r.digest, "neither tag nor digest", s);
	require(strlen(r.registry) + 1 + strlen(r.path) <= 255, "a name longer than 255", s);
	require(!r.tag || (*r.tag && strlen(r.tag) <= 128), "a tag empty or longer than 128", s);
	require(!r.digest || (strncmp(r.digest, "sha256:", 7) == 0 && strlen(r.digest) == 71),
	        "a digest that is not sha256", s);
	require(strcmp(r.registry, "index.docker.io") != 0, "Docker Hub under its old name", s);

	char *name_tag = imageref_name_tag(&r);
	reparse(name_tag, &r, r.tag, r.tag ? NULL : r.digest);
	char *pinned = imageref_pinned(&r, NULL);
	reparse(pinned, &r, r.tag, r.digest);
	static const char other[] =
		"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char *repinned = imageref_pinned(&r, other);
	reparse(repinned, &r, r.tag, other);
	free(repinned);
	free(pinned);
	free(name_tag);
	imageref_clear(&r);
	require(!r.registry && !r.path && !r.tag && !r.digest, "imageref_clear leaves pointers", s);
	free(s);
	return 0;
}
