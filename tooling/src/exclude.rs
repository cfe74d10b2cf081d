//! `--exclude GLOB`: host entries left out of the image.
//!
//! - A pattern without `/` matches an entry's name, at any depth:
//!   `*.o`, `.git`, `node_modules`.
//! - A pattern with `/` matches the entry's path relative to its `--dir`
//!   host root: `target/debug`, `docs/*.tmp`, `**/cache`. A leading `/`
//!   only anchors (`/build` is the top-level `build`, not every `build`).
//! - A trailing `/` matches directories only: `build/`.
//!
//! `*`, `?` and `[...]` never match `/`; `**` matches any number of
//! components. An excluded directory is not descended into.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{bail, Context, Result};
use globset::{Candidate, GlobBuilder, GlobSet, GlobSetBuilder};

/// The compiled `--exclude` patterns.
#[derive(Clone, Debug)]
pub struct Excludes {
    /// Patterns on the name, for any entry.
    names: GlobSet,
    /// Patterns on the name, for directories.
    dir_names: GlobSet,
    /// Patterns on the path relative to the host root, for any entry.
    paths: GlobSet,
    /// Patterns on the relative path, for directories.
    dir_paths: GlobSet,
}

impl Excludes {
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Result<Excludes> {
        let mut sets = [GlobSetBuilder::new(), GlobSetBuilder::new(), GlobSetBuilder::new(), GlobSetBuilder::new()];
        for pattern in patterns {
            let given = pattern.as_ref();
            let mut glob = given;
            let dirs_only = glob.len() > 1 && glob.ends_with('/');
            if dirs_only {
                glob = glob.trim_end_matches('/');
            }
            let on_path = glob.contains('/');
            let glob = glob.strip_prefix("./").unwrap_or(glob).trim_start_matches('/');
            if glob.is_empty() {
                bail!("--exclude {given:?}: the pattern matches nothing");
            }
            let compiled = GlobBuilder::new(glob)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .with_context(|| format!("--exclude {given}"))?;
            sets[usize::from(on_path) * 2 + usize::from(dirs_only)].add(compiled);
        }
        let [names, dir_names, paths, dir_paths] = sets.map(|set| set.build().expect("globs compiled one by one"));
        Ok(Excludes { names, dir_names, paths, dir_paths })
    }

    /// No patterns at all.
    pub fn none() -> Excludes {
        Excludes::new::<&str>(&[]).expect("no patterns")
    }

    /// Whether some pattern looks at relative paths (so the caller must
    /// keep them).
    pub fn uses_paths(&self) -> bool {
        !self.paths.is_empty() || !self.dir_paths.is_empty()
    }

    /// Whether the entry `name`, at `relative` (its path from the host
    /// root, `name` included; only consulted if [`Excludes::uses_paths`]),
    /// is excluded.
    pub fn excludes(&self, name: &[u8], relative: &[u8], is_dir: bool) -> bool {
        let name = Candidate::new(Path::new(OsStr::from_bytes(name)));
        if self.names.is_match_candidate(&name) || (is_dir && self.dir_names.is_match_candidate(&name)) {
            return true;
        }
        if !self.uses_paths() {
            return false;
        }
        let path = Candidate::new(Path::new(OsStr::from_bytes(relative)));
        self.paths.is_match_candidate(&path) || (is_dir && self.dir_paths.is_match_candidate(&path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excludes(patterns: &[&str], relative: &str, is_dir: bool) -> bool {
        let name = relative.rsplit('/').next().unwrap();
        Excludes::new(patterns).unwrap().excludes(name.as_bytes(), relative.as_bytes(), is_dir)
    }

    #[test]
    fn patterns_without_a_slash_match_names_at_any_depth() {
        assert!(excludes(&["*.o"], "a.o", false));
        assert!(excludes(&["*.o"], "src/deep/a.o", false));
        assert!(!excludes(&["*.o"], "src/a.c", false));
        assert!(excludes(&[".git"], "sub/.git", true));
        assert!(!excludes(&["src"], "src2", true));
    }

    #[test]
    fn patterns_with_a_slash_match_relative_paths() {
        assert!(excludes(&["target/debug"], "target/debug", true));
        assert!(!excludes(&["target/debug"], "x/target/debug", true));
        assert!(excludes(&["/build"], "build", true));
        assert!(!excludes(&["/build"], "sub/build", true));
        assert!(excludes(&["./build"], "build", true));
        assert!(!excludes(&["./build"], "sub/build", true));
        assert!(excludes(&["docs/*.tmp"], "docs/a.tmp", false));
        assert!(!excludes(&["docs/*.tmp"], "docs/x/a.tmp", false), "* does not cross /");
        assert!(excludes(&["**/cache"], "a/b/cache", true));
        assert!(excludes(&["**/cache"], "cache", true));
    }

    #[test]
    fn a_trailing_slash_matches_directories_only() {
        assert!(excludes(&["build/"], "x/build", true));
        assert!(!excludes(&["build/"], "x/build", false));
        assert!(excludes(&["x/build/"], "x/build", true));
        assert!(!excludes(&["x/build/"], "x/build", false));
    }

    #[test]
    fn non_utf8_names_can_be_matched() {
        let set = Excludes::new(&["caf*"]).unwrap();
        assert!(set.excludes(b"caf\xe9", b"caf\xe9", false));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Excludes::new(&["[unclosed"]).is_err());
        assert!(Excludes::new(&["/"]).is_err());
        assert!(Excludes::new(&[""]).is_err());
    }
}
