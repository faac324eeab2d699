/* IUT control: commands run in their own process group, are stopped with everything they
 * started, and report how they ended. */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "iut/iutctl.h"
#include "util/xmem.h"
#include "m2m_test.h"
#include "util/timeutil.h"

static void test_exit_status(void)
{
    iut_proc p;
    char err[128], d[96];
    CU_ASSERT_EQUAL_FATAL(iut_spawn("exit 3", NULL, &p, err, sizeof err), 0);
    int64_t end = mono_now_ns() + 5 * NS_PER_SEC;
    while (!iut_poll(&p) && mono_now_ns() < end) usleep(1000);
    CU_ASSERT_TRUE(p.exited);
    CU_ASSERT_TRUE(WIFEXITED(p.status));
    CU_ASSERT_EQUAL(WEXITSTATUS(p.status), 3);
    iut_describe(&p, d, sizeof d);
    CU_ASSERT_STRING_EQUAL(d, "exited with status 3");
}

/* Gone or a zombie waiting for init to reap it (its parent, the shell, is dead). */
static int alive(int pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z' && rp[2] != 'X';
}

static void test_stop_kills_the_group(void)
{
    char dir[] = "/tmp/m2m-iutctl-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char *pidfile = xasprintf("%s/child.pid", dir);
    char *log = xasprintf("%s/log", dir);
    /* the shell starts a grandchild that ignores nothing special; stop must reach it */
    char *cmd = xasprintf("sleep 30 & echo $! > %s; echo started; wait", pidfile);
    iut_proc p;
    char err[128];
    CU_ASSERT_EQUAL_FATAL(iut_spawn(cmd, log, &p, err, sizeof err), 0);
    /* wait (bounded) until the shell has written the grandchild's pid and its line: on a
     * loaded machine either may come late, and a stop before them would test nothing */
    int64_t end = mono_now_ns() + 5 * NS_PER_SEC;
    int gc = 0;
    char line[64] = "";
    while (mono_now_ns() < end && (gc <= 0 || strcmp(line, "started\n") != 0)) {
        FILE *f = fopen(pidfile, "r");
        if (f) {
            if (fscanf(f, "%d", &gc) != 1) gc = 0;
            fclose(f);
        }
        FILE *l = fopen(log, "r");
        if (l) {
            if (!fgets(line, sizeof line, l)) line[0] = '\0';
            fclose(l);
        }
        if (gc <= 0 || strcmp(line, "started\n") != 0) usleep(10000);
    }
    CU_ASSERT_TRUE_FATAL(gc > 0);
    iut_stop(&p, 500 * NS_PER_MS);
    CU_ASSERT_TRUE(p.exited);
    /* the grandchild is gone too: killed with the group, it may take a moment to exit */
    end = mono_now_ns() + 5 * NS_PER_SEC;
    while (alive(gc) && mono_now_ns() < end) usleep(10000);
    CU_ASSERT_FALSE(alive(gc));
    CU_ASSERT_STRING_EQUAL(line, "started\n");   /* the command's output is in its log */
    unlink(pidfile);
    unlink(log);
    rmdir(dir);
    free(pidfile);
    free(log);
    free(cmd);
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("iutctl", NULL, NULL);
    CU_add_test(s, "exit status is reported", test_exit_status);
    CU_add_test(s, "stop kills the whole process group, output is logged", test_stop_kills_the_group);
}
