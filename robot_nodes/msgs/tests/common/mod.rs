//! Shared by the integration tests: a tiny `.msg`/`.srv` parser, a sample-value generator driven by
//! the parsed definitions, and a serde "recorder" that captures the exact shape (field names and
//! primitive types) a struct serializes to, so both can be compared.
#![allow(dead_code)]

use serde::ser::{self, Serialize};
use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const EMPTY_MEMBER: &str = "structure_needs_at_least_one_member";

pub fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// .msg parsing

/// A field type as written in a `.msg` file.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// bool, byte, char, float32, float64, int8..int64, uint8..uint64 (canonical ROS 2 names).
    Prim(String),
    Str,
    /// `T[]` or `T[<=N]`.
    Seq(Box<Ty>),
    /// `T[N]`.
    Array(Box<Ty>, usize),
    /// A message type: (package, name).
    Msg(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Constant {
    pub ty: String,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MsgDef {
    pub fields: Vec<Field>,
    pub constants: Vec<Constant>,
}

const PRIMS: &[&str] = &[
    "bool", "byte", "char", "float32", "float64", "int8", "uint8", "int16", "uint16", "int32",
    "uint32", "int64", "uint64",
];

fn parse_base(t: &str, pkg: &str) -> Result<Ty, String> {
    if t == "string" || t.starts_with("string<=") || t == "wstring" {
        return Ok(Ty::Str);
    }
    if PRIMS.contains(&t) {
        return Ok(Ty::Prim(t.to_string()));
    }
    if t == "time" || t == "duration" || t == "Header" && pkg != "std_msgs" {
        return Err(format!("ROS 1 type {t:?}"));
    }
    let (p, n) = match t.split_once('/') {
        Some((p, n)) => (p, n),
        None => (pkg, t),
    };
    let ok_name = !n.is_empty() && n.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if p.is_empty() || !ok_name || n.contains('/') {
        return Err(format!("bad type {t:?}"));
    }
    Ok(Ty::Msg(p.to_string(), n.to_string()))
}

fn parse_type(t: &str, pkg: &str) -> Result<Ty, String> {
    if let Some(open) = t.find('[') {
        let base = parse_base(&t[..open], pkg)?;
        let inner = t[open..]
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'));
        let inner = inner.ok_or_else(|| format!("bad array type {t:?}"))?;
        if inner.is_empty() || inner.starts_with("<=") {
            Ok(Ty::Seq(Box::new(base)))
        } else {
            let n: usize = inner
                .parse()
                .map_err(|_| format!("bad array size in {t:?}"))?;
            Ok(Ty::Array(Box::new(base), n))
        }
    } else {
        parse_base(t, pkg)
    }
}

/// Parses the lines of one message (a `.msg` file, or one half of a `.srv`).
pub fn parse_msg(text: &str, pkg: &str) -> Result<MsgDef, String> {
    let mut def = MsgDef::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |e: String| format!("line {}: {e}: {raw:?}", i + 1);
        let (ty, rest) = line
            .split_once(char::is_whitespace)
            .ok_or_else(|| err("no name".into()))?;
        let rest = rest.trim_start();
        let name_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        if name.is_empty() {
            return Err(err("no name".into()));
        }
        let after = after.trim_start();
        if let Some(v) = after.strip_prefix('=') {
            // A constant. String values may be quoted; a comment may follow.
            let v = v.trim();
            let value = if let Some(q) = v.strip_prefix('"') {
                q.split_once('"')
                    .ok_or_else(|| err("unterminated string".into()))?
                    .0
                    .to_string()
            } else {
                v.split('#').next().unwrap_or("").trim().to_string()
            };
            if !name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(err("constant names are UPPER_CASE".into()));
            }
            def.constants.push(Constant {
                ty: ty.to_string(),
                name: name.to_string(),
                value,
            });
        } else {
            // A field, maybe with a default value, maybe with a comment.
            if !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(err("field names are lower_snake_case".into()));
            }
            def.fields.push(Field {
                name: name.to_string(),
                ty: parse_type(ty, pkg).map_err(err)?,
            });
        }
    }
    Ok(def)
}

/// All definitions on disk, keyed by "pkg/kind/Name" (services split into `Name_Request` and
/// `Name_Response` under kind "srv"; an action `Name` gives `Name_Goal`, `Name_Result`,
/// `Name_Feedback` and the five messages rosidl derives from them, under kind "action").
pub struct Defs {
    pub defs: BTreeMap<String, MsgDef>,
}

impl Defs {
    pub fn load() -> Defs {
        let mut defs = BTreeMap::new();
        for (kind, ext) in [("msg", "msg"), ("srv", "srv"), ("action", "action")] {
            let root = crate_dir().join(kind);
            for pkg_dir in sorted_dir(&root) {
                let pkg = file_name(&pkg_dir);
                for file in sorted_dir(&pkg_dir) {
                    let fname = file_name(&file);
                    let Some(name) = fname.strip_suffix(&format!(".{ext}")) else {
                        panic!("unexpected file {}", file.display());
                    };
                    let text = std::fs::read_to_string(&file).expect("read definition");
                    if kind == "msg" {
                        let def = parse_msg(&text, &pkg)
                            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                        defs.insert(format!("{pkg}/msg/{name}"), def);
                    } else if kind == "action" {
                        for (key, def) in action_defs(&text, &pkg, name)
                            .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                        {
                            defs.insert(key, def);
                        }
                    } else {
                        let mut halves = text.split("\n---\n");
                        let (Some(req), Some(resp), None) =
                            (halves.next(), halves.next(), halves.next())
                        else {
                            panic!("{}: a .srv has exactly one --- line", file.display());
                        };
                        let req = req.strip_prefix("---").unwrap_or(req);
                        for (suffix, part) in [("Request", req), ("Response", resp)] {
                            let def = parse_msg(part, &pkg)
                                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
                            defs.insert(format!("{pkg}/srv/{name}_{suffix}"), def);
                        }
                    }
                }
            }
        }
        Defs { defs }
    }

    /// The definition of a nested message type `pkg/Name`: a `msg`, or one of the parts of an
    /// action (`NavigateToPose_Goal` inside `NavigateToPose_SendGoal_Request`).
    pub fn msg(&self, pkg: &str, name: &str) -> &MsgDef {
        self.defs
            .get(&format!("{pkg}/msg/{name}"))
            .or_else(|| self.defs.get(&format!("{pkg}/action/{name}")))
            .unwrap_or_else(|| panic!("no msg/{pkg}/{name}.msg for a nested type"))
    }

    pub fn get(&self, full: &str) -> &MsgDef {
        self.defs
            .get(full)
            .unwrap_or_else(|| panic!("no definition for {full}"))
    }
}

/// The eight messages of one `.action` file: its three parts, and what rosidl_parser's `Action`
/// derives from them (`SendGoal` and `GetResult` services, `FeedbackMessage`).
pub fn action_defs(text: &str, pkg: &str, name: &str) -> Result<Vec<(String, MsgDef)>, String> {
    let parts: Vec<&str> = text.split("\n---\n").collect();
    let [goal, result, feedback] = parts.as_slice() else {
        return Err(format!(
            "an .action has exactly two --- lines, got {}",
            parts.len() - 1
        ));
    };
    let uuid = "unique_identifier_msgs/UUID goal_id\n";
    let derived = [
        ("Goal", goal.to_string()),
        ("Result", result.to_string()),
        ("Feedback", feedback.to_string()),
        ("SendGoal_Request", format!("{uuid}{name}_Goal goal\n")),
        (
            "SendGoal_Response",
            "bool accepted\nbuiltin_interfaces/Time stamp\n".to_string(),
        ),
        ("GetResult_Request", uuid.to_string()),
        (
            "GetResult_Response",
            format!("int8 status\n{name}_Result result\n"),
        ),
        (
            "FeedbackMessage",
            format!("{uuid}{name}_Feedback feedback\n"),
        ),
    ];
    derived
        .into_iter()
        .map(|(suffix, lines)| {
            let def = parse_msg(&lines, pkg).map_err(|e| format!("{name}_{suffix}: {e}"))?;
            Ok((format!("{pkg}/action/{name}_{suffix}"), def))
        })
        .collect()
}

fn sorted_dir(p: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    v.sort();
    v
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|s| s.to_str())
        .expect("utf-8 file name")
        .to_string()
}

// ---------------------------------------------------------------------------------------------
// Sample values: every field set to a distinct, non-default value that survives f32 rounding.

pub struct SampleGen {
    counter: i64,
}

impl SampleGen {
    pub fn new() -> Self {
        SampleGen { counter: 0 }
    }

    fn next(&mut self) -> i64 {
        self.counter += 1;
        self.counter
    }

    pub fn message(&mut self, defs: &Defs, def: &MsgDef) -> Value {
        let mut m = Mapping::new();
        for f in &def.fields {
            m.insert(Value::String(f.name.clone()), self.value(defs, &f.ty));
        }
        Value::Mapping(m)
    }

    fn value(&mut self, defs: &Defs, ty: &Ty) -> Value {
        match ty {
            Ty::Prim(p) => {
                let k = self.next();
                match p.as_str() {
                    "bool" => Value::Bool(true),
                    "float32" | "float64" => Value::from(k as f64 + 0.5),
                    "int8" => Value::from(-(k % 100) - 1),
                    "int16" | "int32" | "int64" => Value::from(-(k * 7) - 1),
                    "byte" | "char" | "uint8" => Value::from(k % 200 + 1),
                    _ => Value::from(k * 11 + 1),
                }
            }
            Ty::Str => {
                let k = self.next();
                Value::String(format!("s{k} ă"))
            }
            Ty::Seq(t) => Value::Sequence((0..2).map(|_| self.value(defs, t)).collect()),
            Ty::Array(t, n) => Value::Sequence((0..*n).map(|_| self.value(defs, t)).collect()),
            Ty::Msg(p, n) => {
                let def = defs.msg(p, n).clone();
                self.message(defs, &def)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The recorder: a non-human-readable serde Serializer (like CDR) that records the shape.

#[derive(Debug, Clone, PartialEq)]
pub enum Rec {
    Prim(&'static str),
    Str,
    Bytes(usize),
    Seq(Vec<Rec>),
    Tuple(Vec<Rec>),
    Struct(Vec<(&'static str, Rec)>),
    Other(&'static str),
}

#[derive(Debug)]
pub struct RecError(String);
impl fmt::Display for RecError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for RecError {}
impl ser::Error for RecError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        RecError(msg.to_string())
    }
}

pub struct Recorder;

pub struct Collect(Vec<Rec>, bool);
pub struct CollectStruct(Vec<(&'static str, Rec)>);

type R = Result<Rec, RecError>;

pub fn record<T: Serialize>(v: &T) -> Rec {
    v.serialize(Recorder).expect("record")
}

impl ser::Serializer for Recorder {
    type Ok = Rec;
    type Error = RecError;
    type SerializeSeq = Collect;
    type SerializeTuple = Collect;
    type SerializeTupleStruct = Collect;
    type SerializeTupleVariant = ser::Impossible<Rec, RecError>;
    type SerializeMap = ser::Impossible<Rec, RecError>;
    type SerializeStruct = CollectStruct;
    type SerializeStructVariant = ser::Impossible<Rec, RecError>;

    fn is_human_readable(&self) -> bool {
        false
    }
    fn serialize_bool(self, _: bool) -> R {
        Ok(Rec::Prim("bool"))
    }
    fn serialize_i8(self, _: i8) -> R {
        Ok(Rec::Prim("int8"))
    }
    fn serialize_i16(self, _: i16) -> R {
        Ok(Rec::Prim("int16"))
    }
    fn serialize_i32(self, _: i32) -> R {
        Ok(Rec::Prim("int32"))
    }
    fn serialize_i64(self, _: i64) -> R {
        Ok(Rec::Prim("int64"))
    }
    fn serialize_u8(self, _: u8) -> R {
        Ok(Rec::Prim("uint8"))
    }
    fn serialize_u16(self, _: u16) -> R {
        Ok(Rec::Prim("uint16"))
    }
    fn serialize_u32(self, _: u32) -> R {
        Ok(Rec::Prim("uint32"))
    }
    fn serialize_u64(self, _: u64) -> R {
        Ok(Rec::Prim("uint64"))
    }
    fn serialize_f32(self, _: f32) -> R {
        Ok(Rec::Prim("float32"))
    }
    fn serialize_f64(self, _: f64) -> R {
        Ok(Rec::Prim("float64"))
    }
    fn serialize_char(self, _: char) -> R {
        Ok(Rec::Other("char"))
    }
    fn serialize_str(self, _: &str) -> R {
        Ok(Rec::Str)
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        Ok(Rec::Bytes(v.len()))
    }
    fn serialize_none(self) -> R {
        Ok(Rec::Other("none"))
    }
    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> R {
        Ok(Rec::Other("some"))
    }
    fn serialize_unit(self) -> R {
        Ok(Rec::Other("unit"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> R {
        Ok(Rec::Other("unit struct"))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> R {
        Ok(Rec::Other("enum"))
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, v: &T) -> R {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> R {
        Ok(Rec::Other("enum"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Collect, RecError> {
        Ok(Collect(Vec::new(), false))
    }
    fn serialize_tuple(self, _: usize) -> Result<Collect, RecError> {
        Ok(Collect(Vec::new(), true))
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Collect, RecError> {
        Ok(Collect(Vec::new(), true))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, RecError> {
        Err(RecError("enum".into()))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, RecError> {
        Err(RecError("map".into()))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<CollectStruct, RecError> {
        Ok(CollectStruct(Vec::new()))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, RecError> {
        Err(RecError("enum".into()))
    }
}

impl ser::SerializeSeq for Collect {
    type Ok = Rec;
    type Error = RecError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), RecError> {
        self.0.push(v.serialize(Recorder)?);
        Ok(())
    }
    fn end(self) -> R {
        Ok(if self.1 {
            Rec::Tuple(self.0)
        } else {
            Rec::Seq(self.0)
        })
    }
}

impl ser::SerializeTuple for Collect {
    type Ok = Rec;
    type Error = RecError;
    fn serialize_element<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), RecError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Collect {
    type Ok = Rec;
    type Error = RecError;
    fn serialize_field<T: ?Sized + Serialize>(&mut self, v: &T) -> Result<(), RecError> {
        ser::SerializeSeq::serialize_element(self, v)
    }
    fn end(self) -> R {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeStruct for CollectStruct {
    type Ok = Rec;
    type Error = RecError;
    fn serialize_field<T: ?Sized + Serialize>(
        &mut self,
        key: &'static str,
        v: &T,
    ) -> Result<(), RecError> {
        self.0.push((key, v.serialize(Recorder)?));
        Ok(())
    }
    fn skip_field(&mut self, key: &'static str) -> Result<(), RecError> {
        Err(RecError(format!(
            "field {key} skipped: CDR is positional, no field may be skipped"
        )))
    }
    fn end(self) -> R {
        Ok(Rec::Struct(self.0))
    }
}

/// Checks a recorded shape against a `.msg` type. Returns a description of the first mismatch.
pub fn check_shape(defs: &Defs, ty: &Ty, rec: &Rec, path: &str) -> Result<(), String> {
    let mismatch = || {
        Err(format!(
            "{path}: .msg says {ty:?}, the struct serializes {rec:?}"
        ))
    };
    match (ty, rec) {
        (Ty::Prim(p), Rec::Prim(r)) => {
            let want = match p.as_str() {
                "byte" | "char" => "uint8",
                other => other,
            };
            if want == *r {
                Ok(())
            } else {
                mismatch()
            }
        }
        (Ty::Str, Rec::Str) => Ok(()),
        // uint8[]/int8[] go through serialize_bytes: the same CDR layout as a sequence of octets.
        (Ty::Seq(t), Rec::Bytes(_)) if matches!(&**t, Ty::Prim(p) if ["uint8", "int8", "byte", "char"].contains(&p.as_str())) => {
            Ok(())
        }
        (Ty::Seq(t), Rec::Seq(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_shape(defs, t, item, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Ty::Array(t, n), Rec::Tuple(items)) => {
            if items.len() != *n {
                return Err(format!(
                    "{path}: .msg array of {n}, the struct writes {}",
                    items.len()
                ));
            }
            for (i, item) in items.iter().enumerate() {
                check_shape(defs, t, item, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        (Ty::Msg(p, n), Rec::Struct(_)) => check_struct(defs, defs.msg(p, n), rec, path),
        _ => mismatch(),
    }
}

/// Checks a recorded struct against a message definition: same field names, same order, same types.
pub fn check_struct(defs: &Defs, def: &MsgDef, rec: &Rec, path: &str) -> Result<(), String> {
    let Rec::Struct(fields) = rec else {
        return Err(format!("{path}: expected a struct, got {rec:?}"));
    };
    if def.fields.is_empty() {
        // The ROS 2 IDL adds one uint8 member to every empty struct.
        return if fields.as_slice() == [(EMPTY_MEMBER, Rec::Prim("uint8"))] {
            Ok(())
        } else {
            Err(format!("{path}: an empty message must write exactly one uint8 {EMPTY_MEMBER}, got {fields:?}"))
        };
    }
    let want: Vec<&str> = def.fields.iter().map(|f| f.name.as_str()).collect();
    let got: Vec<&str> = fields.iter().map(|f| f.0).collect();
    if want != got {
        return Err(format!(
            "{path}: fields differ\n  .msg:   {want:?}\n  struct: {got:?}"
        ));
    }
    for (f, (_, r)) in def.fields.iter().zip(fields) {
        check_shape(defs, &f.ty, r, &format!("{path}.{}", f.name))?;
    }
    Ok(())
}
