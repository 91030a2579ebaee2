#!/usr/bin/env bash
# The README's quick start on a pristine Debian 12: makes a debootstrap
# minbase chroot of bookworm (nothing else installed), copies the checkout
# (the files git tracks or would track) and ../shared beside it, and runs,
# in order,
#   bash .ci/quickstart && bash .ci/test [STEPS...]
# inside it as root. Not a ctest test: it takes as long as .ci/test plus
# the package downloads. Root only.
# usage: quickstart_chroot.sh SOURCE_DIR WORK_DIR [STEPS...]
#   (an existing WORK_DIR/root made by debootstrap is reused)
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
shift 2
[ "$(id -u)" = 0 ] || { echo "needs root (debootstrap, chroot)"; exit 1; }
root=$work/root
mkdir -p "$work"
if [ ! -f "$root/etc/debian_version" ]; then
    mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null \
             | grep -v security | head -n 1 || true)
    debootstrap --variant=minbase bookworm "$root" $mirror > "$work/debootstrap.log" 2>&1 \
        || { tail -n 20 "$work/debootstrap.log"; exit 1; }
fi
cp /etc/resolv.conf "$root/etc/"
rm -rf "$root/src"
mkdir -p "$root/src/exrqoi"
(cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -c) \
    | tar -x -C "$root/src/exrqoi"
if [ -d "$src/../shared" ]; then cp -r "$src/../shared" "$root/src/shared"; fi
mounted=()
cleanup() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" || true; done
}
trap cleanup EXIT
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sys "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
# what a booted machine has besides: shared memory and terminals (Wine's
# server and some test tools use them)
mount -t tmpfs shm "$root/dev/shm" && mounted+=("$root/dev/shm")
mount -t devpts -o newinstance devpts "$root/dev/pts" && mounted+=("$root/dev/pts")
# EXRQOI_PACKAGE_TESTS=ON (as .ci/run sets it) is passed in; nothing else
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    EXRQOI_PACKAGE_TESTS="${EXRQOI_PACKAGE_TESTS:-OFF}" \
    bash -c 'cd /src/exrqoi && bash .ci/quickstart && bash .ci/test "$@"' quickstart "$@"
