//! Where two outcomes of one guest differ, as a failure message: the status
//! of each side, then for stdout and stderr the first differing line with a
//! few lines of context and line numbers.

use std::fmt::Write as _;

use crate::run::{Outcome, Status};

/// The label of the reference side.
pub const HOST: &str = "host preopen (wasmtime)";
/// The label of the side under test.
pub const WRAPPED: &str = "wrapped (strata)";

/// Lines of context shown before and after the first difference.
const CONTEXT: usize = 3;

/// How strictly statuses must agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statuses {
    /// Same exit code, or both trapped with the same message.
    Exact,
    /// Same exit code, or both trapped (the wording of a trap may differ
    /// between wasmtime's host and the adapter).
    TrappedOrNot,
}

/// `None` when `host` and `wrapped` agree; otherwise a report of every
/// difference.
pub fn compare(host: &Outcome, wrapped: &Outcome, statuses: Statuses) -> Option<String> {
    compare_as([HOST, WRAPPED], host, wrapped, statuses)
}

/// [`compare`] with other labels for the two sides.
pub fn compare_as(labels: [&str; 2], left: &Outcome, right: &Outcome, statuses: Statuses) -> Option<String> {
    let [left_label, right_label] = labels;
    let status_differs = match statuses {
        Statuses::Exact => left.status != right.status,
        Statuses::TrappedOrNot => match (&left.status, &right.status) {
            (Status::Trap(_), Status::Trap(_)) => false,
            (left, right) => left != right,
        },
    };
    let mut report = String::new();
    if status_differs {
        writeln!(report, "status differs:\n  {left_label}: {}\n  {right_label}: {}", left.status, right.status)
            .unwrap();
    }
    for (stream, left, right) in [("stdout", &left.stdout, &right.stdout), ("stderr", &left.stderr, &right.stderr)] {
        if let Some(lines) = lines_as(labels, left, right) {
            writeln!(report, "{stream} differs:\n{lines}").unwrap();
        }
    }
    if report.is_empty() {
        None
    } else {
        if !status_differs {
            writeln!(report, "(both: {})", left.status).unwrap();
        }
        Some(report)
    }
}

/// The first differing line of `host` and `wrapped` in context, or `None`
/// if they are equal.
pub fn lines(host: &[u8], wrapped: &[u8]) -> Option<String> {
    lines_as([HOST, WRAPPED], host, wrapped)
}

/// [`lines`] with other labels for the two sides.
pub fn lines_as(labels: [&str; 2], left: &[u8], right: &[u8]) -> Option<String> {
    if left == right {
        return None;
    }
    let [left_label, right_label] = labels;
    let left_lines = split(left);
    let right_lines = split(right);
    let first = left_lines.iter().zip(&right_lines).take_while(|(a, b)| a == b).count();
    let from = first.saturating_sub(CONTEXT);
    let mut report = format!(
        "  first difference at line {} ({left_label}: {} lines, {right_label}: {} lines)\n",
        first + 1,
        left_lines.len(),
        right_lines.len()
    );
    for (label, lines) in [(left_label, &left_lines), (right_label, &right_lines)] {
        writeln!(report, "  --- {label}").unwrap();
        let to = lines.len().min(first + CONTEXT + 1);
        for (index, line) in lines.iter().enumerate().take(to).skip(from) {
            let marker = if index == first { '>' } else { ' ' };
            writeln!(report, "  {marker}{:5} | {}", index + 1, show(line)).unwrap();
        }
        if first >= lines.len() {
            writeln!(report, "  >      | (end of output)").unwrap();
        }
    }
    Some(report)
}

/// Lines with their terminators, so a missing final newline is a
/// difference too.
fn split(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// One line for people: lossy UTF-8, control characters escaped, and a
/// note if it has no newline.
fn show(line: &[u8]) -> String {
    let (text, terminated) = match line.strip_suffix(b"\n") {
        Some(text) => (text, true),
        None => (line, false),
    };
    let mut shown = String::new();
    for c in String::from_utf8_lossy(text).chars() {
        if c.is_control() && c != '\t' {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    if !terminated {
        shown.push_str("  (no newline at end)");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(stdout: &str, status: Status) -> Outcome {
        Outcome { stdout: stdout.as_bytes().to_vec(), stderr: Vec::new(), status }
    }

    #[test]
    fn equal_outcomes_have_no_report() {
        let a = outcome("a\nb\n", Status::Exit(0));
        assert_eq!(compare(&a, &a.clone(), Statuses::Exact), None);
    }

    #[test]
    fn the_report_shows_the_first_differing_line_in_context() {
        let host: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let wrapped = host.replace("line 10\n", "line ten\n");
        let report = compare(&outcome(&host, Status::Exit(0)), &outcome(&wrapped, Status::Exit(0)), Statuses::Exact)
            .expect("a difference");
        assert!(report.contains("stdout differs"), "{report}");
        assert!(report.contains("first difference at line 10"), "{report}");
        assert!(report.contains(">   10 | line 10") && report.contains(">   10 | line ten"), "{report}");
        assert!(report.contains("    7 | line 7") && report.contains("   13 | line 13"), "{report}");
        assert!(!report.contains("line 6\n") && !report.contains("line 14"), "{report}");
        assert!(report.contains(HOST) && report.contains(WRAPPED), "{report}");
        assert!(!report.contains("status differs"), "{report}");
    }

    #[test]
    fn a_shorter_output_and_a_missing_newline_are_shown() {
        let report = lines(b"a\nb\nc\n", b"a\nb").expect("a difference");
        assert!(report.contains("first difference at line 2"), "{report}");
        assert!(report.contains(">    2 | b  (no newline at end)"), "{report}");
        let report = lines(b"a\nb\nc\n", b"a\nb\n").expect("a difference");
        assert!(report.contains("first difference at line 3"), "{report}");
        assert!(report.contains(">      | (end of output)"), "{report}");
    }

    #[test]
    fn trap_wording_matters_only_when_exact() {
        let host = outcome("", Status::Trap("wasm trap: out of bounds memory access".into()));
        let wrapped = outcome("", Status::Trap("unreachable".into()));
        assert!(compare(&host, &wrapped, Statuses::Exact).is_some());
        assert_eq!(compare(&host, &wrapped, Statuses::TrappedOrNot), None);
        let exited = outcome("", Status::Exit(1));
        assert!(compare(&host, &exited, Statuses::TrappedOrNot).unwrap().contains("status differs"));
        assert!(compare(&outcome("", Status::Exit(2)), &exited, Statuses::TrappedOrNot).is_some());
    }
}
