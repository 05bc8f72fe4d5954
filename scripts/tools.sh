#!/usr/bin/env bash
# Installs the command-line tools the tests check the deploy/ files with, where missing (Debian's
# packages): logrotate (deploy/logrotate/cqnnews). systemd-analyze is used where the machine has it.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
apt_install logrotate logrotate
# Chromium, headless: the report test opens the run report and the history page in it (Debian's package)
apt_install chromium chromium
# a font with Chinese glyphs, so that screenshots of the reports show section names (Debian's package)
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh family 2>/dev/null)" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing fonts-wqy-microhei (Debian package) ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null
fi
