#!/usr/bin/env bash
# `source scripts/apt.sh; apt_install COMMAND PACKAGE`: installs Debian's PACKAGE where COMMAND is missing.

apt_install() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null 2>&1 || [ -x "/usr/sbin/$command" ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$command is missing and there is no apt-get here: install $package" >&2
    exit 1
  fi
  echo "installing $package (Debian package) ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "$package" >/dev/null
}
