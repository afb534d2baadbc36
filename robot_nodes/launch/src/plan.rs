//! Evaluate a launch file (arguments, `let`, groups, includes, substitutions) into process specs.
use crate::command::{letan_run_command, ros_command, split_words, RosNode};
use crate::model::{Action, ExecDecl, LaunchFile, NodeDecl, Text};
use crate::subst::{self, parse_bool, Ctx, Host};
use crate::LaunchError;
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How to evaluate a launch file.
pub struct LaunchOptions<'a> {
    /// `name:=value` pairs from the command line; they win over every `arg` default.
    pub args: Vec<(String, String)>,
    /// The `letan` binary that runs nodes of package `letan` (`letan run <exec> …`).
    pub letan_exe: PathBuf,
    /// Environment, package locations and file reading.
    pub host: &'a dyn Host,
    /// Where generated parameter files (for inline `{name, value}` params) are written.
    pub generated_dir: PathBuf,
}

/// One process to start and supervise.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessSpec {
    /// Unique label, used as the `[label]` log prefix (node name, with its namespace if not `/`).
    pub label: String,
    pub program: PathBuf,
    pub args: Vec<String>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    pub cwd: Option<PathBuf>,
    /// Restart when it exits (`respawn: true`).
    pub respawn: bool,
    /// First restart delay (`respawn_delay`), replacing the supervisor's initial backoff.
    pub respawn_delay: Option<Duration>,
    /// Stop the whole launch when this process exits (`on_exit: shutdown`).
    pub required: bool,
    /// The ROS node it runs, when it came from a `node` action.
    pub node: Option<RosNode>,
}

impl ProcessSpec {
    /// The command line, quoted for a POSIX shell.
    pub fn command_line(&self) -> String {
        std::iter::once(self.program.display().to_string())
            .chain(self.args.iter().cloned())
            .map(|w| crate::command::shell_quote(&w))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A parameter file the launch writes before starting the processes (inline `param` values).
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedFile {
    pub path: PathBuf,
    pub contents: String,
}

/// A declared launch argument.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredArg {
    pub name: String,
    pub default: Option<String>,
    pub description: Option<String>,
    pub file: PathBuf,
}

/// The evaluated launch: processes in file order, files to write, declared arguments.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub processes: Vec<ProcessSpec>,
    pub generated: Vec<GeneratedFile>,
    pub args: Vec<DeclaredArg>,
}

impl Plan {
    /// Write the generated parameter files.
    pub fn write_generated(&self) -> Result<(), LaunchError> {
        for g in &self.generated {
            if let Some(dir) = g.path.parent() {
                std::fs::create_dir_all(dir).map_err(|source| LaunchError::Write {
                    file: dir.to_path_buf(),
                    source,
                })?;
            }
            std::fs::write(&g.path, &g.contents).map_err(|source| LaunchError::Write {
                file: g.path.clone(),
                source,
            })?;
        }
        Ok(())
    }
}

/// Parse `name:=value` (a launch argument on the command line).
pub fn parse_cli_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once(":=") {
        Some((n, v)) if !n.is_empty() => Ok((n.to_string(), v.to_string())),
        _ => Err(format!(
            "a launch argument is written name:=value, got {s:?}"
        )),
    }
}

/// Evaluate the launch file at `file`.
pub fn plan(file: &Path, opts: &LaunchOptions<'_>) -> Result<Plan, LaunchError> {
    let mut ev = Eval {
        opts,
        plan: Plan::default(),
        stack: Vec::new(),
    };
    let mut scope = Scope {
        vars: opts.args.iter().cloned().collect(),
        ns: "/".into(),
        env: Vec::new(),
    };
    ev.file(file, &mut scope)?;
    let declared: BTreeSet<&str> = ev.plan.args.iter().map(|a| a.name.as_str()).collect();
    let unknown: Vec<&str> = opts
        .args
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !declared.contains(n))
        .collect();
    if !unknown.is_empty() {
        return Err(LaunchError::UnknownArgs {
            names: unknown.join(", "),
            declared: declared.into_iter().collect::<Vec<_>>().join(", "),
        });
    }
    Ok(ev.plan)
}

#[derive(Debug, Clone)]
struct Scope {
    vars: BTreeMap<String, String>,
    ns: String,
    env: Vec<(String, String)>,
}

/// The keys of `node` and `executable` that say how the process is supervised.
struct SupervisionKeys<'k> {
    respawn: &'k Option<Text>,
    respawn_delay: &'k Option<Text>,
    on_exit: &'k Option<Text>,
    output: &'k Option<Text>,
}

struct Eval<'o, 'a> {
    opts: &'o LaunchOptions<'a>,
    plan: Plan,
    stack: Vec<PathBuf>,
}

/// Join a pushed namespace onto the current one (absolute ones replace it) and normalise it.
pub(crate) fn join_ns(current: &str, pushed: &str) -> String {
    let raw = if pushed.starts_with('/') {
        pushed.to_string()
    } else {
        format!("{current}/{pushed}")
    };
    let parts: Vec<&str> = raw.split('/').filter(|p| !p.is_empty()).collect();
    format!("/{}", parts.join("/"))
}

fn invalid(file: &Path, detail: impl Into<String>) -> LaunchError {
    LaunchError::Invalid {
        file: file.to_path_buf(),
        detail: detail.into(),
    }
}

impl Eval<'_, '_> {
    fn text(&self, t: &Text, file: &Path, scope: &Scope) -> Result<String, LaunchError> {
        let ctx = Ctx {
            vars: &scope.vars,
            file,
            host: self.opts.host,
        };
        subst::resolve(&t.0, &ctx).map_err(|detail| LaunchError::Substitution {
            file: file.to_path_buf(),
            text: t.0.clone(),
            detail,
        })
    }

    fn opt_text(
        &self,
        t: &Option<Text>,
        file: &Path,
        scope: &Scope,
    ) -> Result<Option<String>, LaunchError> {
        t.as_ref().map(|t| self.text(t, file, scope)).transpose()
    }

    fn flag(
        &self,
        t: &Option<Text>,
        key: &str,
        default: bool,
        file: &Path,
        scope: &Scope,
    ) -> Result<bool, LaunchError> {
        match self.opt_text(t, file, scope)? {
            None => Ok(default),
            Some(v) => parse_bool(&v).ok_or_else(|| {
                invalid(
                    file,
                    format!("`{key}`: {v:?} is not a boolean (true/false)"),
                )
            }),
        }
    }

    fn enabled(
        &self,
        if_: &Option<Text>,
        unless: &Option<Text>,
        file: &Path,
        scope: &Scope,
    ) -> Result<bool, LaunchError> {
        Ok(self.flag(if_, "if", true, file, scope)?
            && !self.flag(unless, "unless", false, file, scope)?)
    }

    /// A path from the launch file: relative ones are taken from the launch file's folder.
    fn path(&self, t: &Text, file: &Path, scope: &Scope) -> Result<PathBuf, LaunchError> {
        let p = PathBuf::from(self.text(t, file, scope)?);
        Ok(if p.is_relative() {
            file.parent().map(|d| d.join(&p)).unwrap_or(p)
        } else {
            p
        })
    }

    fn file(&mut self, path: &Path, scope: &mut Scope) -> Result<(), LaunchError> {
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let key = path.canonicalize().unwrap_or_else(|_| path.clone());
        if self.stack.contains(&key) {
            let chain = self
                .stack
                .iter()
                .chain(std::iter::once(&key))
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" -> ");
            return Err(LaunchError::IncludeCycle { file: path, chain });
        }
        let text = self
            .opts
            .host
            .read_to_string(&path)
            .map_err(|source| LaunchError::Read {
                file: path.clone(),
                source,
            })?;
        let de = serde_yaml::Deserializer::from_str(&text);
        let lf: LaunchFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let at = e.path().to_string();
            let detail = e.inner().to_string();
            let detail = detail
                .strip_prefix(&format!("{at}: "))
                .or_else(|| detail.strip_prefix("launch: "))
                .map(str::to_string)
                .unwrap_or(detail);
            LaunchError::Parse {
                file: path.clone(),
                path: at,
                detail,
            }
        })?;
        self.stack.push(key);
        let r = self.actions(&lf.launch, &path, scope);
        self.stack.pop();
        r
    }

    fn actions(
        &mut self,
        actions: &[Action],
        file: &Path,
        scope: &mut Scope,
    ) -> Result<(), LaunchError> {
        for action in actions {
            match action {
                Action::Arg(d) => {
                    let name = self.text(&d.name, file, scope)?;
                    let default = self.opt_text(&d.default, file, scope)?;
                    let description = self.opt_text(&d.description, file, scope)?;
                    if !scope.vars.contains_key(&name) {
                        match &default {
                            Some(v) => {
                                scope.vars.insert(name.clone(), v.clone());
                            }
                            None => {
                                return Err(invalid(
                                    file,
                                    format!(
                                    "launch argument {name:?} has no default: pass {name}:=<value>"
                                ),
                                ))
                            }
                        }
                    }
                    if !d.choices.is_empty() {
                        let choices = d
                            .choices
                            .iter()
                            .map(|c| self.text(&c.value, file, scope))
                            .collect::<Result<Vec<_>, _>>()?;
                        let v = scope.vars.get(&name).cloned().unwrap_or_default();
                        if !choices.contains(&v) {
                            return Err(invalid(
                                file,
                                format!(
                                    "launch argument {name:?} is {v:?}; choose one of {}",
                                    choices.join(", ")
                                ),
                            ));
                        }
                    }
                    self.plan.args.push(crate::DeclaredArg {
                        name,
                        default,
                        description,
                        file: file.to_path_buf(),
                    });
                }
                Action::Let(d) => {
                    if self.enabled(&d.if_, &d.unless, file, scope)? {
                        let name = self.text(&d.name, file, scope)?;
                        let value = self.text(&d.value, file, scope)?;
                        scope.vars.insert(name, value);
                    }
                }
                Action::PushRosNamespace(p) => {
                    let ns = self.text(&p.namespace, file, scope)?;
                    scope.ns = join_ns(&scope.ns, &ns);
                }
                Action::SetEnv(e) => {
                    let name = self.text(&e.name, file, scope)?;
                    let value = self.text(&e.value, file, scope)?;
                    scope.env.push((name, value));
                }
                Action::Group(g) => {
                    if !self.enabled(&g.if_, &g.unless, file, scope)? {
                        continue;
                    }
                    let scoped = self.flag(&g.scoped, "scoped", true, file, scope)?;
                    let forwarding = self.flag(&g.forwarding, "forwarding", true, file, scope)?;
                    let mut inner = scope.clone();
                    if !forwarding {
                        inner.vars.clear();
                    }
                    for k in &g.keep {
                        let name = self.text(&k.name, file, scope)?;
                        let value = self.text(&k.value, file, scope)?;
                        inner.vars.insert(name, value);
                    }
                    self.actions(&g.children, file, &mut inner)?;
                    if !scoped {
                        *scope = inner;
                    }
                }
                Action::Include(inc) => {
                    if !self.enabled(&inc.if_, &inc.unless, file, scope)? {
                        continue;
                    }
                    let path = self.path(&inc.file, file, scope)?;
                    let mut inner = scope.clone();
                    for a in &inc.arg {
                        let name = self.text(&a.name, file, scope)?;
                        let value = self.text(&a.value, file, scope)?;
                        inner.vars.insert(name, value);
                    }
                    self.file(&path, &mut inner)?;
                }
                Action::Node(n) => {
                    if self.enabled(&n.if_, &n.unless, file, scope)? {
                        self.node(n, file, scope)?;
                    }
                }
                Action::Executable(e) => {
                    if self.enabled(&e.if_, &e.unless, file, scope)? {
                        self.executable(e, file, scope)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Substitute inside a parameter value; a substituted string is re-read as a YAML scalar so that
    /// `value: $(var use_sim_time)` becomes the boolean `true`, as ROS infers parameter types.
    fn value(&self, v: &Value, file: &Path, scope: &Scope) -> Result<Value, LaunchError> {
        Ok(match v {
            Value::String(s) if subst::has_substitution(s) => {
                let r = self.text(&Text(s.clone()), file, scope)?;
                match serde_yaml::from_str::<Value>(&r) {
                    Ok(parsed @ (Value::Bool(_) | Value::Number(_))) => parsed,
                    _ => Value::String(r),
                }
            }
            Value::Sequence(items) => Value::Sequence(
                items
                    .iter()
                    .map(|i| self.value(i, file, scope))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Mapping(m) => {
                let mut out = Mapping::new();
                for (k, v) in m {
                    out.insert(k.clone(), self.value(v, file, scope)?);
                }
                Value::Mapping(out)
            }
            other => other.clone(),
        })
    }

    fn supervision(
        &self,
        what: &str,
        keys: SupervisionKeys<'_>,
        file: &Path,
        scope: &Scope,
    ) -> Result<(bool, Option<Duration>, bool), LaunchError> {
        let SupervisionKeys {
            respawn,
            respawn_delay,
            on_exit,
            output,
        } = keys;
        let respawn = self.flag(respawn, "respawn", false, file, scope)?;
        let delay = match self.opt_text(respawn_delay, file, scope)? {
            None => None,
            Some(s) => match s.trim().parse::<f64>() {
                Ok(d) if d.is_finite() && d >= 0.0 => Some(Duration::from_secs_f64(d)),
                _ => {
                    return Err(invalid(
                        file,
                        format!("{what}: `respawn_delay`: {s:?} is not a number of seconds >= 0"),
                    ))
                }
            },
        };
        let required = match self.opt_text(on_exit, file, scope)?.as_deref() {
            None => false,
            Some("shutdown") => true,
            Some(other) => {
                return Err(invalid(
                    file,
                    format!("{what}: `on_exit`: {other:?} is not supported (only `shutdown`)"),
                ))
            }
        };
        if respawn && required {
            return Err(invalid(
                file,
                format!("{what}: `respawn: true` and `on_exit: shutdown` contradict each other; choose one"),
            ));
        }
        if let Some(o) = self.opt_text(output, file, scope)? {
            if !["screen", "log", "both"].contains(&o.as_str()) {
                return Err(invalid(
                    file,
                    format!("{what}: `output`: {o:?} is not one of screen, log, both"),
                ));
            }
        }
        Ok((respawn, delay, required))
    }

    fn env(
        &self,
        entries: &[crate::model::EnvEntry],
        file: &Path,
        scope: &Scope,
    ) -> Result<Vec<(String, String)>, LaunchError> {
        let mut env = scope.env.clone();
        for e in entries {
            env.push((
                self.text(&e.name, file, scope)?,
                self.text(&e.value, file, scope)?,
            ));
        }
        Ok(env)
    }

    fn push(&mut self, spec: ProcessSpec, file: &Path) -> Result<(), LaunchError> {
        if self.plan.processes.iter().any(|p| p.label == spec.label) {
            return Err(invalid(
                file,
                format!(
                    "two processes are named {:?}; give each a unique `name`",
                    spec.label
                ),
            ));
        }
        self.plan.processes.push(spec);
        Ok(())
    }

    fn node(&mut self, n: &NodeDecl, file: &Path, scope: &Scope) -> Result<(), LaunchError> {
        let pkg = self.text(&n.pkg, file, scope)?;
        let exec = self.text(&n.exec, file, scope)?;
        let name = self.opt_text(&n.name, file, scope)?;
        let what = format!("node {}", name.as_deref().unwrap_or(&exec));
        let namespace = match self.opt_text(&n.namespace, file, scope)? {
            Some(ns) => join_ns(&scope.ns, &ns),
            None => scope.ns.clone(),
        };
        let (params_files, inline) = self.node_params(&n.param, &what, file, scope)?;
        let mut remaps = Vec::new();
        for r in &n.remap {
            remaps.push((
                self.text(&r.from, file, scope)?,
                self.text(&r.to, file, scope)?,
            ));
        }
        let mut parts = NodeParts {
            name,
            namespace,
            params_files,
            inline,
            remaps,
        };
        let args = match self.opt_text(&n.args, file, scope)? {
            Some(a) => {
                split_words(&a).map_err(|e| invalid(file, format!("{what}: `args`: {e}")))?
            }
            None => Vec::new(),
        };
        if let Some(ra) = self.opt_text(&n.ros_args, file, scope)? {
            ros_args(&ra, &what, file, scope, &mut parts)?;
        }
        let NodeParts {
            name,
            namespace,
            mut params_files,
            inline,
            remaps,
        } = parts;
        let (respawn, respawn_delay, required) = self.supervision(
            &what,
            SupervisionKeys {
                respawn: &n.respawn,
                respawn_delay: &n.respawn_delay,
                on_exit: &n.on_exit,
                output: &n.output,
            },
            file,
            scope,
        )?;
        let base = name.clone().unwrap_or_else(|| {
            Path::new(&exec)
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| exec.clone())
        });
        let label = if namespace == "/" {
            base.clone()
        } else {
            format!("{}/{base}", namespace.trim_start_matches('/'))
        };
        if !inline.is_empty() {
            let g =
                self.inline_params(&inline, name.as_deref(), &namespace, &label, &what, file)?;
            params_files.push(g.path.clone());
            self.plan.generated.push(g);
        }
        let node = RosNode {
            pkg: pkg.clone(),
            exec: exec.clone(),
            name,
            namespace,
            params_files,
            remaps,
            args,
        };
        let (program, args) = if Path::new(&exec).is_absolute() {
            ros_command(&node)
        } else if pkg == "letan" {
            letan_run_command(&self.opts.letan_exe, &node)
        } else {
            return Err(LaunchError::ForeignPackage {
                file: file.to_path_buf(),
                pkg,
            });
        };
        let env = self.env(&n.env, file, scope)?;
        self.push(
            ProcessSpec {
                label,
                program,
                args,
                env,
                cwd: None,
                respawn,
                respawn_delay,
                required,
                node: Some(node),
            },
            file,
        )
    }

    /// A node's `param` entries: parameter files (which must exist) and inline `name: value`s.
    fn node_params(
        &mut self,
        params: &[crate::model::ParamEntry],
        what: &str,
        file: &Path,
        scope: &Scope,
    ) -> Result<(Vec<PathBuf>, InlineParams), LaunchError> {
        let mut params_files = Vec::new();
        let mut inline: Vec<(String, Value)> = Vec::new();
        for p in params {
            match (&p.from, &p.name, &p.value) {
                (Some(f), None, None) => {
                    let path = self.path(f, file, scope)?;
                    if !path.is_file() {
                        return Err(invalid(
                            file,
                            format!("{what}: parameter file {} does not exist", path.display()),
                        ));
                    }
                    params_files.push(path);
                }
                (None, Some(pn), Some(v)) => {
                    inline.push((self.text(pn, file, scope)?, self.value(v, file, scope)?));
                }
                _ => {
                    return Err(invalid(
                        file,
                        format!("{what}: each `param` entry is either {{from: <file>}} or {{name: <name>, value: <value>}}"),
                    ))
                }
            }
        }
        Ok((params_files, inline))
    }

    /// The generated parameter file for a node's inline parameters (under its own name, or `/**`).
    fn inline_params(
        &self,
        inline: &[(String, Value)],
        name: Option<&str>,
        namespace: &str,
        label: &str,
        what: &str,
        file: &Path,
    ) -> Result<GeneratedFile, LaunchError> {
        let key = match name {
            Some(nm) if namespace == "/" => format!("/{nm}"),
            Some(nm) => format!("{namespace}/{nm}"),
            None => "/**".to_string(),
        };
        let mut params = Mapping::new();
        for (pn, v) in inline {
            insert_dotted(&mut params, pn, v.clone());
        }
        let mut section = Mapping::new();
        section.insert(Value::from("ros__parameters"), Value::Mapping(params));
        let mut doc = Mapping::new();
        doc.insert(Value::from(key), Value::Mapping(section));
        let contents = serde_yaml::to_string(&doc)
            .map_err(|e| invalid(file, format!("{what}: inline parameters: {e}")))?;
        let path = self
            .opts
            .generated_dir
            .join(format!("{}.params.yaml", label.replace('/', "__")));
        Ok(GeneratedFile { path, contents })
    }

    fn executable(&mut self, e: &ExecDecl, file: &Path, scope: &Scope) -> Result<(), LaunchError> {
        let cmd = self.text(&e.cmd, file, scope)?;
        let shell = self.flag(&e.shell, "shell", false, file, scope)?;
        let (program, args) = if shell {
            (PathBuf::from("sh"), vec!["-c".to_string(), cmd.clone()])
        } else {
            let mut words = split_words(&cmd)
                .map_err(|err| invalid(file, format!("executable: `cmd`: {err}")))?
                .into_iter();
            let program = words
                .next()
                .ok_or_else(|| invalid(file, "executable: `cmd` is empty"))?;
            (PathBuf::from(program), words.collect())
        };
        let label = match self.opt_text(&e.name, file, scope)? {
            Some(n) => n,
            None => program
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| program.display().to_string()),
        };
        let what = format!("executable {label}");
        let (respawn, respawn_delay, required) = self.supervision(
            &what,
            SupervisionKeys {
                respawn: &e.respawn,
                respawn_delay: &e.respawn_delay,
                on_exit: &e.on_exit,
                output: &e.output,
            },
            file,
            scope,
        )?;
        let cwd = match &e.cwd {
            Some(c) => Some(self.path(c, file, scope)?),
            None => None,
        };
        let env = self.env(&e.env, file, scope)?;
        self.push(
            ProcessSpec {
                label,
                program,
                args,
                env,
                cwd,
                respawn,
                respawn_delay,
                required,
                node: None,
            },
            file,
        )
    }
}

/// `a.b.c: v` as nested mappings, the way ROS parameter files spell dotted names.
fn insert_dotted(map: &mut Mapping, name: &str, v: Value) {
    match name.split_once('.') {
        None => {
            map.insert(Value::from(name), v);
        }
        Some((head, rest)) => {
            let key = Value::from(head);
            if !matches!(map.get(&key), Some(Value::Mapping(_))) {
                map.insert(key.clone(), Value::Mapping(Mapping::new()));
            }
            if let Some(Value::Mapping(inner)) = map.get_mut(&key) {
                insert_dotted(inner, rest, v);
            }
        }
    }
}

/// A node's inline parameters: (dotted name, value).
type InlineParams = Vec<(String, Value)>;

/// A node's name, namespace, parameters and remaps, as `ros_args` may change them.
struct NodeParts {
    name: Option<String>,
    namespace: String,
    params_files: Vec<PathBuf>,
    inline: Vec<(String, Value)>,
    remaps: Vec<(String, String)>,
}

/// A node's `ros_args` (`-r`/`--remap`, `-p`/`--param`, `--params-file`), applied to `parts`.
fn ros_args(
    ra: &str,
    what: &str,
    file: &Path,
    scope: &Scope,
    parts: &mut NodeParts,
) -> Result<(), LaunchError> {
    let words = split_words(ra).map_err(|e| invalid(file, format!("{what}: `ros_args`: {e}")))?;
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        let mut operand = |flag: &str| {
            it.next()
                .ok_or_else(|| invalid(file, format!("{what}: `ros_args`: {flag} needs a value")))
        };
        match w.as_str() {
            "--ros-args" | "--" => {}
            "-r" | "--remap" => {
                let rule = operand(&w)?;
                let (from, to) = rule.split_once(":=").ok_or_else(|| {
                    invalid(file, format!("{what}: `ros_args`: remap {rule:?} is not from:=to"))
                })?;
                match from {
                    "__node" | "__name" => parts.name = Some(to.to_string()),
                    "__ns" => parts.namespace = join_ns(&scope.ns, to),
                    _ => parts.remaps.push((from.to_string(), to.to_string())),
                }
            }
            "-p" | "--param" => {
                let rule = operand(&w)?;
                let (pn, pv) = rule.split_once(":=").ok_or_else(|| {
                    invalid(file, format!("{what}: `ros_args`: param {rule:?} is not name:=value"))
                })?;
                let v = serde_yaml::from_str::<Value>(pv).unwrap_or(Value::String(pv.to_string()));
                parts.inline.push((pn.to_string(), v));
            }
            "--params-file" => {
                let f = PathBuf::from(operand(&w)?);
                parts.params_files.push(f);
            }
            other => {
                return Err(invalid(
                    file,
                    format!("{what}: `ros_args`: {other:?} is not supported (Letan reads -r/--remap, -p/--param, --params-file)"),
                ))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_join_and_normalise() {
        assert_eq!(join_ns("/", "robot"), "/robot");
        assert_eq!(join_ns("/robot", "arm/"), "/robot/arm");
        assert_eq!(join_ns("/robot", "/abs"), "/abs");
        assert_eq!(join_ns("/robot", ""), "/robot");
        assert_eq!(join_ns("/", "/"), "/");
    }

    #[test]
    fn dotted_names_nest() {
        let mut m = Mapping::new();
        insert_dotted(&mut m, "limits.max_v", Value::from(0.5));
        insert_dotted(&mut m, "limits.max_w", Value::from(1.0));
        insert_dotted(&mut m, "rate", Value::from(20));
        let y = serde_yaml::to_string(&m).unwrap();
        assert_eq!(y, "limits:\n  max_v: 0.5\n  max_w: 1.0\nrate: 20\n");
    }

    #[test]
    fn cli_args_parse() {
        assert_eq!(
            parse_cli_arg("use_sim_time:=true").unwrap(),
            ("use_sim_time".into(), "true".into())
        );
        assert_eq!(parse_cli_arg("x:=").unwrap(), ("x".into(), String::new()));
        assert!(parse_cli_arg("x=1").is_err());
        assert!(parse_cli_arg(":=1").is_err());
    }
}
