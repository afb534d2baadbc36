//! A clean `letan sim` over DDS prints no ERROR and no WARN line: not from Letan, not from
//! ros2-client or RustDDS (the `/clock` type clash, writers and readers removed after their
//! participant, the spinner's stop signal sent twice). It runs in a private network namespace, with
//! the default log filter, and tells the story on stdout.
#![allow(clippy::unwrap_used)]
use letan_transport::testing::netns_command;
use std::path::PathBuf;

/// The two tests start whole DDS processes; one at a time keeps a loaded CI machine from
/// starving them.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_clean_sim_run_prints_no_error_or_warning_and_tells_the_story() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("short.yaml");
    std::fs::write(
        &scenario,
        "name: short\nseed: 3\nduration: 30\nrobot: {start: dock}\npeople:\n  - name: tom\n    enter_at: 0\n    from: entrance\n    lang: en\n    plan:\n      - ask_robot: {text: \"Hello, is there free wifi here?\"}\n      - wait_in: {seconds: 10}\n      - leave\nexpectations:\n  - heard: {person: tom}\n  - answered: {person: tom, intent: amenity.wifi, within: 10}\n",
    )
    .unwrap();
    let line = format!(
        "cd '{}' && exec '{}' sim --headless --scenario '{}'",
        repo().display(),
        env!("CARGO_BIN_EXE_letan"),
        scenario.display()
    );
    let out = netns_command(&line)
        .env_remove("LETAN_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let all = format!("{stdout}\n{stderr}");
    assert!(out.status.success(), "letan sim failed:\n{all}");
    let bad: Vec<&str> = all
        .lines()
        .filter(|l| l.contains("ERROR") || l.contains("WARN"))
        .collect();
    assert!(
        bad.is_empty(),
        "{} ERROR/WARN lines on a clean start, e.g.:\n{}",
        bad.len(),
        bad.iter().take(10).copied().collect::<Vec<_>>().join("\n")
    );
    // The story: who came in, what was asked, the answer with its intent, the verdict.
    assert!(stdout.contains("tom comes in"), "{stdout}");
    assert!(
        stdout.contains("tom asks (en): \"Hello, is there free wifi here?\""),
        "{stdout}"
    );
    assert!(stdout.contains("robot answers [amenity.wifi"), "{stdout}");
    assert!(stdout.contains("PASS  answered"), "{stdout}");
    assert!(
        stdout.contains("scenario short: PASSED (2 of 2 expectations held)"),
        "{stdout}"
    );
}

/// `letan topic pub --once`, `echo --once`, `hz`, `list` and `node list` end without ERROR or WARN
/// lines (ros2-client's spinner was told to stop twice, and writers outlived their participant).
#[test]
fn command_line_tools_exit_without_error_lines() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|p| p.into_inner());
    let letan = env!("CARGO_BIN_EXE_letan");
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let line = format!(
        "L='{letan}'; D='{d}'; \
         \"$L\" topic echo /x --once --timeout 60 > $D/echo.out 2> $D/echo.err & \
         sleep 1; \"$L\" topic pub /x std_msgs/msg/String '{{data: hi}}' --once --wait-matching 30 --keep-alive 20 > $D/pub.out 2> $D/pub.err; \
         wait; \
         timeout -s INT 2 \"$L\" topic hz /x > $D/hz.out 2> $D/hz.err; \
         \"$L\" topic list > $D/list.out 2> $D/list.err; \
         \"$L\" node list > $D/nodes.out 2> $D/nodes.err; true"
    );
    let out = netns_command(&line)
        .env_remove("LETAN_LOG")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap_or_default();
    assert_eq!(
        read("echo.out").lines().next(),
        Some("data: hi"),
        "{}",
        read("echo.err")
    );
    for tool in ["echo", "pub", "hz", "list", "nodes"] {
        let err = read(&format!("{tool}.err"));
        let bad: Vec<&str> = err
            .lines()
            .filter(|l| l.contains("ERROR") || l.contains("WARN"))
            .collect();
        assert!(bad.is_empty(), "letan topic/node {tool}: {bad:#?}");
    }
}
