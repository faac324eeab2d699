#include "peer_util.h"
#include "util/diag.h"
#include "util/xmem.h"
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The shared options, by name; option i has the code OPT_BASE + i, above every character a
 * peer's own options use. All but the last two take an argument. */
static const char *const shared[] = {
    "profile", "coap-port", "coaps-port", "fault", "hostile", "cert", "key", "trust",
    "mef-port", "mef-cert", "mef-key", "mef-trust", "separate-responses", "help",
};
enum {
    OPT_BASE = 0x100, OPT_PROFILE = OPT_BASE, OPT_COAP, OPT_COAPS, OPT_FAULT, OPT_HOSTILE, OPT_CERT, OPT_KEY,
    OPT_TRUST, OPT_MEF_PORT, OPT_MEF_CERT, OPT_MEF_KEY, OPT_MEF_TRUST, OPT_SEPARATE, OPT_HELP
};
#define NSHARED (sizeof shared / sizeof shared[0])

void peer_usage(const peer_cli *cli, FILE *f)
{
    cli->usage(f);
    fputs("faults:\n", f);
    for (const peer_fault *x = cli->faults; x->name; x++) fprintf(f, "  %-22s %s\n", x->name, x->what);
    cli->hostile_usage(f);
}

/* 1 when code is a shared option (stored in o). */
static int shared_opt(int code, const char *arg, peer_opts *o)
{
    switch (code) {
    case OPT_PROFILE: o->profile = arg; break;
    case OPT_COAP: o->coap_port = atoi(arg); break;
    case OPT_COAPS: o->coaps_port = atoi(arg); break;
    case OPT_FAULT: o->fault = arg; break;
    case OPT_HOSTILE: o->hostile = arg; break;
    case OPT_CERT: o->cert = arg; break;
    case OPT_KEY: o->key = arg; break;
    case OPT_TRUST: o->trust = arg; break;
    case OPT_MEF_PORT: o->mef_port = atoi(arg); break;
    case OPT_MEF_CERT: case OPT_MEF_KEY: case OPT_MEF_TRUST: o->mef_cert[code - OPT_MEF_CERT] = arg; break;
    case OPT_SEPARATE: o->separate = 1; break;
    default: return 0;
    }
    return 1;
}

static int refuse(const peer_cli *cli, const char *what, const char *name)
{
    if (what) fprintf(stderr, "%s: unknown %s '%s'\n", cli->name, what, name);
    peer_usage(cli, stderr);
    return 2;
}

int peer_parse(const peer_cli *cli, int argc, char **argv, peer_opts *o)
{
    memset(o, 0, sizeof *o);
    size_t nown = 0;
    while (cli->own[nown].name) nown++;
    struct option *all = xcalloc(NSHARED + nown + 1, sizeof *all);
    for (size_t i = 0; i < NSHARED; i++)
        all[i] = (struct option){ shared[i], OPT_BASE + (int)i < OPT_SEPARATE ? required_argument : no_argument, 0,
                                  OPT_BASE + (int)i };
    memcpy(all + NSHARED, cli->own, nown * sizeof *all);
    int code, rc = 0;
    while (!rc && (code = getopt_long(argc, argv, "h", all, NULL)) != -1) {
        if (code == OPT_HELP || code == 'h') {
            peer_usage(cli, stdout);
            rc = 1;
        } else if (!shared_opt(code, optarg, o) && (code == '?' || cli->own_opt(code, optarg, cli->ctx) < 0)) {
            rc = refuse(cli, NULL, NULL);
        }
    }
    free(all);
    if (rc) return rc;
    const peer_fault *x = cli->faults;
    while (o->fault && x->name && strcmp(x->name, o->fault) != 0) x++;
    if (o->fault && !x->name) return refuse(cli, "fault", o->fault);
    if (o->hostile && !cli->hostile_known(o->hostile)) return refuse(cli, "hostile switch", o->hostile);
    return 0;
}

profile *peer_load_profile(const char *path)
{
    diag d;
    diag_init(&d);
    profile *p = NULL;
    char *schema = xasprintf("%s/fixtures/schema/profile.xsd", M2M_DATA_DIR);
    int rc = profile_load(path, schema, &p, &d);
    free(schema);
    if (rc < 0) diag_print(&d, stderr);
    diag_free(&d);
    return rc < 0 ? NULL : p;
}

void peer_log(const char *who, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", who);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void peer_on_signal(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}
