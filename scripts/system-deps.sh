#!/usr/bin/env bash
# The system packages Huifang needs beyond Python, installed when missing (Debian/Ubuntu):
#   chromium             the browser tests (tests/browser, Playwright drives /usr/bin/chromium)
#   fonts-noto-cjk       Chinese glyphs in the PDFs (visit pack, visit report)
#   libharfbuzz-subset0  WeasyPrint embeds only the glyphs a PDF uses (small PDFs)
#   gettext              the translation catalogue (make messages, its check in the tests)
#   libpango-1.0-0, libpangoft2-1.0-0  the text layout WeasyPrint renders PDFs with
# One quiet `apt-get update` + `apt-get install`, only when something is missing. Runs apt-get
# itself as root; otherwise, or without apt-get, it says what to install and exits 1.
set -euo pipefail

PACKAGES=(chromium fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 gettext)

missing=()
if command -v dpkg-query >/dev/null; then
    for package in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" \
            || missing+=("$package")
    done
else
    # Not Debian: judge by what the programs find.
    { [[ -x /usr/bin/chromium ]] || command -v chromium >/dev/null; } || missing+=(chromium)
    fc-list :lang=zh family 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
    ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset || missing+=(libharfbuzz-subset0)
    command -v xgettext >/dev/null || missing+=(gettext)
fi

if ((${#missing[@]} == 0)); then
    echo "System packages: all present (${PACKAGES[*]})."
    exit 0
fi

if ! command -v apt-get >/dev/null; then
    cat >&2 <<MSG
Missing system packages: ${missing[*]}
There is no apt-get here: install their equivalents with your package manager —
Chromium (at /usr/bin/chromium, or set HUIFANG_CHROMIUM), a CJK font (Noto Sans CJK SC),
HarfBuzz's subset library, GNU gettext.
MSG
    exit 1
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "Missing system packages: ${missing[*]}. As root, run:" >&2
    echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
    exit 1
fi

echo "Installing system packages: ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
