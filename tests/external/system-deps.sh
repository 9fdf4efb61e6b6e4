#!/bin/bash
# Debian packages the external graders need beyond TEST_DEBS: testssl.sh 3.2 comes only
# from bookworm-backports (3.0 in bookworm prints no grade). As root, add a backports
# source on the same mirror as the system's own Debian source, then install it.
set -euo pipefail
installed=$(testssl --version 2>&1 || true)
if grep -q 'version .*3\.[2-9]' <<<"$installed"; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "make test needs testssl.sh 3.2 from bookworm-backports:"
  echo "  add bookworm-backports to your apt sources, then"
  echo "  sudo apt-get install -t bookworm-backports testssl.sh"
  exit 1
fi
list=/etc/apt/sources.list.d/fortresa-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
  if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  fi
  if [ -z "$mirror" ]; then
    echo "cannot find the Debian mirror in the apt sources to add bookworm-backports" >&2
    exit 1
  fi
  printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$mirror" > "$list"
fi
echo "installing testssl.sh from bookworm-backports"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports testssl.sh >/dev/null
