/* What both reference peers (tools/sim-device, tools/ref-in-cse) do alike around their
 * protocol work: the command line they share (profile, ports, fault, hostile switch,
 * credentials, MEF, separate responses), their fault tables, loading the profile they serve
 * and logging a line on stderr under their name. */
#ifndef M2M_PEER_UTIL_H
#define M2M_PEER_UTIL_H
#include <getopt.h>
#include <stdio.h>
#include "model/profile.h"

/* One fault switch: its name and what it breaks. A table ends with a NULL name. */
typedef struct peer_fault { const char *name; const char *what; } peer_fault;

/* The options both peers take. */
typedef struct peer_opts {
    const char *profile;             /* --profile FILE */
    int coap_port, coaps_port;       /* --coap-port N --coaps-port M */
    const char *fault;               /* --fault NAME: a row of the peer's table, NULL = correct */
    const char *hostile;             /* --hostile NAME */
    const char *cert, *key, *trust;  /* --cert --key --trust (PEM) */
    int mef_port;                    /* --mef-port N */
    const char *mef_cert[3];         /* --mef-cert --mef-key --mef-trust */
    int separate;                    /* --separate-responses */
} peer_opts;

/* A peer's command line: its own options beside the shared ones, and how it explains itself. */
typedef struct peer_cli {
    const char *name;                                    /* "sim-device" */
    const struct option *own;                            /* ended by a NULL name */
    int (*own_opt)(int code, const char *arg, void *ctx);   /* 0, or -1 to refuse */
    void *ctx;
    const peer_fault *faults;
    int (*hostile_known)(const char *name);
    void (*usage)(FILE *f);                              /* the peer's own text */
    void (*hostile_usage)(FILE *f);
} peer_cli;

/* Parses argv into o (the shared options) and through own_opt (the peer's). Returns 0; 1 after
 * --help (usage on stdout); 2 after an unknown or refused option, fault or hostile switch
 * (said on stderr, with the usage). */
int peer_parse(const peer_cli *cli, int argc, char **argv, peer_opts *o);
/* The peer's usage, then its faults and hostile switches. */
void peer_usage(const peer_cli *cli, FILE *f);

/* The profile at path, validated against the installed schema; NULL after printing what is
 * wrong with it on stderr. */
profile *peer_load_profile(const char *path);
/* fn handles sig from now on (sigaction, no flags). */
void peer_on_signal(int sig, void (*fn)(int));
/* "<who>: <message>\n" on stderr. */
void peer_log(const char *who, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
