#!/usr/bin/env bash
# Installs the command-line tools the tests check the deploy/ files with, where missing (Debian's
# packages): logrotate (deploy/logrotate/cqnnews). systemd-analyze is used where the machine has it.
set -euo pipefail
source "$(dirname "$0")/apt.sh"
apt_install logrotate logrotate
