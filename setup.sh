#!/usr/bin/env bash
# Installs every system library Image2Text links (Debian 12 packages) in one apt command. Idempotent: when all
# packages are already installed it does nothing. Needs root (or sudo) and a Swift 6.1+ toolchain on PATH.
set -euo pipefail
packages=(
  libopenblas-dev     # BLAS (cblas_sgemm); Accelerate takes its place on macOS
  libturbojpeg0-dev   # JPEG decoding, TurboJPEG API
  libjpeg62-turbo-dev
  libpng-dev          # PNG decoding, simplified png_image API
  libwebp-dev         # WebP decoding (libwebp, libwebpdemux for animated files)
  libtiff-dev         # TIFF decoding (libtiff reads the directories and decompresses strips and tiles)
  zlib1g-dev          # .tar.gz WebDataset shards, inflated as they are read
  libavformat-dev     # video: FFmpeg demuxing,
  libavcodec-dev      #   decoding
  libswscale-dev      #   and conversion to RGB
  libavutil-dev
  libcurl4-openssl-dev  # HTTPS for the hub client and URL fetching (Foundation's URLSession); links statically too
  pkg-config
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
command -v swift >/dev/null || { echo "setup.sh: no 'swift' on PATH: install a Swift 6.1+ toolchain" >&2; exit 1; }
echo "setup.sh: system libraries present (${packages[*]})"
