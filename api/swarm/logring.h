/* The lines a log viewer keeps: a ring bounded by a number of lines and by bytes, so a job
 * that prints without end cannot exhaust memory. When either bound would be passed, the oldest
 * lines go and are counted. Lines are numbered by a sequence number that never changes (the
 * first line ever pushed is 0), so a viewer can hold its place while old lines drop away; an
 * index (0 = the oldest line kept) is seq - logring_first_seq().
 *
 * Text is kept as the engine sent it (raw bytes, NUL-terminated for convenience, possibly with
 * NULs inside: len is authoritative); sanitise it when it is drawn. Search compares those raw
 * bytes, ignoring ASCII case. */
#ifndef GB_API_SWARM_LOGRING_H
#define GB_API_SWARM_LOGRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "api/swarm/logstream.h"

#define LOGRING_MAX_LINES 100000
#define LOGRING_MAX_BYTES ((size_t)16 << 20)

struct logring_line {
	int64_t ts_ns;            /* 0 = none */
	uint64_t cut;             /* bytes the decoder did not keep (log_cut_marker) */
	uint32_t len;
	uint8_t stream;           /* enum log_stream */
	bool partial;
	char text[];              /* len bytes and a NUL */
};

struct logring;

/* A ring keeping at most max_lines lines and max_bytes bytes (0 = the defaults above). The
 * bytes are those of the lines and their bookkeeping (logring_line_size), so they are the
 * memory the ring uses, give or take the allocator's own overhead. The newest line is always
 * kept, even when it alone is larger than max_bytes. Never NULL. */
struct logring *logring_new(size_t max_lines, size_t max_bytes);
void logring_free(struct logring **r);

/* Copy a decoded line in (the text is copied; l is not kept), dropping the oldest lines as
 * needed. Constant time apart from the copy. */
void logring_push(struct logring *r, const struct log_line *l);

/* Forget every line; the sequence numbers go on. */
void logring_clear(struct logring *r);

/* Lines kept now. */
size_t logring_count(const struct logring *r);
/* Bytes counted against max_bytes now. */
size_t logring_bytes(const struct logring *r);
/* Lines dropped to stay within the bounds (not those logring_clear forgot). */
uint64_t logring_dropped(const struct logring *r);
/* Sequence number of the oldest line kept; of the next line when the ring is empty. */
uint64_t logring_first_seq(const struct logring *r);
/* Sequence number the next pushed line will get (= lines pushed ever). */
uint64_t logring_next_seq(const struct logring *r);

/* Line i, 0 = the oldest kept; NULL when i >= logring_count(). Borrowed: valid until the next
 * push or clear. */
const struct logring_line *logring_get(const struct logring *r, size_t i);

/* What one line counts against max_bytes. */
size_t logring_line_size(size_t text_len);

/* Offset of the first occurrence of needle (nlen bytes) in hay (len bytes), ignoring ASCII
 * case; -1 when none. An empty needle matches at 0. */
ssize_t log_find_ci(const char *hay, size_t len, const char *needle, size_t nlen);

/* The first line at index >= from whose text contains needle (log_find_ci), or -1. With wrap,
 * the search goes on from the oldest line up to from. from may be past the end. */
ssize_t logring_next_match(const struct logring *r, size_t from, const char *needle, bool wrap);
/* The last line at index <= from that contains needle, or -1; with wrap it goes on from the
 * newest line down to from. from may be past the end (then the search starts at the newest). */
ssize_t logring_prev_match(const struct logring *r, size_t from, const char *needle, bool wrap);

#endif
