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
