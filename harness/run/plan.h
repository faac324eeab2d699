/* The plan of a run beyond "the selected tests in path order": CI shards, the
 * profile's known-failures list, and the folding of repeated and retried attempts of one
 * test into the verdict the reports show. Pure functions: no process, no I/O. */
#ifndef M2M_PLAN_H
#define M2M_PLAN_H
#include <stddef.h>
#include "../flow/result.h"
#include "../model/testcase.h"
#include "../model/profile.h"

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

/* How long the test is expected to take against a correct IUT, from its steps alone (no
 * history, no clock): the sum of what it must wait out whatever the IUT does — <wait>, the
 * window of an <expect> that passes on silence, an association the IUT is expected to refuse
 * (the harness's handshake runs to its total timer) — with the profile's timers. Steps that
 * end when an event comes count nothing. Used to start long waits first (run/pool.h); it
 * never changes a verdict. */
int64_t plan_expected_ns(const testcase *tc, const profile *p);

/* A test the scheduler counts as CPU-bound: nothing in it is expected to wait long
 * (plan_expected_ns below PLAN_WAITING_NS), so it keeps a core busy while it runs. */
#define PLAN_WAITING_NS (1000LL * 1000 * 1000)

/* The default -j for a plan (no -j given): every test expected to wait (PLAN_WAITING_NS or
 * longer) waits at the same time as the others, beside cpu_jobs CPU-bound ones, so no wait is
 * queued behind another: waiting + cpu_jobs, at least base (the per-core default) and at most
 * 4 x base. */
unsigned plan_default_jobs(unsigned base, unsigned cpu_jobs, size_t waiting);

/* The lock key of each profile of a run (keys[i] malloc'd, or NULL), for the job pool: the
 * tests of a profile that drives a single real IUT never run at once, nor with those of
 * another profile naming the same IUT, unless the two profiles' identities are disjoint.
 * - A profile without a start command attaches to an IUT that is already running: keyed on
 *   the IUT's address and port ("iut 192.0.2.1:5684"; the harness's listen port for a device,
 *   which reaches the harness there).
 * - Else one with fixed listen ports (the IUT was configured with them): keyed on the
 *   harness's address and port.
 * - Else (the bundled peers: a new IUT per test on ephemeral ports): NULL, no lock.
 * Two profiles with the same key share one lock when their originator identities (PSK
 * identity, the harness's CSE-ID and AE-ID; in role in-cse also the IUT's CSE-ID and AE-ID: a
 * device originates there) have one in common; with disjoint identities each gets a lock of
 * its own ("... #<index of the first profile of the group>"). In role field the IN-CSE's own
 * CSE-ID does not count: every profile naming that IN-CSE gives it. The tests of one profile
 * share its lock: they register the same identities, so they share the IUT's state. */
void plan_iut_locks(const profile *const *ps, size_t n, char **keys);

/* Attach mode (profile_attached): does tc need what an IUT the harness does not start cannot
 * give? 1 with the reason when it does (the test is skipped before the run, and `validate`
 * lists it): a restart (a second <trigger name="start"/>, or a start after other steps, which
 * would start the IUT at that point of the test), or a trigger other than start the profile
 * has no command or prompt for. 0 for a profile that is not attached. */
int plan_attach_needs(const testcase *tc, const profile *p, char *reason, size_t len);

/* True for verdicts a --retry re-runs: fail, error, inconc (not xpass: a pass is final). */
int plan_retry_wanted(const test_result *r);

#endif
