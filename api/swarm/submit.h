/* Submitting a job: the steps against the engine, asynchronously, undone on failure.
 *
 *   1. resolve the image's tag to a digest (GET /distribution/{name}/json), unless pinned
 *   2. check that no service has the job's name and no network its network's name; a network
 *      of that name labelled with this job's name and owner is a leftover of an earlier,
 *      interrupted submission and is removed. A name in use is reported in the same words
 *      whoever uses it (a researcher must not learn of another user's jobs); a derived name
 *      is derived again instead, up to 3 names in all.
 *   3. build every body the next steps send: what cannot be built fails here, while nothing
 *      exists yet
 *   4. create the job's internal overlay network
 *   5. store the acceptance record as a swarm config, when there is a new one
 *   6. create the service, pinned to the digest, attached to the network by its ID
 * If a step fails (or the submission is interrupted) before the service exists, the network
 * made in step 4 is removed again: a failed submission never leaves a half-made job. The
 * acceptance record stays: it records a fact (the researcher accepted the terms), and records
 * are immutable; it is made after the network so that a network that cannot be made leaves
 * no record behind either. */
#ifndef GB_API_SWARM_SUBMIT_H
#define GB_API_SWARM_SUBMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "api/core/jobspec.h"
#include "api/engine/engine.h"

struct submit_args {
	struct job_plan *plan;             /* borrowed until done; a derived name that is taken is
	                                    * replaced (job_plan_rename): read the name from it after */
	const char *terms_sha256;
	const char *consent_name;          /* the acceptance record the job cites */
	const char *consent_json;          /* a new record to store first, or NULL */
	const char *consent_labels;        /* its labels, a JSON object text */
	const char *registry_auth;         /* X-Registry-Auth value or NULL; copied into secmem,
	                                      wiped when the submission is freed; never logged */
	int64_t now;                       /* unix seconds */
};

struct submit_result {
	bool ok;
	enum job_field field;              /* the field an error is about, JF_COUNT for none */
	const char *error;                 /* a sentence, NULL when ok */
	const char *service_id, *network_id, *image_pinned;
	const char *warnings;              /* the engine's, or NULL */
	bool rolled_back;                  /* the network made for it was removed again */
};

struct submit;

/* Borrowed strings, valid during the call. */
typedef void (*submit_progress_fn)(void *ud, const char *step);
typedef void (*submit_done_fn)(void *ud, const struct submit_result *r);

/* Start; the strings of args are copied, except plan. done is called once. */
struct submit *submit_start(struct engine *e, const struct submit_args *args,
                            submit_progress_fn progress, submit_done_fn done, void *ud);

/* Stop at the next step boundary and undo what was made; done then reports "interrupted"
 * (or success, when the service already existed). */
void submit_interrupt(struct submit *s);

/* After done, or to abandon a submission without callbacks (requests are cancelled, nothing is
 * undone: use submit_interrupt for that). */
void submit_free(struct submit **s);

/* An unpredictable value for a derived job name's suffix (job_plan_make, job_plan_rename),
 * from the kernel's random source, getrandom(2). Returns 0, or -1 with *err when there is
 * none: a guessable suffix would let another user take a job's name before it is made. */
int submit_name_random(uint32_t *rnd, char **err);

#endif
