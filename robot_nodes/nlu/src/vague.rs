//! Is an utterance too vague to answer? "đăng ký", "làm giấy", "hồ sơ", "cấp lại": every word in
//! them occurs in the training phrases of many intents, none mostly in one. The classifier still
//! names a best intent, sometimes with high probability (short inputs are poorly calibrated), but
//! answering it would guess. Such an utterance gets a clarification question instead.
//!
//! A word (or a pair of adjacent words) is *generic* when it occurs in at least [`MIN_SUPPORT`]
//! training phrases and no single intent has half of them. An utterance is vague when every word
//! is generic and no pair is specific (supported and with one intent holding half). A word the
//! training phrases rarely or never contain is not generic: it may be the one that matters
//! ("chóng mặt"), so the classifier decides. Diacritics count when the citizen typed them ("mất"
//! and "mặt" differ), and are ignored otherwise.

use std::collections::{HashMap, HashSet};

use crate::kb::Kb;
use crate::normalize::{normalize, Normalized, Token};

/// The intents the rule is about: a procedure, a service or an amenity (not navigation, chat or
/// out of scope).
pub fn answers_a_need(intent: &str) -> bool {
    ["proc.", "service.", "amenity."]
        .iter()
        .any(|p| intent.starts_with(p))
}

/// Phrases a word must occur in before it can be called generic.
pub const MIN_SUPPORT: u32 = 3;
/// The share of a word's phrases that one intent must hold for the word to be specific.
pub const SPECIFIC_SHARE: f32 = 0.5;

/// Per word and word pair: in how many training phrases it occurs, and how many of those belong
/// to the intent that has the most.
#[derive(Debug, Clone, Default)]
pub struct Specificity {
    grams: HashMap<String, (u32, u32)>,
    /// Per word and word pair held mostly by one procedure: that procedure.
    procedure: HashMap<String, String>,
}

/// The share of a word pair's phrases one procedure must hold for the pair to name it.
pub const PROCEDURE_SHARE: f32 = 0.75;
/// A single word must be more telling than a pair to name a procedure.
pub const PROCEDURE_WORD_SHARE: f32 = 0.9;
/// Phrases a single word must occur in to name a procedure.
pub const PROCEDURE_WORD_SUPPORT: u32 = 4;

/// The key a token is looked up by: its accented form when it has one, else its plain form.
fn key(t: &Token) -> String {
    if t.text != t.plain {
        format!("a:{}", t.text)
    } else {
        format!("p:{}", t.plain)
    }
}

/// The keys a token is counted under: its plain form, and its accented form when it has one.
fn keys(t: &Token) -> Vec<String> {
    let mut k = vec![format!("p:{}", t.plain)];
    if t.text != t.plain {
        k.push(key(t));
    }
    k
}

impl Specificity {
    /// Over the knowledge base's own example phrases (not their diacritic-free and filler copies,
    /// which would only cost start-up time, nor any cross-validation fold).
    pub fn from_kb(kb: &Kb) -> Self {
        Self::train(kb.intents.iter().flat_map(|(id, entry)| {
            entry
                .examples
                .iter()
                .map(move |e| (e.as_str(), id.as_str()))
        }))
    }

    /// Count over (text, intent) training pairs of the intents that answer a need (procedures,
    /// services, amenities; see [`answers_a_need`]). Navigation phrases name places ("bàn chữ ký
    /// số ở đâu"), and would make a service's own words look shared.
    pub fn train<'a>(data: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut per: HashMap<String, HashMap<&str, u32>> = HashMap::new();
        for (text, intent) in data {
            if !answers_a_need(intent) {
                continue;
            }
            let words: Vec<Vec<String>> = normalize(text).tokens.iter().map(keys).collect();
            let mut seen = HashSet::new();
            for pair in words.windows(2) {
                // every combination of the two words' keys, so that any lookup finds it
                for a in &pair[0] {
                    for b in &pair[1] {
                        seen.insert(format!("{a} {b}"));
                    }
                }
            }
            seen.extend(words.into_iter().flatten());
            for g in seen {
                *per.entry(g).or_default().entry(intent).or_default() += 1;
            }
        }
        let mut procedure = HashMap::new();
        let grams = per
            .into_iter()
            .map(|(g, by)| {
                let total: u32 = by.values().sum();
                let (best, top) = by
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map_or(("", 0), |(i, n)| (*i, *n));
                let pair = g.contains(' ');
                let (share, support) = if pair {
                    (PROCEDURE_SHARE, MIN_SUPPORT)
                } else {
                    (PROCEDURE_WORD_SHARE, PROCEDURE_WORD_SUPPORT)
                };
                if best.starts_with("proc.")
                    && total >= support
                    && top as f32 >= share * total as f32
                {
                    procedure.insert(g.clone(), best.to_string());
                }
                (g, (total, top))
            })
            .collect();
        Specificity { grams, procedure }
    }

    /// The procedure that the words of `n` name ("gia hạn thẻ bảo hiểm y tế", "lý lịch tư
    /// pháp"): the one most of its telling word pairs (and very telling single words) point to.
    /// `None` when nothing points to a procedure, or two procedures tie.
    pub fn procedure_named(&self, n: &Normalized) -> Option<&str> {
        let words: Vec<String> = n.tokens.iter().map(key).collect();
        let mut votes: HashMap<&str, u32> = HashMap::new();
        for w in &words {
            if let Some(p) = self.procedure.get(w) {
                *votes.entry(p.as_str()).or_default() += 1;
            }
        }
        for w in words.windows(2) {
            if let Some(p) = self.procedure.get(&format!("{} {}", w[0], w[1])) {
                *votes.entry(p.as_str()).or_default() += 2;
            }
        }
        let best = votes.values().copied().max()?;
        let mut top = votes.iter().filter(|(_, v)| **v == best);
        let (p, _) = top.next()?;
        if top.next().is_some() {
            return None;
        }
        Some(p)
    }

    /// `Some(true)` specific, `Some(false)` generic, `None` too rare to say.
    fn specific(&self, g: &str) -> Option<bool> {
        let (total, top) = self.grams.get(g).copied().unwrap_or((0, 0));
        (total >= MIN_SUPPORT).then_some(top as f32 >= SPECIFIC_SHARE * total as f32)
    }

    /// Every word generic and no pair specific (an empty utterance is not vague: it is nothing).
    pub fn is_vague(&self, n: &Normalized) -> bool {
        if n.tokens.is_empty() {
            return false;
        }
        let words: Vec<String> = n.tokens.iter().map(key).collect();
        words.iter().all(|w| self.specific(w) == Some(false))
            && !words
                .windows(2)
                .any(|w| self.specific(&format!("{} {}", w[0], w[1])) == Some(true))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn data() -> Vec<(String, String)> {
        let mut d = Vec::new();
        for (intent, phrases) in [
            (
                "proc.birth",
                &[
                    "đăng ký khai sinh",
                    "làm giấy khai sinh",
                    "khai sinh cho con",
                ][..],
            ),
            (
                "proc.residence",
                &["đăng ký tạm trú", "làm giấy tạm trú", "tạm trú ở đâu"][..],
            ),
            (
                "proc.marriage",
                &["đăng ký kết hôn", "làm giấy kết hôn", "kết hôn cần gì"][..],
            ),
            ("proc.permit", &["xin giấy phép xây dựng"][..]),
            (
                "nav.guide",
                &[
                    "đăng ký khai sinh ở đâu",
                    "khai sinh ở đâu",
                    "dẫn tôi ra chỗ khai sinh",
                ][..],
            ),
        ] {
            for p in phrases {
                d.push((p.to_string(), intent.to_string()));
            }
        }
        d
    }

    #[test]
    fn words_shared_by_many_intents_are_vague_and_one_specific_word_is_enough() {
        let d = data();
        let s = Specificity::train(d.iter().map(|(t, i)| (t.as_str(), i.as_str())));
        let vague = |t: &str| s.is_vague(&normalize(t));
        assert!(vague("đăng ký"));
        assert!(vague("làm giấy"));
        assert!(vague("Đăng ký!"));
        assert!(!vague("khai sinh"));
        assert!(!vague("đăng ký kết hôn"));
        assert!(!vague("dang ky ket hon"));
        // a word the phrases hardly know decides nothing: the classifier does
        assert!(!vague("đăng ký xây dựng"));
        assert!(!vague("chóng mặt"));
        assert!(!vague(""));
    }
}
