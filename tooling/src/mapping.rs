//! `--dir HOST::GUEST[:ro]`: one host directory and the preopen name the
//! guest sees it under, as wasmtime's `--dir` takes them (`:ro`: the guest
//! can not change it); `--tmpfs GUEST[:size=N]`: an empty memory
//! filesystem as a preopen.

use std::ffi::{OsStr, OsString};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use anyhow::{bail, Result};
use strata_vfs::image::format::preopen_tree_path;

/// One `--dir` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The argument as given, for messages (`--dir ./site::/srv`).
    pub spec: OsString,
    /// The host directory (as given, not canonicalized).
    pub host: PathBuf,
    /// The preopen name, exactly as the guest reads it from
    /// `fd_prestat_dir_name` (`/srv`, `.`, `data/x`); the image's mount
    /// record stores it.
    pub name: Vec<u8>,
    /// Where the directory lives in the image tree, derived from `name` by
    /// [`preopen_tree_path`]: the path's components; empty for `/`.
    pub guest: Vec<Vec<u8>>,
    /// `--dir HOST::GUEST:ro`: every change beneath it is EROFS.
    pub read_only: bool,
    /// `--tmpfs`: no host directory (`host` is empty); an empty memory
    /// filesystem is mounted there when the module starts.
    pub tmpfs: Option<Tmpfs>,
}

/// A `--tmpfs` mount's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tmpfs {
    /// Bytes of file data and symlink targets it may hold (ENOSPC past
    /// it); `None`: no limit but the adapter's memory.
    pub size_limit: Option<u64>,
}

impl Mapping {
    /// Parses `HOST::GUEST`, splitting at the first `::`, or `HOST` alone,
    /// which names the preopen HOST as written (wasmtime's rule). GUEST may
    /// be absolute (`/srv`) or relative (`.`, `data`), not contain `..`,
    /// and may end in `:ro` (read-only) or `:rw` (the default). Checks the
    /// syntax only; [`Mapping::check_host`] looks at the host.
    pub fn parse(spec: &OsStr) -> Result<Mapping> {
        let bytes = spec.as_bytes();
        let shown = spec.to_string_lossy();
        let (host, mut name) = match bytes.windows(2).position(|pair| pair == b"::") {
            Some(split) => (&bytes[..split], &bytes[split + 2..]),
            None => (bytes, bytes),
        };
        let mut read_only = false;
        if host.len() != bytes.len() {
            if let Some(rest) = name.strip_suffix(b":ro") {
                (name, read_only) = (rest, true);
            } else if let Some(rest) = name.strip_suffix(b":rw") {
                name = rest;
            }
        }
        if host.is_empty() {
            bail!("--dir {shown}: the host directory is empty");
        }
        if name.is_empty() {
            bail!("--dir {shown}: the guest name is empty; use / or . for the root");
        }
        let guest = match preopen_tree_path(name) {
            Ok(components) => components.map(<[u8]>::to_vec).collect(),
            Err(error) => bail!("--dir {shown}: the guest name {}", error.problem()),
        };
        Ok(Mapping {
            spec: spec.to_owned(),
            host: PathBuf::from(OsStr::from_bytes(host)),
            name: name.to_vec(),
            guest,
            read_only,
            tmpfs: None,
        })
    }

    /// Parses `--tmpfs GUEST[:size=N]`, N in bytes or with a `K`, `M` or
    /// `G` suffix (powers of 1024), as Docker's `--tmpfs` takes it.
    pub fn parse_tmpfs(spec: &OsStr) -> Result<Mapping> {
        let bytes = spec.as_bytes();
        let shown = spec.to_string_lossy();
        let (name, size) = match bytes.windows(6).rposition(|window| window == b":size=") {
            Some(at) => (&bytes[..at], Some(&bytes[at + 6..])),
            None => (bytes, None),
        };
        let size_limit = match size {
            None => None,
            Some(size) => match parse_size(size) {
                Some(0) | None => bail!("--tmpfs {shown}: the size is not a positive number of bytes (like 64M)"),
                Some(limit) => Some(limit),
            },
        };
        if name.is_empty() {
            bail!("--tmpfs {shown}: the guest path is empty");
        }
        let guest = match preopen_tree_path(name) {
            Ok(components) => components.map(<[u8]>::to_vec).collect::<Vec<_>>(),
            Err(error) => bail!("--tmpfs {shown}: the guest path {}", error.problem()),
        };
        Ok(Mapping {
            spec: spec.to_owned(),
            host: PathBuf::new(),
            name: name.to_vec(),
            guest,
            read_only: false,
            tmpfs: Some(Tmpfs { size_limit }),
        })
    }

    /// The argument as the user gave it: `--dir ./site::/srv`.
    pub fn arg(&self) -> String {
        let flag = if self.tmpfs.is_some() { "--tmpfs" } else { "--dir" };
        format!("{flag} {}", self.spec.to_string_lossy())
    }

    /// Where the directory lives in the image tree: `/` or `/a/b`.
    pub fn guest_path(&self) -> Vec<u8> {
        if self.guest.is_empty() {
            return b"/".to_vec();
        }
        let mut path = Vec::new();
        for component in &self.guest {
            path.push(b'/');
            path.extend_from_slice(component);
        }
        path
    }

    /// Checks that the host directory exists and is a directory (following
    /// symlinks: `--dir ./link::/srv` packs what the link points to).
    pub fn check_host(&self) -> Result<()> {
        if self.tmpfs.is_some() {
            return Ok(());
        }
        let shown = self.spec.to_string_lossy();
        match std::fs::metadata(&self.host) {
            Ok(meta) if meta.is_dir() => Ok(()),
            Ok(_) => bail!("--dir {shown}: not a directory"),
            Err(error) if error.kind() == ErrorKind::NotFound => bail!("--dir {shown}: no such directory"),
            Err(error) => bail!("--dir {shown}: cannot stat {}: {error}", self.host.display()),
        }
    }

    /// Whether `other`'s guest path is inside this one's (strictly).
    pub fn encloses(&self, other: &Mapping) -> bool {
        other.guest.len() > self.guest.len() && other.guest.starts_with(&self.guest)
    }
}

/// Rejects two mappings with the same place in the image tree. (Merging
/// two host trees into one guest directory would make which file wins
/// depend on argument order.) One inside another is allowed, as nested
/// preopens are in wasmtime: the inner tree is grafted into the outer one
/// at a path the outer tree must not have (see the pack scan).
pub fn check_overlaps(mappings: &[Mapping]) -> Result<()> {
    for (i, first) in mappings.iter().enumerate() {
        for second in &mappings[i + 1..] {
            if first.guest == second.guest {
                bail!(
                    "{} and {} overlap: both place their directory at {} in the image",
                    first.arg(),
                    second.arg(),
                    String::from_utf8_lossy(&first.guest_path())
                );
            }
            for (outer, inner) in [(first, second), (second, first)] {
                if outer.tmpfs.is_some() && outer.encloses(inner) {
                    bail!(
                        "{} is inside {}: a tmpfs starts empty, so nothing can be packed beneath it",
                        inner.arg(),
                        outer.arg()
                    );
                }
            }
        }
    }
    Ok(())
}

/// `64M`, `512k`, `1G`, `4096`: bytes, with an optional binary suffix.
fn parse_size(text: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(text).ok()?;
    let (digits, shift) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 10),
        b'm' | b'M' => (&text[..text.len() - 1], 20),
        b'g' | b'G' => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// The innermost mapping that encloses `inner`, if any.
pub fn enclosing<'a>(mappings: &'a [Mapping], inner: &Mapping) -> Option<&'a Mapping> {
    mappings.iter().filter(|outer| outer.encloses(inner)).max_by_key(|outer| outer.guest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(spec: &str) -> Result<Mapping> {
        Mapping::parse(OsStr::new(spec))
    }

    fn error(spec: &str) -> String {
        parse(spec).unwrap_err().to_string()
    }

    #[test]
    fn splits_at_the_first_double_colon() {
        let mapping = parse("./site::/srv").unwrap();
        assert_eq!(mapping.host, PathBuf::from("./site"));
        assert_eq!((mapping.name.as_slice(), mapping.guest.clone()), (&b"/srv"[..], vec![b"srv".to_vec()]));
        let mapping = parse("a::b::/x::y").unwrap();
        assert_eq!((mapping.host, mapping.name), (PathBuf::from("a"), b"b::/x::y".to_vec()));
        let mapping = parse("a::/b::c").unwrap();
        assert_eq!(mapping.guest, vec![b"b::c".to_vec()]);
    }

    #[test]
    fn normalizes_guest_paths() {
        assert_eq!(parse("h::/").unwrap().guest_path(), b"/");
        assert_eq!(parse("h:://usr//lib/").unwrap().guest_path(), b"/usr/lib");
        assert_eq!(parse("h:://usr//lib/").unwrap().name, b"//usr//lib/", "the name is kept as written");
        assert!(parse("h::/").unwrap().guest.is_empty());
    }

    #[test]
    fn relative_guest_names_live_under_the_root() {
        for (spec, name, path) in [
            ("h::.", ".", "/"),
            ("h::./site", "./site", "/site"),
            ("h::data/x", "data/x", "/data/x"),
            ("./site", "./site", "/site"),
            ("site", "site", "/site"),
            ("/abs/dir", "/abs/dir", "/abs/dir"),
            ("a:/srv", "a:/srv", "/a:/srv"),
        ] {
            let mapping = parse(spec).unwrap();
            assert_eq!(mapping.name, name.as_bytes(), "{spec}");
            assert_eq!(mapping.guest_path(), path.as_bytes(), "{spec}");
        }
        assert_eq!(parse("./site").unwrap().host, PathBuf::from("./site"), "HOST alone is also the host");
    }

    #[test]
    fn rejects_malformed_mappings() {
        assert!(error("::/srv").contains("host directory is empty"));
        assert!(error("./site::").contains("guest name is empty"));
        assert!(error("./site::/a/../b").contains("contains a .. component"));
        assert!(error("./site::..").contains("contains a .. component"));
        assert!(error("../site").contains("contains a .. component"), "HOST alone is the name, .. and all");
        assert!(error(&format!("./site::/{}", "n".repeat(256))).contains("longer than 255"));
    }

    #[test]
    fn equal_guest_paths_are_rejected_nested_ones_allowed() {
        let maps = |specs: &[&str]| specs.iter().map(|s| parse(s).unwrap()).collect::<Vec<_>>();
        assert!(check_overlaps(&maps(&["a::/srv", "b::/etc", "c::/usr/lib/x", "d::/usr/lib/y"])).is_ok());
        assert!(check_overlaps(&maps(&["a::/srv", "b::/srv2", "c::/", "d::/srv/x"])).is_ok());
        assert!(check_overlaps(&maps(&["a::/x", "b::/x/"])).is_err());
        let message = check_overlaps(&maps(&["a::/srv", "b::./srv"])).unwrap_err().to_string();
        assert!(message.contains("--dir a::/srv and --dir b::./srv") && message.contains("at /srv"), "{message}");
        assert!(check_overlaps(&maps(&["a::.", "b::/"])).is_err());
    }

    #[test]
    fn read_only_and_tmpfs_options() {
        let ro = parse("./site::/srv:ro").unwrap();
        assert_eq!((ro.name.as_slice(), ro.read_only), (&b"/srv"[..], true));
        let rw = parse("./site::/srv:rw").unwrap();
        assert_eq!((rw.name.as_slice(), rw.read_only), (&b"/srv"[..], false));
        assert_eq!(parse("./site:ro").unwrap().name, b"./site:ro", "HOST alone keeps its name whole");
        let tmp = Mapping::parse_tmpfs(OsStr::new("/tmp:size=64M")).unwrap();
        assert_eq!((tmp.name.as_slice(), tmp.tmpfs), (&b"/tmp"[..], Some(Tmpfs { size_limit: Some(64 << 20) })));
        let tmp = Mapping::parse_tmpfs(OsStr::new("scratch")).unwrap();
        assert_eq!((tmp.guest_path(), tmp.tmpfs), (b"/scratch".to_vec(), Some(Tmpfs { size_limit: None })));
        assert_eq!(parse_size(b"4096"), Some(4096));
        assert_eq!(parse_size(b"2k"), Some(2048));
        for bad in ["/tmp:size=", "/tmp:size=0", "/tmp:size=12X", "/tmp:size=-1", ":size=1M"] {
            assert!(Mapping::parse_tmpfs(OsStr::new(bad)).is_err(), "{bad}");
        }
        let nested =
            [parse("a::/").unwrap(), Mapping::parse_tmpfs(OsStr::new("/tmp")).unwrap(), parse("b::/tmp/x").unwrap()];
        let message = check_overlaps(&nested).unwrap_err().to_string();
        assert!(message.contains("--dir b::/tmp/x is inside --tmpfs /tmp"), "{message}");
        assert!(check_overlaps(&nested[..2]).is_ok(), "a tmpfs inside a --dir tree is a mount point");
    }

    #[test]
    fn the_innermost_enclosing_mapping() {
        let all = [parse("r::/").unwrap(), parse("u::/usr").unwrap(), parse("l::/usr/lib/x").unwrap()];
        assert_eq!(enclosing(&all, &all[2]).map(|m| &m.spec), Some(&all[1].spec));
        assert_eq!(enclosing(&all, &all[1]).map(|m| &m.spec), Some(&all[0].spec));
        assert_eq!(enclosing(&all, &all[0]), None);
        assert_eq!(enclosing(&all, &parse("s::/usrx").unwrap()).map(|m| &m.spec), Some(&all[0].spec));
    }
}
