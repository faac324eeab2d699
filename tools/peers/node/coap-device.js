// An independent DTLS-PSK CoAP device for m2m-harness's tests, built on the npm package
// node-coap-client (pinned in package-lock.json; its DTLS is node-dtls-client): it sets up
// an association with the harness, sends one CoAP GET in it, then resets. Not a oneM2M
// device: only the SAE tests apply to it. It crashes on a PSK identity hint, so its profile
// gives none. Usage: node coap-device.js HOST PORT IDENTITY KEY
"use strict";
const { CoapClient } = require("node-coap-client");

const [host, port, identity, key] = process.argv.slice(2);
if (!key) {
  console.error("usage: node coap-device.js HOST PORT IDENTITY KEY");
  process.exit(2);
}
const uri = `coaps://${host.includes(":") ? `[${host}]` : host}:${port}/in-name`;
CoapClient.setSecurityParams(host, { psk: { [identity]: key } });
// A bounded life whatever the library does: the harness judges it by the wire, not by this.
const limit = setTimeout(() => { console.error("coap-device: gave up after 10 s"); process.exit(1); }, 10000);

async function main() {
  const up = await CoapClient.tryToConnect(uri);
  if (up !== true) {
    console.error("coap-device: no association: " + (up instanceof Error ? up.message : up));
    process.exitCode = 1;
    return;
  }
  console.log("coap-device: association up");
  const rsp = await CoapClient.request(uri, "get", undefined, { retransmit: false });
  console.log("coap-device: answer " + rsp.code.toString());
}
main()
  .catch((e) => { console.error("coap-device: " + (e && e.message ? e.message : e)); process.exitCode = 1; })
  .finally(() => { CoapClient.reset(); clearTimeout(limit); });
