#!/usr/bin/env bash
# Installs the command-line tools the tests check the deploy/ files with, where missing (Debian's
# packages): logrotate (deploy/logrotate/cqnnews). systemd-analyze is used where the machine has it.
set -euo pipefail

command -v logrotate >/dev/null 2>&1 || [ -x /usr/sbin/logrotate ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "logrotate is missing and there is no apt-get here: install logrotate" >&2
  exit 1
fi
echo "installing logrotate (Debian package) ..." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends logrotate >/dev/null
