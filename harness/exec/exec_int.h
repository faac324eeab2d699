/* Internal to harness/exec: the state of one test's execution, shared by executor.c (the
 * step loop, verdicts, reports) and steps_iut.c (driving the IUT: start, readiness,
 * triggers, the operator prompt, the veth under netns). Not a public interface. */
#ifndef M2M_EXEC_INT_H
#define M2M_EXEC_INT_H
#include "executor.h"
#include "../iut/iutctl.h"
#include "../iut/netns.h"
#include "wire.h"
#include "../model/testenv.h"
#include "../model/vars.h"
#include "../util/xmem.h"

typedef enum { PHASE_PREAMBLE, PHASE_BODY, PHASE_POSTAMBLE } phase;

typedef struct exec {
    const testcase *tc;
    const profile *p;
    const exec_opts *o;
    evloop *loop;
    timeline tl;
    vars v;
    wire *w;
    iut_proc iut;
    int64_t iut_exit_ns;      /* when the watch saw the IUT's process end */
    int iut_launched;         /* the start command exited 0 before ready: it launched the IUT */
    char *iut_log;
    size_t cursor;            /* timeline events before it are consumed by earlier steps */
    const tc_step *expecting; /* the <expect> step running now, for <respond> overrides */
    size_t *answered;         /* the msg.rx events its <respond> answered (timeline indexes) */
    size_t nanswered, capanswered;
    verdict_state vs;
    strbuf steps_log;         /* one line per step: what happened */
    netns *ns;                /* <control netns="true">: the IUT's namespace (netns.h) */
    int veth_held;            /* a <link state="down"> ran: the start trigger leaves the veth down */
    int watching;             /* watch_iut's timer is armed */
    test_env env;             /* what this test picked: the IUT's ports, the veth's addresses, bound ports */
    int repick;               /* env's IUT ports were picked (role field): a restart may pick new ones */
    int control_assoc_ok;     /* an association with the profile's credential completed (control="handshake") */
    const tc_step *control_pending;   /* a negative step passed, waiting for that association */
    int link_notice[2];       /* the IUT's link notices (iut/iutctl.h iut_set_link_fd): read, write end */
    const tc_step *shape_pending;     /* a step took silence to a request as a refusal ... */
    long shape_req;                   /* ... of this request (timeline index): waiting for proof
                                         that the IUT answers requests of its shape */
    int attached;             /* attach mode (profile_attached): exec/attach.c */
    int leftover_tried;       /* the running <expect> dealt with a leftover once */
    const tc_step *last_create;   /* the last <send op="create">, sent again after a leftover */
} exec;

/* One line of the test's step log ("line N: ..."). */
void step_log(exec *x, const tc_step *s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A step that did not go as expected: the verdict its phase gives (step_verdict.c). */
void step_failed(exec *x, phase ph, const tc_step *s, const char *what);
/* A negative step passed in tl[from, x->tl.n): its positive controls (step_verdict.c); 0
 * when they hold (or wait for the end of the steps), -1 after setting inconc. */
int check_controls(exec *x, const tc_step *s, size_t from, unsigned sa, int64_t window_ns, const char *how);
/* Silence accepted for the request sent just before tl[from]: counts once the IUT answers a
 * request of its shape (step_verdict.c). */
void note_silence_to_request(exec *x, const tc_step *s, size_t from);
/* At the end of the steps: the controls that waited (handshake, the request's shape). */
void check_pending_controls(exec *x);
/* The IUT's process ended on an unanswered request of the harness: 1 with the request, the
 * delay, the exit status and the error lines in buf. */
int exit_after_request(exec *x, char *buf, size_t len);
/* <trigger name="...">: the profile's command (start: spawn, readiness, restarts on new
 * ports), or its operator prompt (steps_iut.c). */
void run_trigger(exec *x, phase ph, const tc_step *s);
/* Attach mode (attach.c): the run's id appended to the rn of a CREATE that is no registration;
 * whether tl[i] answers a CREATE step s wants created with 4105/4117 (a leftover of an earlier
 * run); deleting that leftover (1 when deleted: the CREATE may be sent again); deleting what
 * the test created, at its end. */
void attach_name(exec *x, m2m_prim *req);
int attach_is_leftover(const exec *x, const tc_step *s, size_t i);
int attach_leftover(exec *x, const tc_step *s, size_t i);
void attach_cleanup(exec *x);
/* <link state> under <control netns>: the veth follows (steps_iut.c); 0 or -1 with m set. */
int link_veth(exec *x, const tc_step *s, char *m, size_t len);

#endif
