/* pcapng writer: block layout and checksums by hand, and tshark (an independent decoder)
 * reading a file with a CoAP request presented on 5683, its real ports in the comment. */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "report/pcapng.h"
#include "util/xmem.h"
#include "m2m_test.h"

/* RFC 7252 Appendix A style: CON GET, MID 0x7d34, Uri-Path "temperature". */
static const uint8_t coap_get[] = { 0x40, 0x01, 0x7d, 0x34, 0xbb, 't', 'e', 'm', 'p', 'e', 'r', 'a', 't', 'u', 'r', 'e' };

static struct sockaddr_in v4(const char *ip)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static uint32_t rd32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void test_ip_udp_v4(void)
{
    struct sockaddr_in s = v4("10.0.0.1"), d = v4("10.0.0.2");
    size_t len = 0;
    uint8_t *f = pcapng_ip_udp((struct sockaddr *)&s, 40000, (struct sockaddr *)&d, 5683, coap_get, sizeof coap_get, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(len, 20 + 8 + sizeof coap_get);
    CU_ASSERT_EQUAL(f[0], 0x45);
    CU_ASSERT_EQUAL(f[9], 17);
    CU_ASSERT_EQUAL((f[2] << 8 | f[3]), (int)len);
    /* A correct IPv4 header checksum makes the one's-complement sum of the header 0xffff. */
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2) sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    CU_ASSERT_EQUAL(sum, 0xffff);
    CU_ASSERT_EQUAL((f[20] << 8 | f[21]), 40000);
    CU_ASSERT_EQUAL((f[22] << 8 | f[23]), 5683);
    CU_ASSERT_EQUAL((f[24] << 8 | f[25]), 8 + (int)sizeof coap_get);
    CU_ASSERT_EQUAL(memcmp(f + 28, coap_get, sizeof coap_get), 0);
    free(f);
    struct sockaddr_in6 s6;
    memset(&s6, 0, sizeof s6);
    s6.sin6_family = AF_INET6;
    CU_ASSERT_PTR_NULL(pcapng_ip_udp((struct sockaddr *)&s, 1, (struct sockaddr *)&s6, 2, coap_get, 4, &len));
    f = pcapng_ip_udp((struct sockaddr *)&s6, 1, (struct sockaddr *)&s6, 2, coap_get, 4, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(len, 40 + 8 + 4);
    CU_ASSERT_EQUAL(f[0] >> 4, 6);
    free(f);
}

static void test_presented_port(void)
{
    static const uint8_t hello[13] = { 22, 0xfe, 0xfd };
    CU_ASSERT_EQUAL(pcapng_presented_port(hello, sizeof hello, 40000), 5684);
    CU_ASSERT_EQUAL(pcapng_presented_port(coap_get, sizeof coap_get, 40000), 5683);
    static const uint8_t junk[] = { 0xff, 0x00, 0x01, 0x02 };
    CU_ASSERT_EQUAL(pcapng_presented_port(junk, sizeof junk, 40000), 40000);
    CU_ASSERT_EQUAL(pcapng_presented_port(hello, 5, 40000), 40000);   /* too short for a record */
}

static uint8_t *write_file(const char *keylog, size_t *len, char *path)
{
    struct sockaddr_in s = v4("127.0.0.1"), d = v4("127.0.0.1");
    pcapng_pkt pkt = { 1700000000123456LL, NULL, 0, xstrdup("m2m-harness received: 127.0.0.1:40000 -> 127.0.0.1:41234") };
    pkt.frame = pcapng_ip_udp((struct sockaddr *)&s, 40000, (struct sockaddr *)&d, 5683, coap_get, sizeof coap_get, &pkt.len);
    FILE *f = fdopen(mkstemp(path), "w+b");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    CU_ASSERT_EQUAL(pcapng_write(f, keylog, &pkt, 1), 0);
    fflush(f);
    *len = (size_t)ftell(f);
    uint8_t *buf = xmalloc(*len);
    rewind(f);
    CU_ASSERT_EQUAL(fread(buf, 1, *len, f), *len);
    fclose(f);
    free(pkt.frame);
    free(pkt.comment);
    return buf;
}

static void test_blocks(void)
{
    char path[] = "/tmp/m2m-pcapng-XXXXXX";
    size_t len = 0;
    uint8_t *b = write_file("CLIENT_RANDOM 00 11\n", &len, path);
    unlink(path);
    /* Walk the blocks: each has its length at both ends, a multiple of 4. */
    uint32_t types[8];
    size_t nb = 0;
    for (size_t off = 0; off + 12 <= len && nb < 8;) {
        uint32_t t = rd32(b + off), l = rd32(b + off + 4);
        CU_ASSERT_EQUAL(l % 4, 0);
        CU_ASSERT_FATAL(l >= 12 && off + l <= len);
        CU_ASSERT_EQUAL(rd32(b + off + l - 4), l);
        types[nb++] = t;
        if (t == PCAPNG_BT_DSB) {
            CU_ASSERT_EQUAL(rd32(b + off + 8), PCAPNG_SECRETS_TLS);
            CU_ASSERT_EQUAL(rd32(b + off + 12), 20);
            CU_ASSERT_EQUAL(memcmp(b + off + 16, "CLIENT_RANDOM 00 11\n", 20), 0);
        }
        off += l;
    }
    CU_ASSERT_EQUAL(nb, 4);
    CU_ASSERT_EQUAL(types[0], PCAPNG_BT_SHB);
    CU_ASSERT_EQUAL(types[1], PCAPNG_BT_IDB);
    CU_ASSERT_EQUAL(types[2], PCAPNG_BT_DSB);   /* before any packet */
    CU_ASSERT_EQUAL(types[3], PCAPNG_BT_EPB);
    CU_ASSERT_EQUAL(rd32(b + 8), 0x1A2B3C4Du);
    free(b);
}

/* tshark reads the file: CoAP GET on 5683 with its Uri-Path, and the comment. */
static void test_tshark(void)
{
    if (system("command -v tshark >/dev/null 2>&1") != 0) {
        CU_FAIL("tshark is not installed (tools/setup/install-deps.sh installs it)");
        return;
    }
    char path[] = "/tmp/m2m-pcapng-XXXXXX";
    size_t len = 0;
    free(write_file(NULL, &len, path));
    char *cmd = xasprintf("tshark -r %s -T fields -e udp.dstport -e coap.type -e coap.code -e coap.mid "
                          "-e coap.opt.uri_path -e frame.comment 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    char line[512] = "";
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    pclose(p);
    unlink(path);
    free(cmd);
    line[strcspn(line, "\n")] = '\0';
    CU_ASSERT_STRING_EQUAL(line, "5683\t0\t1\t32052\ttemperature\tm2m-harness received: 127.0.0.1:40000 -> 127.0.0.1:41234");
}

void m2m_test_register(void)
{
    CU_pSuite s = CU_add_suite("pcapng", NULL, NULL);
    CU_add_test(s, "IPv4/IPv6 + UDP headers", test_ip_udp_v4);
    CU_add_test(s, "presented ports", test_presented_port);
    CU_add_test(s, "blocks and the secrets block first", test_blocks);
    CU_add_test(s, "tshark decodes the file", test_tshark);
}
