//! A snapshot, laid out and reopened, is the tree the filesystem showed.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::image::layout::{Layout, Mount};
use crate::image::test_image::{build, Node};
use crate::image::Image;
use crate::mount::FsId;
use crate::ops::test_support::{names, read_file, write_file, TickingClock};
use crate::{AtFlags, Errno, FileType, MountOptions, OpenFlags as O, SetTime, Timespec, Vfs, AT_FDCWD};

static BIG: [u8; 200_000] = [b'b'; 200_000];

fn image() -> &'static [u8] {
    build(
        &[
            ("/etc", Node::Dir(0o755)),
            ("/etc/hosts", Node::File(0o644, b"127.0.0.1 localhost\n")),
            ("/etc/alias", Node::HardLink("/etc/hosts")),
            ("/etc/secret", Node::File(0o600, b"s3cret")),
            ("/srv", Node::Dir(0o750)),
            ("/srv/big", Node::File(0o644, &BIG)),
            ("/srv/empty", Node::Dir(0o700)),
            ("/srv/tmp", Node::Dir(0o755)),
            ("/srv/hosts", Node::Symlink(b"/etc/hosts")),
            ("/untouched", Node::Dir(0o755)),
            ("/untouched/a", Node::File(0o644, b"a")),
            ("/untouched/b", Node::HardLink("/untouched/a")),
        ],
        &["/srv", "/etc"],
    )
}

fn vfs_on(bytes: &'static [u8]) -> Vfs {
    let image = Image::open(bytes).expect("a valid image");
    Vfs::with_image(Box::new(TickingClock::starting_at(2_000_000_000)), image, MountOptions::default())
}

/// Every path under `/`, sorted, with what `ls -lan` and `cat` would
/// show (hard links as the first path of their inode, not numbers).
fn listing(vfs: &mut Vfs) -> String {
    let mut out = String::new();
    let mut first_path: Vec<((u64, u64), String)> = Vec::new();
    let mut stack: Vec<Vec<u8>> = alloc::vec![b"/".to_vec()];
    while let Some(dir) = stack.pop() {
        let mut children = names(vfs, &dir);
        children.reverse();
        for name in children {
            let mut path = dir.clone();
            if path != b"/" {
                path.push(b'/');
            }
            path.extend_from_slice(&name);
            let stat = vfs.lstat(&path).unwrap();
            let shown = String::from_utf8_lossy(&path).into_owned();
            let what = match stat.file_type() {
                FileType::Directory => {
                    stack.push(path.clone());
                    String::from("dir")
                }
                FileType::Symlink => {
                    let mut target = alloc::vec![0u8; 4096];
                    let n = vfs.readlink(&path, &mut target).unwrap();
                    format!("-> {}", String::from_utf8_lossy(&target[..n]))
                }
                _ => {
                    let id = (stat.dev, stat.ino);
                    let link = first_path.iter().find(|(known, _)| *known == id).map(|(_, p)| p.clone());
                    if link.is_none() {
                        first_path.push((id, shown.clone()));
                    }
                    let data = read_file(vfs, &path);
                    let sum: u64 = data.iter().enumerate().map(|(i, &b)| (i as u64 + 1) * b as u64).sum();
                    format!("file {} sum {sum} link {link:?}", data.len())
                }
            };
            let nlink = if stat.file_type() == FileType::Directory { 0 } else { stat.nlink };
            out += &format!(
                "{shown} {:o} {}:{} {} {}.{} {what}\n",
                stat.mode, stat.uid, stat.gid, nlink, stat.mtime.sec, stat.mtime.nsec
            );
        }
    }
    out
}

/// The image of `vfs`'s tree with `mounts`, entering the filesystems
/// `enter` allows.
fn save(vfs: &Vfs, mounts: &[Mount], enter: &dyn Fn(FsId) -> bool) -> &'static [u8] {
    let snapshot = vfs.snapshot(enter);
    let layout = Layout::new(&snapshot, mounts, Some(b"/out/state.img")).unwrap();
    let mut bytes = Vec::new();
    snapshot.write(&layout, &mut bytes);
    assert_eq!(bytes.len() as u64, layout.header.image_len);
    Box::leak(bytes.into_boxed_slice())
}

fn change_everything(vfs: &mut Vfs) {
    write_file(vfs, b"/srv/new", b"fresh");
    let fd = vfs.open(b"/srv/big", O::WRONLY, 0).unwrap();
    vfs.pwrite(fd, b"XYZ", 150_000).unwrap();
    vfs.pwrite(fd, b"tail", 300_000).unwrap(); // a hole from 200 000
    vfs.close(fd).unwrap();
    vfs.unlink(b"/etc/secret").unwrap();
    vfs.rename(b"/srv/empty", b"/srv/moved").unwrap();
    vfs.mkdir(b"/srv/moved/sub", 0o711).unwrap();
    vfs.link(b"/etc/hosts", b"/srv/hosts-link").unwrap();
    vfs.unlink(b"/etc/alias").unwrap();
    vfs.symlink(b"../etc/hosts", b"/srv/rel").unwrap();
    vfs.symlink(b"nowhere", b"/srv/dangling").unwrap();
    vfs.chmod(b"/srv/new", 0o600).unwrap();
    let time = SetTime::At(Timespec::new(1_600_000_000, 123_456_789));
    vfs.utimensat(AT_FDCWD, b"/srv/moved", [time, time], AtFlags::empty()).unwrap();
    // Open but unlinked: not in the tree.
    let fd = vfs.open(b"/srv/ghost", O::CREAT | O::WRONLY, 0o644).unwrap();
    vfs.unlink(b"/srv/ghost").unwrap();
    vfs.write(fd, b"boo").unwrap();
}

#[test]
fn a_saved_image_holds_the_tree_as_it_was_seen() {
    let mut vfs = vfs_on(image());
    change_everything(&mut vfs);
    let expected = listing(&mut vfs);
    let saved = save(&vfs, &[Mount::new(b"/srv", false, None)], &|_| true);
    let image = Image::open(saved).expect("a saved image is valid");
    image.verify_data().unwrap();
    assert_eq!(image.save_path(), Some(&b"/out/state.img"[..]));
    assert_eq!(image.mounts().collect::<Vec<_>>(), [&b"/srv"[..]]);
    let mut reopened = vfs_on(saved);
    assert_eq!(listing(&mut reopened), expected);
    assert!(expected.contains("/srv/hosts-link 100644 1000:100 2"), "{expected}");
    assert!(expected.contains(r#"link Some("/etc/hosts")"#), "a new hard link: {expected}");
    assert!(expected.contains(r#"/untouched/b 100644 1000:100 2"#), "{expected}");
    assert!(!expected.contains("alias") && !expected.contains("ghost") && !expected.contains("secret"));
    // Saving again from the reopened tree gives the same bytes.
    assert_eq!(save(&reopened, &[Mount::new(b"/srv", false, None)], &|_| true), saved);
}

#[test]
fn saving_touches_no_inode_the_guest_did_not() {
    let mut vfs = vfs_on(image());
    write_file(&mut vfs, b"/srv/new", b"x");
    let before = vfs.mounts.fs(FsId(0)).materialized();
    let saved = save(&vfs, &[], &|_| true);
    assert_eq!(vfs.mounts.fs(FsId(0)).materialized(), before, "the walk reads untouched inodes from the image");
    assert_eq!(read_file(&mut vfs_on(saved), b"/untouched/b"), b"a");
}

#[test]
fn a_tmpfs_is_saved_as_its_empty_mountpoint_and_read_only_views_as_they_are() {
    let mut vfs = vfs_on(image());
    let bytes = image();
    let tmp = vfs.mount(b"/srv/tmp", MountOptions { size_limit: Some(1000), ..MountOptions::default() }).unwrap();
    write_file(&mut vfs, b"/srv/tmp/scratch", b"gone at exit");
    let opened = Image::open(bytes).unwrap();
    let etc = opened.preopen_dir(b"/etc").unwrap();
    vfs.mount_image_dir(b"/etc", opened, etc, MountOptions { read_only: true, ..MountOptions::default() }).unwrap();
    assert_eq!(vfs.open(b"/etc/new", O::CREAT | O::WRONLY, 0o644), Err(Errno::ROFS));
    assert_eq!(vfs.rename(b"/srv/missing", b"/etc/x"), Err(Errno::XDEV), "Linux checks the mounts first");
    write_file(&mut vfs, b"/srv/f", b"f");
    assert_eq!(vfs.rename(b"/srv/f", b"/srv/tmp/f"), Err(Errno::XDEV));
    assert_eq!(vfs.link(b"/srv/f", b"/srv/tmp/f"), Err(Errno::XDEV));
    assert_eq!(vfs.link(b"/srv/f", b"/etc/f"), Err(Errno::ROFS), "Linux asks the mount for writing first");
    let mounts = [Mount::new(b"/etc", true, None), Mount::new(b"/srv/tmp", false, Some(Some(1000)))];
    let saved = save(&vfs, &mounts, &|fs| fs != tmp);
    let image = Image::open(saved).expect("valid, the tmpfs mountpoint empty");
    let records: Vec<_> = image.mount_records().map(|m| (m.name, m.read_only, m.tmpfs)).collect();
    assert_eq!(records, [(&b"/etc"[..], true, None), (&b"/srv/tmp"[..], false, Some(Some(1000)))]);
    let mut reopened = vfs_on(saved);
    assert!(names(&mut reopened, b"/srv/tmp").is_empty());
    assert_eq!(read_file(&mut reopened, b"/etc/hosts"), b"127.0.0.1 localhost\n");
    assert_eq!(read_file(&mut reopened, b"/srv/f"), b"f");
}
