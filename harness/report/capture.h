/* The capture of one test (run --pcap): every datagram through the harness's UDP layer
 * and every DTLS secret, written at the end of the test as one pcapng (pcapng.h) with the
 * key log embedded. Runs in the test's own process; captures and key logs hold secrets,
 * so they are made only when asked. Packets are kept in memory and written at the end
 * because the Decryption Secrets Block must come before the handshake packets that need
 * it, and the secrets are known only after the first of them. */
#ifndef M2M_CAPTURE_H
#define M2M_CAPTURE_H
#include <stddef.h>

/* Installs the UDP tap and the DTLS key log hook and starts an empty capture. */
void capture_begin(void);
/* Removes the hooks and writes the capture to path (atomically). Returns the number of
 * packets written, or -1 with errno set. The capture is freed either way. */
long capture_end(const char *path);
/* Lines of key log collected so far (for tests). */
const char *capture_keylog(void);

#endif
