//! A wrapped module whose image segment was changed after `strata wrap`
//! (bytes flipped, or the image cut short: its tail zeroed, which is what
//! the adapter's memory holds past a shorter segment): a damaged header or
//! metadata ends the run before the guest sees any filesystem, with one
//! line on stderr and exit status 1; a flip in file data changes file
//! contents (the image's data checksum is not verified at start: that
//! would read every page of a large image) and nothing else. Never a
//! trap, never a panic of the adapter.

use strata_e2e::fixtures::{Fixture, Language};
use strata_e2e::run::{self, Outcome, Status};
use strata_e2e::{tree, wrap};
use strata_vfs::image::format::HEADER_LEN;
use strata_vfs::image::Image;

const MESSAGE: &str = "strata: the filesystem image inside this module is damaged (";

/// The wrapped `io` fixture, where its image lies in the module, and
/// where the image's file data starts.
fn wrapped() -> (Vec<u8>, std::ops::Range<usize>, usize) {
    let guest = Fixture::get(Language::Rust, "io").wasm().unwrap();
    let scratch = tree::scratch();
    let module = wrap::wrap_tree(&guest, &tree::make(scratch.path())).unwrap();
    let located = strata::wrap::locate::read(&module).unwrap().expect("a wrapped module");
    let image = located.image.expect("an image");
    let start = image.as_ptr() as usize - module.as_ptr() as usize;
    let data_start = image.len() - Image::open(image).unwrap().data_len() as usize;
    (module.clone(), start..start + image.len(), data_start)
}

fn run(module: &[u8]) -> Outcome {
    run::run(&run::compile(module).unwrap(), &["io"], &[]).unwrap()
}

fn damaged(outcome: &Outcome) -> bool {
    let stderr = String::from_utf8_lossy(&outcome.stderr);
    outcome.status == Status::Exit(1)
        && outcome.stdout.is_empty()
        && stderr.lines().count() == 1
        && stderr.starts_with(MESSAGE)
        && stderr.ends_with("): wrap the guest again with strata wrap\n")
}

/// Positions spread evenly over `range`: `count` of them. Each case
/// compiles a module of its own, the slow part of this test.
fn spread(range: std::ops::Range<usize>, count: usize) -> impl Iterator<Item = usize> {
    let step = (range.len() / count).max(1);
    range.step_by(step).take(count)
}

#[test]
fn a_flip_in_the_metadata_is_one_line_and_exit_1_at_start() {
    let (module, image, data_start) = wrapped();
    let intact = run(&module);
    assert_eq!(intact.status, Status::Exit(0), "{}", String::from_utf8_lossy(&intact.stderr));
    // The section table, inodes, entries, names, mounts: all under the
    // metadata checksum; and the checksum itself (header bytes 28..32).
    for at in spread(HEADER_LEN..data_start, 20).chain([28, 31]) {
        let mut flipped = module.clone();
        flipped[image.start + at] ^= 0x20;
        let outcome = run(&flipped);
        assert!(damaged(&outcome), "a flip at image byte {at}: {outcome:?}");
    }
}

#[test]
fn a_flip_in_the_header_is_caught_or_harmless_and_a_flip_in_file_data_is_no_trap() {
    let (module, image, data_start) = wrapped();
    // The header's other fields: caught, or harmless (a field no reader
    // uses, the data checksum); never a trap.
    let mut caught = 0;
    let header: Vec<usize> = (0..HEADER_LEN).filter(|at| !(28..32).contains(at)).step_by(3).collect();
    for &at in &header {
        let mut flipped = module.clone();
        flipped[image.start + at] ^= 0x01;
        let outcome = run(&flipped);
        caught += usize::from(damaged(&outcome));
        assert!(damaged(&outcome) || outcome.status == Status::Exit(0), "header byte {at}: {outcome:?}");
    }
    assert!(caught > header.len() / 2, "only {caught} of {} header bytes flipped were caught", header.len());

    // File data: the run goes on (the contents differ where it reads them).
    for at in spread(data_start..image.len(), 4) {
        let mut flipped = module.clone();
        flipped[image.start + at] ^= 0xff;
        let outcome = run(&flipped);
        assert_eq!(outcome.status, Status::Exit(0), "a data flip at {at}: {outcome:?}");
    }
}

#[test]
fn an_image_cut_short_is_one_line_and_exit_1_at_start() {
    let (module, image, data_start) = wrapped();
    // Cut at the metadata's end, inside the header, or to nothing.
    for keep in [data_start - 1, HEADER_LEN, 16, 0] {
        let mut cut = module.clone();
        cut[image.start + keep..image.end].fill(0);
        let outcome = run(&cut);
        assert!(damaged(&outcome), "the image cut to {keep} bytes: {outcome:?}");
    }
}
