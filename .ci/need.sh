# Sourced by .ci/quickstart and .ci/test: `need PKG...` installs the Debian
# packages that are not installed yet (apt-get update once, only when
# something is missing), so both work on a bare Debian 12 and cost nothing
# where CI installed everything already. sudo when not root.
need_updated=""
need() {
    local missing=() p st
    for p in "$@"; do
        st=$(dpkg-query -W -f='${Status}' "$p" 2> /dev/null || true)
        [ "$st" = "install ok installed" ] || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    echo "installing: ${missing[*]}"
    if [ -z "$need_updated" ]; then
        $sudo apt-get update -qq || return 1
        need_updated=1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" > /dev/null
}
