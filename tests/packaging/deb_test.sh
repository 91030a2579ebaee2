#!/usr/bin/env bash
# Builds the Debian packages and the .tar.gz with CPack, checks that each
# .deb holds exactly its share of the install (libexrqoi0: the SONAME'd
# library; libexrqoi-dev: headers, static library, .so link, CMake package,
# pkg-config file, docs; exrqoi-tools: the tool and its man page), then
# installs them where apt resolves their Depends: into a fresh debootstrap
# chroot when it can make one, else on this machine (removed afterwards).
# There `dpkg -L libexrqoi0` must list the library in the multiarch
# directory, a consumer is built with find_package (shared and static) and
# with pkg-config, the installed examples are built with their own
# CMakeLists.txt, and `exrqoi --version` runs.
# usage: deb_test.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (apt-get, chroot)"; exit 77; }
for t in dpkg-deb dpkg-shlibdeps file apt-get; do
    command -v $t > /dev/null || { echo "SKIP: $t not found"; exit 77; }
done
export DEBIAN_FRONTEND=noninteractive
rm -rf "$work"
mkdir -p "$work"
pass=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
fail() { echo "FAIL $*"; exit 1; }

# --- the chroot (network and unpacking, little CPU) is made while the
# packages build; EXRQOI_DEB_TEST_CHROOT=1 (set by tests/packaging when
# ctest runs this beside other tests) forbids the fallback that installs
# on this machine
boot_pid=""
if command -v debootstrap > /dev/null && [ "${EXRQOI_DEB_TEST_HOST:-}" != 1 ]; then
    . /etc/os-release
    # the machine's own Debian mirror, as its apt sources name it
    mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
             | grep -v security | head -n 1 || true)
    debootstrap --variant=minbase "$VERSION_CODENAME" "$work/chroot" $mirror > "$work/debootstrap.log" 2>&1 &
    boot_pid=$!
    # a failure before the wait below: let debootstrap finish (killed, it
    # could leave its mounts behind)
    trap 'wait "$boot_pid" 2> /dev/null || true' EXIT
fi

# --- build: prefix /usr so GNUInstallDirs picks Debian's multiarch libdir
cmake -S "$src" -B "$work/build" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=Release \
    -DEXRQOI_BUILD_TESTS=OFF -DEXRQOI_BUILD_EXAMPLES=OFF > "$work/configure.log" 2>&1 \
    || { cat "$work/configure.log"; fail "configure"; }
cmake --build "$work/build" -j2 > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log"; fail "build"; }
(cd "$work/build" && cpack -G "DEB;TGZ" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
cd "$work/build"
lib=$(ls libexrqoi0_*.deb) dev=$(ls libexrqoi-dev_*.deb) tools=$(ls exrqoi-tools_*.deb)
ls exrqoi-*.tar.gz > /dev/null || fail "no .tar.gz"
ok "cpack made $lib $dev $tools $(ls exrqoi-*.tar.gz)"

# --- contents: every file of each package matches that package's patterns
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
check_split() { # deb, allowed-regex, required paths...
    local deb=$1 allowed=$2
    shift 2
    local files
    files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|')
    local stray
    stray=$(echo "$files" | grep -v -E "$allowed" || true)
    [ -z "$stray" ] || fail "$deb holds files of another package: $stray"
    for f in "$@"; do
        grep -q -x -- "$f" <<< "$files" || fail "$deb lacks $f"
    done
    ok "$deb: $(echo "$files" | wc -l) files, all its own"
}
L=/usr/lib/$ma
check_split "$lib" "^$L/libexrqoi\.so\.[0-9]+(\.[0-9]+)*\$" "$L/libexrqoi.so.0"
check_split "$dev" "^(/usr/include/exrqoi/|$L/libexrqoi\.(a|so)\$|$L/cmake/exrqoi/|$L/pkgconfig/exrqoi\.pc\$|/usr/share/doc/exrqoi/)" \
    /usr/include/exrqoi/exrqoi.h /usr/include/exrqoi/version.h "$L/libexrqoi.a" "$L/libexrqoi.so" \
    "$L/cmake/exrqoi/exrqoiConfig.cmake" "$L/cmake/exrqoi/exrqoiConfigVersion.cmake" \
    "$L/pkgconfig/exrqoi.pc"
check_split "$tools" "^(/usr/bin/exrqoi|/usr/share/man/man1/exrqoi\.1(\.gz)?)\$" /usr/bin/exrqoi
# captured first: with pipefail, `dpkg-deb | grep -q` fails when grep stops reading early
lib_info=$(dpkg-deb -I "$lib")
lib_shlibs=$(dpkg-deb -I "$lib" shlibs)
dev_info=$(dpkg-deb -I "$dev")
grep -q 'Depends:.*libc6' <<< "$lib_info" || fail "$lib has no computed Depends"
grep -q "^libexrqoi 0 libexrqoi0" <<< "$lib_shlibs" || fail "$lib has no shlibs file"
grep -q 'Depends:.*libexrqoi0 (= ' <<< "$dev_info" || fail "$dev does not depend on $lib"
ok "Depends: $(dpkg-deb -f "$lib" Depends)"

# --- where to install: a fresh chroot if debootstrap works, else here
root=""
cleanup() { :; }
if [ -n "$boot_pid" ]; then
    boot_ok=0
    wait "$boot_pid" && boot_ok=1
    trap - EXIT
    if [ $boot_ok = 1 ]; then
        root=$work/chroot
        cp /etc/resolv.conf "$root/etc/" 2>/dev/null || true
        ok "debootstrap $VERSION_CODENAME chroot"
    else
        tail -n 5 "$work/debootstrap.log"
        [ "${EXRQOI_DEB_TEST_CHROOT:-}" != 1 ] || fail "debootstrap failed (other tests run beside this one: not installing on this machine)"
        echo "note: debootstrap failed, installing on this machine instead"
    fi
fi
in_root() { if [ -n "$root" ]; then chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"; else "$@"; fi; }
if [ -n "$root" ]; then
    dest=$root/tmp/pkgtest dir=/tmp/pkgtest
else
    dpkg -s libexrqoi0 > /dev/null 2>&1 && fail "libexrqoi0 is already installed here: not touching it"
    dest=$work/pkgtest dir=$work/pkgtest
    cleanup() { apt-get remove -y --purge exrqoi-tools libexrqoi-dev libexrqoi0 > /dev/null 2>&1 || true; }
    trap cleanup EXIT
fi
mkdir -p "$dest"
cp "$lib" "$dev" "$tools" "$dest/"
cp -r "$src/tests/install/consumer" "$dest/consumer"

[ -z "$root" ] || in_root apt-get update -qq > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update in chroot"; }
# the tool alone first: its computed Depends must be enough to run it
in_root apt-get install -y -qq "$dir/$tools" "$dir/$lib" >> "$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log"; fail "apt-get install $tools $lib"; }
v=$(in_root exrqoi --version) || fail "exrqoi --version"
ok "installed exrqoi --version: $v"
in_root apt-get install -y -qq --no-install-recommends "$dir/$dev" gcc libc6-dev cmake make pkg-config >> "$work/apt.log" 2>&1 \
    || { tail -n 30 "$work/apt.log"; fail "apt-get install $dev"; }
ok "installed $dev with its Depends"
# dpkg's own record: the library in the multiarch directory
listed=$(in_root dpkg -L libexrqoi0)
grep -q -x "$L/libexrqoi.so.0" <<< "$listed" || { echo "$listed"; fail "dpkg -L libexrqoi0 lacks $L/libexrqoi.so.0"; }
ok "dpkg -L libexrqoi0: $L/libexrqoi.so.0"

for kind in shared static; do
    s=OFF
    [ $kind = static ] && s=ON
    in_root sh -c "cmake -S $dir/consumer -B $dir/c-$kind -DUSE_STATIC=$s > $dir/c-$kind.log 2>&1 && cmake --build $dir/c-$kind >> $dir/c-$kind.log 2>&1" \
        || { cat "$dest/c-$kind.log"; fail "find_package $kind consumer"; }
    out=$(in_root "$dir/c-$kind/consumer") || fail "find_package $kind consumer run"
    ok "find_package $kind: $out"
done
# the examples as the package installs them, with their own CMakeLists.txt
ex=/usr/share/doc/exrqoi/examples
in_root sh -c "cmake -S $ex -B $dir/examples > $dir/ex.log 2>&1 && cmake --build $dir/examples >> $dir/ex.log 2>&1" \
    || { cat "$dest/ex.log"; fail "installed examples build"; }
out=$(in_root "$dir/examples/exrinfo" "$ex/data/sample.exr") || fail "installed example run"
ok "installed examples: $(head -n 1 <<< "$out")"
in_root sh -c "cc $dir/consumer/main.c -o $dir/pc \$(pkg-config --cflags --libs exrqoi)" || fail "pkg-config consumer build"
out=$(in_root "$dir/pc") || fail "pkg-config consumer run"
ok "pkg-config: $out"
in_root sh -c "pkg-config --static --libs exrqoi | grep -q -- -ldeflate" || fail "pkg-config --static lacks -ldeflate"
ok "pkg-config --static: $(in_root pkg-config --static --libs exrqoi)"

in_root apt-get remove -y -qq --purge exrqoi-tools libexrqoi-dev libexrqoi0 >> "$work/apt.log" 2>&1 || fail "apt-get remove"
[ ! -e "$root/usr/bin/exrqoi" ] && [ ! -e "$root/usr/include/exrqoi" ] || fail "files left after removal"
ok "removed cleanly"
trap - EXIT
[ -z "$root" ] || rm -rf "$root"
echo "deb packages: $pass passed, 0 failed"
