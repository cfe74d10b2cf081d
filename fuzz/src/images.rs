//! The packed images the targets run on, each built once per process (so
//! outside any input, and outside the adapter's arena) and kept for its
//! whole life.
//!
//! They are laid out the way a guest's save is: a tree built with
//! strata-vfs calls, snapshotted, laid out and written, which is the code
//! `vfs_ops` checks too. The tree holds what the targets' tiny name sets
//! collide with: `a`, a file larger than one 64 KiB chunk, a hard link, an
//! absolute and a relative symlink, a chain, a loop and a link upwards.

use std::sync::OnceLock;

use strata_vfs::image::layout::{Layout, Mount};
use strata_vfs::image::Image;
use strata_vfs::{FixedClock, OpenFlags, Timespec, Vfs};

/// The tree's preopens, writable, read-only and tmpfs: the mounts a wrapped
/// module's state sets up, and a save path (there is never a host preopen
/// for it, so a save fails after laying the image out).
pub fn preopens() -> &'static [u8] {
    static IMAGE: OnceLock<&'static [u8]> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let mounts = [
            Mount::new(b"/srv", false, None),
            Mount::new(b"/srv/ro", true, None),
            Mount::new(b"/tmp", false, Some(Some(4096))),
        ];
        build(&mounts, Some(b"/out/state.img"))
    })
}

/// The same tree as one read-only preopen `.` (the root), with a tmpfs
/// without a size limit at `/tmp`.
pub fn read_only_root() -> &'static [u8] {
    static IMAGE: OnceLock<&'static [u8]> = OnceLock::new();
    IMAGE.get_or_init(|| build(&[Mount::new(b".", true, None), Mount::new(b"/tmp", false, Some(None))], None))
}

/// Every file of the tree, as (path, bytes); directories and symlinks
/// are in [`tree`].
const FILES: &[(&str, &[u8])] = &[
    ("/srv/hello.txt", b"hello, strata\n"),
    ("/srv/sub/inner.txt", b"inner\n"),
    ("/srv/ro/file", b"read only\n"),
    ("/a/b", b"ab"),
];

fn tree(vfs: &mut Vfs) {
    for dir in ["/srv", "/srv/sub", "/srv/sub/deeper", "/srv/ro", "/srv/empty", "/a", "/tmp"] {
        vfs.mkdir(dir.as_bytes(), 0o755).expect("mkdir in a fresh tree");
    }
    vfs.chmod(b"/tmp", 0o1777).expect("chmod /tmp");
    for &(path, bytes) in FILES {
        write(vfs, path.as_bytes(), bytes);
    }
    let big: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
    write(vfs, b"/srv/big", &big);
    vfs.link(b"/srv/hello.txt", b"/srv/hard").expect("link");
    for (target, path) in [
        ("/srv/hello.txt", "/srv/abs-link"),
        ("sub/inner.txt", "/srv/rel-link"),
        ("chain2", "/srv/chain1"),
        ("rel-link", "/srv/chain2"),
        ("loop2", "/srv/loop1"),
        ("loop1", "/srv/loop2"),
        ("..", "/srv/up"),
    ] {
        vfs.symlink(target.as_bytes(), path.as_bytes()).expect("symlink");
    }
}

fn write(vfs: &mut Vfs, path: &[u8], bytes: &[u8]) {
    let fd = vfs.open(path, OpenFlags::CREAT | OpenFlags::WRONLY, 0o644).expect("create");
    assert_eq!(vfs.write(fd, bytes), Ok(bytes.len()));
    vfs.close(fd).expect("close");
}

fn build(mounts: &[Mount], save_path: Option<&[u8]>) -> &'static [u8] {
    let mut vfs = Vfs::new(Box::new(FixedClock(Timespec::new(1_600_000_000, 5))));
    tree(&mut vfs);
    let snapshot = vfs.snapshot(&|_| true);
    let layout = Layout::new(&snapshot, mounts, save_path).expect("a small tree");
    let mut bytes = Vec::new();
    snapshot.write(&layout, &mut bytes);
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    Image::open(bytes).expect("the image just written").verify_data().expect("its data");
    bytes
}
