/* Engine API version negotiation (see ../shared/ref/ENGINE-API-NOTES.md section 1).
 * Versions are "1.NN"; glovebox only speaks major version 1. */
#ifndef GB_API_ENGINE_VERSION_H
#define GB_API_ENGINE_VERSION_H

#define API_MIN_MINOR 41   /* Debian's Engine 20.10; our feature floor */
#define API_MAX_MINOR 56   /* the newest spec in ../shared/ref/ */

/* Parse "1.NN" into NN. Returns 0, or -1 when the text is not a version. */
int version_parse(const char *text, int *minor);

/* Pick the version to speak.
 * override: DOCKER_API_VERSION (NULL or "" when unset); when set it disables negotiation
 *           and must itself be a valid version within [API_MIN_MINOR, API_MAX_MINOR].
 * header:   the Api-Version header of /_ping (NULL when absent: then API_MAX_MINOR).
 * Result: min(header, API_MAX_MINOR); below API_MIN_MINOR is an error that names both versions.
 * Returns 0 with *minor set, or -1 with *err (owned by the caller). */
int version_negotiate(const char *override, const char *header, int *minor, char **err);

#endif
