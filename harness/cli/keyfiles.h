/* The profile's credential files, checked before a run (see keyfiles.c). */
#ifndef M2M_CLI_KEYFILES_H
#define M2M_CLI_KEYFILES_H
#include "../model/profile.h"
#include "../util/diag.h"

/* Unreadable, missing, empty or non-regular files: one diag error each, naming the file.
 * World-readable private keys: one warning line each on warn_file (a FILE *), naming the
 * file. Returns the number of warnings. */
int cli_check_key_files(const profile *p, diag *d, void *warn_file);

#endif
