//! The whole robot in the simulated lobby: every shipped scenario runs headless on the in-process bus,
//! in sim time, and every expectation in it must hold (greeted once, answered, guided, reached, no
//! collision, …). A scenario that expects the impossible must fail with exit code 1.
#![allow(clippy::unwrap_used)]
use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run_scenario(
    path: &std::path::Path,
    report: &std::path::Path,
) -> (i32, serde_json::Value, String) {
    run_scenario_with(path, report, &[])
}

/// Headless runs are in lockstep and as fast as the machine goes (`--speed 0` is the default).
fn run_scenario_with(
    path: &std::path::Path,
    report: &std::path::Path,
    extra: &[&str],
) -> (i32, serde_json::Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_letan"))
        .current_dir(repo())
        .args(["sim", "--headless", "--bus", "--scenario"])
        .arg(path)
        .arg("--report")
        .arg(report)
        .args(extra)
        .env("LETAN_LOG", "warn")
        .output()
        .expect("run letan sim");
    let text = std::fs::read_to_string(report).unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let log = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), json, log)
}

fn failed_expectations(report: &serde_json::Value) -> Vec<String> {
    report["expectations"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|o| o["passed"] != serde_json::Value::Bool(true))
                .map(|o| format!("{} -> {}", o["expectation"], o["detail"]))
                .collect()
        })
        .unwrap_or_default()
}

/// `LETAN_SCENARIO=<name>` runs only the shipped scenarios whose file name contains `<name>`
/// (one at a time while working on one; unset in CI, where every scenario runs).
fn selected(p: &std::path::Path) -> bool {
    match std::env::var("LETAN_SCENARIO") {
        Ok(name) if !name.is_empty() => p
            .file_name()
            .is_some_and(|f| f.to_string_lossy().contains(&name)),
        _ => true,
    }
}

/// Runs one shipped scenario and checks that every expectation held and nobody was touched.
/// Returns the run's log.
fn shipped_scenario_passes(name: &str) -> Option<String> {
    let scenario = repo().join(format!("sim/scenarios/{name}.yaml"));
    assert!(scenario.is_file(), "{}", scenario.display());
    if !selected(&scenario) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let (code, json, log) = run_scenario(&scenario, &report);
    assert!(
        code == 0 && json["passed"] == serde_json::Value::Bool(true),
        "{name}: exit {code}; failed: {:?}\n{}",
        failed_expectations(&json),
        log.lines().rev().take(15).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(json["collisions"]["people"], 0, "{name}");
    Some(log)
}

/// One test per shipped scenario, so that the test harness runs them side by side (one per core);
/// `every_shipped_scenario_has_a_test` keeps this list equal to `sim/scenarios/`. `two_together`
/// and `unsure_then_confirmed` are run by their own tests below, which check more.
macro_rules! shipped_scenarios {
    ($($name:ident),* $(,)?) => {
        const SHIPPED: &[&str] = &[$(stringify!($name)),*, "two_together", "unsure_then_confirmed"];
        $(
            #[test]
            fn $name() {
                shipped_scenario_passes(stringify!($name));
            }
        )*
    };
}

shipped_scenarios!(
    ask_and_guide,
    busy_lobby,
    elderly_birth_registration,
    english_wifi,
    greeting,
    operator_takeover,
    silent_camera,
    silent_lidar,
    two_citizens,
);

#[test]
fn every_shipped_scenario_has_a_test() {
    let mut on_disk: Vec<String> = std::fs::read_dir(repo().join("sim/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut tested: Vec<String> = SHIPPED.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(
        on_disk, tested,
        "add the new scenario to shipped_scenarios!"
    );
}

#[test]
fn an_impossible_expectation_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("impossible.yaml");
    std::fs::write(
        &scenario,
        "name: impossible\nduration: 3\nrobot: {start: reception}\nexpectations:\n  - robot_reached: {place: counter_12, within: 1, tolerance: 0.5}\n",
    )
    .unwrap();
    let report = dir.path().join("r.json");
    let (code, json, log) = run_scenario(&scenario, &report);
    assert_eq!(code, 1, "{log}");
    assert_eq!(json["passed"], serde_json::Value::Bool(false));
    assert_eq!(json["scenario"], "impossible");
}

#[test]
fn a_broken_scenario_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("broken.yaml");
    std::fs::write(&scenario, "name: broken\nduration: 3\nexpectatons: []\n").unwrap();
    let (code, _, log) = run_scenario(&scenario, &dir.path().join("r.json"));
    assert_ne!(code, 0);
    assert!(log.contains("expectatons"), "{log}");
}

/// Confirmation when unsure, end to end (`sim/scenarios/unsure_then_confirmed.yaml`): the robot's
/// first reply to the vague question is a yes/no question that names no intent yet, and the answer
/// comes only after the citizen's "vâng"; it never starts guiding before the offer was accepted.
#[test]
fn an_unsure_question_is_confirmed_before_the_answer() {
    let Some(log) = shipped_scenario_passes("unsure_then_confirmed") else {
        return;
    };
    let answers: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("robot answers [") || l.contains("robot starts guiding"))
        .collect();
    let question = answers
        .iter()
        .position(|l| l.contains("[no intent]") && l.contains("phải không"))
        .unwrap_or_else(|| panic!("no yes/no question: {answers:#?}"));
    let answer = answers
        .iter()
        .position(|l| l.contains("[proc.marital_status"))
        .unwrap_or_else(|| panic!("never answered: {answers:#?}"));
    assert!(question < answer, "asked first: {answers:#?}");
    let offer = answers
        .iter()
        .position(|l| l.contains("[nav.guide") && l.contains("phải không"))
        .unwrap_or_else(|| panic!("no guide offer: {answers:#?}"));
    let guiding = answers
        .iter()
        .position(|l| l.contains("robot starts guiding to forms_desk"))
        .unwrap_or_else(|| panic!("never guided to the forms desk: {answers:#?}"));
    assert!(offer < guiding, "offered first: {answers:#?}");
}

/// Lockstep on the bus is deterministic: the same scenario with the same seed, run twice, gives the
/// same report bit for bit (every float: path length, distances, times in personal space; every
/// expectation's detail) and the same story, event by event with its sim time. Only the wall time
/// and the real-time factor differ. `two_together` exercises the camera, the face node's greeting
/// policy, the dialog and the mux; both runs are the shipped scenario (its own seed, 5), and both
/// must pass it.
#[test]
fn two_together_twice_gives_the_same_report_bit_for_bit() {
    let scenario = repo().join("sim/scenarios/two_together.yaml");
    if !selected(&scenario) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut runs = Vec::new();
    for i in 0..2 {
        let report = dir.path().join(format!("r{i}.json"));
        let (code, mut json, log) = run_scenario_with(&scenario, &report, &["--speed", "0"]);
        assert!(
            code == 0 && json["passed"] == serde_json::Value::Bool(true),
            "run {i}: exit {code}; failed: {:?}\n{log}",
            failed_expectations(&json)
        );
        assert_eq!(json["collisions"]["people"], 0, "run {i}");
        assert_eq!(json["seed"], 5);
        assert!(
            json["wall_time"].as_f64().is_some_and(|w| w > 0.0),
            "{json}"
        );
        let obj = json.as_object_mut().unwrap();
        obj.remove("wall_time");
        obj.remove("real_time_factor");
        // The story: one line per event, with its sim time (stdout, before the summary).
        let story: Vec<String> = log
            .lines()
            .filter(|l| l.trim_start().starts_with('['))
            .map(str::to_string)
            .collect();
        runs.push((serde_json::to_string(&json).unwrap(), story, log));
    }
    assert!(!runs[0].1.is_empty(), "no story lines:\n{}", runs[0].2);
    assert_eq!(runs[0].0, runs[1].0, "reports differ");
    assert_eq!(runs[0].1, runs[1].1, "stories differ");
}
