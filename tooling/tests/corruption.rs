//! Corrupt images against the reader (`Image::open`), and against `strata
//! ls` / `strata extract`: an error, never a panic or a wrong tree.

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

use common::*;
use strata_vfs::image::Image;
use strata_vfs::FileType;

/// Single-byte and multi-byte flips tried on the image.
const SINGLE_FLIPS: usize = 6000;
const MULTI_FLIPS: usize = 3000;

/// A small image with every kind of record: nested directories, files
/// (empty, hard-linked), symlinks, two mounts.
fn small_image(work: &Path) -> Vec<u8> {
    let a = work.join("a");
    let b = work.join("b");
    fs::create_dir_all(a.join("sub/deeper")).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("hello"), b"hello, world\n").unwrap();
    fs::write(a.join("empty"), b"").unwrap();
    fs::write(a.join("sub/data"), varied_bytes(300, 3)).unwrap();
    fs::hard_link(a.join("hello"), a.join("sub/deeper/hello-again")).unwrap();
    symlink("../hello", a.join("sub/up")).unwrap();
    symlink("/nowhere", a.join("dangling")).unwrap();
    fs::write(b.join("config"), b"key = value\n").unwrap();
    let image = work.join("small.img");
    pack(&[(&a, "/srv"), (&b, "/etc/app")], &image);
    fs::read(image).unwrap()
}

/// Reads everything an opened image offers; panics are the failure.
fn traverse(image: &Image) -> usize {
    let mut touched = 0;
    for ino in 1..=image.inode_count() {
        let inode = image.inode(ino);
        touched += match inode.kind {
            FileType::Regular => image.file_bytes(ino).len(),
            FileType::Symlink => image.symlink_target(ino).len(),
            FileType::Directory => {
                image.entries(ino).map(|entry| entry.name.len() + image.inode(entry.ino).nlink as usize).sum()
            }
        };
    }
    // And the way a filesystem reaches things: from the root, by name.
    let mut pending = vec![1u32];
    while let Some(dir) = pending.pop() {
        for (index, entry) in image.entries(dir).enumerate() {
            let (found, again) = image.lookup(dir, entry.name).expect("a listed name can be looked up");
            assert_eq!((found, again.ino), (index, entry.ino));
            assert_eq!(image.entry_of(dir, index), entry);
            if entry.kind == FileType::Directory {
                pending.push(entry.ino);
            }
        }
    }
    touched + image.mounts().map(<[u8]>::len).sum::<usize>()
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// A non-zero byte to xor with.
    fn flip(&mut self) -> u8 {
        1 + (self.next() % 255) as u8
    }
}

#[test]
fn every_truncation_is_an_error() {
    let work = temp_dir();
    let bytes = small_image(work.path());
    let image = Image::open(&bytes).expect("the intact image opens");
    traverse(&image);
    image.verify_data().unwrap();
    for len in 0..bytes.len() {
        assert!(Image::open(&bytes[..len]).is_err(), "truncated to {len} of {} bytes, it still opened", bytes.len());
    }
    // Extra bytes past the image (a padded data segment) are fine.
    let mut padded = bytes.clone();
    padded.extend_from_slice(&[0xAA; 4096]);
    assert_eq!(Image::open(&padded).unwrap().bytes(), &bytes[..]);
}

#[test]
fn byte_flips_are_errors_or_harmless_and_data_flips_fail_the_data_check() {
    let work = temp_dir();
    let bytes = small_image(work.path());
    let intact = Image::open(&bytes).unwrap();
    let data_start = bytes.len() - intact.data_len() as usize;
    assert!(intact.data_len() > 0);
    // Where the header keeps data_crc (docs/image-format.md).
    let data_crc_field = 32..36;

    let mut rng = Rng(0x5EED_0F57_42A7_A5A5);
    let (mut rejected, mut opened) = (0, 0);
    for trial in 0..SINGLE_FLIPS + MULTI_FLIPS {
        let mut corrupt = bytes.clone();
        let flips = if trial < SINGLE_FLIPS { 1 } else { 2 + rng.below(15) };
        let mut touched_data = false;
        for _ in 0..flips {
            let at = rng.below(corrupt.len());
            corrupt[at] ^= rng.flip();
            touched_data |= at >= data_start || data_crc_field.contains(&at);
        }
        match Image::open(&corrupt) {
            Err(error) => {
                rejected += 1;
                let message = error.to_string();
                assert!(message.starts_with("corrupt image: ") && !message.contains('\n'), "{message:?}");
            }
            Ok(image) => {
                opened += 1;
                traverse(&image);
                if touched_data {
                    assert!(image.verify_data().is_err(), "trial {trial}: a data flip passed verify_data");
                }
            }
        }
    }
    // Both outcomes happened: metadata flips are refused, data flips open.
    assert!(rejected > 0 && opened > 0, "rejected {rejected}, opened {opened}");
}

/// Rewrites the header's checksums to match the (corrupted) bytes, where
/// the section table still allows, so corruption reaches the reader's
/// structural checks instead of stopping at the checksum.
fn fix_checksums(bytes: &mut [u8]) {
    let u64_at = |bytes: &[u8], at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    // The data section's (offset, length) is the fifth table entry.
    let (offset, len) = (u64_at(bytes, 64 + 4 * 16), u64_at(bytes, 64 + 4 * 16 + 8));
    if offset < 64 || offset > bytes.len() as u64 {
        return;
    }
    let metadata_crc = strata_vfs::image::crc32(0, &bytes[64..offset as usize]);
    bytes[28..32].copy_from_slice(&metadata_crc.to_le_bytes());
    if let Some(end) = offset.checked_add(len).filter(|&end| end <= bytes.len() as u64) {
        let data_crc = strata_vfs::image::crc32(0, &bytes[offset as usize..end as usize]);
        bytes[32..36].copy_from_slice(&data_crc.to_le_bytes());
    }
}

#[test]
fn flips_behind_valid_checksums_are_errors_or_traversable() {
    // The checksum stops almost every flip above; here each corrupt image
    // gets fresh checksums, so the record and tree checks must hold alone.
    let work = temp_dir();
    let bytes = small_image(work.path());
    let mut rng = Rng(0xC0FF_EE00_1234_5678);
    let (mut rejected, mut opened) = (0, 0);
    for trial in 0..SINGLE_FLIPS + MULTI_FLIPS {
        let mut corrupt = bytes.clone();
        let flips = if trial < SINGLE_FLIPS { 1 } else { 2 + rng.below(7) };
        for _ in 0..flips {
            // Mostly where the records are; sometimes anywhere.
            let at = if rng.below(4) == 0 { rng.below(corrupt.len()) } else { 16 + rng.below(corrupt.len() - 16) };
            // Small changes (a bit, an increment) make plausible values.
            corrupt[at] = match rng.below(3) {
                0 => corrupt[at] ^ (1 << rng.below(8)),
                1 => corrupt[at].wrapping_add(1),
                _ => corrupt[at] ^ rng.flip(),
            };
        }
        fix_checksums(&mut corrupt);
        match Image::open(&corrupt) {
            Err(error) => {
                rejected += 1;
                assert!(error.to_string().starts_with("corrupt image: "));
            }
            Ok(image) => {
                opened += 1;
                traverse(&image);
                image.verify_data().expect("checksums were recomputed");
            }
        }
    }
    assert!(rejected > 0 && opened > 0, "rejected {rejected}, opened {opened}");
}

#[test]
fn every_single_byte_position_is_checked() {
    // Exhaustive over positions (one flip value each), on top of the
    // random trials: no offset of the image escapes both checks.
    let work = temp_dir();
    let bytes = small_image(work.path());
    for at in 0..bytes.len() {
        let mut corrupt = bytes.clone();
        corrupt[at] ^= 0x01 << (at % 8);
        let caught = match Image::open(&corrupt) {
            Err(_) => true,
            Ok(image) => {
                traverse(&image);
                image.verify_data().is_err()
            }
        };
        assert!(caught, "a flip at byte {at} went unnoticed");
    }
}

#[test]
fn ls_and_extract_report_a_corrupt_image_in_one_line() {
    let work = temp_dir();
    let mut bytes = small_image(work.path());
    let data_len = Image::open(&bytes).unwrap().data_len() as usize;
    let len = bytes.len();

    // Metadata damage: refused when opening.
    let metadata_damage = work.path().join("metadata.img");
    let mut damaged = bytes.clone();
    damaged[200] ^= 0x10;
    fs::write(&metadata_damage, &damaged).unwrap();
    let line = assert_one_line_error(
        &strata(["ls".as_ref(), metadata_damage.as_os_str()]),
        &["corrupt image", "metadata.img"],
    );
    assert!(line.contains("checksum"), "{line}");
    let out = work.path().join("out1");
    assert_one_line_error(
        &strata(["extract".as_ref(), metadata_damage.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        &["corrupt image"],
    );
    assert!(!out.exists());

    // Data damage: found by extract's data check; nothing is left behind.
    bytes[len - data_len / 2] ^= 0x01;
    let data_damage = work.path().join("data.img");
    fs::write(&data_damage, &bytes).unwrap();
    let before = listing(work.path());
    let out = work.path().join("out2");
    assert_one_line_error(
        &strata(["extract".as_ref(), data_damage.as_os_str(), "-o".as_ref(), out.as_os_str()]),
        &["data checksum"],
    );
    assert_eq!(listing(work.path()), before, "no directory and no temporary left");

    // Truncated: refused.
    let truncated = work.path().join("truncated.img");
    fs::write(&truncated, &bytes[..len - 1]).unwrap();
    assert_one_line_error(&strata(["ls".as_ref(), truncated.as_os_str()]), &["corrupt image", "truncated"]);
}
