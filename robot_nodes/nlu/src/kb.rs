//! The knowledge base: answers, facts with sources, example phrases, and places.
//!
//! Operators edit it as YAML files in `kb/`:
//! - `sources.yaml`: every source a fact cites (key, title, url, date);
//! - `places.yaml`: every place (vi/en name, description, aliases used for slot extraction);
//! - `prompts.yaml`: the dialog's own sentences (greeting, re-prompt, farewell, screen titles),
//!   one per id of [`catalog::PROMPTS`], each in vi and en, with only the `{placeholders}` of
//!   [`catalog::PROMPT_PLACEHOLDERS`];
//! - `intents/*.yaml`: per intent, a short spoken answer and a screen text in vi and en, the facts
//!   behind them (each with a source and a reviewed date), and example phrases for the classifier.
//!
//! [`Kb::parse`] takes file names and contents (no I/O) and reports every problem with its file
//! and line; [`load_dir`] reads a directory; [`Kb::embedded`] is the copy built into the binary.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::catalog;
use crate::error::{KbIssue, NluError};

/// A pair of texts, one per language.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Lang<T> {
    pub vi: T,
    pub en: T,
}

/// Which language to answer in: the robot's one language type (`letan_core::Lang`), under the
/// name this crate has always used.
pub type Language = letan_core::Lang;

impl<T> Lang<T> {
    /// The text for one language.
    pub fn get(&self, lang: Language) -> &T {
        match lang {
            Language::Vi => &self.vi,
            Language::En => &self.en,
        }
    }
}

/// What the screen shows for an intent. Procedures fill in all five practical fields.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Screen {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub documents: Option<String>,
    #[serde(default, rename = "where")]
    pub where_: Option<String>,
    #[serde(default)]
    pub time: Option<String>,
    #[serde(default)]
    pub fee: Option<String>,
    #[serde(default)]
    pub online: Option<String>,
    /// What the counter must confirm (required when a fact is uncertain).
    #[serde(default)]
    pub note: Option<String>,
}

impl Screen {
    /// The screen as plain text lines, with field labels in the given language.
    pub fn render(&self, lang: Language) -> String {
        let labels: [&str; 6] = match lang {
            Language::Vi => [
                "Giấy tờ",
                "Nộp ở đâu",
                "Thời gian",
                "Lệ phí",
                "Làm trực tuyến",
                "Lưu ý",
            ],
            Language::En => ["Documents", "Where", "Time", "Fee", "Online", "Please note"],
        };
        let mut out = String::new();
        if let Some(t) = &self.text {
            out.push_str(t.trim());
            out.push('\n');
        }
        let fields = [
            &self.documents,
            &self.where_,
            &self.time,
            &self.fee,
            &self.online,
            &self.note,
        ];
        for (label, field) in labels.iter().zip(fields) {
            if let Some(v) = field {
                out.push_str(label);
                out.push_str(": ");
                out.push_str(v.trim());
                out.push('\n');
            }
        }
        out.trim_end().to_string()
    }
}

/// One fact behind an answer.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub fact: String,
    /// A key of `sources.yaml`.
    pub source: String,
    /// When the fact was last checked against its source, `YYYY-MM-DD`.
    pub reviewed: String,
    /// Weak source or sources disagree: the answer must ask the counter to confirm.
    #[serde(default)]
    pub uncertain: bool,
}

/// Everything the knowledge base says about one intent.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct IntentEntry {
    pub intent: String,
    /// The intent's short name: topic buttons, screen titles, "did you mean X or Y?".
    pub title: Lang<String>,
    /// Short spoken answer (at most 2 sentences).
    pub spoken: Lang<String>,
    pub screen: Lang<Screen>,
    #[serde(default)]
    pub facts: Vec<Fact>,
    /// Example phrases in any language and style.
    #[serde(default)]
    pub examples: Vec<String>,
    /// Phrase templates with `{place}`, expanded with every place's aliases (nav intents).
    #[serde(default)]
    pub templates: Option<Lang<Vec<String>>>,
}

/// One place in the lobby.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Place {
    pub id: String,
    pub name: Lang<String>,
    pub description: Lang<String>,
    #[serde(default = "empty_aliases")]
    pub aliases: Lang<Vec<String>>,
    /// Things kept at the place that a citizen may ask for by name ("where are the wheelchairs"):
    /// used to find the place when no alias names it, never as training phrases.
    #[serde(default = "empty_aliases")]
    pub holds: Lang<Vec<String>>,
}

fn empty_aliases() -> Lang<Vec<String>> {
    Lang {
        vi: Vec::new(),
        en: Vec::new(),
    }
}

/// One source a fact cites.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IntentsFile {
    intents: Vec<IntentEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlacesFile {
    places: Vec<Place>,
}

/// One of the dialog's own sentences.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Prompt {
    /// An id of [`catalog::PROMPTS`].
    pub prompt: String,
    pub text: Lang<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PromptsFile {
    prompts: Vec<Prompt>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourcesFile {
    sources: Vec<Source>,
}

/// The whole knowledge base, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kb {
    pub intents: BTreeMap<String, IntentEntry>,
    pub places: BTreeMap<String, Place>,
    pub sources: BTreeMap<String, Source>,
    /// The dialog's own sentences by prompt id (every id of [`catalog::PROMPTS`]).
    pub prompts: BTreeMap<String, Lang<String>>,
}

/// The `{name}` placeholders of a prompt's text (whatever stands between braces).
fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                names.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => rest = after,
        }
    }
    names
}

/// The knowledge-base files built into the binary (paths relative to `kb/`).
pub const EMBEDDED: &[(&str, &str)] = &[
    ("sources.yaml", include_str!("../../../kb/sources.yaml")),
    ("places.yaml", include_str!("../../../kb/places.yaml")),
    ("prompts.yaml", include_str!("../../../kb/prompts.yaml")),
    (
        "intents/chat.yaml",
        include_str!("../../../kb/intents/chat.yaml"),
    ),
    (
        "intents/nav.yaml",
        include_str!("../../../kb/intents/nav.yaml"),
    ),
    (
        "intents/amenity.yaml",
        include_str!("../../../kb/intents/amenity.yaml"),
    ),
    (
        "intents/service.yaml",
        include_str!("../../../kb/intents/service.yaml"),
    ),
    (
        "intents/proc_civil.yaml",
        include_str!("../../../kb/intents/proc_civil.yaml"),
    ),
    (
        "intents/proc_police.yaml",
        include_str!("../../../kb/intents/proc_police.yaml"),
    ),
    (
        "intents/proc_other.yaml",
        include_str!("../../../kb/intents/proc_other.yaml"),
    ),
];

/// Each template is expanded with every `TEMPLATE_STRIDE`-th place name (rotating), which
/// keeps every place with several templates and the training set small.
pub const TEMPLATE_STRIDE: usize = 4;

const VI_PREFIXES: &[&str] = &[
    "cho tôi hỏi",
    "em ơi",
    "cháu ơi cho bác hỏi",
    "à",
    "xin lỗi",
    "cho hỏi chút",
    "chị ơi",
    "bác muốn hỏi",
];

const VI_SUFFIXES: &[&str] = &["ạ", "nhé", "với", "em nhé", "được không em", "vậy", "thế"];

/// Longest spoken answer accepted (characters): two short sentences.
pub const MAX_SPOKEN_CHARS: usize = 260;

/// Longest intent title accepted (characters): a topic button's label.
pub const MAX_TITLE_CHARS: usize = 40;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map_or(0, |i| i + 1)
}

fn sentence_count(s: &str) -> usize {
    let s = s.trim();
    let enders = s
        .char_indices()
        .filter(|&(i, c)| {
            matches!(c, '.' | '?' | '!')
                && s[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_none_or(char::is_whitespace)
        })
        .count();
    let ends_with_ender = s.ends_with(['.', '?', '!']);
    enders + usize::from(!ends_with_ender && !s.is_empty())
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    if parts.len() != 3
        || parts[0].len() != 4
        || parts[1].len() != 2
        || parts[2].len() != 2
        || !parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let m: u32 = parts[1].parse().unwrap_or(0);
    let day: u32 = parts[2].parse().unwrap_or(0);
    (1..=12).contains(&m) && (1..=31).contains(&day)
}

impl Kb {
    /// The knowledge base built into the binary.
    pub fn embedded() -> Result<Kb, NluError> {
        Kb::parse(
            EMBEDDED
                .iter()
                .map(|&(n, t)| (n.to_string(), t.to_string())),
        )
    }

    /// Parse and check knowledge-base files given as (path relative to `kb/`, contents).
    /// Every problem is reported, each with its file and line.
    pub fn parse(files: impl IntoIterator<Item = (String, String)>) -> Result<Kb, NluError> {
        let mut issues = Vec::new();
        let mut kb = Kb {
            intents: BTreeMap::new(),
            places: BTreeMap::new(),
            sources: BTreeMap::new(),
            prompts: BTreeMap::new(),
        };
        // Where each intent is defined: (file, line), for locating semantic problems.
        let mut intent_files: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut place_file: Option<(String, String)> = None;
        let (mut saw_sources, mut saw_prompts) = (false, false);
        // A file that did not parse: its entries are missing, but "has no entry" would be noise.
        let (mut broken_intents, mut broken_places) = (false, false);
        let mut texts: BTreeMap<String, String> = BTreeMap::new();
        for (name, text) in files {
            let base = name.rsplit('/').next().unwrap_or(&name).to_string();
            let yaml_err = |e: serde_yaml::Error| KbIssue {
                file: name.clone(),
                line: e.location().map_or(0, |l| l.line()),
                message: e.to_string(),
            };
            if base == "sources.yaml" {
                saw_sources = true;
                match serde_yaml::from_str::<SourcesFile>(&text) {
                    Ok(f) => issues.extend(kb.add_sources(f.sources, &name, &text)),
                    Err(e) => issues.push(yaml_err(e)),
                }
            } else if base == "places.yaml" {
                match serde_yaml::from_str::<PlacesFile>(&text) {
                    Ok(f) => issues.extend(kb.add_places(f.places, &name, &text)),
                    Err(e) => {
                        broken_places = true;
                        issues.push(yaml_err(e));
                    }
                }
                place_file = Some((name.clone(), text.clone()));
            } else if base == "prompts.yaml" {
                saw_prompts = true;
                match serde_yaml::from_str::<PromptsFile>(&text) {
                    Ok(f) => issues.extend(kb.add_prompts(f.prompts, &name, &text)),
                    Err(e) => issues.push(yaml_err(e)),
                }
            } else if base.ends_with(".yaml") || base.ends_with(".yml") {
                match serde_yaml::from_str::<IntentsFile>(&text) {
                    Ok(f) => {
                        issues.extend(kb.add_intents(f.intents, &name, &text, &mut intent_files))
                    }
                    Err(e) => {
                        broken_intents = true;
                        issues.push(yaml_err(e));
                    }
                }
            } else {
                issues.push(KbIssue {
                    file: name.clone(),
                    line: 0,
                    message: "not a knowledge-base file (expected .yaml)".into(),
                });
            }
            texts.insert(name, text);
        }
        for (file, seen) in [
            ("sources.yaml", saw_sources),
            ("places.yaml", place_file.is_some()),
            ("prompts.yaml", saw_prompts),
        ] {
            if !seen {
                issues.push(KbIssue {
                    file: file.into(),
                    line: 0,
                    message: "missing file".into(),
                });
            }
        }
        for (id, entry) in &kb.intents {
            let (file, line) = intent_files.get(id).cloned().unwrap_or_default();
            let text = texts.get(&file).map(String::as_str).unwrap_or("");
            issues.extend(kb.check_intent(id, entry, line, text).into_iter().map(
                |(line, message)| KbIssue {
                    file: file.clone(),
                    line,
                    message,
                },
            ));
        }
        if !broken_intents {
            issues.extend(kb.missing_intents());
        }
        if let Some((file, text)) = place_file.filter(|_| !broken_places) {
            issues.extend(kb.missing_places(&file, &text));
        }
        if issues.is_empty() {
            Ok(kb)
        } else {
            Err(NluError::Kb(issues))
        }
    }

    /// Adds the sources of `sources.yaml`: dates are YYYY-MM-DD, each key once.
    fn add_sources(&mut self, sources: Vec<Source>, file: &str, text: &str) -> Vec<KbIssue> {
        let mut issues = Vec::new();
        for s in sources {
            let line = line_of(text, &format!("key: {}", s.key));
            let mut push = |message: String| {
                issues.push(KbIssue {
                    file: file.into(),
                    line,
                    message,
                })
            };
            if let Some(d) = &s.date {
                if !valid_date(d) {
                    push(format!("source {}: date {d:?} is not YYYY-MM-DD", s.key));
                }
            }
            if self.sources.insert(s.key.clone(), s.clone()).is_some() {
                push(format!("source {} is defined twice", s.key));
            }
        }
        issues
    }

    /// Adds the places of `places.yaml`: known ids, each once, names and descriptions in both
    /// languages.
    fn add_places(&mut self, places: Vec<Place>, file: &str, text: &str) -> Vec<KbIssue> {
        let mut issues = Vec::new();
        for p in places {
            let line = line_of(text, &format!("id: {}", p.id));
            let mut push = |message: String| {
                issues.push(KbIssue {
                    file: file.into(),
                    line,
                    message,
                })
            };
            if !catalog::PLACES.contains(&p.id.as_str()) {
                push(format!("unknown place id {:?}", p.id));
            }
            for (what, vi, en) in [
                ("name", &p.name.vi, &p.name.en),
                ("description", &p.description.vi, &p.description.en),
            ] {
                for (lang, v) in [("vi", vi), ("en", en)] {
                    if v.trim().is_empty() {
                        push(format!("place {}: empty {lang} {what}", p.id));
                    }
                }
            }
            if self.places.insert(p.id.clone(), p.clone()).is_some() {
                push(format!("place {} is described twice", p.id));
            }
        }
        issues
    }

    /// Adds the intents of one intents file; an intent defined in two files is reported.
    fn add_intents(
        &mut self,
        entries: Vec<IntentEntry>,
        file: &str,
        text: &str,
        defined: &mut BTreeMap<String, (String, usize)>,
    ) -> Vec<KbIssue> {
        let mut issues = Vec::new();
        for e in entries {
            let line = line_of(text, &format!("intent: {}", e.intent));
            if let Some((other, _)) = defined.get(&e.intent) {
                issues.push(KbIssue {
                    file: file.into(),
                    line,
                    message: format!("intent {} is also defined in {other}", e.intent),
                });
            }
            defined.insert(e.intent.clone(), (file.to_string(), line));
            self.intents.insert(e.intent.clone(), e);
        }
        issues
    }

    /// The content of one intent entry (defined at `line` of a file whose text is `text`):
    /// a known id, spoken answers and screens in both languages, sourced and reviewed facts,
    /// enough distinct examples. Returns `(line, message)`.
    fn check_intent(
        &self,
        id: &str,
        entry: &IntentEntry,
        line: usize,
        text: &str,
    ) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut push = |line: usize, message: String| out.push((line, message));
        if !catalog::INTENTS.contains(&id) {
            push(line, format!("unknown intent id {id:?}"));
        }
        for lang in [Language::Vi, Language::En] {
            let spoken = entry.spoken.get(lang);
            let c = lang.code();
            let title = entry.title.get(lang);
            if title.trim().is_empty() {
                push(line, format!("{id}: empty {c} title"));
            } else if title.chars().count() > MAX_TITLE_CHARS {
                push(
                    line,
                    format!("{id}: {c} title is longer than {MAX_TITLE_CHARS} characters"),
                );
            }
            if spoken.trim().is_empty() {
                push(line, format!("{id}: empty {c} spoken answer"));
            } else {
                if sentence_count(spoken) > 2 {
                    push(
                        line,
                        format!("{id}: {c} spoken answer has more than 2 sentences"),
                    );
                }
                if spoken.chars().count() > MAX_SPOKEN_CHARS {
                    push(
                        line,
                        format!(
                            "{id}: {c} spoken answer is longer than {MAX_SPOKEN_CHARS} characters"
                        ),
                    );
                }
            }
            let screen = entry.screen.get(lang);
            if id.starts_with("proc.") {
                let fields = [
                    ("documents", &screen.documents),
                    ("where", &screen.where_),
                    ("time", &screen.time),
                    ("fee", &screen.fee),
                    ("online", &screen.online),
                ];
                for (f, v) in fields {
                    if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
                        push(line, format!("{id}: {c} screen has no {f}"));
                    }
                }
            } else if screen.render(lang).trim().is_empty() {
                push(line, format!("{id}: empty {c} screen text"));
            }
            if entry.facts.iter().any(|f| f.uncertain) && screen.note.is_none() {
                push(
                    line,
                    format!("{id}: has uncertain facts but the {c} screen has no note asking the counter to confirm"),
                );
            }
        }
        if id != catalog::OUT_OF_SCOPE && !id.starts_with("chat.") && entry.facts.is_empty() {
            push(line, format!("{id}: no facts with sources"));
        }
        for f in &entry.facts {
            let fl = line_of(text, &f.fact).max(line);
            if !self.sources.contains_key(&f.source) {
                push(
                    fl,
                    format!("{id}: fact cites unknown source {:?}", f.source),
                );
            }
            if !valid_date(&f.reviewed) {
                push(
                    fl,
                    format!("{id}: reviewed date {:?} is not YYYY-MM-DD", f.reviewed),
                );
            }
        }
        let n_examples = entry.examples.len()
            + entry
                .templates
                .as_ref()
                .map_or(0, |t| t.vi.len() + t.en.len());
        if n_examples < 8 {
            push(
                line,
                format!("{id}: only {n_examples} example phrases (need at least 8)"),
            );
        }
        let mut seen = BTreeSet::new();
        for ex in &entry.examples {
            if !seen.insert(ex.trim().to_lowercase()) {
                push(
                    line_of(text, ex).max(line),
                    format!("{id}: duplicate example {ex:?}"),
                );
            }
        }
        out
    }

    /// Every intent of the catalog has an entry.
    fn missing_intents(&self) -> Vec<KbIssue> {
        catalog::INTENTS
            .iter()
            .filter(|id| !self.intents.contains_key(**id))
            .map(|id| KbIssue {
                file: "intents/".into(),
                line: 0,
                message: format!("intent {id} has no entry"),
            })
            .collect()
    }

    /// Every place of the catalog is described, and every place but a counter has aliases in
    /// both languages (`file`, `text`: places.yaml).
    fn missing_places(&self, file: &str, text: &str) -> Vec<KbIssue> {
        let mut issues = Vec::new();
        for id in catalog::PLACES {
            match self.places.get(*id) {
                None => issues.push(KbIssue {
                    file: file.into(),
                    line: 0,
                    message: format!("place {id} is not described"),
                }),
                Some(p)
                    if !id.starts_with("counter_")
                        && (p.aliases.vi.is_empty() || p.aliases.en.is_empty()) =>
                {
                    issues.push(KbIssue {
                        file: file.into(),
                        line: line_of(text, &format!("id: {id}")),
                        message: format!("place {id} needs vi and en aliases"),
                    })
                }
                Some(_) => {}
            }
        }
        issues
    }

    /// Checks and adds the prompts of `prompts.yaml` (`file`, contents `text`): known ids, each
    /// once, no empty text, none over [`MAX_SPOKEN_CHARS`], and every id of
    /// [`catalog::PROMPTS`] present (reported at the `prompts:` line).
    fn add_prompts(&mut self, prompts: Vec<Prompt>, file: &str, text: &str) -> Vec<KbIssue> {
        let mut issues = Vec::new();
        let mut push = |line: usize, message: String| {
            issues.push(KbIssue {
                file: file.to_string(),
                line,
                message,
            })
        };
        for p in prompts {
            let line = line_of(text, &format!("prompt: {}", p.prompt));
            if !catalog::PROMPTS.contains(&p.prompt.as_str()) {
                push(line, format!("unknown prompt id {:?}", p.prompt));
            }
            for lang in [Language::Vi, Language::En] {
                let t = p.text.get(lang);
                let c = lang.code();
                if t.trim().is_empty() {
                    push(line, format!("prompt {}: empty {c} text", p.prompt));
                } else if t.chars().count() > MAX_SPOKEN_CHARS {
                    push(
                        line,
                        format!(
                            "prompt {}: {c} text is longer than {MAX_SPOKEN_CHARS} characters",
                            p.prompt
                        ),
                    );
                }
                let known = catalog::prompt_placeholders(&p.prompt);
                for name in placeholders(t) {
                    if !known.contains(&name) {
                        let known = if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        };
                        push(
                            line,
                            format!(
                                "prompt {}: unknown placeholder {{{name}}} in the {c} text (known: {known})",
                                p.prompt
                            ),
                        );
                    }
                }
            }
            if self.prompts.insert(p.prompt.clone(), p.text).is_some() {
                push(line, format!("prompt {} is defined twice", p.prompt));
            }
        }
        let header = text
            .lines()
            .position(|l| l.starts_with("prompts:"))
            .map_or(0, |i| i + 1);
        for id in catalog::PROMPTS {
            if !self.prompts.contains_key(*id) {
                push(header, format!("prompt {id} is missing (vi and en)"));
            }
        }
        issues
    }

    /// The short name of intent `id` in `lang` (its `title`), or the id itself for an intent the
    /// knowledge base lacks ([`Kb::parse`] does not let one of [`catalog::INTENTS`] be missing).
    pub fn title<'a>(&'a self, id: &'a str, lang: Language) -> &'a str {
        self.intents
            .get(id)
            .map_or(id, |e| e.title.get(lang).as_str())
    }

    /// The dialog's sentence `id` in `lang` (`""` for an id the knowledge base lacks, which
    /// [`Kb::parse`] does not let through for ids of [`catalog::PROMPTS`]).
    pub fn prompt(&self, id: &str, lang: Language) -> &str {
        self.prompts.get(id).map_or("", |t| t.get(lang).as_str())
    }

    /// [`Kb::prompt`] with its placeholders filled in: each `{name}` of `values` replaced by its
    /// value, in one pass (a value holding braces is left as it is); other braces are kept.
    pub fn prompt_with(&self, id: &str, lang: Language, values: &[(&str, &str)]) -> String {
        let text = self.prompt(id, lang);
        let mut out = String::with_capacity(text.len() + 32);
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v, close))
            });
            match value {
                Some((v, close)) => {
                    out.push_str(v);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Every (text, intent) training phrase: examples (some wrapped in polite fillers), and
    /// templates expanded with place names.
    pub fn training_phrases(&self) -> Vec<(String, String)> {
        self.training_phrase_groups()
            .into_iter()
            .map(|(t, l, _)| (t, l))
            .collect()
    }

    /// Training phrases with a group id: variants made from the same written phrase share it,
    /// so cross-validation can hold out whole groups (no leakage between folds).
    pub fn training_phrase_groups(&self) -> Vec<(String, String, usize)> {
        let mut group = 0usize;
        let mut out: Vec<(String, String, usize)> = Vec::new();
        for (id, e) in &self.intents {
            for (i, ex) in e.examples.iter().enumerate() {
                group += 1;
                out.push((ex.clone(), id.clone(), group));
                // Polite fillers carry no intent: teach that by wrapping every other Vietnamese
                // phrase in one (deterministically), so "cho tôi hỏi …" does not pull towards
                // whichever intent happened to use it most.
                if i % 2 == 0 && !ex.is_ascii() {
                    let k = i / 2;
                    let pre = VI_PREFIXES[k % VI_PREFIXES.len()];
                    let suf = VI_SUFFIXES[(k / VI_PREFIXES.len() + k) % VI_SUFFIXES.len()];
                    out.push((format!("{pre} {ex} {suf}"), id.clone(), group));
                }
            }
            if let Some(t) = &e.templates {
                for lang in [Language::Vi, Language::En] {
                    let names = self.place_phrases(lang);
                    for (k, tpl) in t.get(lang).iter().enumerate() {
                        // Each template gets a rotating subset of place names so that every
                        // place appears with several templates without a combinatorial blow-up.
                        for (j, name) in names.iter().enumerate() {
                            if (j + k) % TEMPLATE_STRIDE == 0 {
                                group += 1;
                                out.push((tpl.replace("{place}", name), id.clone(), group));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Names a citizen might use for places, in one language (name, aliases, some counters).
    pub fn place_phrases(&self, lang: Language) -> Vec<String> {
        let mut out = Vec::new();
        for p in self.places.values() {
            if p.id.starts_with("counter_") {
                continue;
            }
            out.push(p.name.get(lang).to_lowercase());
            out.extend(p.aliases.get(lang).iter().cloned());
        }
        let counters: &[&str] = match lang {
            Language::Vi => &[
                "quầy 3",
                "quầy số 7",
                "quầy số mười hai",
                "quầy số tư",
                "quầy 10",
                "quay so 2",
            ],
            Language::En => &["counter 4", "counter number 9", "counter eleven", "desk 6"],
        };
        out.extend(counters.iter().map(|s| s.to_string()));
        out
    }
}

/// Read a knowledge-base directory (`sources.yaml`, `places.yaml`, `intents/*.yaml`).
pub fn load_dir(dir: &std::path::Path) -> Result<Kb, NluError> {
    Kb::parse(read_dir_files(dir)?)
}

/// The (relative name, contents) of every knowledge-base file in a directory.
pub fn read_dir_files(dir: &std::path::Path) -> Result<Vec<(String, String)>, NluError> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|source| NluError::Io {
            path: p.display().to_string(),
            source,
        })
    };
    let mut files = Vec::new();
    for name in ["sources.yaml", "places.yaml", "prompts.yaml"] {
        let p = dir.join(name);
        if p.exists() {
            files.push((name.to_string(), read(&p)?));
        }
    }
    let idir = dir.join("intents");
    let entries = std::fs::read_dir(&idir).map_err(|source| NluError::Io {
        path: idir.display().to_string(),
        source,
    })?;
    let mut names: Vec<std::path::PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    names.sort();
    for p in names {
        let rel = format!(
            "intents/{}",
            p.file_name()
                .map(|f| f.to_string_lossy())
                .unwrap_or_default()
        );
        files.push((rel, read(&p)?));
    }
    Ok(files)
}
