/* Image references as docker reads them (distribution/reference): [registry/]path[:tag][@digest].
 * The registry is the first component when it contains '.' or ':' or is "localhost";
 * otherwise the image is on Docker Hub ("docker.io", path "library/x" for a single name). */
#ifndef GB_API_CORE_IMAGEREF_H
#define GB_API_CORE_IMAGEREF_H

struct imageref {
	char *registry;   /* "127.0.0.1:5000", "docker.io" */
	char *path;       /* "lab/analysis", "library/busybox" */
	char *tag;        /* "1.3"; "latest" when neither tag nor digest was given; NULL with only a digest */
	char *digest;     /* "sha256:<64 hex>" or NULL */
};

/* Parse and validate (lowercase path components of [a-z0-9] with . _ __ - separators, tag
 * [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, digest sha256 with 64 lowercase hex digits, total < 256).
 * Returns 0, or -1 with *err saying what is wrong ("malformed image reference \"X\": ..."). */
int imageref_parse(const char *s, struct imageref *out, char **err);

/* "registry/path:tag" (what /distribution/{name}/json takes, and the familiar form). New string. */
char *imageref_name_tag(const struct imageref *r);

/* "registry/path:tag@digest" with the given digest (pinning). New string. */
char *imageref_pinned(const struct imageref *r, const char *digest);

void imageref_clear(struct imageref *r);

#endif
