// An independent DTLS-PSK device for m2m-harness's tests, built on the npm package
// node-dtls-client (pinned in package-lock.json): it sets up an association with the
// harness and sends one CoAP GET in it, then closes. Not a oneM2M device: only the SAE
// tests apply to it. Usage: node dtls-device.js HOST PORT IDENTITY KEY
"use strict";
const { dtls } = require("node-dtls-client");

const [host, port, identity, key] = process.argv.slice(2);
if (!key) {
  console.error("usage: node dtls-device.js HOST PORT IDENTITY KEY");
  process.exit(2);
}
const socket = dtls.createSocket({
  type: host.includes(":") ? "udp6" : "udp4",
  address: host,
  port: Number(port),
  psk: { [identity]: key },
  timeout: 4000,
});
socket.on("connected", () => {
  console.log("dtls-device: association up");
  // CON GET, message id 0x0001, no token, Uri-Path "in-name" (RFC 7252 §3)
  const path = Buffer.from("in-name");
  socket.send(Buffer.concat([Buffer.from([0x40, 0x01, 0x00, 0x01, 0xb0 | path.length]), path]));
  setTimeout(() => socket.close(), 500);
});
socket.on("message", (msg) => console.log("dtls-device: answer of " + msg.length + " bytes"));
socket.on("error", (e) => { console.error("dtls-device: " + e.message); process.exitCode = 1; });
socket.on("close", () => console.log("dtls-device: closed"));
