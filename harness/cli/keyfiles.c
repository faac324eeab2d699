/* Credential files named by the profile, checked before any test runs (bad input
 * from people): each must be a regular file the harness can actually read — access(2) alone
 * says yes to root and to a folder —, else an input error naming the file (exit 2). A private
 * key that others may read is a warning naming the file: the run goes on, the key is exposed. */
#include "keyfiles.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_one(const profile *p, const char *what, const char *path, int private_key, diag *d, FILE *warn)
{
    if (!path) return 0;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char byte;
    const char *why = NULL;
    if (fd < 0) why = strerror(errno);
    else if (fstat(fd, &st) < 0) why = strerror(errno);
    else if (!S_ISREG(st.st_mode)) why = "not a regular file";
    else if (read(fd, &byte, 1) < 0) why = strerror(errno);
    else if (st.st_size == 0) why = "the file is empty";
    if (why) {
        diag_error(d, p->file, 0, "%s file %s: cannot read it: %s", what, path, why);
        if (fd >= 0) close(fd);
        return 0;
    }
    close(fd);
    if (private_key && (st.st_mode & S_IROTH)) {
        fprintf(warn, "warning: private key file %s is world-readable (mode %04o): "
                      "anyone on this machine can read it; chmod 600 it\n",
                path, (unsigned)(st.st_mode & 07777));
        return 1;
    }
    return 0;
}

int cli_check_key_files(const profile *p, diag *d, void *warn_file)
{
    FILE *warn = warn_file;
    int n = 0;
    n += check_one(p, "certificate", p->x509_cert, 0, d, warn);
    n += check_one(p, "private key", p->x509_key, 1, d, warn);
    n += check_one(p, "trust anchor", p->x509_trust, 0, d, warn);
    n += check_one(p, "raw public key", p->rpk_pub, 0, d, warn);
    n += check_one(p, "private key", p->rpk_key, 1, d, warn);
    for (size_t i = 0; i < p->nrpk_pins; i++)
        n += check_one(p, "pinned public key", p->rpk_pins[i].pub, 0, d, warn);
    for (size_t i = 0; i < p->nx509_variants; i++) {
        n += check_one(p, "certificate", p->x509_variants[i].cert, 0, d, warn);
        n += check_one(p, "private key", p->x509_variants[i].key, 1, d, warn);
    }
    return n;
}
