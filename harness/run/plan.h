/* The plan of a run beyond "the selected tests in path order": CI shards, the
 * profile's known-failures list, and the folding of repeated and retried attempts of one
 * test into the verdict the reports show. Pure functions: no process, no I/O. */
#ifndef M2M_PLAN_H
#define M2M_PLAN_H
#include <stddef.h>
#include "../flow/result.h"
#include "../model/testcase.h"

/* "K/N" with 1 <= K <= N <= PLAN_MAX_SHARDS. Returns 0, or -1 with the reason in err. */
#define PLAN_MAX_SHARDS 1000
int plan_parse_shard(const char *s, unsigned *k, unsigned *n, char *err, size_t errlen);

/* Shard of each id, 1..nshards: the ids sorted bytewise (strcmp), the i-th of them (from 0)
 * goes to shard i mod nshards + 1. Every id lands in exactly one shard, the shards differ in
 * size by at most one, and the split depends only on the set of ids, never on paths,
 * order or time. Ids must be unique (the loader makes sure). */
void plan_shard_assign(const char *const *ids, size_t n, unsigned nshards, unsigned *shard_out);

/* Keeps, in place and in plan order, the tests of shard k of nshards; returns the count. */
size_t plan_shard(testcase **plan, size_t n, unsigned k, unsigned nshards);

/* The known-failures list (profile <known-failure test="ID">reason</known-failure>),
 * applied to a finished result: a listed test that failed, errored or was inconclusive
 * becomes xfail (it passes the run); one that passed or warned becomes xpass (it fails the
 * run: the list is stale). The original verdict and the list's reason are kept in the
 * result, and the reason names both. Skips and unlisted tests are left alone.
 * Returns 1 when the verdict changed. known may be NULL (a certification run). */
int plan_apply_known(test_result *r, const kvlist *known);

/* Folds one more attempt of the same test into acc (acc may be empty: v NONE, id NULL;
 * att is consumed and zeroed). A repeat attempt (retry = 0) keeps the worst verdict: any
 * attempt that failed makes the test fail. A retry attempt (retry = 1, made only for a
 * test whose attempts all failed) replaces the result when it passes. Either way the
 * verdicts are listed in acc->attempts, seconds add up, and acc->flaky is set once a
 * passing and a failing attempt were both seen; a flaky pass gets a reason that says so. */
void plan_add_attempt(test_result *acc, test_result *att, int retry);

/* True for verdicts a --retry re-runs: fail, error, inconc (not xpass: a pass is final). */
int plan_retry_wanted(const test_result *r);

#endif
