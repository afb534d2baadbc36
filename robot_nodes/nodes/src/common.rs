//! What every node shares: its command-line identity, parameter loading and errors.
use letan_transport::params::{self, NodeParams};
use letan_transport::{Context, Node, TransportError};
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// How a node was asked to start (`letan run <exec> --name … --namespace … --params-file … -r a:=b`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeArgs {
    /// Node name; each node has a default.
    pub name: Option<String>,
    /// ROS namespace (`/` when empty).
    pub namespace: String,
    /// Parameter files, later ones overriding earlier ones.
    pub params_files: Vec<PathBuf>,
    /// Remapping rules `(from, to)`.
    pub remaps: Vec<(String, String)>,
    /// Force sim time on (as `-p use_sim_time:=true`), whatever the files say.
    pub use_sim_time: bool,
}

/// Errors of the node shell.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NodesError {
    #[error("unknown executable {exec:?}; letan runs: {known}")]
    UnknownExecutable { exec: String, known: String },
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("node {node}: {detail}")]
    Node { node: String, detail: String },
}

impl NodesError {
    pub(crate) fn node(node: &Node, detail: impl std::fmt::Display) -> Self {
        NodesError::Node {
            node: node.fully_qualified_name(),
            detail: detail.to_string(),
        }
    }
}

/// Create the node, apply remaps, load and check its parameters, and switch to sim time if asked.
pub(crate) fn start<T: DeserializeOwned>(
    ctx: &Context,
    args: &NodeArgs,
    default_name: &str,
    check: impl FnOnce(&T) -> Result<(), String>,
) -> Result<(Node, T), NodesError> {
    let name = args.name.as_deref().unwrap_or(default_name);
    let mut node = ctx.node(name, &args.namespace)?;
    node.set_remaps(&args.remaps)?;
    let loaded: NodeParams<T> =
        params::from_files_checked(&args.params_files, &node.fully_qualified_name(), check)?;
    if loaded.use_sim_time || args.use_sim_time {
        node.use_sim_time()?;
    }
    tracing::info!(
        node = %node.fully_qualified_name(),
        sources = ?loaded.sources,
        sim_time = node.clock().is_simulated(),
        "node started"
    );
    Ok((node, loaded.params))
}

/// The repository root for relative paths: `LETAN_ROOT`, else the folder above the working directory
/// that holds maps/lobby.yaml, else the working directory.
pub fn repo_root() -> PathBuf {
    if let Some(r) = std::env::var_os("LETAN_ROOT") {
        return PathBuf::from(r);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    crate::sim::find_repo_root(&cwd).unwrap_or(cwd)
}

pub fn resolve(root: &Path, p: &str) -> PathBuf {
    let p = PathBuf::from(p);
    if p.is_absolute() {
        p
    } else {
        root.join(p)
    }
}

/// The knowledge-base files: the directory's, or the built-in copy for `""`.
pub fn kb_files(dir: Option<&Path>) -> Result<Vec<(String, String)>, String> {
    match dir {
        None => Ok(letan_nlu::kb::EMBEDDED
            .iter()
            .map(|&(n, t)| (n.to_string(), t.to_string()))
            .collect()),
        Some(d) => letan_nlu::kb::read_dir_files(d)
            .map_err(|e| format!("knowledge base {}: {e}", d.display())),
    }
}
