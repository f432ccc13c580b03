/* The set-group-ID gateway install (docs/admin-guide.md): glovebox is installed setgid to the
 * group that owns the engine's socket, so researchers reach the engine through glovebox only.
 *
 * The group may serve for one thing: connecting to that socket. So, once priv_init() has run:
 *   - every file glovebox or a library opens (policies, terms, config.json, the log, the
 *     history, the keyring's bus socket) is opened with the real group: the file system gid
 *     (setfsgid, per thread, inherited by threads made later) is the real one;
 *   - the group comes back for the moment the engine's socket is connected
 *     (priv_socket_begin/priv_socket_end around curl's socket and connect), and only when
 *     priv_keep_for() accepted the endpoint: a unix socket whose group is the set-group-ID;
 *   - for any other endpoint (DOCKER_HOST or --host naming something else, tcp, TLS) the group
 *     is dropped for good before anything is connected, so an engine of the user's own never
 *     speaks to a program that holds the group.
 * Without the setgid bit (the real and effective gids equal) every function does nothing.
 * Process-wide state, set once from main's thread before any other thread exists. */
#ifndef GB_API_BASE_PRIV_H
#define GB_API_BASE_PRIV_H

#include <stdbool.h>

/* Call first in main, before any file is opened or thread started. */
void priv_init(void);

/* Whether glovebox runs with a group it was given by the setgid bit (and has not dropped). */
bool priv_setgid(void);

/* Keep the group only when the engine is the unix socket at socket_path (NULL: the engine is
 * not a unix socket) and that socket belongs to the set-group-ID group; else drop it for good.
 * Returns true when the group is kept. Call before the engine is connected. */
bool priv_keep_for(const char *socket_path);

/* Drop the group for good: setresgid to the real gid. Aborts (after saying why) when the
 * kernel refuses, since going on would keep the group where it must not be. */
void priv_drop(void);

/* Around connecting the engine's socket: the file system gid becomes the set-group-ID
 * (when kept), then the real gid again. Nestable no further than one level; cheap. */
void priv_socket_begin(void);
void priv_socket_end(void);

/* Around opening a secret file that a trusted policy names and only root and the group may
 * read (the metrics credentials file, docs/metrics.md): the same as priv_socket_begin/end. The
 * caller trust-checks the file it opened (api/base/trust.h) before using a byte of it. */
void priv_secret_file_begin(void);
void priv_secret_file_end(void);

#endif
