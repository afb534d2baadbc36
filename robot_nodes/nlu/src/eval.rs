//! Evaluation on labelled utterances: accuracy, per-intent precision and recall, confusions,
//! destination accuracy, out-of-scope precision and recall, accuracy by style, and k-fold
//! cross-validation. Pure: the caller reads the file.

use std::collections::BTreeMap;

use crate::catalog::OUT_OF_SCOPE;
use crate::normalize::normalize;
use crate::router::{Nlu, NluConfig};
use crate::{Kb, Language};

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub intent: String,
    pub destination: Option<String>,
}

/// Parse a TSV with a header line and columns `text`, `intent`, `destination`.
/// Malformed lines are returned as (line number, message) instead of stopping the parse.
pub fn parse_tsv(text: &str) -> (Vec<Example>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 2 {
            bad.push((
                i + 1,
                format!(
                    "expected at least 2 tab-separated fields, got {}",
                    cols.len()
                ),
            ));
            continue;
        }
        let dest = cols.get(2).map(|s| s.trim()).filter(|s| !s.is_empty());
        out.push(Example {
            text: cols[0].to_string(),
            intent: cols[1].trim().to_string(),
            destination: dest.map(str::to_string),
        });
    }
    (out, bad)
}

/// The style of an utterance, as the dev set's README describes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// Vietnamese with diacritics, punctuated or capitalised (natural written/spoken style).
    Natural,
    /// Lowercase, unpunctuated Vietnamese (speech-recognizer output).
    Asr,
    /// Vietnamese without diacritics.
    NoDiacritics,
    English,
}

impl Style {
    pub fn name(self) -> &'static str {
        match self {
            Style::Natural => "vi-natural",
            Style::Asr => "vi-asr",
            Style::NoDiacritics => "vi-no-diacritics",
            Style::English => "en",
        }
    }
}

/// Guess the style of an utterance from its surface (the dev file does not label styles).
pub fn style_of(text: &str, lang: Language) -> Style {
    if lang == Language::En {
        return Style::English;
    }
    let n = normalize(text);
    if n.vietnamese_words == 0 {
        return Style::NoDiacritics;
    }
    let punct = text.chars().any(|c| matches!(c, '.' | ',' | '?' | '!'));
    let upper = text.chars().any(char::is_uppercase);
    if punct || upper {
        Style::Natural
    } else {
        Style::Asr
    }
}

/// Precision and recall of one intent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IntentScore {
    pub support: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl IntentScore {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.support)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// One prediction next to its label.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub example: Example,
    pub intent: String,
    pub destination: Option<String>,
    pub confidence: f32,
    pub lang: Language,
    pub style: Style,
}

impl Outcome {
    pub fn intent_ok(&self) -> bool {
        self.intent == self.example.intent
    }

    /// Intent right, and the destination the labelled one (none when none is labelled).
    pub fn fully_ok(&self) -> bool {
        self.intent_ok() && self.destination == self.example.destination
    }

    /// One line for a listing of wrong answers: the text, the label, what the router said and
    /// its confidence.
    pub fn describe(&self) -> String {
        format!(
            "{:?} label={} {:?} got={} {:?} conf={:.2}",
            self.example.text,
            self.example.intent,
            self.example.destination,
            self.intent,
            self.destination,
            self.confidence
        )
    }
}

/// One confidence band of [`Report::bands`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lower edge (inclusive).
    pub from: f32,
    /// Upper edge (exclusive, except the last band, which includes 1.0).
    pub to: f32,
    pub count: usize,
    /// Answers in the band whose intent (and labelled destination) are right.
    pub correct: usize,
    pub mean_confidence: f64,
}

/// The metrics of one evaluation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    pub fn intent_accuracy(&self) -> f64 {
        ratio(
            self.outcomes.iter().filter(|o| o.intent_ok()).count(),
            self.outcomes.len(),
        )
    }

    /// Over rows labelled with a destination: the predicted destination is the labelled one.
    pub fn destination_accuracy(&self) -> (f64, usize) {
        let rows: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.example.destination.is_some())
            .collect();
        let ok = rows
            .iter()
            .filter(|o| o.destination == o.example.destination)
            .count();
        (ratio(ok, rows.len()), rows.len())
    }

    /// Out-of-scope as a detector: (precision, recall).
    pub fn oos_precision_recall(&self) -> (f64, f64) {
        let s = self.per_intent();
        let x = s.get(OUT_OF_SCOPE).cloned().unwrap_or_default();
        (x.precision(), x.recall())
    }

    pub fn per_intent(&self) -> BTreeMap<String, IntentScore> {
        let mut m: BTreeMap<String, IntentScore> = BTreeMap::new();
        for o in &self.outcomes {
            m.entry(o.example.intent.clone()).or_default().support += 1;
            m.entry(o.intent.clone()).or_default().predicted += 1;
            if o.intent_ok() {
                m.entry(o.intent.clone()).or_default().correct += 1;
            }
        }
        m
    }

    /// (style, accuracy, count).
    pub fn per_style(&self) -> Vec<(Style, f64, usize)> {
        let mut m: BTreeMap<Style, (usize, usize)> = BTreeMap::new();
        for o in &self.outcomes {
            let e = m.entry(o.style).or_default();
            e.1 += 1;
            if o.intent_ok() {
                e.0 += 1;
            }
        }
        m.into_iter()
            .map(|(s, (ok, n))| (s, ratio(ok, n), n))
            .collect()
    }

    /// Most frequent (label, predicted, count) confusions.
    pub fn confusions(&self, k: usize) -> Vec<(String, String, usize)> {
        let mut m: BTreeMap<(String, String), usize> = BTreeMap::new();
        for o in self.outcomes.iter().filter(|o| !o.intent_ok()) {
            *m.entry((o.example.intent.clone(), o.intent.clone()))
                .or_default() += 1;
        }
        let mut v: Vec<(String, String, usize)> =
            m.into_iter().map(|((a, b), n)| (a, b, n)).collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
        v.truncate(k);
        v
    }

    /// Answers that are wrong (intent, or the labelled destination) with confidence at or above
    /// `threshold`: (count, share of all utterances).
    pub fn confident_wrong(&self, threshold: f32) -> (usize, f64) {
        let n = self
            .outcomes
            .iter()
            .filter(|o| o.confidence >= threshold && !o.fully_ok())
            .count();
        (n, ratio(n, self.outcomes.len().max(1)))
    }

    /// The wrong answers at or above `threshold`, most confident first.
    pub fn confident_wrong_outcomes(&self, threshold: f32) -> Vec<&Outcome> {
        let mut v: Vec<&Outcome> = self
            .outcomes
            .iter()
            .filter(|o| o.confidence >= threshold && !o.fully_ok())
            .collect();
        v.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        v
    }

    /// Accuracy (intent and labelled destination) by confidence band:
    /// [0, 0.5), [0.5, 0.7), [0.7, 0.9), [0.9, 0.97), [0.97, 1.0].
    pub fn bands(&self) -> Vec<Band> {
        const EDGES: [f32; 6] = [0.0, 0.5, 0.7, 0.9, 0.97, 1.0];
        let mut v: Vec<Band> = EDGES
            .windows(2)
            .map(|w| Band {
                from: w[0],
                to: w[1],
                count: 0,
                correct: 0,
                mean_confidence: 0.0,
            })
            .collect();
        let last = v.len() - 1;
        for o in &self.outcomes {
            let c = if o.confidence.is_finite() {
                o.confidence.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let i = v.iter().position(|b| c < b.to).unwrap_or(last);
            v[i].count += 1;
            v[i].correct += usize::from(o.fully_ok());
            v[i].mean_confidence += f64::from(c);
        }
        for b in &mut v {
            if b.count > 0 {
                b.mean_confidence /= b.count as f64;
            }
        }
        v
    }

    /// Expected calibration error over 10 confidence bins.
    pub fn calibration_error(&self) -> f64 {
        let mut bins = [(0usize, 0.0f64, 0usize); 10];
        for o in &self.outcomes {
            let b = ((o.confidence.clamp(0.0, 0.9999) * 10.0) as usize).min(9);
            bins[b].0 += 1;
            bins[b].1 += f64::from(o.confidence);
            bins[b].2 += usize::from(o.intent_ok());
        }
        let n = self.outcomes.len().max(1) as f64;
        bins.iter()
            .filter(|b| b.0 > 0)
            .map(|&(c, conf, ok)| {
                (c as f64 / n) * ((conf / c as f64) - (ok as f64 / c as f64)).abs()
            })
            .sum()
    }

    /// A human-readable summary.
    pub fn summary(&self, confusions: usize) -> String {
        let mut s = String::new();
        let (dest, dn) = self.destination_accuracy();
        let (p, r) = self.oos_precision_recall();
        s.push_str(&format!(
            "utterances: {}\nintent accuracy: {:.2}%\ndestination accuracy: {:.2}% (of {dn})\nout-of-scope precision: {:.2}%  recall: {:.2}%\nexpected calibration error: {:.3}\n",
            self.len(),
            100.0 * self.intent_accuracy(),
            100.0 * dest,
            100.0 * p,
            100.0 * r,
            self.calibration_error(),
        ));
        let (cw, cwr) = self.confident_wrong(0.9);
        s.push_str(&format!(
            "wrong at confidence >= 0.9: {cw} ({:.2}% of all)\n",
            100.0 * cwr
        ));
        s.push_str("\naccuracy by confidence band (intent and destination):\n");
        for b in self.bands() {
            let close = if b.to >= 1.0 { ']' } else { ')' };
            s.push_str(&format!(
                "  [{:.2}, {:.2}{close}  {:>4} answers  {:>6.2}% right  mean confidence {:.3}\n",
                b.from,
                b.to,
                b.count,
                100.0 * ratio(b.correct, b.count),
                b.mean_confidence
            ));
        }
        s.push_str("\naccuracy by style:\n");
        for (st, acc, n) in self.per_style() {
            s.push_str(&format!(
                "  {:<18} {:>6.2}%  ({n})\n",
                st.name(),
                100.0 * acc
            ));
        }
        s.push_str("\nper intent (precision / recall / support):\n");
        for (intent, sc) in self.per_intent() {
            if sc.support == 0 && sc.predicted == 0 {
                continue;
            }
            s.push_str(&format!(
                "  {:<32} {:>6.1}% {:>6.1}% {:>4}\n",
                intent,
                100.0 * sc.precision(),
                100.0 * sc.recall(),
                sc.support
            ));
        }
        let conf = self.confusions(confusions);
        if !conf.is_empty() {
            s.push_str("\nmost frequent confusions (label -> predicted: count):\n");
            for (a, b, n) in conf {
                s.push_str(&format!("  {a} -> {b}: {n}\n"));
            }
        }
        s
    }
}

/// Evaluate a trained router.
pub fn evaluate(nlu: &Nlu, examples: &[Example]) -> Report {
    let outcomes = examples
        .iter()
        .map(|e| {
            let u = nlu.understand(&e.text);
            Outcome {
                style: style_of(&e.text, u.lang),
                example: e.clone(),
                intent: u.intent,
                destination: u.destination,
                confidence: u.confidence,
                lang: u.lang,
            }
        })
        .collect();
    Report { outcomes }
}

/// k-fold cross-validation on labelled utterances: for each fold, train on the knowledge base
/// plus the other folds and test on the fold (never on it). Folds are assigned round-robin
/// within each intent so every fold sees every intent.
pub fn cross_validate(
    kb: &Kb,
    cfg: &NluConfig,
    examples: &[Example],
    k: usize,
) -> Result<Report, crate::NluError> {
    let k = k.max(2);
    let mut fold_of = vec![0usize; examples.len()];
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, e) in examples.iter().enumerate() {
        let c = seen.entry(e.intent.as_str()).or_default();
        fold_of[i] = *c % k;
        *c += 1;
    }
    let base = kb.training_phrases();
    let mut outcomes = Vec::new();
    for fold in 0..k {
        let mut train = base.clone();
        let mut test = Vec::new();
        for (i, e) in examples.iter().enumerate() {
            if fold_of[i] == fold {
                test.push(e.clone());
            } else {
                train.push((e.text.clone(), e.intent.clone()));
            }
        }
        let nlu = Nlu::with_training(kb.clone(), cfg.clone(), &train)?;
        outcomes.extend(evaluate(&nlu, &test).outcomes);
    }
    Ok(Report { outcomes })
}

/// k-fold cross-validation on the knowledge base's own phrases (no dev data at all): a check
/// that the classifier generalises beyond the phrases it memorised.
pub fn cross_validate_kb(kb: &Kb, cfg: &NluConfig, k: usize) -> Result<Report, crate::NluError> {
    let k = k.max(2);
    let phrases = kb.training_phrase_groups();
    let mut outcomes = Vec::new();
    for fold in 0..k {
        let train: Vec<(String, String)> = phrases
            .iter()
            .filter(|(_, _, g)| g % k != fold)
            .map(|(t, l, _)| (t.clone(), l.clone()))
            .collect();
        let test: Vec<Example> = phrases
            .iter()
            .filter(|(_, _, g)| g % k == fold)
            .map(|(t, l, _)| Example {
                text: t.clone(),
                intent: l.clone(),
                destination: None,
            })
            .collect();
        let nlu = Nlu::with_training(kb.clone(), cfg.clone(), &train)?;
        outcomes.extend(evaluate(&nlu, &test).outcomes);
    }
    Ok(Report { outcomes })
}
