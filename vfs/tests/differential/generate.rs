//! Seeded generator of operation sequences.
//!
//! Paths come from a deliberately tiny universe (`a b c d`, a few `.`/`..`,
//! the odd over-long name), so independent operations keep colliding on the
//! same nodes: that is what reaches Linux's corner cases. A sequence first
//! builds a tree, then mutates it with a mix of single random operations and
//! short scenarios, each of which sets up one known-interesting situation
//! (an unlinked-but-open file, a removed cwd, a sticky directory, ...).
//!
//! Descriptor slots only exist at run time (a failed `Open` takes none), so
//! the generator runs each op on the host kernel as it goes (the oracle) and
//! learns which slots exist and which are still open. Without that, fd ops
//! would nearly all hit EBADF. The sequence is still a function of the seed
//! alone, because Linux answers deterministically (which the Linux-vs-Linux
//! run of the harness checks).
//!
//! Scope cut: a directory descriptor is only ever rewound (`Lseek` to 0 from
//! the start). Any other position in a directory is a tmpfs-specific cookie
//! (e.g. 2147483647 at the end, EINVAL for SEEK_END), like a directory's size.

use crate::linux;
use crate::ops::{
    FlockOp, Identity, Kind, Op, OpenSpec, Outcome, RenameMode, Slot, Target, Whence, USER_GID, USER_UID,
};

/// The ops of seed `seed`: 20 to 80 of them.
pub fn sequence(seed: u64) -> Vec<Op> {
    linux::confined(|oracle| generate(seed, oracle)).expect("create the generator's Linux sandbox (needs root)")
}

fn generate(seed: u64, oracle: &mut dyn Target) -> Vec<Op> {
    let mut gen = Gen {
        rng: Rng(seed),
        oracle,
        ops: Vec::new(),
        slots: 0,
        open_slots: Vec::new(),
        dir_slots: Vec::new(),
        dirs: Vec::new(),
        known: Vec::new(),
        user: false,
    };
    let len = gen.rng.range(20, 80) as usize;
    gen.lay_foundation();
    while gen.ops.len() < len / 3 {
        gen.build_step();
    }
    while gen.ops.len() < len {
        gen.mutate_step();
    }
    gen.ops.truncate(len);
    gen.ops
}

/// splitmix64: tiny, fast, and good enough to drive a fuzzer.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi` (the modulo bias is irrelevant here).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.next() as usize % items.len()].clone()
    }

    fn weighted<T: Clone>(&mut self, items: &[(u32, T)]) -> T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut ticket = self.next() % total;
        for (weight, item) in items {
            if ticket < u64::from(*weight) {
                return item.clone();
            }
            ticket -= u64::from(*weight);
        }
        unreachable!("ticket is below the total weight")
    }
}

const NAMES: [&[u8]; 4] = [b"a", b"b", b"c", b"d"];
/// One byte over NAME_MAX: ENAMETOOLONG.
const LONG_NAME_LEN: usize = 256;
/// PATH_MAX counts the NUL, so a symlink target this long is ENAMETOOLONG.
const LONG_TARGET_LEN: usize = 4096;

/// Permission modes; setuid/setgid bits are out of scope (documented cut).
const PERMS: [u32; 14] =
    [0o000, 0o444, 0o555, 0o700, 0o711, 0o1777, 0o644, 0o600, 0o755, 0o777, 0o1755, 0o666, 0o200, 0o100];
const DIR_MODES: [u32; 7] = [0o755, 0o755, 0o700, 0o777, 0o1777, 0o555, 0o000];
const FILE_MODES: [u32; 7] = [0o644, 0o644, 0o600, 0o666, 0o444, 0o000, 0o755];
const UMASKS: [u32; 7] = [0o022, 0o022, 0o077, 0o000, 0o027, 0o002, 0o777];

type OpMaker = fn(&mut Gen<'_>) -> Op;
type Scenario = fn(&mut Gen<'_>);

/// Relative frequency of each operation when drawn on its own.
const SINGLE_OPS: [(u32, OpMaker); 34] = [
    (10, |g| g.open_op()),
    (4, |g| Op::Close(g.slot())),
    (3, |g| Op::Dup(g.slot())),
    (4, |g| Op::Read { slot: g.slot(), len: g.len() }),
    (5, |g| Op::Write { slot: g.slot(), data: g.data() }),
    (3, |g| Op::Pread { slot: g.slot(), len: g.len(), offset: g.offset() }),
    (3, |g| Op::Pwrite { slot: g.slot(), data: g.data(), offset: g.offset() }),
    (4, |g| g.lseek_op()),
    (2, |g| Op::Ftruncate { slot: g.slot(), len: g.offset() }),
    (3, |g| Op::Truncate { path: g.path_to(Kind::File), len: g.offset() }),
    (2, |g| g.fallocate_op()),
    (1, |g| Op::Fsync(g.slot())),
    (4, |g| Op::Fstat(g.slot())),
    (5, |g| Op::Stat(g.path())),
    (4, |g| Op::Lstat(g.path())),
    (4, |g| g.mkdir_op()),
    (4, |g| Op::Rmdir(g.path_to(Kind::Dir))),
    (5, |g| Op::Unlink(g.path_to(Kind::File))),
    (4, |g| g.link_op()),
    (5, |g| g.symlink_op()),
    (3, |g| Op::Readlink(g.path_to(Kind::Symlink))),
    (8, |g| g.rename_op()),
    (3, |g| g.chmod_op()),
    (2, |g| Op::Fchmod { slot: g.slot(), mode: g.perm() }),
    (2, |g| g.chown_op()),
    (3, |g| g.access_op()),
    (3, |g| Op::Chdir(g.path())),
    (1, |g| Op::Fchdir(g.slot())),
    (2, |_| Op::Getcwd),
    (4, |g| Op::ListDir(g.path())),
    (2, |g| Op::Getdents(g.slot())),
    (2, |g| Op::Flock { slot: g.slot(), op: g.flock_op() }),
    (1, |g| Op::Umask(g.umask())),
    (1, |g| Op::SetIdentity(if g.rng.chance(50) { Identity::User } else { Identity::Root })),
];

/// Relative frequency of each scenario once the tree is built.
const SCENARIOS: [(u32, Scenario); 11] = [
    (4, |g| g.file_io()),
    (3, |g| g.unlinked_but_open()),
    (2, |g| g.holes()),
    (3, |g| g.removed_cwd()),
    (3, |g| g.dir_stream()),
    (2, |g| g.flocks()),
    (6, |g| g.permissions()),
    (4, |g| g.rename_dirs()),
    (4, |g| g.symlinks()),
    (3, |g| g.hard_links()),
    (5, |g| g.cached_walks()),
];

struct Gen<'a> {
    rng: Rng,
    /// Runs every op as it is generated; see the module comment.
    oracle: &'a mut dyn Target,
    ops: Vec<Op>,
    /// Slots taken so far (successful `Open`/`Dup`s).
    slots: usize,
    /// Slots not closed yet, oldest first.
    open_slots: Vec<Slot>,
    /// Slots open on a directory.
    dir_slots: Vec<Slot>,
    /// Absolute paths of the directories laid as the tree's skeleton.
    dirs: Vec<Vec<u8>>,
    /// Paths that some op created successfully, with what it created (they
    /// may be gone or replaced since).
    known: Vec<(Vec<u8>, Kind)>,
    /// Whether the last `SetIdentity` was `User`.
    user: bool,
}

impl Gen<'_> {
    /// Appends `op`; returns the slot it took, if it is an open that worked.
    fn push(&mut self, op: Op) -> Option<Slot> {
        let outcome = self.oracle.apply(&op);
        if !matches!(outcome, Outcome::Err(_)) {
            if let Some((path, kind)) = created(&op) {
                self.known.push((path.clone(), kind));
            }
        }
        let mut taken = None;
        match (&op, outcome) {
            (Op::Open { .. } | Op::Dup(_), Outcome::Fd) => {
                let slot = self.slots;
                taken = Some(slot);
                self.open_slots.push(slot);
                self.slots += 1;
                // A probe, not part of the sequence: fstat changes nothing.
                let probe = self.oracle.apply(&Op::Fstat(slot));
                if matches!(probe, Outcome::Stat(stat) if stat.kind == Kind::Dir) {
                    self.dir_slots.push(slot);
                }
            }
            (Op::Close(slot), _) => self.open_slots.retain(|open| open != slot),
            (Op::SetIdentity(identity), _) => self.user = *identity == Identity::User,
            _ => {}
        }
        self.ops.push(op);
        taken
    }

    /// Pushes an `Open`; returns its slot, or if it failed some other
    /// slot, so the scenario still exercises a descriptor.
    fn open(&mut self, path: Vec<u8>, flags: OpenSpec, mode: u32) -> Slot {
        self.push(Op::Open { path, flags, mode }).unwrap_or_else(|| self.slot())
    }

    fn dup(&mut self, slot: Slot) -> Slot {
        self.push(Op::Dup(slot)).unwrap_or_else(|| self.slot())
    }

    // --- phases ---------------------------------------------------------

    /// One to three top-level directories and maybe one nested: without a
    /// skeleton, early files take every name and most paths hit ENOTDIR.
    fn lay_foundation(&mut self) {
        let mut names = NAMES.to_vec();
        for _ in 0..self.rng.range(1, 3) {
            let name = names.swap_remove(self.rng.range(0, names.len() as u64 - 1) as usize);
            let dir = [b"/".as_slice(), name].concat();
            self.push(Op::Mkdir { path: dir.clone(), mode: 0o755 });
            self.dirs.push(dir);
        }
        if self.rng.chance(50) {
            let dir = join(&self.rng.pick(&self.dirs), self.rng.pick(&NAMES));
            self.push(Op::Mkdir { path: dir.clone(), mode: 0o755 });
            self.dirs.push(dir);
        }
    }

    /// Mostly creations on short plain paths, so later ops find a tree.
    fn build_step(&mut self) {
        match self.rng.range(0, 99) {
            0..=19 => {
                let (path, mode) = (self.plain_path(), self.rng.pick(&DIR_MODES[..4]));
                self.push(Op::Mkdir { path, mode });
            }
            20..=59 => self.create_file(),
            60..=74 => {
                let op = self.symlink_op();
                self.push(op);
            }
            75..=84 => {
                let op = self.link_op();
                self.push(op);
            }
            _ => self.single_op(),
        }
    }

    fn mutate_step(&mut self) {
        if self.rng.chance(55) {
            self.single_op();
        } else {
            let scenario = self.rng.weighted(&SCENARIOS);
            scenario(self);
        }
    }

    fn single_op(&mut self) {
        let make = self.rng.weighted(&SINGLE_OPS);
        let op = make(self);
        self.push(op);
    }

    fn create_file(&mut self) {
        let path = self.plain_path();
        let flags = OpenSpec { access: 2, create: true, trunc: self.rng.chance(30), ..plain_open() };
        let mode = self.rng.pick(&FILE_MODES[..4]);
        let fd = self.open(path, flags, mode);
        let data = self.data();
        self.push(Op::Write { slot: fd, data });
        if self.rng.chance(60) {
            self.push(Op::Close(fd));
        }
    }

    // --- scenarios --------------------------------------------------------

    /// Reads, writes and seeks through one descriptor and maybe a dup of it
    /// (dups share the offset and the append flag).
    fn file_io(&mut self) {
        let path = self.plain_path();
        let flags = OpenSpec { access: 2, create: true, append: self.rng.chance(30), ..plain_open() };
        let fd = self.open(path, flags, 0o644);
        let mut fds = vec![fd];
        if self.rng.chance(40) {
            fds.push(self.dup(fd));
        }
        for _ in 0..self.rng.range(2, 6) {
            let slot = self.rng.pick(&fds);
            let op = self.fd_op(slot);
            self.push(op);
        }
        if self.rng.chance(50) {
            self.push(Op::Close(fd));
        }
    }

    /// The file outlives its last name while a descriptor holds it.
    fn unlinked_but_open(&mut self) {
        let path = self.plain_path();
        let flags = OpenSpec { access: 2, create: true, ..plain_open() };
        let fd = self.open(path.clone(), flags, 0o644);
        let data = self.data();
        self.push(Op::Write { slot: fd, data });
        self.push(Op::Unlink(path));
        for _ in 0..self.rng.range(2, 5) {
            let op = self.fd_op(fd);
            self.push(op);
        }
    }

    /// Writes past the end leave zero-filled holes; truncation moves the end.
    fn holes(&mut self) {
        let path = self.plain_path();
        let flags = OpenSpec { access: 2, create: true, trunc: self.rng.chance(50), ..plain_open() };
        let fd = self.open(path, flags, 0o644);
        let far = self.rng.range(100, 20_000);
        if self.rng.chance(50) {
            self.push(self.seek_to(fd, far as i64, Whence::Set));
            let data = self.data();
            self.push(Op::Write { slot: fd, data });
        } else {
            let data = self.data();
            self.push(Op::Pwrite { slot: fd, data, offset: far });
        }
        self.push(Op::Fstat(fd));
        self.push(Op::Pread { slot: fd, len: 32, offset: far / 2 });
        let len = self.rng.range(0, far);
        let resize = if self.rng.chance(50) {
            Op::Ftruncate { slot: fd, len }
        } else {
            Op::Fallocate { slot: fd, offset: len, len: self.rng.range(1, 300) }
        };
        self.push(resize);
        self.push(Op::Fstat(fd));
        self.push(self.seek_to(fd, 0, Whence::End));
    }

    /// The cwd is removed while in use: relative creation and getcwd fail.
    fn removed_cwd(&mut self) {
        let name = self.rng.pick(&NAMES).to_vec();
        let dir = [b"/".as_slice(), &name].concat();
        self.push(Op::Mkdir { path: dir.clone(), mode: 0o755 });
        self.push(Op::Chdir(dir.clone()));
        let victim = self.rng.pick(&[dir.clone(), [b"../", name.as_slice()].concat(), b".".to_vec()]);
        self.push(Op::Rmdir(victim));
        self.push(Op::Getcwd);
        for _ in 0..self.rng.range(1, 3) {
            let op = self.rng.pick(&[
                Op::Open { path: b"x".to_vec(), flags: create_rw(), mode: 0o644 },
                Op::Mkdir { path: b"y".to_vec(), mode: 0o755 },
                Op::ListDir(b".".to_vec()),
                Op::Stat(b".".to_vec()),
                Op::Lstat(b"..".to_vec()),
                Op::Symlink { target: b"/".to_vec(), path: b"s".to_vec() },
                Op::Chdir(b".".to_vec()),
            ]);
            self.push(op);
        }
        if self.rng.chance(50) {
            self.push(Op::Chdir(b"..".to_vec()));
            self.push(Op::Getcwd);
        }
        if self.rng.chance(60) {
            self.push(Op::Chdir(b"/".to_vec()));
        }
    }

    /// An open directory keeps its position while entries come and go.
    fn dir_stream(&mut self) {
        let dir = self.rng.pick(&[b"/".to_vec(), b".".to_vec(), b"a".to_vec(), b"/b".to_vec()]);
        let flags = OpenSpec { directory: true, ..plain_open() };
        let fd = self.open(dir.clone(), flags, 0);
        self.push(Op::Getdents(fd));
        for _ in 0..self.rng.range(1, 3) {
            let child = join(&dir, self.rng.pick(&NAMES));
            let op = match self.rng.range(0, 3) {
                0 => Op::Mkdir { path: child, mode: 0o755 },
                1 => Op::Open { path: child, flags: create_rw(), mode: 0o644 },
                2 => Op::Unlink(child),
                _ => Op::Rmdir(child),
            };
            self.push(op);
        }
        self.push(Op::Getdents(fd));
        self.push(Op::Lseek { slot: fd, offset: 0, whence: Whence::Set });
        self.push(Op::Getdents(fd));
        self.push(Op::ListDir(dir));
        if self.rng.chance(30) {
            self.push(Op::Fchdir(fd));
            self.push(Op::Getcwd);
        }
    }

    /// Lock conflicts between independent opens, and sharing between dups.
    fn flocks(&mut self) {
        let path = self.plain_path();
        let first = self.open(path.clone(), create_rw(), 0o644);
        let second = if self.rng.chance(60) { self.open(path, plain_open(), 0) } else { self.dup(first) };
        for _ in 0..self.rng.range(2, 5) {
            let slot = self.rng.pick(&[first, second]);
            let op = self.flock_op();
            self.push(Op::Flock { slot, op });
        }
        if self.rng.chance(50) {
            self.push(Op::Close(first));
            let op = self.flock_op();
            self.push(Op::Flock { slot: second, op });
        }
    }

    /// Root sets owners and modes on a few nodes, then the user pokes them.
    fn permissions(&mut self) {
        if self.user {
            self.push(Op::SetIdentity(Identity::Root));
        }
        let mut nodes = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            let node = self.plain_path();
            self.prepare_node(&node);
            nodes.push(node);
        }
        self.push(Op::SetIdentity(Identity::User));
        for _ in 0..self.rng.range(3, 9) {
            let path = match self.rng.range(0, 9) {
                0..=3 => self.rng.pick(&nodes),
                4..=6 => join(&self.rng.pick(&nodes), self.rng.pick(&NAMES)),
                _ => self.path(),
            };
            let op = self.user_op(path);
            self.push(op);
        }
        if self.rng.chance(70) {
            self.push(Op::SetIdentity(Identity::Root));
        }
    }

    fn prepare_node(&mut self, node: &[u8]) {
        match self.rng.range(0, 4) {
            // A sticky world-writable dir with a root-owned file inside.
            0 => {
                self.push(Op::Mkdir { path: node.to_vec(), mode: 0o1777 });
                self.push(Op::Chmod { path: node.to_vec(), mode: 0o1777 });
                let file = join(node, self.rng.pick(&NAMES));
                self.push(Op::Open { path: file, flags: create_rw(), mode: 0o666 });
            }
            1 => {
                let owner = if self.rng.chance(60) { USER_UID } else { 0 };
                let group = self.rng.pick(&[USER_GID, 0, u32::MAX]);
                self.push(Op::Chown { path: node.to_vec(), uid: owner, gid: group, follow: true });
                let mode = self.perm();
                self.push(Op::Chmod { path: node.to_vec(), mode });
            }
            _ => {
                let mode = self.perm();
                self.push(Op::Chmod { path: node.to_vec(), mode });
            }
        }
    }

    /// Something a user might try on `path` that root would simply be allowed.
    fn user_op(&mut self, path: Vec<u8>) -> Op {
        match self.rng.range(0, 12) {
            0 | 1 => Op::Open { path, flags: self.open_spec(), mode: self.file_mode() },
            2 => Op::Mkdir { path, mode: 0o755 },
            3 => Op::Unlink(path),
            4 => Op::Rmdir(path),
            5 => {
                let new = self.plain_path();
                let (old, new) = if self.rng.chance(50) { (path, new) } else { (new, path) };
                Op::Rename { old, new, mode: self.rename_mode() }
            }
            6 => Op::Chmod { path, mode: self.perm() },
            7 => Op::Chown {
                path,
                uid: self.rng.pick(&[USER_UID, u32::MAX, 0]),
                gid: self.rng.pick(&[USER_GID, u32::MAX, 0]),
                follow: self.rng.chance(80),
            },
            8 => Op::Access { path, mode: self.rng.range(0, 7) as u32 },
            9 => Op::Truncate { path, len: self.rng.range(0, 40) },
            10 => Op::Link { old: path, new: self.plain_path(), follow: self.rng.chance(50) },
            11 => Op::ListDir(path),
            _ => Op::Chdir(path),
        }
    }

    /// The same paths looked up before and after one change each walk
    /// depends on: a walk remembered past that change (a stale name cache
    /// entry) answers the second lookups as the first. The user owns the
    /// directory, so its own mode changes are what decide its lookups.
    fn cached_walks(&mut self) {
        if self.user {
            self.push(Op::SetIdentity(Identity::Root));
        }
        let dir = self.plain_path();
        let inner = join(&dir, self.rng.pick(&NAMES));
        self.push(Op::Mkdir { path: dir.clone(), mode: 0o755 });
        self.push(Op::Chown { path: dir.clone(), uid: USER_UID, gid: USER_GID, follow: false });
        if self.rng.chance(60) {
            self.push(Op::Open { path: inner.clone(), flags: create_rw(), mode: 0o644 });
        }
        let paths = [dir.clone(), inner.clone(), join(&inner, self.rng.pick(&NAMES)), self.path()];
        if self.rng.chance(50) {
            self.push(Op::SetIdentity(Identity::User));
        }
        self.look_up(&paths);
        let change = match self.rng.range(0, 6) {
            0 => Op::Chmod { path: dir.clone(), mode: self.rng.pick(&[0o000, 0o600, 0o100, 0o700]) },
            1 => Op::Unlink(inner.clone()),
            2 => Op::Rmdir(self.rng.pick(&[dir.clone(), inner.clone()])),
            3 => Op::Mkdir { path: inner.clone(), mode: 0o700 },
            4 => Op::Symlink { target: self.link_target(), path: inner.clone() },
            5 => {
                let (old, new) = (self.path(), self.rng.pick(&paths));
                let (old, new) = if self.rng.chance(50) { (old, new) } else { (new, old) };
                Op::Rename { old, new, mode: self.rename_mode() }
            }
            _ => Op::SetIdentity(if self.user { Identity::Root } else { Identity::User }),
        };
        self.push(change);
        self.look_up(&paths);
    }

    /// Looks each of `paths` up the ways a program would.
    fn look_up(&mut self, paths: &[Vec<u8>]) {
        for path in paths {
            let op = match self.rng.range(0, 3) {
                0 => Op::Stat(path.clone()),
                1 => Op::Lstat(path.clone()),
                2 => Op::Access { path: path.clone(), mode: self.rng.range(0, 7) as u32 },
                _ => Op::Open { path: path.clone(), flags: self.open_spec(), mode: 0o644 },
            };
            self.push(op);
        }
    }

    /// Directories renamed into themselves, over non-empty dirs, exchanged.
    fn rename_dirs(&mut self) {
        let outer = [b"/".as_slice(), self.rng.pick(&NAMES)].concat();
        let inner = join(&outer, self.rng.pick(&NAMES));
        self.push(Op::Mkdir { path: outer.clone(), mode: 0o755 });
        self.push(Op::Mkdir { path: inner.clone(), mode: 0o755 });
        if self.rng.chance(50) {
            let file = join(&inner, self.rng.pick(&NAMES));
            self.push(Op::Open { path: file, flags: create_rw(), mode: 0o644 });
        }
        let candidates = [
            outer.clone(),
            inner.clone(),
            join(&inner, b"x"),
            join(&outer, b"."),
            self.plain_path(),
            self.plain_path(),
        ];
        for _ in 0..self.rng.range(1, 3) {
            let old = self.rng.pick(&candidates);
            let new = self.rng.pick(&candidates);
            let mode = self.rename_mode();
            self.push(Op::Rename { old, new, mode });
        }
        self.push(Op::ListDir(outer));
    }

    fn symlinks(&mut self) {
        let x = self.plain_path();
        let y = self.plain_path();
        match self.rng.range(0, 4) {
            // A loop: x -> y -> x.
            0 => {
                self.push(Op::Symlink { target: y.clone(), path: x.clone() });
                self.push(Op::Symlink { target: x.clone(), path: y });
            }
            // A self loop through a path component.
            1 => {
                self.push(Op::Symlink { target: join(&x, b"a"), path: x.clone() });
            }
            // Dangling: opening with O_CREAT creates the target.
            2 => {
                self.push(Op::Symlink { target: y.clone(), path: x.clone() });
                let flags = OpenSpec { excl: self.rng.chance(30), ..create_rw() };
                self.push(Op::Open { path: x.clone(), flags, mode: 0o644 });
                self.push(Op::Lstat(y));
            }
            // A link to a directory, used with a trailing slash.
            3 => {
                self.push(Op::Mkdir { path: y.clone(), mode: 0o755 });
                let target = if self.rng.chance(50) { y } else { relative_to(&x, &y) };
                self.push(Op::Symlink { target, path: x.clone() });
            }
            // A chain of relative and absolute links.
            _ => {
                self.push(Op::Symlink { target: y.clone(), path: x.clone() });
                let z = self.path();
                self.push(Op::Symlink { target: z, path: y });
            }
        }
        let slashed = [x.as_slice(), b"/"].concat();
        for _ in 0..self.rng.range(1, 3) {
            let path = if self.rng.chance(40) { slashed.clone() } else { x.clone() };
            let op = self.path_op(path);
            self.push(op);
        }
    }

    /// Hard links across directories, and how nlink follows them.
    fn hard_links(&mut self) {
        let old = if self.rng.chance(50) {
            self.path_to(Kind::File)
        } else {
            let old = self.plain_path();
            self.push(Op::Open { path: old.clone(), flags: create_rw(), mode: 0o644 });
            old
        };
        let new = self.plain_path();
        let follow = self.rng.chance(50);
        self.push(Op::Link { old: old.clone(), new: new.clone(), follow });
        self.push(Op::Lstat(new.clone()));
        if self.rng.chance(60) {
            self.push(Op::Unlink(old));
            self.push(Op::Stat(new));
        }
    }

    // --- single ops ---------------------------------------------------------

    fn open_op(&mut self) -> Op {
        Op::Open { path: self.path(), flags: self.open_spec(), mode: self.file_mode() }
    }

    fn lseek_op(&mut self) -> Op {
        let offset = if self.rng.chance(10) { -(self.rng.range(1, 50) as i64) } else { self.offset() as i64 };
        let slot = self.slot();
        self.seek(slot, offset)
    }

    fn seek(&mut self, slot: Slot, offset: i64) -> Op {
        let whence = self.rng.pick(&[Whence::Set, Whence::Cur, Whence::End]);
        self.seek_to(slot, offset, whence)
    }

    /// The lseek asked for, or a rewind for a directory (see the module
    /// comment).
    fn seek_to(&self, slot: Slot, offset: i64, whence: Whence) -> Op {
        if self.dir_slots.contains(&slot) {
            return Op::Lseek { slot, offset: 0, whence: Whence::Set };
        }
        Op::Lseek { slot, offset, whence }
    }

    fn fallocate_op(&mut self) -> Op {
        let len = self.rng.weighted(&[(1, 0), (9, 1)]) * self.rng.range(1, 300);
        Op::Fallocate { slot: self.slot(), offset: self.offset(), len }
    }

    fn mkdir_op(&mut self) -> Op {
        Op::Mkdir { path: self.path(), mode: self.rng.pick(&DIR_MODES) }
    }

    fn link_op(&mut self) -> Op {
        let kind = if self.rng.chance(80) { Kind::File } else { Kind::Symlink };
        let old = self.path_to(kind);
        Op::Link { old, new: self.path(), follow: self.rng.chance(50) }
    }

    fn symlink_op(&mut self) -> Op {
        Op::Symlink { target: self.link_target(), path: self.path() }
    }

    fn rename_op(&mut self) -> Op {
        Op::Rename { old: self.path(), new: self.path(), mode: self.rename_mode() }
    }

    fn chmod_op(&mut self) -> Op {
        Op::Chmod { path: self.path(), mode: self.perm() }
    }

    fn chown_op(&mut self) -> Op {
        let ids = [0, USER_UID, u32::MAX, 2000];
        Op::Chown { path: self.path(), uid: self.rng.pick(&ids), gid: self.rng.pick(&ids), follow: self.rng.chance(70) }
    }

    fn access_op(&mut self) -> Op {
        Op::Access { path: self.path(), mode: self.rng.range(0, 7) as u32 }
    }

    /// Any op through `slot`, weighted toward data movement.
    fn fd_op(&mut self, slot: Slot) -> Op {
        match self.rng.range(0, 10) {
            0 | 1 => Op::Write { slot, data: self.data() },
            2 => Op::Read { slot, len: self.len() },
            3 => Op::Pread { slot, len: self.len(), offset: self.offset() },
            4 => Op::Pwrite { slot, data: self.data(), offset: self.offset() },
            5 => {
                let offset = self.rng.range(0, 40) as i64;
                self.seek(slot, offset)
            }
            6 | 7 => Op::Fstat(slot),
            8 => Op::Ftruncate { slot, len: self.rng.range(0, 400) },
            9 => Op::Fallocate { slot, offset: self.offset(), len: self.rng.range(1, 300) },
            _ => Op::Fchmod { slot, mode: self.perm() },
        }
    }

    /// Any op naming `path`, used to probe symlinks and trailing slashes.
    fn path_op(&mut self, path: Vec<u8>) -> Op {
        match self.rng.range(0, 9) {
            0 => Op::Open { path, flags: self.open_spec(), mode: 0o644 },
            1 => Op::Stat(path),
            2 => Op::Lstat(path),
            3 => Op::Readlink(path),
            4 => Op::Rmdir(path),
            5 => Op::Unlink(path),
            6 => Op::Chdir(path),
            7 => Op::ListDir(path),
            8 => Op::Rename { old: path, new: self.plain_path(), mode: RenameMode::Plain },
            _ => Op::Mkdir { path, mode: 0o755 },
        }
    }

    // --- values -------------------------------------------------------------

    /// Mostly one of the newest open slots; sometimes a closed one or one
    /// never taken (EBADF).
    fn slot(&mut self) -> Slot {
        let open = self.open_slots.len();
        if open == 0 || self.rng.chance(5) {
            return if self.slots > 0 && self.rng.chance(50) {
                self.rng.range(0, self.slots as u64 - 1) as usize
            } else {
                self.slots + self.rng.range(0, 2) as usize
            };
        }
        let back = self.rng.weighted(&[(50, 0), (25, 1), (15, 2), (10, open)]);
        self.open_slots[open - 1 - back.min(open - 1)]
    }

    fn component(&mut self) -> Vec<u8> {
        if self.rng.chance(1) {
            return vec![b'n'; LONG_NAME_LEN];
        }
        let name: &[u8] =
            self.rng.weighted(&[(30, b"a".as_slice()), (25, b"b"), (20, b"c"), (15, b"d"), (4, b"."), (4, b"..")]);
        name.to_vec()
    }

    /// A path that names something about half of the time.
    fn path(&mut self) -> Vec<u8> {
        match self.rng.range(0, 9) {
            0..=3 if !self.known.is_empty() => self.rng.pick(&self.known).0,
            0..=6 => self.plain_path(),
            _ => self.wild_path(),
        }
    }

    /// Like [`Gen::path`], but often one where a `kind` was created.
    fn path_to(&mut self, kind: Kind) -> Vec<u8> {
        let candidates: Vec<&Vec<u8>> =
            self.known.iter().filter(|(_, known)| *known == kind).map(|(path, _)| path).collect();
        if !candidates.is_empty() && self.rng.chance(50) {
            let chosen = self.rng.pick(&candidates).clone();
            return chosen;
        }
        self.path()
    }

    /// Any path of the universe, oddities included.
    fn wild_path(&mut self) -> Vec<u8> {
        match self.rng.range(0, 99) {
            0 => return Vec::new(),
            1 | 2 => return b"/".to_vec(),
            _ => {}
        }
        let depth = self.rng.weighted(&[(50, 1), (35, 2), (15, 3)]);
        let mut path = if self.rng.chance(45) { b"/".to_vec() } else { Vec::new() };
        for i in 0..depth {
            if i > 0 {
                path.push(b'/');
                if self.rng.chance(4) {
                    path.push(b'/');
                }
            }
            let component = self.component();
            path.extend(component);
        }
        if self.rng.chance(8) {
            path.push(b'/');
        }
        path
    }

    /// A well-formed path of plain names, often inside the skeleton;
    /// relative ones assume the cwd is `/`, as it mostly is.
    fn plain_path(&mut self) -> Vec<u8> {
        let parent =
            if !self.dirs.is_empty() && self.rng.chance(60) { self.rng.pick(&self.dirs) } else { b"/".to_vec() };
        let path = join(&parent, self.rng.pick(&NAMES));
        if self.rng.chance(50) {
            path
        } else {
            path[1..].to_vec()
        }
    }

    fn link_target(&mut self) -> Vec<u8> {
        match self.rng.range(0, 99) {
            0 => Vec::new(),
            1 => vec![b't'; LONG_TARGET_LEN],
            2..=5 => b".".to_vec(),
            6..=9 => b"..".to_vec(),
            10..=19 => [b"../".as_slice(), self.rng.pick(&NAMES)].concat(),
            _ => self.path(),
        }
    }

    fn open_spec(&mut self) -> OpenSpec {
        let create = self.rng.chance(40);
        OpenSpec {
            access: self.rng.range(0, 2) as u8,
            create,
            excl: (create && self.rng.chance(30)) || self.rng.chance(3),
            trunc: self.rng.chance(15),
            append: self.rng.chance(15),
            directory: self.rng.chance(8),
            nofollow: self.rng.chance(8),
        }
    }

    fn perm(&mut self) -> u32 {
        if self.rng.chance(10) {
            self.rng.range(0, 0o1777) as u32
        } else {
            self.rng.pick(&PERMS)
        }
    }

    fn file_mode(&mut self) -> u32 {
        self.rng.pick(&FILE_MODES)
    }

    fn umask(&mut self) -> u32 {
        if self.rng.chance(15) {
            self.rng.range(0, 0o777) as u32
        } else {
            self.rng.pick(&UMASKS)
        }
    }

    fn rename_mode(&mut self) -> RenameMode {
        self.rng.weighted(&[(6, RenameMode::Plain), (2, RenameMode::NoReplace), (2, RenameMode::Exchange)])
    }

    fn flock_op(&mut self) -> FlockOp {
        self.rng.weighted(&[(4, FlockOp::Exclusive), (4, FlockOp::Shared), (2, FlockOp::Unlock)])
    }

    /// A recognisable run of the alphabet from a random letter, so a shifted
    /// offset shows in the data.
    fn data(&mut self) -> Vec<u8> {
        let len = self.rng.weighted(&[(1, 0), (6, 20), (3, 300)]);
        let len = self.rng.range(len.min(1), len);
        let start = self.rng.range(0, 25);
        (0..len).map(|i| b'a' + ((start + i) % 26) as u8).collect()
    }

    fn len(&mut self) -> usize {
        let max = self.rng.weighted(&[(1, 0), (5, 16), (4, 400)]);
        self.rng.range(0, max) as usize
    }

    fn offset(&mut self) -> u64 {
        let max = self.rng.weighted(&[(50, 10), (35, 400), (15, 20_000)]);
        self.rng.range(0, max)
    }
}

/// The path a successful `op` brought into existence, and probably what.
fn created(op: &Op) -> Option<(&Vec<u8>, Kind)> {
    match op {
        Op::Open { path, flags, .. } if flags.create => Some((path, Kind::File)),
        Op::Mkdir { path, .. } => Some((path, Kind::Dir)),
        Op::Symlink { path, .. } => Some((path, Kind::Symlink)),
        Op::Link { new, .. } => Some((new, Kind::File)),
        Op::Rename { new, .. } => Some((new, Kind::Other)),
        _ => None,
    }
}

fn plain_open() -> OpenSpec {
    OpenSpec { access: 0, create: false, excl: false, trunc: false, append: false, directory: false, nofollow: false }
}

fn create_rw() -> OpenSpec {
    OpenSpec { access: 2, create: true, ..plain_open() }
}

/// `dir/name`, without doubling a trailing slash.
fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    let mut path = dir.to_vec();
    if !path.ends_with(b"/") {
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

/// A relative symlink target that reaches `target` from the directory of
/// `link`, assuming both are absolute or both relative to the same cwd.
fn relative_to(link: &[u8], target: &[u8]) -> Vec<u8> {
    let depth = link.iter().skip(1).filter(|&&b| b == b'/').count();
    let target = target.strip_prefix(b"/").unwrap_or(target);
    [b"../".repeat(depth), target.to_vec()].concat()
}
