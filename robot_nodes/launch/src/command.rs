//! From a resolved ROS node to the command line that runs it.
//!
//! A node of package `letan` is run by the `letan` binary itself, like `ros2 run letan <exec> --ros-args …`:
//!
//! ```text
//! <dir of the letan binary>/letan run <exec> [--name <name>] --namespace <ns> \
//!     [--params-file <file>]… [-r <from>:=<to>]… [<args>…]
//! ```
//!
//! A node whose `exec` is an absolute path is run as ROS 2 would run it:
//!
//! ```text
//! <exec> [<args>…] --ros-args [-r __node:=<name>] -r __ns:=<ns> [--params-file <file>]… [-r <from>:=<to>]…
//! ```
use std::path::{Path, PathBuf};

/// A ROS node resolved from a launch file: everything `ros2 run <pkg> <exec> --ros-args …` would get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosNode {
    pub pkg: String,
    pub exec: String,
    /// `--name`; `None` keeps the executable's default node name.
    pub name: Option<String>,
    /// Fully resolved namespace, `/` for the root.
    pub namespace: String,
    /// Parameter files in order (later ones win); inline `param` values come last, in a generated file.
    pub params_files: Vec<PathBuf>,
    /// Remapping rules `(from, to)`.
    pub remaps: Vec<(String, String)>,
    /// Extra arguments for the executable (`args:`).
    pub args: Vec<String>,
}

/// The `letan run` command line for a node of package `letan` (see the module docs).
pub fn letan_run_command(letan: &Path, node: &RosNode) -> (PathBuf, Vec<String>) {
    let mut a = vec!["run".to_string(), node.exec.clone()];
    if let Some(name) = &node.name {
        a.push("--name".into());
        a.push(name.clone());
    }
    a.push("--namespace".into());
    a.push(node.namespace.clone());
    for f in &node.params_files {
        a.push("--params-file".into());
        a.push(f.display().to_string());
    }
    for (from, to) in &node.remaps {
        a.push("-r".into());
        a.push(format!("{from}:={to}"));
    }
    a.extend(node.args.iter().cloned());
    (letan.to_path_buf(), a)
}

/// The ROS 2 command line for a node whose `exec` is an absolute path (see the module docs).
pub fn ros_command(node: &RosNode) -> (PathBuf, Vec<String>) {
    let mut a: Vec<String> = node.args.clone();
    a.push("--ros-args".into());
    if let Some(name) = &node.name {
        a.push("-r".into());
        a.push(format!("__node:={name}"));
    }
    a.push("-r".into());
    a.push(format!("__ns:={}", node.namespace));
    for f in &node.params_files {
        a.push("--params-file".into());
        a.push(f.display().to_string());
    }
    for (from, to) in &node.remaps {
        a.push("-r".into());
        a.push(format!("{from}:={to}"));
    }
    (PathBuf::from(&node.exec), a)
}

/// Quote one word for a POSIX shell (for `--dry-run` output that can be pasted).
pub fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,+@%".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Split a command string into words like a shell does for quotes and backslashes (no expansion).
pub(crate) fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err(format!("unclosed ' in {s:?}")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x) => cur.push(x),
                            None => return Err(format!("trailing \\ in {s:?}")),
                        },
                        Some(x) => cur.push(x),
                        None => return Err(format!("unclosed \" in {s:?}")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(x) => cur.push(x),
                    None => return Err(format!("trailing \\ in {s:?}")),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn node() -> RosNode {
        RosNode {
            pkg: "letan".into(),
            exec: "mux".into(),
            name: Some("mux".into()),
            namespace: "/robot".into(),
            params_files: vec![PathBuf::from("/r/mux.yaml"), PathBuf::from("/g/mux.yaml")],
            remaps: vec![("cmd_vel".into(), "/base/cmd_vel".into())],
            args: vec![],
        }
    }

    #[test]
    fn letan_nodes_run_through_letan_run() {
        let (prog, args) = letan_run_command(Path::new("/opt/bin/letan"), &node());
        assert_eq!(prog, PathBuf::from("/opt/bin/letan"));
        assert_eq!(
            args.join(" "),
            "run mux --name mux --namespace /robot --params-file /r/mux.yaml \
             --params-file /g/mux.yaml -r cmd_vel:=/base/cmd_vel"
        );
        let mut anon = node();
        anon.name = None;
        let (_, args) = letan_run_command(Path::new("letan"), &anon);
        assert!(!args.contains(&"--name".to_string()));
    }

    #[test]
    fn absolute_executables_get_ros_args() {
        let mut n = node();
        n.exec = "/usr/bin/talker".into();
        n.args = vec!["-v".into()];
        let (prog, args) = ros_command(&n);
        assert_eq!(prog, PathBuf::from("/usr/bin/talker"));
        assert_eq!(
            args.join(" "),
            "-v --ros-args -r __node:=mux -r __ns:=/robot --params-file /r/mux.yaml \
             --params-file /g/mux.yaml -r cmd_vel:=/base/cmd_vel"
        );
    }

    #[test]
    fn words_split_and_quote_back() {
        assert_eq!(
            split_words(r#"sh -c 'echo "a b"; exit 1' x\ y"#).unwrap(),
            vec!["sh", "-c", r#"echo "a b"; exit 1"#, "x y"]
        );
        assert_eq!(split_words("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split_words("''").unwrap(), vec![""]);
        assert!(split_words("'open").is_err());
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("cmd_vel:=/x"), "cmd_vel:=/x");
    }
}
