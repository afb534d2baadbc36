//! `letan sim` tells the scenario as it happens: one line per event, each expectation with ✓ or ✗
//! when it is decided (during the run when it can be, else at the end), the summary table and the
//! verdict. `--quiet` prints none of that, only the verdict line, with the same exit code and the
//! same report. On the in-process bus, headless, in lockstep.
#![allow(clippy::unwrap_used)]
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Tom asks about the wifi. The robot answers it (amenity.wifi), which also makes the third
/// expectation (an answer with nav.guide within 5 s) impossible 5 s after he asked.
const SCENARIO: &str = "name: story\nseed: 3\nduration: 30\nrobot: {start: dock}\npeople:\n  - name: tom\n    enter_at: 0\n    from: entrance\n    lang: en\n    plan:\n      - ask_robot: {text: \"Hello, is there free wifi here?\"}\n      - wait_in: {seconds: 10}\n      - leave\nexpectations:\n  - heard: {person: tom}\n  - answered: {person: tom, intent: amenity.wifi, within: 10}\n  - answered: {person: tom, intent: nav.guide, within: 5}\n  - no_collision: {}\n";

/// Runs the scenario; (exit code, stdout, the report without its wall-clock figures).
fn run(scenario: &Path, report: &Path, quiet: bool) -> (i32, String, serde_json::Value) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_letan"));
    cmd.current_dir(repo())
        .args(["sim", "--headless", "--speed", "0", "--bus", "--scenario"])
        .arg(scenario)
        .arg("--report")
        .arg(report)
        .env("LETAN_LOG", "warn");
    if quiet {
        cmd.arg("--quiet");
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let text = std::fs::read_to_string(report).unwrap_or_else(|e| {
        panic!(
            "no report ({e}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let obj = json.as_object_mut().unwrap();
    obj.remove("wall_time");
    obj.remove("real_time_factor");
    (out.status.code().unwrap_or(-1), stdout, json)
}

/// `[  12.4 s] …`: a story line, and its time.
fn story_time(line: &str) -> Option<f64> {
    let rest = line.strip_prefix('[')?;
    let (t, _) = rest.split_once(" s] ")?;
    t.trim().parse().ok()
}

#[test]
fn the_story_tells_expectations_as_decided_and_quiet_prints_only_the_verdict() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("story.yaml");
    std::fs::write(&scenario, SCENARIO).unwrap();

    let (code, out, told) = run(&scenario, &dir.path().join("told.json"), false);
    assert_eq!(code, 1, "one expectation cannot hold:\n{out}");
    let lines: Vec<&str> = out.lines().collect();
    let at = |needle: &str| -> (usize, f64) {
        let (i, l) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle:?}:\n{out}"));
        (
            i,
            story_time(l).unwrap_or_else(|| panic!("not a story line: {l}")),
        )
    };
    let (entered, _) = at("tom comes in");
    let (asked, t_asked) = at("tom asks (en): \"Hello, is there free wifi here?\"");
    let (answer, _) = at("robot answers [amenity.wifi");
    // Each expectation as it is decided, right after what decided it, long before the end (30 s).
    let (heard, t_heard) = at("✓ tom heard — 1 utterances reached the robot");
    let (answered, t_answered) =
        at("✓ tom answered with amenity.wifi within 10 s — answered amenity.wifi after");
    let (late, t_late) =
        at("✗ tom answered with nav.guide within 5 s — no answer with intent nav.guide");
    assert!(
        entered < asked && asked < heard && answer < answered,
        "{out}"
    );
    assert!(
        t_heard - t_asked < 0.11,
        "heard {t_heard} s, asked {t_asked} s:\n{out}"
    );
    assert!(t_answered < 15.0, "{out}");
    // Impossible once 5 s passed since the question, not at the end.
    assert!(
        (t_late - t_asked - 5.0).abs() <= 0.15,
        "asked at {t_asked} s, the nav.guide answer given up at {t_late} s:\n{out}"
    );
    // What the run could not decide earlier, at its end, before the summary.
    let (end, t_end) = at("✓ no collision — 0 wall and 0 person collisions");
    assert!((t_end - 30.0).abs() < 0.06, "{out}");
    let table = lines
        .iter()
        .position(|l| l.starts_with("  PASS  heard person=tom"))
        .unwrap_or_else(|| panic!("no summary table:\n{out}"));
    assert!(late < end && end < table, "{out}");
    assert!(
        out.contains("FAIL  answered intent=nav.guide person=tom within=5.0"),
        "{out}"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("] ✓ ") || l.contains("] ✗ "))
            .count(),
        4,
        "each expectation told once:\n{out}"
    );
    assert_eq!(
        lines.last(),
        Some(&"scenario story: FAILED (3 of 4 expectations held)"),
        "{out}"
    );

    let (code, quiet, report) = run(&scenario, &dir.path().join("quiet.json"), true);
    assert_eq!(code, 1, "{quiet}");
    let story: Vec<&str> = quiet
        .lines()
        .filter(|l| {
            story_time(l).is_some()
                || l.contains("PASS")
                || l.contains("FAIL ")
                || l.contains('✓')
                || l.contains('✗')
        })
        .collect();
    assert!(story.is_empty(), "--quiet told the story: {story:#?}");
    assert_eq!(
        quiet.lines().last(),
        Some("scenario story: FAILED"),
        "{quiet}"
    );
    assert_eq!(
        quiet.lines().count(),
        2,
        "the start line and the verdict only:\n{quiet}"
    );
    // Telling the story changes nothing in the run.
    assert_eq!(report, told, "the report with and without the story");
}
