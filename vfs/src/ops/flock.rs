//! `flock(2)`: advisory whole-file locks owned by open file descriptions.

use crate::errno::{Errno, Result};
use crate::fd_table::Fd;
use crate::flags::FlockOp;
use crate::open_file::HeldLock;
use crate::Vfs;

impl Vfs {
    /// `flock(2)`. Locks belong to the open file description, so `dup`s
    /// share one and a second `open` of the same file conflicts with it.
    /// Converting a lock first drops the old one, as Linux does, so a failed
    /// conversion leaves none. A request that would wait fails with
    /// EWOULDBLOCK even without `nonblocking`: in one process nothing could
    /// ever release the conflicting lock, so waiting would hang forever.
    pub fn flock(&mut self, fd: Fd, op: FlockOp, nonblocking: bool) -> Result<()> {
        let _ = nonblocking;
        let file = self.open_file(fd)?;
        let (loc, held) = (file.loc, file.lock);
        let wanted = match op {
            FlockOp::Shared => Some(HeldLock::Shared),
            FlockOp::Exclusive => Some(HeldLock::Exclusive),
            FlockOp::Unlock => None,
        };
        if held == wanted {
            return Ok(());
        }
        if let Some(held) = held {
            super::descriptors::release_flock(self.inode_mut(loc), held);
            self.open_file_mut(fd)?.lock = None;
        }
        let Some(wanted) = wanted else { return Ok(()) };
        let state = &mut self.inode_mut(loc).flock;
        match wanted {
            HeldLock::Shared if state.exclusive => return Err(Errno::WOULDBLOCK),
            HeldLock::Exclusive if state.exclusive || state.shared > 0 => return Err(Errno::WOULDBLOCK),
            HeldLock::Shared => state.shared += 1,
            HeldLock::Exclusive => state.exclusive = true,
        }
        self.open_file_mut(fd)?.lock = Some(wanted);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use crate::{Errno, FlockOp, OpenFlags as O};

    #[test]
    fn locks_belong_to_descriptions() {
        let mut vfs = vfs();
        write_file(&mut vfs, b"/f", b"");
        let a = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        let b = vfs.open(b"/f", O::RDONLY, 0).unwrap();
        let a2 = vfs.dup(a).unwrap();
        vfs.flock(a, FlockOp::Shared, true).unwrap();
        vfs.flock(b, FlockOp::Shared, true).unwrap();
        assert_eq!(vfs.flock(a2, FlockOp::Exclusive, true), Err(Errno::WOULDBLOCK));
        // The failed conversion dropped a's shared lock, as Linux does.
        vfs.flock(b, FlockOp::Exclusive, true).unwrap();
        assert_eq!(vfs.flock(a, FlockOp::Shared, false), Err(Errno::WOULDBLOCK), "would wait forever");
        vfs.close(b).unwrap();
        vfs.flock(a2, FlockOp::Exclusive, true).unwrap();
        vfs.flock(a, FlockOp::Unlock, true).unwrap();
        assert_eq!(vfs.flock(99, FlockOp::Unlock, true), Err(Errno::BADF));
    }
}
