//! CRC-32 (IEEE 802.3, reflected, as zlib's `crc32()`), by `crc32fast`.

/// Continues a CRC-32 over `bytes`; start with `crc = 0`.
pub fn crc32(crc: u32, bytes: &[u8]) -> u32 {
    let mut hasher = crc32fast::Hasher::new_with_initial(crc);
    hasher.update(bytes);
    hasher.finalize()
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn matches_the_standard_check_values() {
        // The CRC-32 catalogue's check value for "123456789".
        assert_eq!(crc32(0, b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(0, b""), 0);
        let split = crc32(crc32(0, b"12345"), b"6789");
        assert_eq!(split, 0xCBF4_3926, "continuable");
    }
}
