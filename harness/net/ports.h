/* Ports for servers of the IUT (its CoAP pair, its MEF) that the IUT binds after the harness
 * picked them: chosen below the kernel's ephemeral range and reserved against every other
 * harness process on the machine, so tests side by side never hand one port to two IUTs. */
#ifndef M2M_PORTS_H
#define M2M_PORTS_H

/* n free consecutive ports below the ephemeral range, reserved until ports_release or the
 * end of the process; 0 when none was found. */
int ports_pick_below_ephemeral(const char *addr, int n);

/* Ports picked here stay reserved against every other harness process (a lock file in
 * $TMPDIR or /tmp) until this is called or the process ends. */
void ports_release(void);

/* One free port for a server of the IUT's (its MEF), reserved the same way; bind(0) when
 * there is no room below the ephemeral range; 0 when none. */
int ports_reserve_one(const char *addr);

#endif
