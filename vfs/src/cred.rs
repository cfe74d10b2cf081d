//! Credentials and the mode-bit permission check (Linux `generic_permission`).

use alloc::vec::Vec;

use crate::flags::AccessCheck;
use crate::inode::Inode;

/// Who is asking: one uid, one gid and supplementary groups. uid 0 bypasses
/// read/write checks and may search any directory and execute any file with
/// at least one execute bit, as root (CAP_DAC_OVERRIDE) does on Linux.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Credentials {
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<u32>,
}

impl Credentials {
    pub const fn root() -> Credentials {
        Credentials { uid: 0, gid: 0, groups: Vec::new() }
    }

    pub fn user(uid: u32, gid: u32) -> Credentials {
        Credentials { uid, gid, groups: Vec::new() }
    }

    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// Whether the mode bits of `inode` grant `want`.
    pub fn permits(&self, inode: &Inode, want: AccessCheck) -> bool {
        if self.is_root() {
            let any_exec = inode.perm & 0o111 != 0;
            return !want.contains(AccessCheck::EXECUTE) || inode.is_dir() || any_exec;
        }
        let shift = if inode.uid == self.uid {
            6
        } else if self.in_group(inode.gid) {
            3
        } else {
            0
        };
        let granted = (inode.perm >> shift) & 0o7;
        granted & want.bits() == want.bits()
    }

    /// Owner or root: may chmod, utimes to arbitrary values, and so on.
    pub fn owns(&self, inode: &Inode) -> bool {
        self.is_root() || inode.uid == self.uid
    }
}
