//! `strata trace`: the tracer (`tracer/`) fused in front of a guest, so
//! that every `wasi_snapshot_preview1` call the guest makes is printed, as
//! strace prints system calls. The guest's calls reach the tracer, which
//! makes the real call through an import of the same function: the host's
//! for a plain guest, the adapter's once the traced module is wrapped
//! (`strata trace GUEST.wasm --dir ...` traces, then wraps).
//!
//! The options are written into the tracer's own data (its `CONFIG`
//! block, found by its magic bytes) before fusing: a module traced without
//! an option has none of its cost, and a module that is not traced has no
//! tracer at all.

use anyhow::{bail, Result};

use crate::wrap::{wrap_with, Adapter, WrapOptions, Wrapped};

/// The tracer's `config::MAGIC` (tracer/src/config.rs).
const MAGIC: &[u8] = b"strata-trace-config-v1:\n";
/// The bytes after the magic that hold the options.
const ROOM: usize = 2048;

/// What to print, in strace's terms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TraceOptions {
    /// `-e trace=LIST`: only these functions (names, or prefixes ending in
    /// `*`); empty: all.
    pub only: Vec<String>,
    /// `-c`: no line per call, only the summary at exit.
    pub summary_only: bool,
    /// `-C`: lines and the summary.
    pub summary: bool,
    /// `-T`: each line ends with the call's duration.
    pub durations: bool,
    /// `-r`: each line starts with the time since the first call.
    pub timestamps: bool,
    /// `--trace-file GUESTPATH`: append the trace to this file, in one of
    /// the guest's preopens, instead of writing it to stderr.
    pub file: Option<String>,
}

impl TraceOptions {
    /// Parses `-e`'s argument: `path_open,fd_read`, `trace=path_*`.
    pub fn parse_only(list: &str) -> Result<Vec<String>> {
        let list = list.strip_prefix("trace=").unwrap_or(list);
        let names: Vec<String> = list.split(',').filter(|name| !name.is_empty()).map(str::to_owned).collect();
        for name in &names {
            let stem = name.strip_suffix('*').unwrap_or(name);
            if !FUNCTIONS.iter().any(|function| function.starts_with(stem)) {
                bail!("-e {list}: {name} is no wasi_snapshot_preview1 function (nor a prefix of one, as path_*)");
            }
            if !name.ends_with('*') && !FUNCTIONS.contains(&name.as_str()) {
                bail!("-e {list}: {name} is no wasi_snapshot_preview1 function");
            }
        }
        if names.is_empty() {
            bail!("-e needs a list of functions, like -e path_open,fd_read or -e 'path_*'");
        }
        Ok(names)
    }

    /// The text of the tracer's `CONFIG` block.
    fn text(&self) -> String {
        let flag = |on: bool| if on { "1" } else { "0" };
        format!(
            "only={}\nlines={}\nsummary={}\ndurations={}\ntimestamps={}\nfile={}\n",
            self.only.join(","),
            flag(!self.summary_only),
            flag(self.summary || self.summary_only),
            flag(self.durations),
            flag(self.timestamps),
            self.file.as_deref().unwrap_or("")
        )
    }
}

/// Every preview1 function the tracer traces.
pub const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// Checks a `--trace-file` path: absolute, one line, ending in a name.
pub fn check_file(path: &str) -> Result<()> {
    if !path.starts_with('/') || path.ends_with('/') || path.contains(['\n', '\0']) {
        bail!("--trace-file {path}: give an absolute guest path of a file, in a directory the runtime preopens (like /out/trace.txt)");
    }
    Ok(())
}

/// `guest` with the tracer in front of its preview1 imports.
pub fn trace(guest: &[u8], options: &TraceOptions) -> Result<Wrapped> {
    if let Some(file) = &options.file {
        check_file(file)?;
    }
    let tracer = configured(Adapter::tracer().wasm, options)?;
    let adapter = Adapter { wasm: &tracer, ..Adapter::tracer() };
    wrap_with(guest, None, &WrapOptions { adapter })
}

/// The tracer module with `options` written into its `CONFIG` block.
fn configured(tracer: &[u8], options: &TraceOptions) -> Result<Vec<u8>> {
    let text = options.text();
    if text.len() > ROOM {
        bail!("the trace options take {} bytes, more than the tracer's {ROOM}; trace fewer functions", text.len());
    }
    let mut found = tracer.windows(MAGIC.len()).enumerate().filter(|(_, window)| *window == MAGIC).map(|(at, _)| at);
    let (Some(at), None) = (found.next(), found.next()) else {
        bail!("internal error: the embedded tracer has no single options block");
    };
    let mut module = tracer.to_vec();
    let room = &mut module[at + MAGIC.len()..at + MAGIC.len() + ROOM];
    room.fill(0);
    room[..text.len()].copy_from_slice(text.as_bytes());
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_lists_are_checked() {
        assert_eq!(TraceOptions::parse_only("trace=path_open,fd_read").unwrap(), ["path_open", "fd_read"]);
        assert_eq!(TraceOptions::parse_only("path_*").unwrap(), ["path_*"]);
        for bad in ["open", "path_opn", "", "trace=", "x*"] {
            assert!(TraceOptions::parse_only(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_options_go_into_the_one_config_block() {
        let options = TraceOptions { only: vec!["path_open".into()], durations: true, ..Default::default() };
        let module = configured(Adapter::tracer().wasm, &options).unwrap();
        assert_eq!(module.len(), Adapter::tracer().wasm.len());
        let at = module.windows(MAGIC.len()).position(|w| w == MAGIC).unwrap() + MAGIC.len();
        assert!(module[at..].starts_with(b"only=path_open\nlines=1\nsummary=0\ndurations=1\ntimestamps=0\nfile=\n\0"));
    }
}
