/* Driving the IUT (exec_int.h): the profile's start command with its readiness probe and
 * restarts, the other named triggers, the operator prompt when a trigger has no command, and
 * the veth of <control netns> following <link state>. */
#include "exec_int.h"
#include "steps_field.h"
#include "evidence.h"
#include "../util/timeutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void wake_only(evloop *l, void *ctx) { (void)l; (void)ctx; }

/* Has the IUT's process ended? The first call that sees it records iut.exit. */
static int iut_check_exit(exec *x)
{
    if (!x->iut.pid || x->iut.exited || !iut_poll(&x->iut)) return 0;
    x->iut_exit_ns = mono_now_ns();
    char st[96];
    iut_describe(&x->iut, st, sizeof st);
    timeline_add(&x->tl, "iut.exit", NULL, "status", st, (char *)NULL);
    return 1;
}

/* The IUT's process ending during a test is evidence (a device that gives up after a
 * failed handshake): record it as iut.exit once. */
static void watch_iut(evloop *l, void *ctx)
{
    exec *x = ctx;
    if (iut_check_exit(x)) {
        /* Steps waiting on the IUT end 100 ms after its exit (iut_ended): wake the loop
         * then, or a quiet loop would sleep until the step's whole window has passed. */
        loop_timer_add(l, 150 * NS_PER_MS, wake_only, NULL);
        x->watching = 0;
        return;
    }
    loop_timer_add(l, 50 * NS_PER_MS, watch_iut, x);
}

/* Serve the loop until the command (a readiness probe, a trigger) exits or the deadline
 * passes; 1 when it exited. Polled every 20 ms: nothing wakes the loop when a child ends, and
 * once the IUT's own process is gone no watch timer does either. */
static int wait_command(exec *x, iut_proc *cmd, int64_t end)
{
    while (!iut_poll(cmd)) {
        int64_t now = mono_now_ns();
        if (now >= end) return 0;
        loop_run_until(x->loop, now + 20 * NS_PER_MS < end ? now + 20 * NS_PER_MS : end, NULL, NULL);
    }
    return 1;
}

/* A trigger without a command is an operator's job (ATS Upper Tester fallback): show the
 * prompt on the terminal and wait for Enter, with the loop running so the IUT is served
 * meanwhile. Without a terminal (CI) nobody can answer: inconclusive, at once. */
typedef struct prompt_wait { int answered; } prompt_wait;

static void on_operator_line(evloop *l, int fd, short ev, void *ctx)
{
    (void)l; (void)ev;
    char buf[256];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n != 0) ((prompt_wait *)ctx)->answered = 1;
}

static int prompt_answered(void *ctx) { return ((prompt_wait *)ctx)->answered; }

static void run_prompt(exec *x, const tc_step *s, const profile_trigger *t)
{
    if (!isatty(STDIN_FILENO)) {
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: trigger '%s' needs an operator (\"%s\") "
                    "and no terminal is attached", s->line, s->trigger, t->prompt);
        return;
    }
    fprintf(stderr, "\n>>> %s: %s [press Enter when done]\n", x->tc->id, t->prompt);
    prompt_wait pw = { 0 };
    loop_add_fd(x->loop, STDIN_FILENO, on_operator_line, &pw);
    int64_t limit = s->timeout_ns ? s->timeout_ns : t->timeout_ns;   /* the profile always gives one */
    loop_run_until(x->loop, mono_now_ns() + limit, prompt_answered, &pw);
    loop_del_fd(x->loop, STDIN_FILENO);
    timeline_add(&x->tl, "iut.trigger", NULL, "name", s->trigger, "by", "operator",
                 "answered", pw.answered ? "true" : "false", (char *)NULL);
    if (!pw.answered)
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: the operator did not confirm trigger '%s' within %.3g s",
                    s->line, s->trigger, ns_to_sec(limit));
    else step_log(x, s, "trigger %s: confirmed by the operator", s->trigger);
}

/* A start command that ends with status 0 before its IUT is ready (a script that powers a
 * bench device on) launched the IUT rather than being it: its end is not the IUT's. */
static int launcher_exit(const iut_proc *p)
{
    return p->exited && WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0;
}

/* The profile's readiness probe, after the start command: run it again after 10 ms, then
 * at doubling intervals up to every 100 ms (an IUT that starts in 20 ms is not kept waiting
 * 100 ms for the second probe), until it
 * exits 0 or the profile's ready timeout passes (then the IUT never became ready), or the
 * IUT's process ends first: then 1, and no verdict yet (the caller may start it again). */
static int wait_ready(exec *x, const tc_step *s)
{
    if (!x->p->ready_command) return 0;
    char err[256];
    char *cmd = vars_expand_command(&x->v, x->p, x->p->ready_command, err, sizeof err);
    if (!cmd) {
        verdict_set(&x->vs, VERDICT_ERROR, "readiness probe (profile line %d): %s%s%s", x->p->ready_line,
                    strchr(err, ' ') ? "" : "unknown variable ${", err, strchr(err, ' ') ? "" : "}");
        return -1;
    }
    if (x->ns) cmd = netns_wrap_free(x->ns, cmd);
    int64_t end = mono_now_ns() + x->p->ready_timeout_ns;
    int ready = 0, gone = 0;
    int64_t pause = 10 * NS_PER_MS;
    x->iut_launched = 0;
    while (!ready && mono_now_ns() < end) {
        iut_check_exit(x);   /* (or the watch timer saw it while the last probe ran) */
        if (x->iut.pid && !x->iut_launched && launcher_exit(&x->iut)) {
            x->iut_launched = 1;
            step_log(x, s, "the start command finished with status 0 before the IUT was ready: "
                     "a launcher; the IUT runs on its own");
        }
        if (x->iut.pid && x->iut.exited && !x->iut_launched) {
            gone = 1;
            break;
        }
        iut_proc probe;
        if (iut_spawn(cmd, x->iut_log, &probe, err, sizeof err) < 0) break;
        if (wait_command(x, &probe, end) && WIFEXITED(probe.status) && WEXITSTATUS(probe.status) == 0)
            ready = 1;
        else if (!probe.exited) iut_stop(&probe, 100 * NS_PER_MS);
        if (!ready) loop_run_until(x->loop, mono_now_ns() + pause, NULL, NULL);
        if (pause < 100 * NS_PER_MS) pause = pause * 2 > 100 * NS_PER_MS ? 100 * NS_PER_MS : pause * 2;
    }
    /* A probe that succeeded while the IUT was dying answered for some other process on the
     * port (another test's IN-CSE after a port clash): not ready, the IUT is gone. */
    iut_check_exit(x);
    if (ready && x->iut.pid && x->iut.exited && !x->iut_launched) {
        if (launcher_exit(&x->iut)) x->iut_launched = 1;
        else {
            ready = 0;
            gone = 1;
        }
    }
    free(cmd);
    timeline_add(&x->tl, "iut.ready", NULL, "ready", ready ? "true" : "false", (char *)NULL);
    if (gone) return 1;
    if (!ready) {
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: the IUT did not become ready: its readiness probe "
                    "did not succeed within the profile's ready-timeout", s->line);
        return -1;
    }
    return 0;
}

/* Attach mode: the start trigger starts nothing. With a <ready> probe it runs it, as after a
 * start; without one the run checked the IUT once before its first test (run/ready.h: for an
 * IN-CSE a RETRIEVE of its CSEBase answered 2000), and a device's first datagram is what the
 * next steps wait for anyway. */
static void attach_start(exec *x, const tc_step *s)
{
    if (x->p->ready_command) {
        if (wait_ready(x, s) == 0) {
            timeline_add(&x->tl, "iut.attached", NULL, "ready", "true", (char *)NULL);
            step_log(x, s, "trigger start: attach mode (no start command): the IUT runs already; its readiness probe succeeded");
        }
        return;
    }
    timeline_add(&x->tl, "iut.attached", NULL, (char *)NULL);
    step_log(x, s, "trigger start: attach mode (no start command): the IUT runs already%s",
             strcmp(x->p->role, "field") ? "; its first datagram is what the next steps wait for"
                                         : "; it was found ready before the run");
}

void run_trigger(exec *x, phase ph, const tc_step *s)
{
    const profile_trigger *t = profile_trigger_find(x->p, s->trigger);
    char err[256], what[512];
    if (x->attached && !strcmp(s->trigger, "start")) {
        attach_start(x, s);
        return;
    }
    if (t && !t->command && t->prompt) {
        run_prompt(x, s, t);
        return;
    }
    if (!t || !t->command) {
        snprintf(what, sizeof what, "the profile has no command or prompt for trigger '%s'", s->trigger);
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: %s", s->line, what);
        step_log(x, s, "%s", what);
        return;
    }
    int is_start = strcmp(s->trigger, "start") == 0;
    iut_proc proc;
    for (int attempt = 0;; attempt++) {
        char *cmd = vars_expand_command(&x->v, x->p, t->command, err, sizeof err);
        if (!cmd) {
            /* vars_expand names an unknown variable alone, a syntax error in a sentence */
            verdict_set(&x->vs, VERDICT_ERROR, "trigger '%s' (profile line %d): %s%s%s", s->trigger, t->line,
                        strchr(err, ' ') ? "" : "unknown variable ${", err, strchr(err, ' ') ? "" : "}");
            return;
        }
        if (x->ns) cmd = netns_wrap_free(x->ns, cmd);   /* every IUT command runs in its namespace */
        if (x->ns && is_start && !x->ns->up && !x->veth_held) {   /* the harness raises the link: net.up is its step */
            if (netns_link(x->ns, 1, err, sizeof err) < 0) {
                verdict_set(&x->vs, VERDICT_ERROR, "step at line %d: raising the veth link: %s", s->line, err);
                free(cmd);
                return;
            }
            timeline_add(&x->tl, "net.up", x->ns->ns_addr, "link", x->ns->host_if, (char *)NULL);
        }
        if (iut_spawn(cmd, x->iut_log, &proc, err, sizeof err) < 0) {
            snprintf(what, sizeof what, "trigger '%s' could not run: %s", s->trigger, err);
            verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: %s", s->line, what);
            free(cmd);
            return;
        }
        free(cmd);
        timeline_add(&x->tl, "iut.trigger", NULL, "name", s->trigger, (char *)NULL);
        if (!is_start) break;
        if (x->iut.pid) iut_stop(&x->iut, NS_PER_SEC);
        x->iut = proc;
        if (!x->watching) {
            x->watching = 1;
            loop_timer_add(x->loop, 50 * NS_PER_MS, watch_iut, x);
        }
        if (x->o->result_fd >= 0) dprintf(x->o->result_fd, "iut_pgid %d\n", (int)proc.pid);
        char pid[24];   /* ${IUT_PID} for other triggers (a start command that execs: the IUT itself) */
        snprintf(pid, sizeof pid, "%d", (int)proc.pid);
        vars_set(&x->v, "IUT_PID", pid);
        step_log(x, s, "trigger start: IUT process %d started", (int)proc.pid);
        if (wait_ready(x, s) != 1) return;
        /* It ended before it was ready. When the harness picked its ports, another process
         * may have taken one meanwhile: new ports, started again (at most twice, on the
         * timeline as iut.restart). Otherwise, or the third time, inconclusive. */
        char st[96], tail[300];
        iut_describe(&x->iut, st, sizeof st);
        if (attempt < 2 && x->repick && field_pick_ports(x->p, &x->env)) {
            char port[16];
            snprintf(port, sizeof port, "%d", env_iut_coap_port(&x->env, x->p));
            vars_set(&x->v, "IUT_COAP_PORT", port);
            snprintf(port, sizeof port, "%d", env_iut_coaps_port(&x->env, x->p));
            vars_set(&x->v, "IUT_COAPS_PORT", port);
            timeline_add(&x->tl, "iut.restart", NULL, "reason", "exited before it was ready", "status", st,
                         "coaps-port", port, (char *)NULL);
            step_log(x, s, "the IUT %s before it was ready: started again on new ports", st);
            continue;
        }
        evidence_error_lines(x->iut_log, 3, tail, sizeof tail);
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: the IUT %s before it became ready%s%s", s->line, st,
                    tail[0] ? "; its output says: " : "", tail);
        return;
    }
    int64_t limit = s->timeout_ns ? s->timeout_ns : t->timeout_ns;
    if (!wait_command(x, &proc, mono_now_ns() + limit)) {
        iut_stop(&proc, 200 * NS_PER_MS);
        snprintf(what, sizeof what, "trigger '%s' did not finish within %.3g s", s->trigger, ns_to_sec(limit));
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: %s", s->line, what);
        return;
    }
    char st[96];
    iut_describe(&proc, st, sizeof st);
    if (!WIFEXITED(proc.status) || WEXITSTATUS(proc.status) != 0) {
        snprintf(what, sizeof what, "trigger '%s' %s", s->trigger, st);
        verdict_set(&x->vs, VERDICT_INCONC, "step at line %d: %s", s->line, what);
        return;
    }
    step_log(x, s, "trigger %s: %s", s->trigger, st);
    (void)ph;
}

/* Under <control netns>, <link state> also lowers or raises the host end of the veth, so the
 * IUT's own link follows the step (its sends fail or vanish in the kernel), not only the
 * harness's UDP layer. A down before the start trigger keeps start from raising it. */
int link_veth(exec *x, const tc_step *s, char *m, size_t len)
{
    const char *state = s->kind == STEP_LINK ? kvlist_get(&s->net, "state") : NULL;
    if (!x->ns || !state) return 0;
    int up = strcmp(state, "up") == 0;
    x->veth_held = !up;
    if (!x->ns->created || up == x->ns->up) return 0;
    char err[200];
    if (netns_link(x->ns, up, err, sizeof err) < 0) {
        snprintf(m, len, "%s the veth link: %s", up ? "raising" : "lowering", err);
        return -1;
    }
    timeline_add(&x->tl, up ? "net.up" : "net.down", x->ns->ns_addr, "link", x->ns->host_if, (char *)NULL);
    size_t n = strnlen(m, len);
    if (n < len) snprintf(m + n, len - n, "; veth %s %s", x->ns->host_if, up ? "up" : "down");
    return 0;
}
