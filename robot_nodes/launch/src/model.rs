//! The YAML launch-file shape, as `ros2 launch` reads it (launch_yaml + launch_ros), before any
//! substitution is resolved. Unknown keys are refused so that a typo is caught before anything runs.
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A scalar that may hold substitutions: YAML strings, booleans and numbers are all read as text
/// (`respawn: true` and `respawn: "$(var respawn)"` are both fine).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LaunchFile {
    pub launch: Vec<Action>,
}

/// One entry of the `launch:` list (a one-key mapping naming the action).
#[derive(Debug)]
pub(crate) enum Action {
    Arg(ArgDecl),
    Let(LetDecl),
    Node(Box<NodeDecl>),
    Executable(Box<ExecDecl>),
    Include(IncludeDecl),
    Group(GroupDecl),
    PushRosNamespace(PushNs),
    SetEnv(EnvEntry),
}

const ACTIONS: &str =
    "arg, let, node, executable, include, group, push-ros-namespace (push_ros_namespace), set_env";

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_yaml::Value::deserialize(d)?;
        let serde_yaml::Value::Mapping(m) = v else {
            return Err(de::Error::custom(format!(
                "each launch entry is a one-key mapping naming the action ({ACTIONS})"
            )));
        };
        let mut it = m.into_iter();
        let (Some((key, body)), None) = (it.next(), it.next()) else {
            return Err(de::Error::custom(format!(
                "each launch entry names exactly one action ({ACTIONS}); indent its fields under it"
            )));
        };
        let key = key.as_str().unwrap_or_default().to_string();
        fn body_of<T: serde::de::DeserializeOwned, E: de::Error>(
            key: &str,
            body: serde_yaml::Value,
        ) -> Result<T, E> {
            serde_yaml::from_value(body).map_err(|e| E::custom(format!("{key}: {e}")))
        }
        Ok(match key.as_str() {
            "arg" => Action::Arg(body_of(&key, body)?),
            "let" => Action::Let(body_of(&key, body)?),
            "node" => Action::Node(Box::new(body_of(&key, body)?)),
            "executable" => Action::Executable(Box::new(body_of(&key, body)?)),
            "include" => Action::Include(body_of(&key, body)?),
            "group" => Action::Group(body_of(&key, body)?),
            "push-ros-namespace" | "push_ros_namespace" => {
                Action::PushRosNamespace(body_of(&key, body)?)
            }
            "set_env" | "set-env" => Action::SetEnv(body_of(&key, body)?),
            other => {
                return Err(de::Error::custom(format!(
                    "unknown action `{other}`; Letan reads {ACTIONS}"
                )))
            }
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ArgDecl {
    pub name: Text,
    pub default: Option<Text>,
    pub description: Option<Text>,
    #[serde(default)]
    pub choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Choice {
    pub value: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LetDecl {
    pub name: Text,
    pub value: Text,
    #[serde(rename = "if")]
    pub if_: Option<Text>,
    pub unless: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PushNs {
    pub namespace: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EnvEntry {
    pub name: Text,
    pub value: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Remap {
    pub from: Text,
    pub to: Text,
}

/// `{from: file.yaml}` or `{name: x, value: y}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ParamEntry {
    pub from: Option<Text>,
    pub name: Option<Text>,
    pub value: Option<serde_yaml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NodeDecl {
    pub pkg: Text,
    pub exec: Text,
    pub name: Option<Text>,
    pub namespace: Option<Text>,
    #[serde(default)]
    pub param: Vec<ParamEntry>,
    #[serde(default)]
    pub remap: Vec<Remap>,
    pub args: Option<Text>,
    pub ros_args: Option<Text>,
    pub output: Option<Text>,
    pub respawn: Option<Text>,
    pub respawn_delay: Option<Text>,
    pub on_exit: Option<Text>,
    #[serde(default)]
    pub env: Vec<EnvEntry>,
    #[serde(rename = "if")]
    pub if_: Option<Text>,
    pub unless: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExecDecl {
    pub cmd: Text,
    pub name: Option<Text>,
    pub cwd: Option<Text>,
    pub shell: Option<Text>,
    pub output: Option<Text>,
    pub respawn: Option<Text>,
    pub respawn_delay: Option<Text>,
    pub on_exit: Option<Text>,
    #[serde(default)]
    pub env: Vec<EnvEntry>,
    #[serde(rename = "if")]
    pub if_: Option<Text>,
    pub unless: Option<Text>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct IncludeArg {
    pub name: Text,
    pub value: Text,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IncludeMap {
    file: Text,
    #[serde(default)]
    arg: Vec<IncludeArg>,
    #[serde(rename = "if")]
    if_: Option<Text>,
    unless: Option<Text>,
}

/// `include: path` or `include: {file: path, arg: [{name, value}]}`.
#[derive(Debug)]
pub(crate) struct IncludeDecl {
    pub file: Text,
    pub arg: Vec<IncludeArg>,
    pub if_: Option<Text>,
    pub unless: Option<Text>,
}

impl<'de> Deserialize<'de> for IncludeDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_yaml::Value::deserialize(d)?;
        if let serde_yaml::Value::String(s) = v {
            return Ok(IncludeDecl {
                file: Text(s),
                arg: Vec::new(),
                if_: None,
                unless: None,
            });
        }
        let m: IncludeMap = serde_yaml::from_value(v).map_err(|e| {
            let mut msg = e.to_string();
            if msg.contains("`args`") {
                msg.push_str(" (ROS spells the include arguments `arg: [{name: …, value: …}]`)");
            }
            de::Error::custom(msg)
        })?;
        Ok(IncludeDecl {
            file: m.file,
            arg: m.arg,
            if_: m.if_,
            unless: m.unless,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupMap {
    scoped: Option<Text>,
    forwarding: Option<Text>,
    #[serde(default)]
    keep: Vec<IncludeArg>,
    #[serde(default)]
    children: Vec<Action>,
    #[serde(rename = "if")]
    if_: Option<Text>,
    unless: Option<Text>,
}

/// `group: [actions…]` or `group: {scoped, forwarding, keep, children, if, unless}`.
#[derive(Debug)]
pub(crate) struct GroupDecl {
    pub scoped: Option<Text>,
    pub forwarding: Option<Text>,
    pub keep: Vec<IncludeArg>,
    pub children: Vec<Action>,
    pub if_: Option<Text>,
    pub unless: Option<Text>,
}

impl<'de> Deserialize<'de> for GroupDecl {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_yaml::Value::deserialize(d)?;
        if v.is_sequence() {
            let children: Vec<Action> = serde_yaml::from_value(v).map_err(de::Error::custom)?;
            return Ok(GroupDecl {
                scoped: None,
                forwarding: None,
                keep: Vec::new(),
                children,
                if_: None,
                unless: None,
            });
        }
        let m: GroupMap = serde_yaml::from_value(v).map_err(de::Error::custom)?;
        Ok(GroupDecl {
            scoped: m.scoped,
            forwarding: m.forwarding,
            keep: m.keep,
            children: m.children,
            if_: m.if_,
            unless: m.unless,
        })
    }
}
