#!/usr/bin/env bash
# Installs what m2m-harness needs to build and test, and nothing when all is present.
# Checks commands and pkg-config modules, not package names, so a machine that has the
# tools from elsewhere is left alone. Debian 12, run as root (or with sudo available).
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pc()  { have_cmd pkg-config && pkg-config --exists "$1" 2>/dev/null; }

# The compiler of the default build (tools/run-main.sh and tools/run-tests.sh set it up with
# CC=gcc: clang, installed below for the fuzzers, becomes `cc` on a machine without gcc).
have_cmd gcc        || need+=(gcc)
[ -f /usr/include/stdio.h ] || need+=(libc6-dev)
have_cmd meson      || need+=(meson)
have_cmd ninja      || need+=(ninja-build)
have_cmd pkg-config || need+=(pkg-config)
have_pc gnutls      || need+=(libgnutls28-dev)
have_pc libxml-2.0  || need+=(libxml2-dev)
have_cmd xmllint    || need+=(libxml2-utils)
have_pc jansson     || need+=(libjansson-dev)
have_pc cunit       || need+=(libcunit1-dev)
have_pc libcoap-3-notls || need+=(libcoap3-dev)
have_cmd coap-client-gnutls || need+=(libcoap3-bin)
have_cmd ss         || need+=(iproute2)   # readiness of libcoap's coap-server (fixtures/profiles/coap-server-*.xml)
have_cmd ip         || need+=(iproute2)   # network namespaces (<control netns="true">)
have_cmd gnutls-cli || need+=(gnutls-bin)
have_cmd certtool   || need+=(gnutls-bin)
have_cmd openssl    || need+=(openssl)
have_cmd tshark     || need+=(tshark)
have_cmd editcap    || need+=(tshark)     # wireshark-common, a dependency of tshark
# What the tests call besides: python3 (JSON checks), pgrep (procps: no IUT left running),
# ping (iputils-ping: the namespace's link answers), the de_DE locale source (locales: the
# JUnit times stay "1.250" under a decimal-comma locale), CA certificates (npm's registry).
have_cmd python3    || need+=(python3)
# The man page is checked to render (e2e-man: groff -man -ww, man -l).
have_cmd groff      || need+=(groff-base)
have_cmd man        || need+=(man-db)
# Debian's headless browser: the HTML report is loaded in it (tools/node/html-check.js).
have_cmd chromium   || need+=(chromium)
have_cmd pgrep      || need+=(procps)
have_cmd ping       || need+=(iputils-ping)
[ -f /usr/share/i18n/locales/de_DE ] || need+=(locales)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
have_cmd clang      || need+=(clang)
# libFuzzer and the sanitizer runtimes for clang 14
if have_cmd clang; then
  rt=$(clang -print-resource-dir 2>/dev/null)/lib/linux
  ls "$rt"/libclang_rt.fuzzer-*.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
else
  need+=(libclang-rt-14-dev)
fi
have_cmd node || need+=(nodejs npm)

# npm packages the tests use, pinned by the lock file next to each package.json. A folder
# needs "npm install" when it has no node_modules or lacks a package its package.json names
# (a dependency added since the last install, e.g. node-coap-client). One node process looks
# at every folder (node starts in ~0.1 s: the main job runs this each time).
npm_dirs() {
  local here; here=$(cd "$(dirname "$0")/../.." && pwd)
  local dirs=()
  for lock in "$here"/tools/peers/node/package-lock.json "$here"/tools/node/package-lock.json; do
    [ -f "$lock" ] && dirs+=("$(dirname "$lock")")
  done
  [ ${#dirs[@]} -gt 0 ] || return 0
  node -e 'const fs = require("fs"), path = require("path");
    for (const d of process.argv.slice(1)) {
      let deps = {};
      try { deps = JSON.parse(fs.readFileSync(path.join(d, "package.json"), "utf8")).dependencies || {}; } catch (e) {}
      if (!fs.existsSync(path.join(d, "node_modules")) ||
          Object.keys(deps).some(n => !fs.existsSync(path.join(d, "node_modules", n, "package.json")))) console.log(d);
    }' "${dirs[@]}" 2>/dev/null || printf '%s\n' "${dirs[@]}"
}
install_npm() {
  local d
  for d in "$@"; do
    echo "setup: npm install (locked versions) in ${d#$PWD/}"
    # Not "npm ci": npm 11 refuses a lock file that omits optional platform packages the
    # registry does not have (node-aead-crypto's); "npm install" takes the locked versions
    # and leaves the lock file as it is.
    (cd "$d" && npm install --no-audit --no-fund --loglevel=error </dev/null)
  done
}

if [ ${#need[@]} -eq 0 ]; then
  mapfile -t dirs < <(npm_dirs)
  install_npm "${dirs[@]}"
  [ ${#dirs[@]} -gt 0 ] || echo "setup: all dependencies present"
  exit 0
fi

# de-duplicate
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "setup: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer it up front.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections 2>/dev/null || true
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" </dev/null
mapfile -t dirs < <(npm_dirs)
install_npm "${dirs[@]}"
