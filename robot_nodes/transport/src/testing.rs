//! Test support: run DDS tests hermetically (in a network namespace), and a slow, lossy link in user
//! space ([`tun`]) for kernels without `tc netem`.

pub mod tun;

/// Run `body` inside a private network namespace with only a multicast-enabled loopback, so DDS traffic
/// cannot leave the machine and parallel tests cannot see each other.
///
/// The test binary re-executes itself (`unshare -n`, then `<exe> --exact <name>`) with `LETAN_IN_NETNS=1`;
/// inside, `body` runs. `name` must be the test's full path as libtest prints it (for a top-level test
/// in an integration test file, its function name). Needs root or unprivileged user namespaces.
///
/// # Panics
/// When the namespace cannot be made or the test fails inside it: this is test-only code.
#[allow(clippy::expect_used, clippy::panic)]
pub fn in_netns(name: &str, body: impl FnOnce()) {
    if std::env::var_os("LETAN_IN_NETNS").is_some() {
        body();
        // Tell the parent the body ran to its end (see below).
        if let Some(ran) = std::env::var_os("LETAN_NETNS_RAN") {
            std::fs::write(ran, name).expect("the netns marker file");
        }
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    // `--include-ignored`: the parent already chose to run this test (an `#[ignore]`d one asked
    // for with `--ignored` was skipped in the child, and the parent passed without running it).
    let script =
        "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && \
                  exec \"$0\" --exact \"$1\" --include-ignored --nocapture --test-threads=1";
    let marker = std::env::temp_dir().join(format!(
        "letan-netns-{}-{}",
        std::process::id(),
        name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    ));
    let _ = std::fs::remove_file(&marker);
    let status = std::process::Command::new("unshare")
        .args(["-n", "sh", "-c", script])
        .arg(&exe)
        .arg(name)
        .env("LETAN_IN_NETNS", "1")
        .env("LETAN_NETNS_RAN", &marker)
        .status()
        .expect("unshare (util-linux) must be installed and permitted (root or user namespaces)");
    assert!(
        status.success(),
        "{name} failed inside its network namespace"
    );
    // A child that ran no test (a name that matches none) also exits 0: that is not a pass.
    let ran = std::fs::read_to_string(&marker).is_ok_and(|n| n == name);
    let _ = std::fs::remove_file(&marker);
    assert!(ran, "{name} did not run inside its network namespace");
}

/// Wrap a shell command line so that it runs in a fresh network namespace with multicast on `lo`.
pub fn netns_command(command_line: &str) -> std::process::Command {
    let mut c = std::process::Command::new("unshare");
    c.args([
        "-n",
        "sh",
        "-c",
        &format!(
            "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && {command_line}"
        ),
    ]);
    c
}
