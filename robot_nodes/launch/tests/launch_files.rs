//! Launch files: the shipped ones, and the launch-file semantics (substitutions, includes, groups, errors).
#![allow(clippy::unwrap_used)]
use letan_launch::{plan, Host, LaunchError, LaunchOptions, Plan, SystemHost};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

fn opts<'a>(host: &'a dyn Host, args: &[(&str, &str)]) -> LaunchOptions<'a> {
    LaunchOptions {
        args: args
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        letan_exe: PathBuf::from("/opt/letan/bin/letan"),
        host,
        generated_dir: PathBuf::from("/tmp/letan-launch-test"),
    }
}

fn labels(p: &Plan) -> Vec<&str> {
    p.processes.iter().map(|p| p.label.as_str()).collect()
}

#[test]
fn robot_launch_file_plans_every_robot_node() {
    let root = repo_root();
    let host = SystemHost {
        letan_root: root.clone(),
    };
    let p = plan(&root.join("launch/robot.launch.yaml"), &opts(&host, &[])).unwrap();
    assert_eq!(
        labels(&p),
        [
            "asr",
            "tts",
            "dialog",
            "navigation",
            "face",
            "mux",
            "console",
            "screen"
        ]
    );
    for proc in &p.processes {
        assert!(proc.respawn, "{} should respawn", proc.label);
        assert_eq!(proc.program, PathBuf::from("/opt/letan/bin/letan"));
        assert_eq!(proc.args[0], "run");
        let node = proc.node.as_ref().unwrap();
        // Every referenced file exists (generated ones are written at launch time).
        for f in &node.params_files {
            let generated = p.generated.iter().any(|g| &g.path == f);
            assert!(
                generated || f.is_file(),
                "{}: missing {}",
                proc.label,
                f.display()
            );
        }
        assert_eq!(node.namespace, "/");
    }
    let nav = &p.processes[3];
    assert_eq!(nav.node.as_ref().unwrap().exec, "nav");
    assert!(
        nav.command_line().contains("-r cmd_vel:=/cmd_vel_nav"),
        "{}",
        nav.command_line()
    );
    let gen = p
        .generated
        .iter()
        .find(|g| g.path.ends_with("navigation.params.yaml"))
        .unwrap();
    assert_eq!(
        gen.contents,
        "/navigation:\n  ros__parameters:\n    use_sim_time: false\n"
    );
}

#[test]
fn robot_launch_arguments_switch_nodes_off() {
    let root = repo_root();
    let host = SystemHost {
        letan_root: root.clone(),
    };
    let p = plan(
        &root.join("launch/robot.launch.yaml"),
        &opts(&host, &[("asr", "false"), ("console", "false")]),
    )
    .unwrap();
    assert_eq!(
        labels(&p),
        ["tts", "dialog", "navigation", "face", "mux", "screen"]
    );
}

#[test]
fn sim_launch_file_runs_the_simulator_and_sim_time() {
    let root = repo_root();
    let host = SystemHost {
        letan_root: root.clone(),
    };
    let p = plan(
        &root.join("launch/sim.launch.yaml"),
        &opts(&host, &[("scenario", "sim/scenarios/busy_lobby.yaml")]),
    )
    .unwrap();
    assert_eq!(
        labels(&p),
        [
            "sim",
            "tts",
            "dialog",
            "navigation",
            "face",
            "mux",
            "console",
            "screen"
        ],
        "asr is off by default in the simulator"
    );
    let sim = &p.processes[0];
    assert!(sim.required && !sim.respawn);
    let sim_params = &p.generated[0];
    assert!(sim_params
        .contents
        .contains("scenario: sim/scenarios/busy_lobby.yaml"));
    assert!(
        sim_params.contents.contains("speed: 1.0"),
        "{}",
        sim_params.contents
    );
    assert!(root.join("sim/scenarios/ask_and_guide.yaml").is_file());
    for g in &p.generated[1..] {
        assert!(g.contents.contains("use_sim_time: true"), "{}", g.contents);
    }
    for proc in &p.processes {
        for f in &proc.node.as_ref().unwrap().params_files {
            let generated = p.generated.iter().any(|g| &g.path == f);
            assert!(
                generated || f.is_file(),
                "{}: missing {}",
                proc.label,
                f.display()
            );
        }
    }
}

/// A fake host over a temporary folder.
struct Fake {
    root: PathBuf,
}
impl Host for Fake {
    fn env(&self, name: &str) -> Option<String> {
        (name == "ROBOT_ID").then(|| "r7".to_string())
    }
    fn package_share(&self, pkg: &str) -> Option<PathBuf> {
        (pkg == "letan").then(|| self.root.clone())
    }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn substitutions_includes_and_group_namespaces() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    write(&d, "mux.yaml", "mux: {ros__parameters: {rate_hz: 20.0}}\n");
    write(
        &d,
        "inner.launch.yaml",
        r#"
launch:
- arg: {name: who, default: nobody}
- node:
    pkg: letan
    exec: mux
    name: "mux_$(var who)"
    namespace: arm
    param:
    - from: "$(dirname)/mux.yaml"
    - {name: limits.max_linear_mps, value: "$(var speed)"}
    - {name: tag, value: "$(env ROBOT_ID)-$(env NOT_SET fallback)"}
"#,
    );
    let root = write(
        &d,
        "top.launch.yaml",
        r#"
launch:
- arg: {name: speed, default: "0.4"}
- let: {name: robot, value: "lobby_$(env ROBOT_ID)"}
- group:
  - push-ros-namespace: {namespace: "$(var robot)"}
  - include:
      file: "$(find-pkg-share letan)/inner.launch.yaml"
      arg:
      - {name: who, value: alice}
  - node: {pkg: letan, exec: sim, name: absolute, namespace: /top}
- include: {file: inner.launch.yaml}
- group:
    scoped: false
    children:
    - push_ros_namespace: {namespace: after}
- node: {pkg: letan, exec: sim, name: last}
- executable: {cmd: "sh -c 'echo hi'", name: shell_thing, respawn: true, respawn_delay: 0.5}
"#,
    );
    let host = Fake { root: d.clone() };
    let p = plan(&root, &opts(&host, &[("speed", "0.3")])).unwrap();
    assert_eq!(
        labels(&p),
        [
            "lobby_r7/arm/mux_alice",
            "top/absolute",
            "arm/mux_nobody",
            "after/last",
            "shell_thing"
        ]
    );
    let first = p.processes[0].node.as_ref().unwrap();
    assert_eq!(first.namespace, "/lobby_r7/arm");
    assert_eq!(first.params_files[0], d.join("mux.yaml"));
    assert_eq!(
        p.processes[0].command_line(),
        format!(
            "/opt/letan/bin/letan run mux --name mux_alice --namespace /lobby_r7/arm \
             --params-file {} --params-file /tmp/letan-launch-test/lobby_r7__arm__mux_alice.params.yaml",
            d.join("mux.yaml").display()
        )
    );
    // Inline params: typed after substitution, dotted names nested, keyed by the node's full name.
    assert_eq!(
        p.generated[0].contents,
        "/lobby_r7/arm/mux_alice:\n  ros__parameters:\n    limits:\n      max_linear_mps: 0.3\n    tag: r7-fallback\n"
    );
    // The group's namespace did not leak to the second include; an unscoped group's did.
    assert_eq!(p.processes[2].node.as_ref().unwrap().namespace, "/arm");
    assert_eq!(p.processes[3].node.as_ref().unwrap().namespace, "/after");
    let sh = &p.processes[4];
    assert_eq!(sh.program, PathBuf::from("sh"));
    assert_eq!(sh.args, ["-c", "echo hi"]);
    assert!(sh.respawn);
    assert_eq!(
        sh.respawn_delay,
        Some(std::time::Duration::from_millis(500))
    );
    assert_eq!(
        p.args.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["speed", "who", "who"]
    );
}

fn plan_text(text: &str, args: &[(&str, &str)]) -> Result<Plan, LaunchError> {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().canonicalize().unwrap();
    let f = write(&d, "t.launch.yaml", text);
    let host = Fake { root: d };
    plan(&f, &opts(&host, args))
}

fn err(text: &str, args: &[(&str, &str)]) -> String {
    plan_text(text, args).unwrap_err().to_string()
}

#[test]
fn unknown_keys_are_named_with_the_file() {
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, respwan: true}\n",
        &[],
    );
    assert!(e.contains("t.launch.yaml"), "{e}");
    assert!(e.contains("respwan"), "{e}");
    assert!(e.contains("launch[0]"), "{e}");
    let e = err("launch:\n- nodes: {pkg: letan, exec: mux}\n", &[]);
    assert!(e.contains("nodes"), "{e}");
    let e = err("lunch: []\n", &[]);
    assert!(e.contains("lunch"), "{e}");
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, remap: [{from: a, too: b}]}\n",
        &[],
    );
    assert!(e.contains("too"), "{e}");
    let e = err("launch:\n- include: {file: x.yaml, args: []}\n", &[]);
    assert!(e.contains("args") && e.contains("arg: [{name"), "{e}");
    let e = err("launch:\n- group: {childs: []}\n", &[]);
    assert!(e.contains("childs"), "{e}");
}

#[test]
fn clear_errors_for_arguments_packages_and_values() {
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, name: $(var nme)}\n",
        &[],
    );
    assert!(e.contains("unknown launch argument \"nme\""), "{e}");
    let e = err("launch:\n- arg: {name: a, default: x}\n", &[("b", "1")]);
    assert!(
        e.contains("unknown launch argument(s) b") && e.contains("declare: a"),
        "{e}"
    );
    let e = err("launch:\n- arg: {name: a}\n", &[]);
    assert!(e.contains("no default") && e.contains("a:=<value>"), "{e}");
    assert!(plan_text("launch:\n- arg: {name: a}\n", &[("a", "1")]).is_ok());
    let e = err(
        "launch:\n- node: {pkg: nav2_bringup, exec: bt_navigator}\n",
        &[],
    );
    assert!(
        e.contains("package \"nav2_bringup\" is not a Letan package; launch it with ros2 launch"),
        "{e}"
    );
    let p = plan_text(
        "launch:\n- node: {pkg: demo_nodes_cpp, exec: /usr/bin/talker, name: t}\n",
        &[],
    )
    .unwrap();
    assert_eq!(
        p.processes[0].command_line(),
        "/usr/bin/talker --ros-args -r __node:=t -r __ns:=/"
    );
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, respawn: yes}\n",
        &[],
    );
    assert!(e.contains("respawn") && e.contains("not a boolean"), "{e}");
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, param: [{from: /nope.yaml}]}\n",
        &[],
    );
    assert!(e.contains("/nope.yaml does not exist"), "{e}");
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux}\n- node: {pkg: letan, exec: mux}\n",
        &[],
    );
    assert!(e.contains("two processes are named \"mux\""), "{e}");
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, respawn: true, on_exit: shutdown}\n",
        &[],
    );
    assert!(e.contains("contradict"), "{e}");
    let e = err(
        "launch:\n- arg: {name: m, default: c, choices: [{value: a}, {value: b}]}\n",
        &[],
    );
    assert!(e.contains("choose one of a, b"), "{e}");
    let e = err("launch:\n- include: {file: t.launch.yaml}\n", &[]);
    assert!(e.contains("include cycle"), "{e}");
    let e = err("launch:\n- include: {file: missing.launch.yaml}\n", &[]);
    assert!(e.contains("missing.launch.yaml: cannot read"), "{e}");
}

#[test]
fn ros_args_and_conditions() {
    let p = plan_text(
        r#"
launch:
- arg: {name: on, default: "true"}
- node:
    pkg: letan
    exec: mux
    ros_args: "--ros-args -r __node:=m2 -r a:=b -p rate_hz:=5"
    args: "--verbose"
- node: {pkg: letan, exec: sim, if: "$(not $(var on))"}
- node: {pkg: letan, exec: face, unless: "$(var on)"}
"#,
        &[],
    )
    .unwrap();
    assert_eq!(labels(&p), ["m2"]);
    let n = p.processes[0].node.as_ref().unwrap();
    assert_eq!(n.remaps, [("a".to_string(), "b".to_string())]);
    assert_eq!(n.args, ["--verbose"]);
    assert!(p.generated[0].contents.contains("rate_hz: 5"));
    let e = err(
        "launch:\n- node: {pkg: letan, exec: mux, ros_args: '--log-level debug'}\n",
        &[],
    );
    assert!(
        e.contains("--log-level") && e.contains("not supported"),
        "{e}"
    );
}
