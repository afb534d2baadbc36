//! ROS 2 name rules (design.ros2.org "Topic and Service name mapping to DDS"), enough for our use.
use crate::{Result, TransportError};

fn bad(name: &str, reason: &str) -> TransportError {
    TransportError::InvalidName {
        name: name.to_string(),
        reason: reason.to_string(),
    }
}

fn check_tokens(full: &str, original: &str) -> Result<()> {
    if full.len() > 255 {
        return Err(bad(original, "longer than 255 characters"));
    }
    for token in full.split('/').skip(1) {
        if token.is_empty() {
            return Err(bad(original, "empty name segment ('//' or a trailing '/')"));
        }
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad(original, "a segment starts with a digit"));
        }
        if let Some(c) = token
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(bad(original, &format!("character {c:?} is not allowed")));
        }
        if token.contains("__") {
            return Err(bad(original, "'__' is reserved"));
        }
    }
    Ok(())
}

/// A node name: one segment of `[A-Za-z_][A-Za-z0-9_]*`.
pub fn validate_node_name(name: &str) -> Result<()> {
    if name.is_empty() || name.contains('/') {
        return Err(bad(
            name,
            "a node name is one non-empty segment without '/'",
        ));
    }
    check_tokens(&format!("/{name}"), name)
}

/// Normalize a namespace to `/` or `/a/b` (no trailing slash).
pub(crate) fn normalize_namespace(ns: &str) -> Result<String> {
    let trimmed = ns.trim_end_matches('/');
    let full = if trimmed.is_empty() {
        "/".to_string()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    };
    if full != "/" {
        check_tokens(&full, ns)?;
    }
    Ok(full)
}

/// Resolve a topic or service name against a namespace and node name:
/// `/abs` stays, `rel` becomes `<ns>/rel`, `~/priv` becomes `<ns>/<node>/priv`.
pub fn resolve_topic_name(name: &str, namespace: &str, node: &str) -> Result<String> {
    let ns = normalize_namespace(namespace)?;
    let join = |base: &str, rest: &str| {
        if base == "/" {
            format!("/{rest}")
        } else {
            format!("{base}/{rest}")
        }
    };
    let full = if let Some(rest) = name.strip_prefix("~/") {
        join(&join(&ns, node), rest)
    } else if name == "~" {
        join(&ns, node)
    } else if name.starts_with('/') {
        name.to_string()
    } else {
        join(&ns, name)
    };
    if name.is_empty() {
        return Err(bad(name, "empty name"));
    }
    check_tokens(&full, name)?;
    Ok(full)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn resolves_absolute_relative_and_private() {
        assert_eq!(
            resolve_topic_name("/cmd_vel", "/robot", "n").unwrap(),
            "/cmd_vel"
        );
        assert_eq!(
            resolve_topic_name("scan", "/robot", "n").unwrap(),
            "/robot/scan"
        );
        assert_eq!(resolve_topic_name("scan", "/", "n").unwrap(), "/scan");
        assert_eq!(resolve_topic_name("scan", "", "n").unwrap(), "/scan");
        assert_eq!(
            resolve_topic_name("~/debug", "/a/b/", "face").unwrap(),
            "/a/b/face/debug"
        );
    }

    #[test]
    fn rejects_bad_names() {
        for bad in ["", "/a//b", "/a/", "/1abc", "/a b", "/é", "/a__b"] {
            assert!(
                resolve_topic_name(bad, "/", "n").is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(validate_node_name("asr_node").is_ok());
        assert!(validate_node_name("a/b").is_err());
        assert!(validate_node_name("").is_err());
        assert!(validate_node_name("9x").is_err());
    }
}
