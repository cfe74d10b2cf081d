//! The preview1 ABI: numbers, flag bits and struct layouts from
//! `wasi_snapshot_preview1.witx`, and the argument checks wasmtime's
//! generated bindings make before a function body runs.

/// A preview1 errno (`errno`, a u16 on the wire, returned as i32).
pub type Errno = u16;

pub mod errno {
    use super::Errno;
    pub const SUCCESS: Errno = 0;
    pub const ACCES: Errno = 2;
    pub const AGAIN: Errno = 6;
    pub const ALREADY: Errno = 7;
    pub const BADF: Errno = 8;
    pub const BUSY: Errno = 10;
    pub const EXIST: Errno = 20;
    pub const FBIG: Errno = 22;
    pub const ILSEQ: Errno = 25;
    pub const INPROGRESS: Errno = 26;
    pub const INTR: Errno = 27;
    pub const INVAL: Errno = 28;
    pub const IO: Errno = 29;
    pub const ISDIR: Errno = 31;
    pub const LOOP: Errno = 32;
    pub const MFILE: Errno = 33;
    pub const MLINK: Errno = 34;
    pub const NAMETOOLONG: Errno = 37;
    pub const NOENT: Errno = 44;
    pub const NOMEM: Errno = 48;
    pub const NOSPC: Errno = 51;
    pub const NOTDIR: Errno = 54;
    pub const NOTEMPTY: Errno = 55;
    pub const NOTSOCK: Errno = 57;
    pub const NOTSUP: Errno = 58;
    pub const OVERFLOW: Errno = 61;
    pub const PERM: Errno = 63;
    pub const PIPE: Errno = 64;
    pub const ROFS: Errno = 69;
    pub const SPIPE: Errno = 70;
    pub const XDEV: Errno = 75;
}

/// `ENOSPC`-style name of a preview1 errno, for messages.
pub fn errno_name(code: Errno) -> &'static str {
    const NAMES: [&str; 77] = [
        "SUCCESS",
        "E2BIG",
        "EACCES",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "EAFNOSUPPORT",
        "EAGAIN",
        "EALREADY",
        "EBADF",
        "EBADMSG",
        "EBUSY",
        "ECANCELED",
        "ECHILD",
        "ECONNABORTED",
        "ECONNREFUSED",
        "ECONNRESET",
        "EDEADLK",
        "EDESTADDRREQ",
        "EDOM",
        "EDQUOT",
        "EEXIST",
        "EFAULT",
        "EFBIG",
        "EHOSTUNREACH",
        "EIDRM",
        "EILSEQ",
        "EINPROGRESS",
        "EINTR",
        "EINVAL",
        "EIO",
        "EISCONN",
        "EISDIR",
        "ELOOP",
        "EMFILE",
        "EMLINK",
        "EMSGSIZE",
        "EMULTIHOP",
        "ENAMETOOLONG",
        "ENETDOWN",
        "ENETRESET",
        "ENETUNREACH",
        "ENFILE",
        "ENOBUFS",
        "ENODEV",
        "ENOENT",
        "ENOEXEC",
        "ENOLCK",
        "ENOLINK",
        "ENOMEM",
        "ENOMSG",
        "ENOPROTOOPT",
        "ENOSPC",
        "ENOSYS",
        "ENOTCONN",
        "ENOTDIR",
        "ENOTEMPTY",
        "ENOTRECOVERABLE",
        "ENOTSOCK",
        "ENOTSUP",
        "ENOTTY",
        "ENXIO",
        "EOVERFLOW",
        "EOWNERDEAD",
        "EPERM",
        "EPIPE",
        "EPROTO",
        "EPROTONOSUPPORT",
        "EPROTOTYPE",
        "ERANGE",
        "EROFS",
        "ESPIPE",
        "ESRCH",
        "ESTALE",
        "ETIMEDOUT",
        "ETXTBSY",
        "EXDEV",
        "ENOTCAPABLE",
    ];
    NAMES.get(code as usize).copied().unwrap_or("an unknown errno")
}

pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SYMBOLIC_LINK: u8 = 7;
}

pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const ALL: u64 = (1 << 30) - 1;

    /// What wasmtime reports for a preopened directory ("expected by many
    /// userlands"), whatever the directory allows.
    pub const PREOPEN_BASE: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;
    pub const PREOPEN_INHERITING: u64 = PREOPEN_BASE
        | FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
}

pub mod oflags {
    pub const CREAT: u16 = 1;
    pub const DIRECTORY: u16 = 2;
    pub const EXCL: u16 = 4;
    pub const TRUNC: u16 = 8;
    pub const ALL: u16 = 0xf;
}

pub mod fdflags {
    pub const APPEND: u16 = 1;
    pub const DSYNC: u16 = 2;
    pub const NONBLOCK: u16 = 4;
    pub const RSYNC: u16 = 8;
    pub const SYNC: u16 = 16;
    pub const ALL: u16 = 0x1f;
}

pub mod lookupflags {
    pub const SYMLINK_FOLLOW: u32 = 1;
    pub const ALL: u32 = 1;
}

pub mod fstflags {
    pub const ATIM: u16 = 1;
    pub const ATIM_NOW: u16 = 2;
    pub const MTIM: u16 = 4;
    pub const MTIM_NOW: u16 = 8;
    pub const ALL: u16 = 0xf;
}

pub mod whence {
    pub const SET: u8 = 0;
    pub const CUR: u8 = 1;
    pub const END: u8 = 2;
}

/// Number of `advice` values (0 ..= 5 are valid).
pub const ADVICE_COUNT: u8 = 6;
/// `sdflags`: RD | WR.
pub const SDFLAGS_ALL: u8 = 3;
/// `riflags`: RECV_PEEK | RECV_WAITALL.
pub const RIFLAGS_ALL: u16 = 3;

pub mod eventtype {
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// `eventrwflags::fd_readwrite_hangup`
pub const EVENT_HANGUP: u16 = 1;

/// `clockid::realtime`
pub const CLOCK_REALTIME: u32 = 0;

/// Struct layouts: size, alignment and field offsets.
pub mod layout {
    pub const IOVEC_SIZE: u32 = 8;
    pub const IOVEC_ALIGN: u32 = 4;

    pub const FDSTAT_SIZE: u32 = 24;
    pub const FDSTAT_ALIGN: u32 = 8;

    pub const FILESTAT_SIZE: u32 = 64;
    pub const FILESTAT_ALIGN: u32 = 8;

    pub const PRESTAT_SIZE: u32 = 8;
    pub const PRESTAT_ALIGN: u32 = 4;

    pub const DIRENT_SIZE: usize = 24;

    pub const SUBSCRIPTION_SIZE: u32 = 48;
    pub const SUBSCRIPTION_ALIGN: u32 = 8;
    /// Offset of the union's tag and of an fd subscription's fd.
    pub const SUBSCRIPTION_TAG: u32 = 8;
    pub const SUBSCRIPTION_FD: u32 = 16;

    pub const EVENT_SIZE: u32 = 32;
    pub const EVENT_ALIGN: u32 = 8;
}

// Argument decoding. wasmtime's generated bindings decode every argument
// before the function runs, and a value that does not fit its type (too
// wide for a u16, an unknown flag bit or enum value) stops the guest with a
// trap, not an errno. These do the same.

/// A u16 flags argument with only `known` bits.
pub fn flags16(value: i32, known: u16) -> u16 {
    match u16::try_from(value) {
        Ok(narrow) if narrow & !known == 0 => narrow,
        _ => crate::guest::trap(),
    }
}

/// A u8 flags argument with only `known` bits.
pub fn flags8(value: i32, known: u8) -> u8 {
    match u8::try_from(value) {
        Ok(narrow) if narrow & !known == 0 => narrow,
        _ => crate::guest::trap(),
    }
}

/// A u8 enum argument with `count` values.
pub fn enum8(value: i32, count: u8) -> u8 {
    match u8::try_from(value) {
        Ok(narrow) if narrow < count => narrow,
        _ => crate::guest::trap(),
    }
}

/// A u32 flags argument with only `known` bits.
pub fn flags32(value: i32, known: u32) -> u32 {
    let value = value as u32;
    if value & !known != 0 {
        crate::guest::trap();
    }
    value
}

/// A rights argument.
pub fn rights(value: i64) -> u64 {
    let value = value as u64;
    if value & !rights::ALL != 0 {
        crate::guest::trap();
    }
    value
}
