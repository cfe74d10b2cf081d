//! Writing the fused module: sections whose contents are byte runs, some
//! copied from the guest, some encoded by wasm-encoder, concatenated once
//! into the output.

use wasm_encoder::{Encode, Section};

/// Appends `value` as an unsigned LEB128.
pub fn push_leb_u32(out: &mut Vec<u8>, value: u32) {
    value.encode(out);
}

/// The module being written.
pub struct Writer {
    bytes: Vec<u8>,
}

impl Writer {
    /// A module of about `capacity` bytes; the header is written.
    pub fn new(capacity: usize) -> Writer {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(b"\0asm\x01\0\0\0");
        Writer { bytes }
    }

    /// A section whose contents are `parts`, one after the other.
    pub fn section(&mut self, id: u8, parts: &[&[u8]]) {
        let size: usize = parts.iter().map(|part| part.len()).sum();
        self.bytes.reserve(size + 6);
        self.bytes.push(id);
        push_leb_u32(&mut self.bytes, size as u32);
        for part in parts {
            self.bytes.extend_from_slice(part);
        }
    }

    /// A vector section: `count` entries, whose bytes are `parts`. Left
    /// out when it would be empty.
    pub fn entries(&mut self, id: u8, count: u32, parts: &[&[u8]]) {
        if count == 0 {
            return;
        }
        let mut prefix = Vec::with_capacity(5);
        push_leb_u32(&mut prefix, count);
        let mut all = Vec::with_capacity(parts.len() + 1);
        all.push(&prefix[..]);
        all.extend_from_slice(parts);
        self.section(id, &all);
    }

    /// A section wasm-encoder built whole.
    pub fn encoded(&mut self, section: &impl Section) {
        self.bytes.push(section.id());
        section.encode(&mut self.bytes);
    }

    pub fn finish(self) -> Vec<u8> {
        self.bytes
    }
}

/// The entries of a vector section wasm-encoder built: their count, and
/// their bytes (the section without its size and count).
pub fn entries_of(section: &impl Encode) -> (u32, Vec<u8>) {
    let mut encoded = Vec::new();
    section.encode(&mut encoded);
    let mut reader = wasmparser::BinaryReader::new(&encoded, 0);
    let _size = reader.read_var_u32().expect("wasm-encoder writes a size");
    let count = reader.read_var_u32().expect("and a count");
    let start = reader.original_position();
    (count, encoded[start..].to_vec())
}
