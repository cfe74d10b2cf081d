//! The hot paths — read, write, pread, pwrite, stat, lookup — allocate
//! nothing in the common case (data already stored, no symlinks). Counted
//! with a global allocator that counts this thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use strata_vfs::{AccessCheck, AtFlags, FixedClock, OpenFlags, Timespec, Vfs, Whence};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn hot_paths_allocate_nothing() {
    let mut vfs = Vfs::new(Box::new(FixedClock(Timespec::new(1, 0))));
    vfs.mkdir(b"/a", 0o755).unwrap();
    vfs.mkdir(b"/a/b", 0o755).unwrap();
    for i in 0..1000 {
        let fd = vfs.open(format!("/a/b/f{i}").as_bytes(), OpenFlags::CREAT | OpenFlags::WRONLY, 0o644).unwrap();
        vfs.write(fd, &[i as u8; 4096]).unwrap();
        vfs.close(fd).unwrap();
    }
    let fd = vfs.open(b"/a/b/f500", OpenFlags::RDWR, 0).unwrap();
    let mut buf = [0u8; 4096];
    let data = [7u8; 1024];

    let count = allocations_during(|| {
        for _ in 0..100 {
            vfs.stat(b"/a/b/f999").unwrap();
            vfs.lstat(b"a/../a/./b/f1").unwrap();
            vfs.fstatat(strata_vfs::AT_FDCWD, b"/a/b/f2", AtFlags::empty()).unwrap();
            vfs.access(b"/a/b/f3", AccessCheck::READ).unwrap();
            vfs.fstat(fd).unwrap();
            vfs.lseek(fd, 0, Whence::Set).unwrap();
            assert_eq!(vfs.read(fd, &mut buf).unwrap(), 4096);
            assert_eq!(vfs.pread(fd, &mut buf, 100).unwrap(), 3996);
            assert_eq!(vfs.pwrite(fd, &data, 10).unwrap(), 1024);
            vfs.lseek(fd, 0, Whence::Set).unwrap();
            assert_eq!(vfs.write(fd, &data).unwrap(), 1024);
        }
    });
    assert_eq!(count, 0, "allocations on hot paths");
}
