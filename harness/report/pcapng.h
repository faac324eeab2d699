/* A pcapng writer for the harness's own captures: the harness records
 * every datagram at its UDP layer, so it needs no capture privileges, and it synthesises
 * the IP and UDP headers itself (LINKTYPE_RAW). That lets it present its DTLS endpoint on
 * port 5684 and its plain CoAP endpoint on 5683, the only ports on which tshark 4.0
 * decodes DTLS-then-CoAP and CoAP without being told; the real addresses and ports go into
 * each packet's comment. A Decryption Secrets Block carries the DTLS key log, so Wireshark
 * and `tshark -r` show the plaintext without setup. */
#ifndef M2M_PCAPNG_H
#define M2M_PCAPNG_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#define PCAPNG_LINKTYPE_RAW 101u       /* raw IPv4 or IPv6, version from the first nibble */
#define PCAPNG_BT_SHB 0x0A0D0D0Au
#define PCAPNG_BT_IDB 0x00000001u
#define PCAPNG_BT_EPB 0x00000006u
#define PCAPNG_BT_DSB 0x0000000Au
#define PCAPNG_SECRETS_TLS 0x544c534bu /* "TLSK": an NSS key log */

typedef struct pcapng_pkt {
    int64_t ts_us;       /* wall clock, microseconds since the epoch */
    uint8_t *frame;      /* IP header + UDP header + payload */
    size_t len;
    char *comment;       /* opt_comment, or NULL */
} pcapng_pkt;

/* Builds an IPv4 or IPv6 + UDP frame around payload (addresses from src/dst, which must be
 * of the same family; the ports given, not theirs), checksums filled in. Returns a new
 * buffer and its length in *len, or NULL for an unsupported family. */
uint8_t *pcapng_ip_udp(const struct sockaddr *src, int sport, const struct sockaddr *dst, int dport,
                       const uint8_t *payload, size_t n, size_t *len);

/* The port a datagram is presented on for the harness's side: 5684 when it is a DTLS
 * record (content type 20..25, version major 0xfe), 5683 when it is CoAP (version 1),
 * else the real port. By content, not by socket, so a plain CoAP message sent to the DTLS
 * port still shows as CoAP. */
int pcapng_presented_port(const uint8_t *p, size_t n, int real_port);

/* Writes a whole file: section header (application = "m2m-harness <version>"), one
 * interface, a Decryption Secrets Block when keylog is non-empty (before every packet, so a
 * one-pass reader has the keys before the handshake it needs them for), then the packets.
 * Returns 0, -1 on an I/O error. */
int pcapng_write(FILE *f, const char *keylog, const pcapng_pkt *pkts, size_t n);

#endif
