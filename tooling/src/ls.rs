//! `strata ls`: an image's tree as `ls -lani` shows a directory.
//!
//! Columns: inode, mode, links, uid, gid, size, mtime (UTC, to the
//! nanosecond), name, and `-> target` for symlinks. A directory's size is
//! what a guest's `stat` reports for it (tmpfs's, by entry count).

use std::io::Write;

use anyhow::{anyhow, Result};
use strata_vfs::image::Image;
use strata_vfs::inode::DIR_ENTRY_SIZE;
use strata_vfs::FileType;

use crate::display::{format_time, mode_string};
use crate::resolve::resolve;

/// Lists `path` of `image` to `out`: a directory's entries (and with
/// `recursive`, every directory below it, each under a `PATH:` heading),
/// or a file or symlink itself.
pub fn ls(image: &Image, path: &[u8], recursive: bool, out: &mut dyn Write) -> Result<()> {
    let ino = resolve(image, path).map_err(|error| anyhow!("{}: {error}", String::from_utf8_lossy(path)))?;
    if image.inode(ino).kind != FileType::Directory {
        return write_rows(image, &[(path, ino)], out);
    }
    if !recursive {
        let entries: Vec<_> = image.entries(ino).map(|entry| (entry.name, entry.ino)).collect();
        return write_rows(image, &entries, out);
    }
    // Depth first, each directory's subdirectories in name order, like ls.
    let mut pending = vec![(path.to_vec(), ino)];
    let mut first = true;
    while let Some((dir_path, dir)) = pending.pop() {
        if !first {
            out.write_all(b"\n")?;
        }
        first = false;
        out.write_all(&dir_path)?;
        out.write_all(b":\n")?;
        let entries: Vec<_> = image.entries(dir).map(|entry| (entry.name, entry.ino)).collect();
        write_rows(image, &entries, out)?;
        let subdirs: Vec<_> = image.entries(dir).filter(|entry| entry.kind == FileType::Directory).collect();
        for entry in subdirs.into_iter().rev() {
            let mut child = dir_path.clone();
            if !child.ends_with(b"/") {
                child.push(b'/');
            }
            child.extend_from_slice(entry.name);
            pending.push((child, entry.ino));
        }
    }
    Ok(())
}

/// One line per `(name, inode)`, columns aligned.
fn write_rows(image: &Image, rows: &[(&[u8], u32)], out: &mut dyn Write) -> Result<()> {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|&(_, ino)| {
            let inode = image.inode(ino);
            let size = match inode.kind {
                FileType::Directory => DIR_ENTRY_SIZE * (inode.size + 2),
                _ => inode.size,
            };
            [ino.to_string(), inode.nlink.to_string(), inode.uid.to_string(), inode.gid.to_string(), size.to_string()]
        })
        .collect();
    let mut widths = [0; 5];
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    for (&(name, ino), [ino_cell, nlink, uid, gid, size]) in rows.iter().zip(&cells) {
        let inode = image.inode(ino);
        let [w_ino, w_nlink, w_uid, w_gid, w_size] = widths;
        write!(
            out,
            "{ino_cell:>w_ino$} {} {nlink:>w_nlink$} {uid:>w_uid$} {gid:>w_gid$} {size:>w_size$} {} ",
            mode_string(inode.kind, inode.perm),
            format_time(inode.mtime.sec, inode.mtime.nsec)
        )?;
        out.write_all(name)?;
        if inode.kind == FileType::Symlink {
            out.write_all(b" -> ")?;
            out.write_all(image.symlink_target(ino))?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}
