//! fd_readdir: entries from a cookie, packed into the guest's buffer.
//!
//! Like wasmtime, `.` and `..` come first and the last entry that does not
//! fit is written truncated, so a full buffer tells the guest to retry from
//! the last whole entry's cookie with a larger buffer. Cookies are
//! strata-vfs's stable ones: an entry that exists for the whole iteration
//! is returned exactly once however the directory changes meanwhile.

use strata_vfs::{DirEntry, Errno as Linux, FileType};

use crate::abi::{errno, layout};
use crate::call::{host_result, ret, target, vfs, Target};
use crate::guest::{self, GuestPtr};
use crate::host;
use crate::state::state;

use super::stat::filetype_of;

#[no_mangle]
pub extern "C" fn fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, out: i32) -> i32 {
    let st = state();
    ret((|| {
        let vfs_fd = match target(&mut st.fds, fd)? {
            Target::Host(host) => {
                return host_result(unsafe {
                    host::fd_readdir(host, buf as u32, buf_len as u32, cookie as u64, out as u32)
                })
            }
            Target::Dir { vfs_fd, .. } => vfs_fd,
            Target::File { .. } => return Err(errno::BADF),
        };
        let capacity = buf_len as u32;
        let mut cursor = buf as GuestPtr;
        let mut left = capacity;
        let mut emit = |entry: DirEntry<'_>| {
            let mut header = [0u8; layout::DIRENT_SIZE];
            header[0..8].copy_from_slice(&entry.next.to_le_bytes());
            header[8..16].copy_from_slice(&entry.ino.to_le_bytes());
            header[16..20].copy_from_slice(&(entry.name.len() as u32).to_le_bytes());
            header[20] = filetype_of(entry.kind);
            for piece in [&header[..], entry.name] {
                let take = (piece.len() as u32).min(left);
                guest::write_bytes(cursor, &piece[..take as usize]);
                cursor = cursor.wrapping_add(take);
                left -= take;
                if left == 0 {
                    return false;
                }
            }
            true
        };
        match st.vfs.readdir(vfs_fd, cookie as u64, &mut emit) {
            Ok(_) => {}
            // Linux refuses to list a removed directory; wasmtime's host
            // lists its `.` and `..` and nothing else, and so does this.
            Err(e) if e == Linux::NOENT => {
                let ino = vfs(st.vfs.fstat(vfs_fd))?.ino;
                for (at, name) in [(0u64, &b"."[..]), (1, b"..")] {
                    if (cookie as u64) <= at && !emit(DirEntry { ino, kind: FileType::Directory, name, next: at + 1 }) {
                        break;
                    }
                }
            }
            Err(e) => return vfs(Err(e)),
        }
        guest::write_u32(out as GuestPtr, capacity - left);
        Ok(())
    })())
}
