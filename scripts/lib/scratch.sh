# Sourced by the benchmark scripts: a scratch directory on tmpfs, so that
# host-directory and native runs are measured against memory, as the
# wrapped module's filesystem is. Needs a `log` function.
#
#   make_scratch NAME SIZE     # sets WORK (in SCRATCH_BASE); removed, and unmounted, at exit
#
# /dev/shm when it is a writable tmpfs; else a tmpfs of SIZE mounted for
# the run (root or sudo).

fstype() { df --output=fstype "$1" 2>/dev/null | tail -n 1; }

make_scratch() {
    local name=$1 size=$2
    SCRATCH_MOUNTED="" SCRATCH_SUDO=""
    if [ -d /dev/shm ] && [ -w /dev/shm ] && [ "$(fstype /dev/shm)" = tmpfs ]; then
        SCRATCH_BASE=/dev/shm
    else
        SCRATCH_BASE=$(mktemp -d /tmp/strata-bench-tmpfs.XXXXXX)
        [ "$(id -u)" -eq 0 ] || SCRATCH_SUDO="sudo"
        $SCRATCH_SUDO mount -t tmpfs -o "size=$size,mode=1777" tmpfs "$SCRATCH_BASE"
        SCRATCH_MOUNTED=$SCRATCH_BASE
    fi
    WORK=$(mktemp -d "$SCRATCH_BASE/$name.XXXXXX")
    trap remove_scratch EXIT
    log "scratch: $WORK ($(fstype "$WORK"))"
}

remove_scratch() {
    rm -rf "$WORK"
    if [ -n "$SCRATCH_MOUNTED" ]; then
        $SCRATCH_SUDO umount "$SCRATCH_MOUNTED" && rmdir "$SCRATCH_MOUNTED"
    fi
}
