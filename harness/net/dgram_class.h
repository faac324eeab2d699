/* What a datagram on a secure (coaps) port is, by a strict reading of its bytes: the evidence
 * that a peer speaks DTLS there, or what it sent instead. A datagram is DTLS only when every
 * byte belongs to a well-framed record (RFC 6347 §4.1): content type 20..23, version 254.253
 * (DTLS 1.2) or 254.255 (DTLS 1.0), a length that ends inside the datagram, records filling it
 * exactly, and a plaintext handshake record long enough for its 12-byte header. A first-byte
 * test is not enough: a CoAP message can start with 22. Otherwise it is a CoAP message (RFC
 * 7252 §3: version 1, token length at most 8 and present), with an RST told apart, or garbage. */
#ifndef M2M_DGRAM_CLASS_H
#define M2M_DGRAM_CLASS_H
#include <stddef.h>
#include <stdint.h>

typedef enum { DGRAM_DTLS, DGRAM_COAP, DGRAM_GARBAGE } dgram_kind;

typedef struct dgram_class {
    dgram_kind kind;
    /* DTLS: of the first record */
    const char *type;       /* handshake, alert, ccs, appdata */
    const char *version;    /* DTLS1.2 or DTLS1.0 (record layer) */
    const char *hs;         /* first plaintext (epoch 0) handshake message: client_hello,
                             * server_hello, hello_verify_request, ...; "encrypted" in a later
                             * epoch; NULL when the datagram holds no handshake record */
    const char *alert;      /* a plaintext alert's description (unknown_psk_identity, ...), else NULL */
    unsigned records;       /* records in the datagram */
    /* CoAP and garbage */
    const char *what;       /* coap-rst, coap, garbage; "dtls" for DTLS */
    const char *coap_type;  /* CON, NON, ACK, RST */
    char code[8];           /* "4.00", "0.00" */
} dgram_class;

/* Classifies p[0..n); never reads past n. Returns out->kind. */
dgram_kind dgram_classify(const uint8_t *p, size_t n, dgram_class *out);

#endif
