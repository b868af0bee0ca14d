#!/usr/bin/env bash
# System packages nnviz needs beyond a Rust toolchain, on Debian/Ubuntu.
#
# Building needs none. Running the window needs the X11/Wayland, GL and Vulkan libraries that
# eframe loads at run time; running it headless (screenshots, `xvfb-run`) also needs Xvfb, and
# wgpu's software renderer (Mesa's lavapipe) for machines without a GPU. The tests of
# `nnviz export-code` run its scripts: R (r-base-core) and Python 3 with numpy.
set -euo pipefail

# numpy for whichever python3 is first on the PATH (pyenv's or Debian's).
if ! python3 -c "import numpy" 2>/dev/null; then
  echo "install-deps: installing numpy for $(command -v python3)"
  python3 -m pip install --quiet numpy 2>/dev/null ||
    python3 -m pip install --quiet --break-system-packages numpy
fi

packages=(
  xvfb xauth x11-apps imagemagick
  libgl1-mesa-dri libegl1 libegl-mesa0 libglx-mesa0 mesa-vulkan-drivers libvulkan1
  libxkbcommon-x11-0 libxcursor1 libxi6 libx11-xcb1 libfontconfig1
  r-base-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
