/* Turning transport failures and engine error replies into sentences a person can act on. */
#ifndef GB_API_ENGINE_ERRMAP_H
#define GB_API_ENGINE_ERRMAP_H

#include <stddef.h>

/* Exit-code classes shared by every CLI command. */
enum gb_exit { GB_EXIT_OK = 0, GB_EXIT_ERROR = 1, GB_EXIT_USAGE = 2, GB_EXIT_UNREACHABLE = 3,
              GB_EXIT_TERMS = 4 /* the data-use terms must be accepted first */,
              GB_EXIT_DENIED = 5 /* not allowed: the action is for admins, or the policy forbids it */ };

/* Engine replied with an HTTP error. body is the reply (may be NULL, need not be JSON:
 * the engine's {"message": "..."} is used when present). what names the request for the
 * message, e.g. "listing services". Returns a new string (caller frees).
 * 503 "not a swarm manager" becomes: "this engine is not a swarm manager: run `docker swarm
 * init` or point DOCKER_HOST at a manager"; other statuses keep the engine's own message. */
char *errmap_http(long status, const char *body, size_t len, const char *what);

/* The transfer failed before an HTTP reply (CURLcode as int, curl's error buffer text or NULL).
 * endpoint is the display form ("unix:///var/run/docker.sock"). Returns a new string. */
char *errmap_transport(int curl_code, const char *curl_msg, const char *endpoint, const char *what);

/* Whether a transport failure means the engine could not be reached at all (exit 3). */
int errmap_is_unreachable(int curl_code);

#endif
