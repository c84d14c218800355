#!/usr/bin/env bash
# Installs image2text under a prefix, built with the Swift runtime linked statically so that the installed binary needs
# only the system libraries setup.sh installs (no Swift toolchain):
#   PREFIX/bin/image2text
#   PREFIX/share/image2text/Models/git-tiny-easyvqa      the bundled demo model (`--model demo`)
#   PREFIX/share/man/man1/image2text.1                   the manual page
#   PREFIX/share/bash-completion/completions/image2text, PREFIX/share/zsh/site-functions/_image2text,
#   PREFIX/share/fish/vendor_completions.d/image2text.fish
#
# Usage: bash install.sh [--prefix DIR] [--binary FILE]
#   --prefix DIR   where to install (default: ~/.local; /usr/local installs for every user, with sudo)
#   --binary FILE  install this built image2text instead of building one
set -euo pipefail
cd "$(dirname "$0")"
prefix="$HOME/.local"
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done

if [ -z "$binary" ]; then
  swift build -c release --product image2text --static-swift-stdlib
  binary="$(swift build -c release --product image2text --static-swift-stdlib --show-bin-path)/image2text"
fi
# The manual page, from the binary's own help, by swift-argument-parser's generate-manual tool (built in a folder of its
# own, so that it never waits for a build or test run holding .build).
tools=(--scratch-path .build-tools --product generate-manual)
manual="$(mktemp -d)"
swift build "${tools[@]}" >"$manual/build.log" 2>&1 || { cat "$manual/build.log" >&2; exit 1; }
"$(swift build "${tools[@]}" --show-bin-path)/generate-manual" "$binary" --output-directory "$manual" >/dev/null

share="$prefix/share"
install -d "$prefix/bin" "$share/image2text/Models" "$share/man/man1" "$share/bash-completion/completions" \
  "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
install -m 755 "$binary" "$prefix/bin/image2text"
rm -rf "$share/image2text/Models/git-tiny-easyvqa"
cp -R Models/git-tiny-easyvqa "$share/image2text/Models/"
install -m 644 "$manual/image2text.1" "$share/man/man1/image2text.1"
rm -rf "$manual"
"$prefix/bin/image2text" --generate-completion-script bash > "$share/bash-completion/completions/image2text"
"$prefix/bin/image2text" --generate-completion-script zsh > "$share/zsh/site-functions/_image2text"
"$prefix/bin/image2text" --generate-completion-script fish > "$share/fish/vendor_completions.d/image2text.fish"
echo "install.sh: installed $("$prefix/bin/image2text" --version | head -1) in $prefix"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "install.sh: add $prefix/bin to PATH" ;; esac
