//! Helpers for the unit tests of the syscall families.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::Cell;

use crate::{Clock, Credentials, Fd, OpenFlags, Timespec, Vfs};

/// A clock that moves one second forward every time it is read, so any two
/// timestamps taken by different operations differ.
pub struct TickingClock(Cell<i64>);

impl TickingClock {
    pub fn starting_at(sec: i64) -> TickingClock {
        TickingClock(Cell::new(sec))
    }
}

impl Clock for TickingClock {
    fn now(&self) -> Timespec {
        let t = self.0.get() + 1;
        self.0.set(t);
        Timespec::new(t, 0)
    }
}

pub fn vfs() -> Vfs {
    Vfs::new(Box::new(TickingClock(Cell::new(1_000_000))))
}

pub const USER: u32 = 1000;

pub fn as_user(vfs: &mut Vfs) {
    vfs.set_credentials(Credentials::user(USER, USER));
}

pub fn as_root(vfs: &mut Vfs) {
    vfs.set_credentials(Credentials::root());
}

/// Creates (or truncates) `path` with `data`.
pub fn write_file(vfs: &mut Vfs, path: &[u8], data: &[u8]) {
    let fd = vfs.open(path, OpenFlags::CREAT | OpenFlags::WRONLY | OpenFlags::TRUNC, 0o644).unwrap();
    assert_eq!(vfs.write(fd, data).unwrap(), data.len());
    vfs.close(fd).unwrap();
}

pub fn read_file(vfs: &mut Vfs, path: &[u8]) -> Vec<u8> {
    let fd = vfs.open(path, OpenFlags::RDONLY, 0).unwrap();
    let all = read_fd(vfs, fd);
    vfs.close(fd).unwrap();
    all
}

pub fn read_fd(vfs: &mut Vfs, fd: Fd) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 1000];
    loop {
        let n = vfs.read(fd, &mut buf).unwrap();
        if n == 0 {
            return all;
        }
        all.extend_from_slice(&buf[..n]);
    }
}

/// Names in a directory, sorted, without `.` and `..`.
pub fn names(vfs: &mut Vfs, path: &[u8]) -> Vec<Vec<u8>> {
    let fd = vfs.open(path, OpenFlags::RDONLY | OpenFlags::DIRECTORY, 0).unwrap();
    let mut out = Vec::new();
    vfs.getdents(fd, |e| {
        if e.name != b"." && e.name != b".." {
            out.push(e.name.to_vec());
        }
        true
    })
    .unwrap();
    vfs.close(fd).unwrap();
    out.sort();
    out
}

/// Reads directory `fd` with explicit cookies, `batch` entries at a time,
/// calling `between(vfs, round)` after each batch (round 1, 2, ...) so the
/// caller can change the directory mid-iteration. Returns every name seen,
/// and how many rounds ran.
pub fn read_in_batches(
    vfs: &mut Vfs,
    fd: Fd,
    batch: usize,
    mut between: impl FnMut(&mut Vfs, usize),
) -> (Vec<Vec<u8>>, usize) {
    let (mut seen, mut cookie, mut round) = (Vec::new(), 0, 0);
    loop {
        let mut names = Vec::new();
        let (n, next) = vfs
            .readdir(fd, cookie, |e| {
                names.push(e.name.to_vec());
                names.len() < batch
            })
            .unwrap();
        if n == 0 {
            return (seen, round);
        }
        seen.extend(names.into_iter().take(n));
        cookie = next;
        round += 1;
        between(vfs, round);
    }
}
