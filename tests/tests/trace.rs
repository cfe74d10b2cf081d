//! `strata trace`: a traced module behaves exactly as the guest (every
//! fixture guest prints the same stdout and ends the same way, traps
//! included, plain under wasmtime with host preopens and wrapped with the
//! tree packed), and its trace on stderr shows the real calls: the path a
//! guest failed to open with its ENOENT, filtered with `-e`, timed with
//! `-T`, counted with `-c`.

use std::fs;

use strata::trace::{trace, TraceOptions};
use strata_e2e::fixtures::{self, run_host, Fixture, Language, FIXTURES};
use strata_e2e::run::{self, Outcome, Preopen, Status};
use strata_e2e::{diff, tree, wrap};

fn traced(guest: &[u8], options: &TraceOptions) -> Vec<u8> {
    trace(guest, options).unwrap_or_else(|error| panic!("tracing: {error:#}")).module
}

fn same_behaviour(what: &str, plain: &Outcome, traced: &Outcome, failures: &mut Vec<String>) {
    let trapped = |o: &Outcome| o.status.trapped();
    let comparable = |o: &Outcome| if trapped(o) { None } else { Some(o.status.clone()) };
    if plain.stdout != traced.stdout || comparable(plain) != comparable(traced) || trapped(plain) != trapped(traced) {
        let lines = diff::lines_as(["untraced", "traced"], &plain.stdout, &traced.stdout).unwrap_or_default();
        failures.push(format!("{what}: untraced {}, traced {}\n{lines}", plain.status, traced.status));
    }
}

#[test]
fn every_fixture_behaves_the_same_traced_plain_and_wrapped() {
    let mut failures = Vec::new();
    let options = TraceOptions::default();
    for fixture in FIXTURES {
        let name = fixture.name;
        let guest = fixture.wasm().unwrap();
        let traced_guest = traced(&guest, &options);
        let plain = run_host(&guest, &[name]);
        let outcome = run_host(&traced_guest, &[name]);
        same_behaviour(name, &plain, &outcome, &mut failures);
        let trace = String::from_utf8_lossy(&outcome.stderr);
        assert!(trace.lines().any(|line| line.contains(") = ")), "{name}: the trace is on stderr");

        let scratch = tree::scratch();
        let tree = tree::make(scratch.path());
        let image = wrap::pack_tree(&tree).unwrap();
        let wrapped = run::module(&wrap::wrap(&guest, Some(&image)).unwrap()).unwrap();
        let traced_wrapped = run::module(&wrap::wrap(&traced_guest, Some(&image)).unwrap()).unwrap();
        let plain = run::run(&wrapped, &[name], &[]).unwrap();
        let outcome = run::run(&traced_wrapped, &[name], &[]).unwrap();
        same_behaviour(&format!("{name} wrapped"), &plain, &outcome, &mut failures);

        for scenario in fixtures::trap_scenarios(&guest, name) {
            let argv = [name, "trap", scenario.as_str()];
            let plain = run_host(&guest, &argv);
            let outcome = run_host(&traced_guest, &argv);
            same_behaviour(&format!("{name} trap {scenario}"), &plain, &outcome, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{} difference(s):\n{}", failures.len(), failures.join("\n"));
}

/// The C fixture `mounts` touching a file in a directory that does not
/// exist, traced with `options`, wrapped with one file at `/srv`.
fn touch_missing(options: &TraceOptions) -> (Outcome, String) {
    let scratch = tree::scratch();
    let site = scratch.path().join("site");
    fs::create_dir(&site).unwrap();
    fs::write(site.join("page.html"), "hi\n").unwrap();
    let guest = Fixture::get(Language::C, "mounts").wasm().unwrap();
    let image = wrap::pack_mappings(vec![wrap::dir(&site, "/srv").unwrap()], None, scratch.path()).unwrap();
    let module = wrap::wrap(&traced(&guest, options), Some(&image)).unwrap();
    let outcome = run::run_wasm(&module, &["mounts", "touch", "/srv/missing/file"], &[]).unwrap();
    let stderr = String::from_utf8(outcome.stderr.clone()).unwrap();
    (outcome, stderr)
}

#[test]
fn a_missing_file_shows_its_path_and_enoent() {
    let (outcome, trace) = touch_missing(&TraceOptions::default());
    assert_eq!(outcome.status, Status::Exit(1));
    assert_eq!(String::from_utf8_lossy(&outcome.stdout), "touch /srv/missing/file -> ENOENT\n");
    let open =
        trace.lines().find(|line| line.starts_with("path_open(3</srv>, SYMLINK_FOLLOW, \"missing/file\", O_CREAT, "));
    let open = open.unwrap_or_else(|| panic!("no path_open of missing/file in:\n{trace}"));
    assert!(open.ends_with(") = -1 ENOENT"), "{open}");
    // Data shows its first 32 bytes, as strace's default -s 32.
    let write =
        trace.lines().find(|line| line.starts_with("fd_write(1, \"touch /srv/missing/file -> ENOEN\"..., [34]"));
    assert!(write.is_some_and(|line| line.ends_with(") = 34")), "the guest's own output, with its length:\n{trace}");
    assert!(trace.lines().any(|line| line == "proc_exit(1) = ?"), "{trace}");
}

#[test]
fn filters_durations_and_the_summary() {
    let only = TraceOptions::parse_only("path_open,fd_prestat_*").unwrap();
    let (_, trace) = touch_missing(&TraceOptions { only, durations: true, ..Default::default() });
    assert!(!trace.is_empty());
    for line in trace.lines() {
        assert!(line.starts_with("path_open(") || line.starts_with("fd_prestat_"), "filtered out: {line}");
        let (_, took) = line.rsplit_once(" <").unwrap_or_else(|| panic!("no duration: {line}"));
        assert!(took.ends_with('>') && took.starts_with("0."), "{line}");
    }

    let (_, summary) = touch_missing(&TraceOptions { summary_only: true, ..Default::default() });
    let lines: Vec<&str> = summary.lines().collect();
    assert!(lines[0].starts_with("% time") && lines[0].ends_with("errors function"), "{summary}");
    let open = lines.iter().find(|line| line.ends_with(" path_open")).unwrap_or_else(|| panic!("{summary}"));
    let fields: Vec<&str> = open.split_whitespace().collect();
    assert_eq!(&fields[3..], ["1", "1", "path_open"], "one call, one error: {open}");
    assert!(lines.last().unwrap().ends_with(" total"), "{summary}");
    assert!(!summary.contains("path_open(3"), "-c prints no line per call");
}

#[test]
fn a_wrapped_module_is_refused_and_traced_output_runs_with_host_preopens() {
    let guest = Fixture::get(Language::C, "mounts").wasm().unwrap();
    let wrapped = wrap::wrap(&guest, None).unwrap();
    let error = format!("{:#}", trace(&wrapped, &TraceOptions::default()).unwrap_err());
    assert!(error.contains("trace the original guest"), "{error}");
    let twice =
        format!("{:#}", trace(&traced(&guest, &TraceOptions::default()), &TraceOptions::default()).unwrap_err());
    assert!(twice.contains("traced already"), "{twice}");

    let scratch = tree::scratch();
    let preopens = [Preopen { host: scratch.path(), guest: "/work" }];
    let outcome =
        run::run_wasm(&traced(&guest, &TraceOptions::default()), &["mounts", "touch", "/work/f"], &preopens).unwrap();
    assert_eq!(outcome.status, Status::Exit(0));
    assert_eq!(fs::read_to_string(scratch.path().join("f")).unwrap(), "touched\n", "the host did the writing");
}

/// `--trace-file`: the trace goes to a file in a preopen, and the guest
/// behaves as untraced, fd numbers included (`p1_abi` prints them after
/// closing and reopening).
#[test]
fn a_trace_file_gets_the_trace_and_leaves_the_guests_fds_alone() {
    let mut failures = Vec::new();
    for (language, name) in [(Language::C, "p1_abi"), (Language::C, "libc_fs"), (Language::Rust, "unlinked")] {
        let guest = Fixture::get(language, name).wasm().unwrap();
        let options = TraceOptions { file: Some("/trace/calls.txt".into()), ..Default::default() };
        let traced_guest = traced(&guest, &options);
        let mut outcomes = Vec::new();
        let mut traces = Vec::new();
        for module in [&guest, &traced_guest] {
            let scratch = tree::scratch();
            let tree = tree::make(&tree::made(scratch.path().join("tree")));
            let trace_dir = tree::made(scratch.path().join("trace"));
            let preopens = [
                Preopen { host: &tree.data, guest: "/data" },
                Preopen { host: &tree.other, guest: "/other" },
                Preopen { host: &trace_dir, guest: "/trace" },
            ];
            outcomes.push(run::run_wasm(module, &[name], &preopens).unwrap());
            traces.push(fs::read_to_string(trace_dir.join("calls.txt")).unwrap_or_default());
        }
        same_behaviour(&format!("{name} with a trace file"), &outcomes[0], &outcomes[1], &mut failures);
        assert_eq!(outcomes[0].stderr, outcomes[1].stderr, "{name}: nothing of the trace on stderr");
        assert!(traces[0].is_empty() && traces[1].lines().count() > 10, "{name}: the trace is in the file");
        assert!(traces[1].contains("path_open("), "{name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
