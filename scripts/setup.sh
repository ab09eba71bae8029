#!/usr/bin/env bash
# Installs what QuantScope needs on Debian/Ubuntu that a Swift 6 toolchain does not bring:
# ncursesw headers, libhdf5, pkg-config and tmux. Safe to run again; does nothing when all is present.
set -euo pipefail
need=()
for pkg in libncursesw5-dev libhdf5-dev pkg-config tmux; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
# The interop stage makes a virtual environment; Debian's python3 needs python3-venv for that.
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
