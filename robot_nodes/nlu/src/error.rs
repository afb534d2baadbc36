//! The crate's error type.

/// Everything that can go wrong in `letan-nlu`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NluError {
    /// One or more problems in the knowledge base, each with its file and line.
    #[error("knowledge base has {} error(s):\n{}", .0.len(), display_list(.0))]
    Kb(Vec<KbIssue>),
    /// A knowledge-base file could not be read.
    #[error("cannot read knowledge base file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// A node parameter is invalid.
    #[error("parameter {key}: {detail}")]
    Params { key: String, detail: String },
    /// The classifier has nothing to learn from.
    #[error("no training phrases for the classifier")]
    NoTrainingData,
    /// A training run's thread failed (a bug, not bad input: training only does arithmetic).
    #[error("classifier training run {0} failed")]
    Training(usize),
}

/// One problem in the knowledge base, located by file and line (1-based; 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbIssue {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for KbIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

fn display_list(issues: &[KbIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
