//! Every shipped parameters file for the screen loads; unknown keys and bad values are refused by name.
#![allow(clippy::unwrap_used)]
use letan_screen::ScreenParams;
use std::path::Path;

fn repo_file(rel: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn shipped_config_equals_the_defaults() {
    let p = ScreenParams::from_file(&repo_file("config/screen.yaml"), "screen").unwrap();
    assert_eq!(p, ScreenParams::default());
}

#[test]
fn launch_params_file_loads() {
    // launch/params/screen.yaml only sets use_sim_time, which the transport reads
    let path = repo_file("../../launch/params/screen.yaml");
    let p = ScreenParams::from_file(&path, "screen").unwrap();
    assert_eq!(p, ScreenParams::default());
    let p = ScreenParams::from_yaml(
        "screen:\n  ros__parameters:\n    use_sim_time: true\n",
        "screen",
    )
    .unwrap();
    assert!(p.use_sim_time);
}

#[test]
fn unknown_keys_are_refused_by_name() {
    let e =
        ScreenParams::from_yaml("screen:\n  ros__parameters: {portt: 1}\n", "screen").unwrap_err();
    assert!(e.to_string().contains("portt"), "{e}");
}

#[test]
fn bad_values_are_refused_by_name() {
    for (yaml, key) in [
        ("{bind: localhost}", "bind"),
        ("{port: 70000}", "port"),
        ("{max_text_chars: 0}", "max_text_chars"),
        ("{typed_rate_per_s: 0}", "typed_rate_per_s"),
        ("{typed_rate_per_s: .nan}", "typed_rate_per_s"),
        ("{typed_burst: 0}", "typed_burst"),
        ("{button_rate_per_s: -1}", "button_rate_per_s"),
        ("{button_burst: 0}", "button_burst"),
        ("{max_body_bytes: 100}", "max_body_bytes"),
        ("{allowed_hosts: [\"Evil Host\"]}", "allowed_hosts"),
        ("{use_sim_time: maybe}", "use_sim_time"),
    ] {
        let text = format!("screen:\n  ros__parameters: {yaml}\n");
        let e = ScreenParams::from_yaml(&text, "screen").unwrap_err();
        assert!(e.to_string().contains(key), "{yaml}: {e}");
    }
}

#[test]
fn a_missing_file_names_the_path() {
    let e = ScreenParams::from_file(Path::new("/nonexistent/screen.yaml"), "screen").unwrap_err();
    assert!(e.to_string().contains("/nonexistent/screen.yaml"), "{e}");
}
