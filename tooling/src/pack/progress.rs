//! A one-line progress display on stderr, only when stderr is a terminal,
//! redrawn at most ten times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use crate::display::human_size;

const REFRESH: Duration = Duration::from_millis(100);

pub struct Progress {
    enabled: bool,
    /// When the line was last drawn; `None` before the first time.
    drawn: Option<Instant>,
}

impl Progress {
    /// Draws on stderr if it is a terminal.
    pub fn for_stderr() -> Progress {
        Progress { enabled: std::io::stderr().is_terminal(), drawn: None }
    }

    /// Draws nothing.
    pub fn off() -> Progress {
        Progress { enabled: false, drawn: None }
    }

    pub(crate) fn scanned(&mut self, entries: u64) {
        if self.due() {
            self.draw(&format!("scanning: {entries} entries"));
        }
    }

    pub(crate) fn copied(&mut self, files: u64, total_files: u64, bytes: u64, total_bytes: u64) {
        if self.due() {
            self.draw(&format!("{files}/{total_files} files, {} of {}", human_size(bytes), human_size(total_bytes)));
        }
    }

    /// Erases the line, if one was drawn.
    pub fn finish(&mut self) {
        if self.drawn.take().is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }

    fn due(&self) -> bool {
        self.enabled && self.drawn.is_none_or(|at| at.elapsed() >= REFRESH)
    }

    fn draw(&mut self, line: &str) {
        self.drawn = Some(Instant::now());
        let _ = write!(std::io::stderr(), "\r\x1b[Kstrata: {line}");
    }
}
