//! Arbitrary bytes into `Image::open`: it must return an error or an image
//! whose every record can be read, never panic or read out of bounds.
//! Run with `cargo +nightly fuzz run image_open` (see ../Cargo.toml).
//!
//! Each input is tried as it is and again with its checksums recomputed:
//! random bytes almost never carry a valid metadata checksum, and without
//! the second try the fuzzer would rarely get past it to the record and
//! tree checks.

#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_vfs::image::{crc32, Image};
use strata_vfs::FileType;

fuzz_target!(|bytes: &[u8]| {
    traverse(bytes);
    let mut fixed = bytes.to_vec();
    if fix_checksums(&mut fixed) {
        traverse(&fixed);
    }
});

/// Opens `bytes` and, if that works, reads everything the image offers.
fn traverse(bytes: &[u8]) {
    let Ok(image) = Image::open(bytes) else { return };
    let _ = image.verify_data();
    assert!(image.bytes().len() <= bytes.len());
    for ino in 1..=image.inode_count() {
        let inode = image.inode(ino);
        match inode.kind {
            FileType::Regular => assert_eq!(image.file_bytes(ino).len() as u64, inode.size),
            FileType::Symlink => assert_eq!(image.symlink_target(ino).len() as u64, inode.size),
            FileType::Directory => {
                for (index, entry) in image.entries(ino).enumerate() {
                    let (found, again) = image.lookup(ino, entry.name).expect("a listed name can be looked up");
                    assert_eq!((found, again), (index, entry));
                    assert_eq!(image.entry_of(ino, index), entry);
                    assert_eq!(image.inode(entry.ino).kind, entry.kind);
                }
            }
        }
    }
    for path in image.mounts() {
        assert!(path.starts_with(b"/"));
    }
}

/// Rewrites the header's two checksums to match the bytes, where the
/// section table lets us find the data section. Whether it did.
fn fix_checksums(bytes: &mut [u8]) -> bool {
    // The data section's (offset, length): the table's fifth entry.
    const DATA_ENTRY: usize = 64 + 4 * 16;
    if bytes.len() < DATA_ENTRY + 16 {
        return false;
    }
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
    let (offset, len) = (word(DATA_ENTRY), word(DATA_ENTRY + 8));
    if offset < 64 || offset > bytes.len() as u64 {
        return false;
    }
    let metadata_crc = crc32(0, &bytes[64..offset as usize]);
    bytes[28..32].copy_from_slice(&metadata_crc.to_le_bytes());
    if let Some(end) = offset.checked_add(len).filter(|&end| end <= bytes.len() as u64) {
        let data_crc = crc32(0, &bytes[offset as usize..end as usize]);
        bytes[32..36].copy_from_slice(&data_crc.to_le_bytes());
    }
    true
}
