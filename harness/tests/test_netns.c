/* exec/netns.h: names and addresses per test process, the shell wrapping, and (as root,
 * where `ip netns add` works) a namespace made, its link raised and lowered, a command run
 * inside it, and everything removed again. Without root the namespace tests pass with a
 * printed reason. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "iut/netns.h"
#include "m2m_test.h"

static int can_netns(void)
{
    char why[256];
    if (!netns_possible(why, sizeof why)) {
        printf("\n  skipped: %s\n", why);
        return 0;
    }
    if (system("ip netns add m2mh-unit-probe >/dev/null 2>&1") != 0) {
        printf("\n  skipped: `ip netns add` is not permitted here\n");
        return 0;
    }
    /* `ip netns exec` and `ip -n` enter a new mount namespace and remount /sys there: inside
     * a plain chroot that fails although the namespace itself was made. */
    int entered = system("ip netns exec m2mh-unit-probe true >/dev/null 2>&1") == 0;
    CU_ASSERT_EQUAL(system("ip netns del m2mh-unit-probe"), 0);
    if (!entered) {
        printf("\n  skipped: `ip netns exec` cannot enter a namespace here (a chroot whose root is not a mount point)\n");
        return 0;
    }
    return 1;
}

static void test_names(void)
{
    netns a, b;
    netns_names(&a, 4242);
    netns_names(&b, 4243);
    CU_ASSERT_STRING_EQUAL(a.name, "m2mh4242");
    CU_ASSERT_STRING_EQUAL(a.host_if, "m2mh4242h");
    CU_ASSERT_STRING_EQUAL(a.ns_if, "m2mh4242n");
    CU_ASSERT_EQUAL(strncmp(a.host_addr, "10.213.", 7), 0);
    CU_ASSERT_STRING_NOT_EQUAL(a.host_addr, b.host_addr);   /* two tests side by side (-j) */
    CU_ASSERT_STRING_NOT_EQUAL(a.host_addr, a.ns_addr);
    netns c;
    netns_names(&c, 4194303);   /* the largest pid: names still fit IFNAMSIZ */
    CU_ASSERT_TRUE(strlen(c.host_if) < 16);
}

static void test_wrap(void)
{
    netns n;
    netns_names(&n, 7);
    char *w = netns_wrap(&n, "echo 'a b' $X");
    CU_ASSERT_STRING_EQUAL(w, "exec ip netns exec m2mh7 sh -c 'echo '\\''a b'\\'' $X'");
    free(w);
}

static void test_lifecycle(void)
{
    if (!can_netns()) return;
    netns n;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(netns_create(&n, err, sizeof err), 0);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test -e /run/netns/%s && test -e /sys/class/net/%s", n.name, n.host_if);
    CU_ASSERT_EQUAL(system(cmd), 0);
    CU_ASSERT_EQUAL(netns_link(&n, 1, err, sizeof err), 0);
    CU_ASSERT_EQUAL(n.up, 1);
    /* the namespace's end answers from the host once the link is up */
    char *in = netns_wrap(&n, "ip -o addr show | grep -q 10.213.");
    CU_ASSERT_EQUAL(system(in), 0);
    free(in);
    if (system("command -v ping >/dev/null 2>&1") != 0) {
        CU_FAIL("ping is not installed (iputils-ping; tools/setup/install-deps.sh installs it)");
    } else {
        snprintf(cmd, sizeof cmd, "ping -c 1 -W 2 %s >/dev/null 2>&1", n.ns_addr);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }
    CU_ASSERT_EQUAL(netns_link(&n, 0, err, sizeof err), 0);
    netns_destroy(&n);
    snprintf(cmd, sizeof cmd, "test -e /run/netns/m2mh%d || test -e /sys/class/net/m2mh%dh", (int)getpid(), (int)getpid());
    CU_ASSERT_NOT_EQUAL(system(cmd), 0);
}

static void test_sweep(void)
{
    if (!can_netns()) return;
    netns n;
    char err[256] = "";
    CU_ASSERT_EQUAL_FATAL(netns_create(&n, err, sizeof err), 0);
    netns_sweep(getpid());   /* what the parent does after the test process was killed */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "test -e /run/netns/%s || test -e /sys/class/net/%s", n.name, n.host_if);
    CU_ASSERT_NOT_EQUAL(system(cmd), 0);
}

static void test_error_named(void)
{
    if (!can_netns()) return;
    netns n;
    netns_names(&n, getpid());
    char err[256] = "";
    CU_ASSERT_EQUAL(netns_link(&n, 1, err, sizeof err), -1);   /* nothing created yet */
    CU_ASSERT_STRING_EQUAL(err, "no namespace");
    n.created = 1;
    CU_ASSERT_EQUAL(netns_link(&n, 1, err, sizeof err), -1);   /* no such device: the command named */
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "`ip link set m2mh"));
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("netns", NULL, NULL);
    CU_add_test(s, "names and /30 addresses per test process", test_names);
    CU_add_test(s, "commands wrapped for ip netns exec", test_wrap);
    CU_add_test(s, "namespace and veth made, link raised, removed (root)", test_lifecycle);
    CU_add_test(s, "sweep after a killed test (root)", test_sweep);
    CU_add_test(s, "a failing ip command is named (root)", test_error_named);
}
