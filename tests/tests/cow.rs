//! Instantiating a wrapped module costs the same with a 1 MiB and a 256 MiB
//! image: the image is an active data segment that wasmtime maps
//! copy-on-write, so neither is copied (microseconds both; a copied 256 MiB
//! image would be about a thousand times slower). Checked as a ratio of
//! medians, never as a wall time. Then the big module runs once and reads
//! the last bytes of its 256 MiB file, so the image really is there.

use strata_e2e::cow::{self, SMALL};
use strata_e2e::run::{self, Status};

const BIG: usize = 256 << 20;
/// Timed instantiations of each module, interleaved.
const ROUNDS: usize = 30;
/// The largest accepted ratio of the medians, big over small.
const MAX_RATIO: f64 = 3.0;

#[test]
fn instantiation_does_not_copy_the_image() {
    let guest = cow::guest(BIG as u64 - 4);
    let (small, _) = cow::wrapped(&guest, SMALL).unwrap();
    let small = run::compile(&small).unwrap();
    let (big_bytes, big_image) = cow::wrapped(&guest, BIG).unwrap();
    assert!(big_image > BIG, "the image holds the file");
    let big = run::compile(&big_bytes).unwrap();
    drop(big_bytes);

    let [small_median, big_median] = cow::instantiation_medians([&small, &big], ROUNDS).unwrap();
    let ratio = big_median.as_secs_f64() / small_median.as_secs_f64();
    eprintln!("instantiation medians: 1 MiB image {small_median:?}, 256 MiB image {big_median:?}, ratio {ratio:.2}");
    assert!(
        ratio < MAX_RATIO,
        "instantiating with a 256 MiB image takes {ratio:.1}× as long as with a 1 MiB one \
         ({big_median:?} against {small_median:?}): the image is copied, not mapped copy-on-write"
    );

    // The image is really there: the last 4 bytes of the 256 MiB file.
    let outcome = run::run(&big, &["cow"], &[]).unwrap();
    let expected: Vec<u8> = (BIG - 4..BIG).map(cow::byte).collect();
    assert_eq!(
        (outcome.status, outcome.stdout),
        (Status::Exit(0), expected),
        "the last bytes of /data/big.bin; stderr: {}",
        String::from_utf8_lossy(&outcome.stderr)
    );
}
