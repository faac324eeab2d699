#!/usr/bin/env python3
"""Reads the harness's captures with tshark (an oracle independent of the harness's own
decoder) and checks the release values on the wire: every oneM2M request and response
carries rvi = RELEASE in oneM2M-RVI (option 271), or none at all for Release 1 (TS-0004
§7.3.1.1: "shall be included unless the primitive is being sent to a Release 1 entity");
every supportedReleaseVersions (srv) in a body is [RELEASE], and Release 1 bodies carry
none (srv does not exist before Release 2a).

usage: capture_release.py [--also-wrong OTHER] RELEASE CAPTURES_DIR [SKIP_TEST_ID ...]
Prints one line per violation and a count; exit 1 on a violation or when it judged no
oneM2M message at all (a check that saw nothing proves nothing). --also-wrong OTHER judges
the same messages once more as release OTHER, which must find them wrong (the check can
fail), without decoding the captures twice."""
import json
import os
import shutil
import subprocess
import tempfile
import sys

OPT_RVI, OPT_RQI = 271, 283   # oneM2M-RVI, oneM2M-RQI (TS-0008 Table 6.2.2.4-1)


def blocks(path):
    """(sections, packets) of a pcapng file: its Section Header Blocks and its Enhanced or
    Simple Packet Blocks (pcapng §4): a block is type, total length, body, total length; the
    byte order comes from each section's header."""
    with open(path, "rb") as f:
        data = f.read()
    i, n, packets, order = 0, 0, 0, "little"
    while i + 12 <= len(data):
        if data[i:i + 4] == b"\x0a\x0d\x0d\x0a":
            n += 1
            order = "little" if data[i + 8:i + 12] == b"\x4d\x3c\x2b\x1a" else "big"
        elif int.from_bytes(data[i:i + 4], order) in (3, 6):
            packets += 1
        length = int.from_bytes(data[i + 4:i + 8], order)
        if length < 12:
            raise ValueError(f"{path}: a block of length {length} at offset {i}")
        i += length
    return n, packets


def coap_messages(caps):
    """(capture index, frame in that capture, coap layer, raw message) of every CoAP message of
    the captures. One tshark run reads them all: the files are concatenated as the sections of
    one pcapng (each brings its DTLS keys), frame.section_number says which file a frame came
    from, and the packets of the files before it give its number inside its own file."""
    offset, total = [], 0   # packets of the files before each one
    for c in caps:
        n, packets = blocks(c)
        if n != 1:
            raise ValueError(f"{c}: {n} pcapng sections, expected 1")
        offset.append(total)
        total += packets
    fd, joined = tempfile.mkstemp(suffix=".pcapng")
    try:
        with os.fdopen(fd, "wb") as out:
            for c in caps:
                with open(c, "rb") as f:
                    shutil.copyfileobj(f, out)
        res = subprocess.run(["tshark", "--disable-protocol", "oscore", "-r", joined, "-Y", "coap",
                              "-T", "json", "-x"], capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(joined)
    for pkt in json.loads(res or "[]"):
        layers = pkt["_source"]["layers"]
        coap = layers.get("coap")
        if isinstance(coap, list):
            coap = coap[0]
        raw = layers.get("coap_raw")
        if not coap or not raw:
            continue
        frame = layers["frame"]
        k = int(frame["frame.section_number"]) - 1
        yield k, int(frame["frame.number"]) - offset[k], coap, bytes.fromhex(raw[0])


def options_of(msg):
    """(number, value) of each option of a raw CoAP message (RFC 7252 §3.1)."""
    tkl = msg[0] & 0x0F
    i, num, opts = 4 + tkl, 0, []
    while i < len(msg) and msg[i] != 0xFF:
        d, l = msg[i] >> 4, msg[i] & 0x0F
        i += 1
        ext = {13: (1, 13), 14: (2, 269)}
        if d in ext:
            n, base = ext[d]
            d = int.from_bytes(msg[i:i + n], "big") + base
            i += n
        if l in ext:
            n, base = ext[l]
            l = int.from_bytes(msg[i:i + n], "big") + base
            i += n
        num += d
        opts.append((num, msg[i:i + l]))
        i += l
    payload = msg[i + 1:] if i < len(msg) else b""
    return opts, payload


def srv_values(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "srv":
                yield v
            else:
                yield from srv_values(v)
    elif isinstance(node, list):
        for v in node:
            yield from srv_values(v)


def judge(release, msgs, say):
    """msgs: (test, frame, raw CoAP message); returns (judged, wrong)."""
    judged, bad = 0, 0
    want = [] if release == "1" else [release]
    for test, frame, raw in msgs:
        opts, payload = options_of(raw)
        if not any(n == OPT_RQI for n, _ in opts):
            continue   # no oneM2M primitive (empty ACK, CoAP ping, the MEF's exchange)
        judged += 1
        rvis = [v.decode() for n, v in opts if n == OPT_RVI]
        code = raw[1]
        kind = "request" if 1 <= code <= 31 else "response"
        if rvis != want:
            bad += 1
            say(f"{test} frame {frame}: {kind} code {code >> 5}.{code & 31:02d} carries rvi {rvis or 'none'};"
                f" expected {want or 'none'} (release {release})")
        if payload[:1] != b"{":
            continue
        try:
            body = json.loads(payload)
        except ValueError:
            continue
        for srv in srv_values(body):
            if srv != want or not want:
                bad += 1
                say(f"{test} frame {frame}: {kind} body carries srv {srv};"
                    f" expected {want or 'none'} (release {release})")
    return judged, bad


def main():
    args = sys.argv[1:]
    other = None
    if args[:1] == ["--also-wrong"]:
        other, args = args[1], args[2:]
    release, folder, skip = args[0], args[1], set(args[2:])
    caps = [n for n in sorted(os.listdir(folder))
            if n.endswith(".pcapng") and n.split(".")[0] not in skip]
    msgs = [(caps[k].split(".")[0], frame, raw)
            for k, frame, _, raw in coap_messages([os.path.join(folder, n) for n in caps])]
    judged, bad = judge(release, msgs, print)
    print(f"judged {judged} oneM2M messages of {len(caps)} captures for release {release}; {bad} wrong")
    failed = bool(bad or not judged)
    if other:
        _, wrong = judge(other, msgs, lambda _: None)
        print(f"judged as release {other} instead: {wrong} wrong")
        failed = failed or not wrong
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
