//! What every export does around its body: finding the descriptor,
//! reading path arguments, and returning an errno.

use alloc::vec::Vec;

use crate::abi::{errno, Errno};
use crate::fds::{Fds, FileState, Kind, Slot};
use crate::guest::{self, GuestPtr};

/// An export's result as the i32 preview1 returns.
pub fn ret(result: Result<(), Errno>) -> i32 {
    match result {
        Ok(()) => errno::SUCCESS as i32,
        Err(e) => e as i32,
    }
}

/// A guest fd, resolved.
pub enum Target<'a> {
    Host(u32),
    Dir { vfs_fd: i32, preopen: Option<&'a [u8]> },
    File { vfs_fd: i32, state: &'a mut FileState },
}

/// The descriptor behind guest `fd`; EBADF if there is none.
pub fn target(fds: &mut Fds, fd: i32) -> Result<Target<'_>, Errno> {
    match fds.get_mut(fd).ok_or(errno::BADF)? {
        Slot::Host(host) => Ok(Target::Host(*host)),
        Slot::Virtual(v) => Ok(match &mut v.kind {
            Kind::Dir { preopen } => Target::Dir { vfs_fd: v.vfs_fd, preopen: preopen.as_deref() },
            Kind::File(state) => Target::File { vfs_fd: v.vfs_fd, state },
        }),
    }
}

/// A descriptor the file functions accept: wasmtime's `get_file_fd`, where
/// a directory is EBADF.
pub enum FileTarget<'a> {
    Host(u32),
    File { vfs_fd: i32, state: &'a mut FileState },
}

pub fn file_target(fds: &mut Fds, fd: i32) -> Result<FileTarget<'_>, Errno> {
    match target(fds, fd)? {
        Target::Host(host) => Ok(FileTarget::Host(host)),
        Target::File { vfs_fd, state } => Ok(FileTarget::File { vfs_fd, state }),
        Target::Dir { .. } => Err(errno::BADF),
    }
}

/// A descriptor the path functions accept: wasmtime's `get_dir_fd`, where
/// anything but a directory is EBADF.
pub enum DirTarget {
    Host(u32),
    Dir(i32),
}

pub fn dir_target(fds: &mut Fds, fd: i32) -> Result<DirTarget, Errno> {
    match target(fds, fd)? {
        Target::Host(host) => Ok(DirTarget::Host(host)),
        Target::Dir { vfs_fd, .. } => Ok(DirTarget::Dir(vfs_fd)),
        Target::File { .. } => Err(errno::BADF),
    }
}

/// wasmtime's budget for what one call copies out of guest memory (paths,
/// iovec and subscription arrays, a write's buffer): past it, ENOMEM
/// before anything is read.
pub struct Fuel(u64);

impl Default for Fuel {
    fn default() -> Fuel {
        Fuel(128 << 20)
    }
}

impl Fuel {
    pub fn take(&mut self, bytes: u64) -> Result<(), Errno> {
        self.0 = self.0.checked_sub(bytes).ok_or(errno::NOMEM)?;
        Ok(())
    }
}

/// Copies the path argument (`ptr`, `len`) into `buf`, as wasmtime reads a
/// string: past the call's fuel ENOMEM, out of bounds a trap, invalid UTF-8
/// EILSEQ.
pub fn read_path(ptr: i32, len: i32, buf: &mut Vec<u8>, fuel: &mut Fuel) -> Result<(), Errno> {
    let (ptr, len) = (ptr as GuestPtr, len as u32);
    fuel.take(len as u64)?;
    guest::check_region(ptr, len);
    buf.clear();
    buf.resize(len as usize, 0);
    guest::read_bytes(ptr, buf);
    if core::str::from_utf8(buf).is_err() {
        return Err(errno::ILSEQ);
    }
    Ok(())
}

/// Checks a path argument the way wasmtime's sandbox does before it
/// resolves anything: an absolute path, or one whose `..` components climb
/// above the directory fd, is EPERM; a NUL byte is EINVAL (the host's
/// C-string conversion). Symlinks met during the walk are not limited:
/// they resolve in the guest's namespace, as on Linux.
pub fn check_relative(path: &[u8]) -> Result<(), Errno> {
    // Every path argument takes this, so the common case (no NUL, no "..",
    // hence nothing can climb) is one pass over the bytes, a word at a time.
    let (nul, dot_dot) = scan(path);
    if nul {
        return Err(errno::INVAL);
    }
    if path.first() == Some(&b'/') {
        return Err(errno::PERM);
    }
    if dot_dot {
        let mut depth = 0usize;
        for component in path.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." => depth = depth.checked_sub(1).ok_or(errno::PERM)?,
                _ => depth += 1,
            }
        }
    }
    Ok(())
}

/// Whether `path` holds a NUL byte (exactly), and whether it may hold two
/// dots in a row (never a false "no": the exact check runs on a "yes").
fn scan(path: &[u8]) -> (bool, bool) {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const DOTS: u64 = u64::from_ne_bytes([b'.'; 8]);
    // A high bit set in each zero byte of `w` (and perhaps in a byte just
    // after one): the classic word-at-a-time zero test.
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let (words, rest) = path.as_chunks::<8>();
    let (mut nul, mut dot_dot, mut last_was_dot) = (false, false, false);
    for word in words {
        let w = u64::from_le_bytes(*word);
        let dots = zeros(w ^ DOTS);
        nul |= zeros(w) != 0;
        dot_dot |= dots & (dots >> 8) != 0 || (last_was_dot && dots & 0x80 != 0);
        last_was_dot = word[7] == b'.';
    }
    for &byte in rest {
        nul |= byte == 0;
        dot_dot |= last_was_dot && byte == b'.';
        last_was_dot = byte == b'.';
    }
    (nul, dot_dot)
}

/// Reads and checks a path argument for a virtual directory.
pub fn read_relative_path(ptr: i32, len: i32, buf: &mut Vec<u8>, fuel: &mut Fuel) -> Result<(), Errno> {
    read_path(ptr, len, buf, fuel)?;
    check_relative(buf)
}

/// A host call's i32 result as a `Result`.
pub fn host_result(code: i32) -> Result<(), Errno> {
    if code == 0 {
        Ok(())
    } else {
        Err(code as Errno)
    }
}

/// The Linux errno of a strata-vfs call, converted.
pub fn vfs<T>(result: strata_vfs::Result<T>) -> Result<T, Errno> {
    result.map_err(crate::errno::from_linux)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_stay_below_their_directory() {
        for ok in [&b"a"[..], b"a/b", b"a/..", b"a/../b/./c/", b".", b"a//b/../..", b"", b"..a/.b"] {
            assert_eq!(check_relative(ok), Ok(()), "{ok:?}");
        }
        for climbs in
            [&b".."[..], b"/a", b"a/../..", b"a/../../b", b"./../a", b"/", b"abcdefg/../..", b"abcdefgh/../.."]
        {
            assert_eq!(check_relative(climbs), Err(errno::PERM), "{climbs:?}");
        }
        for nul in [&b"a\0"[..], b"../\0", b"/\0", b"abcdefgh\0", b"abcdefg\0/", b"\0abcdefghijklmnop"] {
            assert_eq!(check_relative(nul), Err(errno::INVAL), "{nul:?}");
        }
    }

    /// The rules spelled out plainly, component by component.
    fn reference(path: &[u8]) -> Result<(), Errno> {
        if path.contains(&0) {
            return Err(errno::INVAL);
        }
        if path.first() == Some(&b'/') {
            return Err(errno::PERM);
        }
        let mut depth = 0i32;
        for component in path.split(|&b| b == b'/') {
            match component {
                b"" | b"." => {}
                b".." if depth == 0 => return Err(errno::PERM),
                b".." => depth -= 1,
                _ => depth += 1,
            }
        }
        Ok(())
    }

    #[test]
    fn the_word_at_a_time_check_agrees_with_the_rules() {
        // Every path of up to 10 bytes over these four, across a word's end.
        let alphabet = [b'.', b'/', b'a', 0];
        let mut path = Vec::new();
        for len in 0..=10u32 {
            for mut n in 0..4usize.pow(len) {
                path.clear();
                for _ in 0..len {
                    path.push(alphabet[n % 4]);
                    n /= 4;
                }
                assert_eq!(check_relative(&path), reference(&path), "{path:?}");
            }
        }
    }
}
