/* For the job spec tests (test_jobspec.c, test_jobspec_spec.c): a policy built by hand, so they
 * do not depend on the policy parser, two users, and job_plan_make's expected outcomes. */
#ifndef GB_TESTS_JOBSPEC_POLICY_H
#define GB_TESTS_JOBSPEC_POLICY_H

#include "api/base/str.h"
#include "api/core/identity.h"
#include "api/core/jobspec.h"
#include "api/core/policy.h"

#define GiB (1LL << 30)
#define MiB (1LL << 20)
#define DIGEST "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define IMAGE "127.0.0.1:5000/lab/analysis:1.3"
#define NOW 1700000000   /* 2023-11-14T22:13:20Z */
#define NETID "q3v0kx1l2m8r5t7y9w4z6a1b3"

/* Copies of n strings (calloc'd, never NULL); strv_free (api/base/str.h) frees them. */
char **strv(size_t n, const char *const *v);

/* Classes default, highram and gpu; datasets public, oncology (group oncology) and genomics;
 * one registry, 127.0.0.1:5000. Free it with policy_free_by_hand. */
struct policy *policy_new(void);
void policy_free_by_hand(struct policy *p);
/* cmocka fixtures: *state is a policy_new(). */
int policy_setup(void **state);
int policy_teardown(void **state);

/* alice is in the group oncology, bob is not. */
extern const struct identity alice, bob;

/* s, or "(null)" for messages. */
const char *or_null(const char *s);
/* Fails the test when any field has an error. */
void assert_no_errors(const struct job_errors *e);
/* Only field f is wrong, with a message containing want. */
void expect_error(const struct policy *p, const struct job_request *r,
                  const struct identity *id, enum job_field f, const char *want);
/* job_plan_make succeeds (with rnd 0xbeef); the caller clears plan. */
void expect_ok(const struct policy *p, const struct job_request *r,
               const struct identity *id, struct job_plan *plan);

#define T(f) cmocka_unit_test_setup_teardown(f, policy_setup, policy_teardown)

#endif
