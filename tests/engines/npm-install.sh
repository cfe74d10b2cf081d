# Sourced by the fetch scripts of tests/engines/ (node/, web/).
#
#   npm_install_at DIR CHECK PACKAGE@VERSION...
#
# Installs the packages with npm into a new folder beside DIR (the same
# filesystem), runs `CHECK FOLDER` (a function of the caller's: it prints
# why and returns non-zero to refuse what npm installed), then puts the
# folder in DIR's place whole: DIR is never half-installed. Exits the
# script, saying why, when npm or the check fails.
npm_install_at() {
    local dir="$1" check="$2"
    shift 2
    command -v npm >/dev/null || { echo "fetch.sh: npm is needed to install $*" >&2; exit 1; }
    local parent tmp
    parent="$(dirname "$dir")"
    mkdir -p "$parent"
    tmp="$(mktemp -d "$parent/.$(basename "$dir").XXXXXX")"
    if ! npm install --prefix "$tmp" --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
        "$@" >"$tmp.log" 2>&1; then
        cat "$tmp.log" >&2
        rm -rf "$tmp" "$tmp.log"
        echo "fetch.sh: npm install $* failed" >&2
        exit 1
    fi
    rm -f "$tmp.log"
    if ! "$check" "$tmp"; then
        rm -rf "$tmp"
        exit 1
    fi
    chmod 755 "$tmp" # mktemp's 0700
    rm -rf "$dir"
    mv -T "$tmp" "$dir"
}
