//! The hand-made inputs `adapter_abi`'s corpus starts from
//! (`fuzz/seeds/adapter_abi/`, copied into the corpus by `fuzz/run.sh`):
//! each a short guest doing one kind of thing right, which the fuzzer then
//! bends. Written here with the decoder's own choices, so that a change of
//! the decoder that would make them mean something else fails this test:
//!
//! ```text
//! cd fuzz && cargo +nightly test --lib                          # check them
//! cd fuzz && STRATA_WRITE_SEEDS=1 cargo +nightly test --lib     # rewrite them
//! ```

use std::path::PathBuf;

use arbitrary::Unstructured;
use strata_adapter::guest::fuzzing::Stop;

use super::instance::Outcome;
use super::memory::{self, DATA, EVENTS, IOVS, IOVS_STRIDE, OUT, SUBS, SUB_SIZE};
use super::{exports, start, step, Step};

/// One argument, as the bytes that make the decoder choose it.
#[derive(Clone, Copy)]
enum A {
    /// Descriptor 0..=8.
    Fd(u8),
    /// The i-th fd `path_open` gave in this input.
    Opened(u8),
    Out(u8),
    /// A path of [`memory::paths`]; its length follows as [`A::Match`].
    Path(&'static str),
    Match,
    /// A flags value: 0, or these bits.
    NoFlags,
    Flags(u32),
    /// `Rights` choice: 0 none, 1 all, 2 read, 4 read and write.
    Rights(u8),
    Iov(u8),
    Count(u8),
    /// An `Offset` choice: 0 is 0, 3..=5 are 65535..=65537.
    Offset(u8),
    Buf(u8),
    /// A `Len` choice: 0 is 0, 3 is 24, 4 is 4096.
    Len(u8),
    /// 0 for a `Time` or an exit `Code`.
    Zero,
    /// A small readdir cookie.
    Cookie(u8),
    Enum(u8),
    Subs(u8),
    Events,
    /// Any other choice: its bytes, and the value they decode to.
    Raw(&'static [u8], i64),
}

use A::*;

/// The value `arg` decodes to, where it is fixed.
fn value(arg: A, path_len: u32) -> Option<i64> {
    let path = |name: &str| memory::paths().iter().position(|p| p == name.as_bytes()).expect("a listed path");
    Some(match arg {
        Fd(n) => n as i64,
        Opened(_) => return None,
        Out(k) => (OUT + 8 * k as u32) as i64,
        Path(name) => memory::path_at(path(name)).0 as i64,
        Match => path_len as i64,
        NoFlags | Zero => 0,
        Flags(bits) => bits as i64,
        Rights(choice) => [0, (1 << 30) - 1, 2, 64, 66][choice as usize],
        Iov(k) => (IOVS + k as u32 * IOVS_STRIDE) as i64,
        Count(n) => n as i64,
        Offset(choice) => [0, 1, 0, 65535, 65536, 65537][choice as usize],
        Buf(k) => (DATA + 8 * k as u32) as i64,
        Len(choice) => [0, 1, 0, 24, 4096][choice as usize],
        Enum(v) | Cookie(v) => v as i64,
        Subs(k) => (SUBS + k as u32 * SUB_SIZE) as i64,
        Events => EVENTS as i64,
        Raw(_, value) => value,
    })
}

fn bytes(arg: A) -> Vec<u8> {
    let path = |name: &str| memory::paths().iter().position(|p| p == name.as_bytes()).expect("a listed path");
    match arg {
        Fd(n) => vec![0, n],
        Opened(i) => vec![9, i],
        Out(k) | Iov(k) | Buf(k) | Subs(k) => vec![0, k],
        Path(name) => vec![0, path(name) as u8],
        Match => vec![1],
        NoFlags | Zero | Events => vec![0],
        Flags(bits) => [&[1u8][..], &bits.to_le_bytes()].concat(),
        Rights(choice) | Offset(choice) | Len(choice) => vec![choice],
        Count(n) | Enum(n) | Cookie(n) => vec![0, n],
        Raw(bytes, _) => bytes.to_vec(),
    }
}

struct Seed {
    name: &'static str,
    bytes: Vec<u8>,
    steps: Vec<Expected>,
}

enum Expected {
    Poke { at: u32, bytes: Vec<u8> },
    Call(&'static str, Vec<A>),
}

impl Seed {
    /// `pages`: the start's first choice (0: none, 1: one page); `image`:
    /// 0 none, 1 `images::preopens`, 3 `images::read_only_root`.
    fn new(name: &'static str, pages: u8, image: u8) -> Seed {
        Seed { name, bytes: vec![pages, image], steps: Vec::new() }
    }

    fn call(mut self, export: &'static str, args: &[A]) -> Seed {
        self.bytes.extend([1, exports::by_name(export) as u8]);
        for &arg in args {
            self.bytes.extend(bytes(arg));
        }
        self.steps.push(Expected::Call(export, args.to_vec()));
        self
    }

    /// The guest writes `bytes` at `offset` in its first 256 bytes.
    fn poke(mut self, offset: u8, bytes: &[u8]) -> Seed {
        // A poke step, at the fifth base (0), `offset` on, `bytes.len()` long.
        self.bytes.extend([0, 4, offset, bytes.len() as u8]);
        self.bytes.extend(bytes);
        self.steps.push(Expected::Poke { at: offset as u32, bytes: bytes.to_vec() });
        self
    }

    fn calls(&self) -> Vec<&'static str> {
        self.steps.iter().filter_map(|step| if let Expected::Call(name, _) = step { Some(*name) } else { None }).collect()
    }
}

const FOLLOW: A = Flags(1);
const CREAT_TRUNC: A = Flags(1 | 8);
const DIRECTORY: A = Flags(2);

fn open(path: &'static str, oflags: A, rights: u8, out: u8) -> [A; 9] {
    [Fd(3), FOLLOW, Path(path), Match, oflags, Rights(rights), Rights(0), NoFlags, Out(out)]
}

fn seeds() -> Vec<Seed> {
    let f = Opened(0);
    vec![
        Seed::new("read-a-file", 1, 1)
            .call("path_open", &open("hello.txt", NoFlags, 2, 0))
            .call("fd_read", &[f, Iov(0), Count(1), Out(1)])
            .call("fd_seek", &[f, Offset(0), Enum(0), Out(2)])
            .call("fd_pread", &[f, Iov(2), Count(1), Offset(0), Out(3)])
            .call("fd_tell", &[f, Out(4)])
            .call("fd_filestat_get", &[f, Out(8)])
            .call("fd_fdstat_get", &[f, Out(16)])
            .call("fd_close", &[f]),
        Seed::new("write-a-file", 1, 1)
            .call("path_open", &open("new", CREAT_TRUNC, 4, 0))
            .call("fd_write", &[f, Iov(7), Count(3), Out(1)])
            .call("fd_pwrite", &[f, Iov(0), Count(1), Offset(4), Out(2)])
            .call("fd_filestat_set_size", &[f, Offset(3)])
            .call("fd_fdstat_set_flags", &[f, Flags(1)])
            .call("fd_write", &[f, Iov(1), Count(2), Out(1)])
            .call("fd_sync", &[f])
            .call("fd_readdir", &[Fd(3), Buf(0), Len(4), Cookie(0), Out(3)])
            .call("fd_close", &[f]),
        Seed::new("names", 1, 1)
            .call("path_create_directory", &[Fd(3), Path("a"), Match])
            .call("path_symlink", &[Path("hello.txt"), Match, Fd(3), Path("c"), Match])
            .call("path_readlink", &[Fd(3), Path("c"), Match, Buf(0), Len(4), Out(0)])
            .call("path_link", &[Fd(3), NoFlags, Path("hello.txt"), Match, Fd(3), Path("a/b"), Match])
            .call("path_rename", &[Fd(3), Path("c"), Match, Fd(3), Path("b"), Match])
            .call("path_filestat_get", &[Fd(3), FOLLOW, Path("b"), Match, Out(8)])
            .call("path_filestat_set_times", &[Fd(3), NoFlags, Path("a"), Match, Zero, Zero, Flags(2 | 8)])
            .call("path_unlink_file", &[Fd(3), Path("a/b"), Match])
            .call("path_remove_directory", &[Fd(3), Path("a"), Match])
            .call("path_open", &open("loop1", NoFlags, 2, 0))
            .call("path_open", &open("up/srv/hello.txt", NoFlags, 2, 0)),
        Seed::new("poll-and-sockets", 1, 1)
            .call("path_open", &open("hello.txt", NoFlags, 2, 0))
            .call("poll_oneoff", &[Subs(2), Events, Count(1), Out(0)])
            .call("poll_oneoff", &[Subs(0), Events, Count(2), Out(0)])
            .call("poll_oneoff", &[Subs(3), Events, Count(2), Out(0)])
            .call("sock_send", &[Fd(1), Iov(0), Count(1), NoFlags, Out(0)])
            .call("sock_recv", &[f, Iov(0), Count(1), NoFlags, Out(0), Out(1)])
            .call("sock_shutdown", &[Fd(3), NoFlags])
            .call("sock_accept", &[Fd(3), NoFlags, Out(0)]),
        Seed::new("preopens-and-exit", 1, 1)
            .call("fd_prestat_get", &[Fd(3), Out(0)])
            .call("fd_prestat_dir_name", &[Fd(3), Buf(0), Len(4)])
            .call("fd_prestat_get", &[Fd(5), Out(0)])
            .call("fd_fdstat_get", &[Fd(4), Out(0)])
            .call("fd_renumber", &[Fd(4), Fd(5)])
            .call("fd_write", &[Fd(1), Iov(0), Count(1), Out(1)])
            .call("strata_save", &[])
            .call("proc_exit", &[Zero]),
        Seed::new("read-only-root", 1, 3)
            .call("path_open", &open("a/b", NoFlags, 2, 0))
            .call("fd_read", &[f, Iov(0), Count(1), Out(1)])
            .call("path_create_directory", &[Fd(3), Path("c"), Match])
            .call("path_open", &open("tmp", DIRECTORY, 0, 2))
            .call("path_create_directory", &[Opened(1), Path("a"), Match])
            .call("strata_finish", &[]),
        Seed::new("no-memory", 0, 1).call("fd_write", &[Fd(1), Iov(0), Count(1), Out(1)]),
        // A subscription at 0xffff_fff8 traps, whatever the guest's first
        // bytes say (its fields once wrapped around to them: EINVAL here).
        Seed::new("poll-past-the-end", 1, 0)
            .poke(0, &[9])
            .call("poll_oneoff", &[Raw(&[3, 6, 7], 0xffff_fff8), Events, Count(1), Out(0)]),
    ]
}

fn seed_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/adapter_abi")
}

/// One test, not several: the adapter is one process-wide instance.
#[test]
fn seeds_decode_as_written_and_run() {
    let write = std::env::var_os("STRATA_WRITE_SEEDS").is_some();
    for seed in seeds() {
        let mut u = Unstructured::new(&seed.bytes);
        let begin = start(&mut u).expect("a start");
        for expected in &seed.steps {
            let decoded = step(&mut u, begin.pages * 65536, &[]);
            let (export, args) = match expected {
                Expected::Poke { at, bytes } => {
                    assert!(
                        matches!(&decoded, Ok(Step::Poke { at: a, bytes: b }) if a == at && b == bytes),
                        "{}: a poke decodes as {decoded:?}",
                        seed.name
                    );
                    continue;
                }
                Expected::Call(export, args) => (export, args),
            };
            let Ok(Step::Call { export: index, args: values }) = decoded else {
                panic!("{}: {export} does not decode as a call", seed.name);
            };
            assert_eq!(exports::EXPORTS[index].name, *export, "{}", seed.name);
            let mut path_len = 0;
            for (arg, &decoded) in args.iter().zip(&values) {
                if let Path(name) = arg {
                    path_len = name.len() as u32;
                }
                if let Some(expected) = value(*arg, path_len) {
                    assert_eq!(decoded, expected, "{}: an argument of {export}", seed.name);
                }
            }
        }
        assert!(u.is_empty(), "{}: bytes left over", seed.name);

        let outcomes = super::run(&seed.bytes);
        let names: Vec<&str> = outcomes.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, seed.calls(), "{}: every call ran", seed.name);
        let last = outcomes.last().expect("a call").1;
        let ends = match seed.name {
            "no-memory" | "poll-past-the-end" => Outcome::Stopped(Stop::Trap),
            "preopens-and-exit" => Outcome::Stopped(Stop::Exit(1)),
            _ => last,
        };
        assert_eq!(last, ends, "{}: how it ends", seed.name);
        for (name, outcome) in &outcomes[..outcomes.len() - 1] {
            assert!(matches!(outcome, Outcome::Returned(_)), "{}: {name} = {outcome:?}", seed.name);
        }

        let file = seed_dir().join(seed.name);
        if write {
            std::fs::create_dir_all(seed_dir()).expect("the seed directory");
            std::fs::write(&file, &seed.bytes).expect("write a seed");
        }
        assert_eq!(std::fs::read(&file).ok(), Some(seed.bytes), "{} is out of date: write the seeds", file.display());
    }
}
