/* Whether a file that was read may decide anything for people other than its writer.
 *
 * A policy file names the admins, the datasets each group may mount and where results go: if
 * someone other than root could change it, they could grant themselves all of that. So a
 * file is trusted when the file that was actually read (fstat of the descriptor, never a
 * second lookup of the path, which a symbolic link swapped in between would redirect) is
 * owned by root and not writable by group or others, and every directory above the path the
 * descriptor resolves to is owned by root and not writable by group or others, except that a
 * directory with the sticky bit (/tmp) may be. If the resolved path no longer names the file
 * that was read, it changed while glovebox looked: not trusted. */
#ifndef GB_API_BASE_TRUST_H
#define GB_API_BASE_TRUST_H

#include <stdbool.h>

/* fd: an open descriptor of the file; name: how to call it in *why. Returns true, or false
 * with *why (owned) saying what is wrong. Looks at the file system (lstat on each parent). */
bool trust_fd(int fd, const char *name, char **why);

#endif
