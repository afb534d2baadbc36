//! `$(…)` substitutions as `ros2 launch` reads them in YAML launch files.
//!
//! Supported: `$(var NAME)`, `$(env NAME)`, `$(env NAME default)`, `$(optenv NAME [default])`,
//! `$(find-pkg-share PKG)`, `$(find-pkg-prefix PKG)`, `$(dirname)`, `$(filename)`, and the boolean
//! helpers `$(not X)`, `$(and X Y …)`, `$(or X Y …)`, `$(equals A B)`. Arguments are separated by
//! whitespace; quote an argument with `'…'` or `"…"` to keep spaces or to give an empty one (`''`).
//! Substitutions nest: `$(env HOME $(var fallback))`.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the substitutions ask of the outside world: environment variables, package locations and
/// file contents. The real one is [`SystemHost`]; tests pass a fake.
pub trait Host {
    /// The value of an environment variable, if set.
    fn env(&self, name: &str) -> Option<String>;
    /// The share directory of a package (`$(find-pkg-share pkg)`), if known.
    fn package_share(&self, pkg: &str) -> Option<PathBuf>;
    /// Read a launch file (the root one and every include).
    fn read_to_string(&self, path: &Path) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }
}

/// The process environment; package `letan` resolves to `letan_root` (the repository root, where
/// `launch/` and the crates' `config/` folders live). No other package is known.
#[derive(Debug, Clone)]
pub struct SystemHost {
    pub letan_root: PathBuf,
}

impl Host for SystemHost {
    fn env(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
    fn package_share(&self, pkg: &str) -> Option<PathBuf> {
        (pkg == "letan").then(|| self.letan_root.clone())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Part {
    Lit(String),
    Sub { name: String, args: Vec<Vec<Part>> },
}

/// Does `text` contain a substitution?
pub(crate) fn has_substitution(text: &str) -> bool {
    text.contains("$(")
}

/// Split `text` into literals and substitutions.
pub(crate) fn parse(text: &str) -> Result<Vec<Part>, String> {
    let c: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut parts = Vec::new();
    let mut lit = String::new();
    while i < c.len() {
        if c[i] == '$' && c.get(i + 1) == Some(&'(') {
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(&mut lit)));
            }
            parts.push(parse_sub(&c, &mut i)?);
        } else {
            lit.push(c[i]);
            i += 1;
        }
    }
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(parts)
}

fn parse_sub(c: &[char], i: &mut usize) -> Result<Part, String> {
    *i += 2; // "$("
    let mut name = String::new();
    while *i < c.len() && !c[*i].is_whitespace() && c[*i] != ')' {
        name.push(c[*i]);
        *i += 1;
    }
    if name.is_empty() {
        return Err("empty substitution `$()`".into());
    }
    let mut args = Vec::new();
    loop {
        while *i < c.len() && c[*i].is_whitespace() {
            *i += 1;
        }
        let Some(&ch) = c.get(*i) else {
            return Err(format!("unclosed `$({name} …`: missing `)`"));
        };
        if ch == ')' {
            *i += 1;
            break;
        }
        if ch == '\'' || ch == '"' {
            *i += 1;
            let mut lit = String::new();
            while *i < c.len() && c[*i] != ch {
                lit.push(c[*i]);
                *i += 1;
            }
            if *i >= c.len() {
                return Err(format!("unclosed quote {ch} in `$({name} …`"));
            }
            *i += 1;
            args.push(vec![Part::Lit(lit)]);
            continue;
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        while *i < c.len() && !c[*i].is_whitespace() && c[*i] != ')' {
            if c[*i] == '$' && c.get(*i + 1) == Some(&'(') {
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(parse_sub(c, i)?);
            } else {
                lit.push(c[*i]);
                *i += 1;
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        args.push(parts);
    }
    Ok(Part::Sub { name, args })
}

/// What a substitution may look at.
pub(crate) struct Ctx<'a> {
    pub vars: &'a BTreeMap<String, String>,
    pub file: &'a Path,
    pub host: &'a dyn Host,
}

/// Resolve every substitution in `text`.
pub(crate) fn resolve(text: &str, ctx: &Ctx<'_>) -> Result<String, String> {
    if !has_substitution(text) {
        return Ok(text.to_string());
    }
    eval(&parse(text)?, ctx)
}

fn eval(parts: &[Part], ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = String::new();
    for p in parts {
        match p {
            Part::Lit(s) => out.push_str(s),
            Part::Sub { name, args } => out.push_str(&eval_sub(name, args, ctx)?),
        }
    }
    Ok(out)
}

/// `true`/`false` as launch conditions read them (also `1`/`0`, any case).
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn eval_sub(name: &str, args: &[Vec<Part>], ctx: &Ctx<'_>) -> Result<String, String> {
    let a = args
        .iter()
        .map(|p| eval(p, ctx))
        .collect::<Result<Vec<_>, _>>()?;
    let arity = |lo: usize, hi: usize| -> Result<(), String> {
        if a.len() < lo || a.len() > hi {
            let want = if lo == hi {
                format!("{lo}")
            } else {
                format!("{lo} to {hi}")
            };
            Err(format!(
                "$({name} …) takes {want} argument(s), got {}",
                a.len()
            ))
        } else {
            Ok(())
        }
    };
    let boolean = |s: &str| -> Result<bool, String> {
        parse_bool(s).ok_or_else(|| format!("$({name} …): {s:?} is not a boolean (true/false)"))
    };
    match name {
        "var" => {
            arity(1, 1)?;
            ctx.vars.get(&a[0]).cloned().ok_or_else(|| {
                let known: Vec<&str> = ctx.vars.keys().map(String::as_str).collect();
                format!(
                    "unknown launch argument {:?} (declare it with `- arg: {{name: {}}}`); known: {}",
                    a[0],
                    a[0],
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                )
            })
        }
        "env" => {
            arity(1, 2)?;
            ctx.host
                .env(&a[0])
                .or_else(|| a.get(1).cloned())
                .ok_or_else(|| {
                    format!(
                        "environment variable {} is not set (give a default: $(env {} default))",
                        a[0], a[0]
                    )
                })
        }
        "optenv" => {
            arity(1, 2)?;
            Ok(ctx
                .host
                .env(&a[0])
                .or_else(|| a.get(1).cloned())
                .unwrap_or_default())
        }
        "find-pkg-share" | "find-pkg-prefix" => {
            arity(1, 1)?;
            ctx.host
                .package_share(&a[0])
                .map(|p| p.display().to_string())
                .ok_or_else(|| format!("package {:?} not found (only `letan` is known)", a[0]))
        }
        "dirname" => {
            arity(0, 0)?;
            Ok(ctx
                .file
                .parent()
                .map(|p| p.display().to_string())
                .unwrap_or_default())
        }
        "filename" => {
            arity(0, 0)?;
            Ok(ctx
                .file
                .file_name()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default())
        }
        "not" => {
            arity(1, 1)?;
            Ok((!boolean(&a[0])?).to_string())
        }
        "and" | "or" => {
            arity(1, usize::MAX)?;
            let vals = a.iter().map(|s| boolean(s)).collect::<Result<Vec<_>, _>>()?;
            let v = if name == "and" {
                vals.iter().all(|b| *b)
            } else {
                vals.iter().any(|b| *b)
            };
            Ok(v.to_string())
        }
        "equals" | "not-equals" => {
            arity(2, 2)?;
            Ok(((a[0] == a[1]) == (name == "equals")).to_string())
        }
        other => Err(format!(
            "unsupported substitution $({other} …); Letan supports var, env, optenv, find-pkg-share, \
             find-pkg-prefix, dirname, filename, not, and, or, equals, not-equals"
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    struct Fake;
    impl Host for Fake {
        fn env(&self, name: &str) -> Option<String> {
            (name == "HOME").then(|| "/home/robot".to_string())
        }
        fn package_share(&self, pkg: &str) -> Option<PathBuf> {
            (pkg == "letan").then(|| PathBuf::from("/opt/letan"))
        }
    }

    fn run(text: &str) -> Result<String, String> {
        let mut vars = BTreeMap::new();
        vars.insert("ns".to_string(), "lobby".to_string());
        vars.insert("on".to_string(), "true".to_string());
        let ctx = Ctx {
            vars: &vars,
            file: Path::new("/opt/letan/launch/robot.launch.yaml"),
            host: &Fake,
        };
        resolve(text, &ctx)
    }

    #[test]
    fn resolves_each_kind() {
        assert_eq!(run("/$(var ns)/x").unwrap(), "/lobby/x");
        assert_eq!(run("$(env HOME)").unwrap(), "/home/robot");
        assert_eq!(run("$(env NOPE fallback)").unwrap(), "fallback");
        assert_eq!(run("[$(env NOPE '')]").unwrap(), "[]");
        assert_eq!(run("[$(optenv NOPE)]").unwrap(), "[]");
        assert_eq!(
            run("$(find-pkg-share letan)/launch/params").unwrap(),
            "/opt/letan/launch/params"
        );
        assert_eq!(
            run("$(dirname)/p.yaml").unwrap(),
            "/opt/letan/launch/p.yaml"
        );
        assert_eq!(run("$(filename)").unwrap(), "robot.launch.yaml");
        assert_eq!(run("$(not $(var on))").unwrap(), "false");
        assert_eq!(run("$(equals $(var ns) lobby)").unwrap(), "true");
        assert_eq!(run("$(or false $(var on))").unwrap(), "true");
        assert_eq!(run("$(env NOPE $(var ns))").unwrap(), "lobby");
        assert_eq!(run("'quoted text' stays").unwrap(), "'quoted text' stays");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = run("$(var missing)").unwrap_err();
        assert!(e.contains("unknown launch argument \"missing\""), "{e}");
        assert!(e.contains("known: ns, on"), "{e}");
        let e = run("$(env NOPE)").unwrap_err();
        assert!(e.contains("NOPE is not set"), "{e}");
        assert!(run("$(find-pkg-share nav2_bringup)")
            .unwrap_err()
            .contains("nav2_bringup"));
        assert!(run("$(var ns").unwrap_err().contains("unclosed"));
        assert!(run("$(eval 1+1)").unwrap_err().contains("unsupported"));
        assert!(run("$(var)").unwrap_err().contains("takes 1"));
        assert!(run("$(not maybe)").unwrap_err().contains("not a boolean"));
        assert!(run("$()").unwrap_err().contains("empty"));
    }
}
