/* Shared by the cmocka unit tests (linked into every tests/unit/test_*.c binary). */
#ifndef GB_TESTS_SUPPORT_H
#define GB_TESTS_SUPPORT_H

#include <stddef.h>

/* Read tests/fixtures/<name> (relative to the repository root, where tests/run.sh runs the
 * binaries; $GB_ROOT overrides). Returns a malloc'd NUL-terminated buffer and its length in
 * *len (may be NULL); aborts the test program when the file is missing. */
char *fixture_read(const char *name, size_t *len);

#endif
