//! `--dir HOST::GUEST`: one host directory and the preopen name the guest
//! sees it under, as wasmtime's `--dir` takes them.

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
}

impl Mapping {
    /// Parses `HOST::GUEST`, splitting at the first `::`, or `HOST` alone,
    /// which names the preopen HOST as written (wasmtime's rule). GUEST may
    /// be absolute (`/srv`) or relative (`.`, `data`), not contain `..`.
    /// Checks the syntax only; [`Mapping::check_host`] looks at the host.
    pub fn parse(spec: &OsStr) -> Result<Mapping> {
        let bytes = spec.as_bytes();
        let shown = spec.to_string_lossy();
        let (host, name) = match bytes.windows(2).position(|pair| pair == b"::") {
            Some(split) => (&bytes[..split], &bytes[split + 2..]),
            None => (bytes, bytes),
        };
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
        Ok(Mapping { spec: spec.to_owned(), host: PathBuf::from(OsStr::from_bytes(host)), name: name.to_vec(), guest })
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
                    "--dir {} and --dir {} overlap: both place their directory at {} in the image",
                    first.spec.to_string_lossy(),
                    second.spec.to_string_lossy(),
                    String::from_utf8_lossy(&first.guest_path())
                );
            }
        }
    }
    Ok(())
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
    fn the_innermost_enclosing_mapping() {
        let all = [parse("r::/").unwrap(), parse("u::/usr").unwrap(), parse("l::/usr/lib/x").unwrap()];
        assert_eq!(enclosing(&all, &all[2]).map(|m| &m.spec), Some(&all[1].spec));
        assert_eq!(enclosing(&all, &all[1]).map(|m| &m.spec), Some(&all[0].spec));
        assert_eq!(enclosing(&all, &all[0]), None);
        assert_eq!(enclosing(&all, &parse("s::/usrx").unwrap()).map(|m| &m.spec), Some(&all[0].spec));
    }
}
