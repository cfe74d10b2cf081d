//! `--dir HOST::GUEST`: one host directory and where the guest sees it.

use std::ffi::{OsStr, OsString};
use std::io::ErrorKind;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use anyhow::{bail, Result};
use strata_vfs::image::format::NAME_MAX;

/// One `--dir` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The argument as given, for messages (`--dir ./site::/srv`).
    pub spec: OsString,
    /// The host directory (as given, not canonicalized).
    pub host: PathBuf,
    /// The guest path's components; empty for `/`.
    pub guest: Vec<Vec<u8>>,
}

impl Mapping {
    /// Parses `HOST::GUEST`, splitting at the first `::`. Checks the syntax
    /// only; [`Mapping::check_host`] looks at the host.
    pub fn parse(spec: &OsStr) -> Result<Mapping> {
        let bytes = spec.as_bytes();
        let shown = spec.to_string_lossy();
        let Some(split) = bytes.windows(2).position(|pair| pair == b"::") else {
            bail!("--dir {shown}: expected HOST::GUEST, for example --dir ./site::/srv");
        };
        let (host, guest) = (&bytes[..split], &bytes[split + 2..]);
        if host.is_empty() {
            bail!("--dir {shown}: the host directory is empty");
        }
        if guest.first() != Some(&b'/') {
            bail!("--dir {shown}: the guest path must be absolute (start with /)");
        }
        let mut components = Vec::new();
        for component in guest.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
            if component == b"." || component == b".." {
                bail!("--dir {shown}: the guest path must not contain . or ..");
            }
            if component.len() > NAME_MAX {
                bail!("--dir {shown}: a guest path component is longer than {NAME_MAX} bytes");
            }
            if component.contains(&0) {
                bail!("--dir {shown}: the guest path contains a NUL byte");
            }
            components.push(component.to_vec());
        }
        Ok(Mapping { spec: spec.to_owned(), host: PathBuf::from(OsStr::from_bytes(host)), guest: components })
    }

    /// The guest path in normal form: `/` or `/a/b`.
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

    /// Whether `other`'s guest path is this one's or inside it.
    fn covers(&self, other: &Mapping) -> bool {
        other.guest.starts_with(&self.guest)
    }
}

/// Rejects mappings whose guest paths overlap: one equal to or inside
/// another. (Merging two host trees into one guest directory would make
/// which file wins depend on argument order.)
pub fn check_overlaps(mappings: &[Mapping]) -> Result<()> {
    for (i, first) in mappings.iter().enumerate() {
        for second in &mappings[i + 1..] {
            if first.covers(second) || second.covers(first) {
                bail!(
                    "--dir {} and --dir {} overlap: a guest path may not be equal to or inside another",
                    first.spec.to_string_lossy(),
                    second.spec.to_string_lossy()
                );
            }
        }
    }
    Ok(())
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
        assert_eq!(mapping.guest, vec![b"srv".to_vec()]);
        let mapping = parse("a::b::/x::y").unwrap_err();
        assert!(mapping.to_string().contains("absolute"), "{mapping}");
        let mapping = parse("a::/b::c").unwrap();
        assert_eq!(mapping.guest, vec![b"b::c".to_vec()]);
    }

    #[test]
    fn normalizes_guest_paths() {
        assert_eq!(parse("h::/").unwrap().guest_path(), b"/");
        assert_eq!(parse("h:://usr//lib/").unwrap().guest_path(), b"/usr/lib");
        assert!(parse("h::/").unwrap().guest.is_empty());
    }

    #[test]
    fn rejects_malformed_mappings() {
        assert!(error("./site").contains("expected HOST::GUEST"));
        assert!(error("./site:/srv").contains("expected HOST::GUEST"));
        assert!(error("::/srv").contains("host directory is empty"));
        assert!(error("./site::srv").contains("must be absolute"));
        assert!(error("./site::").contains("must be absolute"));
        assert!(error("./site::/a/../b").contains("must not contain . or .."));
        assert!(error("./site::/a/./b").contains("must not contain . or .."));
        assert!(error(&format!("./site::/{}", "n".repeat(256))).contains("longer than 255"));
    }

    #[test]
    fn overlapping_guest_paths_are_rejected() {
        let maps = |specs: &[&str]| specs.iter().map(|s| parse(s).unwrap()).collect::<Vec<_>>();
        assert!(check_overlaps(&maps(&["a::/srv", "b::/etc", "c::/usr/lib/x", "d::/usr/lib/y"])).is_ok());
        assert!(check_overlaps(&maps(&["a::/srv", "b::/srv2"])).is_ok());
        let message = check_overlaps(&maps(&["a::/srv", "b::/srv/x"])).unwrap_err().to_string();
        assert!(message.contains("--dir a::/srv") && message.contains("--dir b::/srv/x"), "{message}");
        assert!(check_overlaps(&maps(&["a::/", "b::/etc"])).is_err());
        assert!(check_overlaps(&maps(&["a::/x/y", "b::/x"])).is_err());
        assert!(check_overlaps(&maps(&["a::/x", "b::/x/"])).is_err());
    }
}
