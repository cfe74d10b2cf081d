//! The host's own `wasi_snapshot_preview1` functions, for what the adapter
//! forwards: descriptors it does not serve (stdio, the runtime's preopens
//! and what is opened beneath them, sockets), clocks, polling and the exit;
//! and for saving the tree into a runtime preopen (environment included).
//!
//! Every pointer passed here is a guest-memory address: in the fused module
//! the host reads and writes memory 0, the guest's.

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "environ_get"]
    pub fn environ_get(pointers: u32, buffer: u32) -> i32;
    #[link_name = "environ_sizes_get"]
    pub fn environ_sizes_get(count: u32, size: u32) -> i32;
    #[link_name = "proc_exit"]
    pub fn proc_exit(code: u32) -> !;

    #[link_name = "clock_time_get"]
    pub fn clock_time_get(id: u32, precision: u64, out: u32) -> i32;
    #[link_name = "poll_oneoff"]
    pub fn poll_oneoff(subs: u32, events: u32, n: u32, nevents: u32) -> i32;

    #[link_name = "fd_advise"]
    pub fn fd_advise(fd: u32, offset: u64, len: u64, advice: u32) -> i32;
    #[link_name = "fd_allocate"]
    pub fn fd_allocate(fd: u32, offset: u64, len: u64) -> i32;
    #[link_name = "fd_close"]
    pub fn fd_close(fd: u32) -> i32;
    #[link_name = "fd_datasync"]
    pub fn fd_datasync(fd: u32) -> i32;
    #[link_name = "fd_fdstat_get"]
    pub fn fd_fdstat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_fdstat_set_flags"]
    pub fn fd_fdstat_set_flags(fd: u32, flags: u32) -> i32;
    #[link_name = "fd_fdstat_set_rights"]
    pub fn fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64) -> i32;
    #[link_name = "fd_filestat_get"]
    pub fn fd_filestat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_filestat_set_size"]
    pub fn fd_filestat_set_size(fd: u32, size: u64) -> i32;
    #[link_name = "fd_filestat_set_times"]
    pub fn fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32) -> i32;
    #[link_name = "fd_pread"]
    pub fn fd_pread(fd: u32, iovs: u32, len: u32, offset: u64, out: u32) -> i32;
    #[link_name = "fd_prestat_get"]
    pub fn fd_prestat_get(fd: u32, out: u32) -> i32;
    #[link_name = "fd_prestat_dir_name"]
    pub fn fd_prestat_dir_name(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "fd_pwrite"]
    pub fn fd_pwrite(fd: u32, iovs: u32, len: u32, offset: u64, out: u32) -> i32;
    #[link_name = "fd_read"]
    pub fn fd_read(fd: u32, iovs: u32, len: u32, out: u32) -> i32;
    #[link_name = "fd_readdir"]
    pub fn fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32) -> i32;
    #[link_name = "fd_seek"]
    pub fn fd_seek(fd: u32, offset: i64, whence: u32, out: u32) -> i32;
    #[link_name = "fd_sync"]
    pub fn fd_sync(fd: u32) -> i32;
    #[link_name = "fd_tell"]
    pub fn fd_tell(fd: u32, out: u32) -> i32;
    #[link_name = "fd_write"]
    pub fn fd_write(fd: u32, iovs: u32, len: u32, out: u32) -> i32;

    #[link_name = "path_create_directory"]
    pub fn path_create_directory(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "path_filestat_get"]
    pub fn path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, out: u32) -> i32;
    #[link_name = "path_filestat_set_times"]
    pub fn path_filestat_set_times(fd: u32, flags: u32, path: u32, len: u32, atim: u64, mtim: u64, fst: u32) -> i32;
    #[link_name = "path_link"]
    pub fn path_link(old_fd: u32, flags: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_open"]
    pub fn path_open(
        fd: u32,
        dirflags: u32,
        path: u32,
        len: u32,
        oflags: u32,
        base: u64,
        inheriting: u64,
        fdflags: u32,
        out: u32,
    ) -> i32;
    #[link_name = "path_readlink"]
    pub fn path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32) -> i32;
    #[link_name = "path_remove_directory"]
    pub fn path_remove_directory(fd: u32, path: u32, len: u32) -> i32;
    #[link_name = "path_rename"]
    pub fn path_rename(old_fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_symlink"]
    pub fn path_symlink(old: u32, old_len: u32, fd: u32, new: u32, new_len: u32) -> i32;
    #[link_name = "path_unlink_file"]
    pub fn path_unlink_file(fd: u32, path: u32, len: u32) -> i32;

    #[link_name = "sock_accept"]
    pub fn sock_accept(fd: u32, flags: u32, out: u32) -> i32;
    #[link_name = "sock_recv"]
    pub fn sock_recv(fd: u32, iovs: u32, len: u32, flags: u32, out_len: u32, out_flags: u32) -> i32;
    #[link_name = "sock_send"]
    pub fn sock_send(fd: u32, iovs: u32, len: u32, flags: u32, out: u32) -> i32;
    #[link_name = "sock_shutdown"]
    pub fn sock_shutdown(fd: u32, how: u32) -> i32;
}
