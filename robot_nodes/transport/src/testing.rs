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
        return;
    }
    let exe = std::env::current_exe().expect("test binary path");
    let script =
        "ip link set lo up && ip link set lo multicast on && ip route add 224.0.0.0/4 dev lo && \
                  exec \"$0\" --exact \"$1\" --nocapture --test-threads=1";
    let status = std::process::Command::new("unshare")
        .args(["-n", "sh", "-c", script])
        .arg(&exe)
        .arg(name)
        .env("LETAN_IN_NETNS", "1")
        .status()
        .expect("unshare (util-linux) must be installed and permitted (root or user namespaces)");
    assert!(
        status.success(),
        "{name} failed inside its network namespace"
    );
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
