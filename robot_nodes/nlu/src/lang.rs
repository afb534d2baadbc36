//! Vietnamese / English language identification.
//!
//! Diacritics decide at once. Without them, each word votes by the lexicons: Vietnamese
//! syllables and English words seen in the knowledge base (answers and example phrases), plus a
//! small built-in core of each. Words found in both lexicons ("to", "me", "can") do not vote.
//! Ties go to Vietnamese, the lobby's main language.

use std::collections::HashSet;

use crate::kb::{Kb, Language};
use crate::normalize::{normalize, Normalized};

const EN_CORE: &[&str] = &[
    "the", "a", "an", "is", "are", "i", "you", "me", "my", "your", "what", "where", "how", "can",
    "could", "do", "does", "please", "to", "for", "of", "in", "on", "here", "there", "want",
    "need", "help", "with", "and", "it", "this", "that", "get", "take", "hello", "hi", "thanks",
    "thank", "yes", "no", "bye", "goodbye", "sorry", "would", "like", "when", "which", "who",
    "why", "have", "has", "be", "am", "was", "will", "should", "from", "at", "about", "some",
    "any", "free", "much", "many", "time", "open", "close", "where's", "what's", "ok",
];

const VI_CORE: &[&str] = &[
    "toi", "em", "anh", "chi", "bac", "chau", "co", "khong", "la", "gi", "dau", "cho", "lam",
    "the", "nao", "duoc", "muon", "can", "di", "den", "voi", "nhe", "oi", "a", "o", "day", "nay",
    "vay", "sao", "bao", "nhieu", "giay", "to", "thu", "tuc", "ho", "so", "cua", "nguoi", "con",
    "me", "bo", "ong", "ba", "xin", "chao", "cam", "on", "tam", "biet", "hoi", "phai", "mat",
    "may", "gio", "ngay", "thang", "nam", "roi", "chua", "cai", "nha", "dang", "ki", "ve", "ra",
    "vao", "hay", "va", "thi", "ma", "nhu", "lai", "tren", "duoi", "ai", "minh", "ban", "dan",
];

/// One of the commonest Vietnamese syllables in its plain form ("cho", "ban", "co"): many are words
/// as they stand, so a plain one is not taken for an accented word it could also be.
pub(crate) fn is_core_vi(plain: &str) -> bool {
    VI_CORE.contains(&plain)
}

/// Language identifier built from the knowledge base.
#[derive(Debug, Clone)]
pub struct LangId {
    en: HashSet<String>,
    vi: HashSet<String>,
    en_core: HashSet<String>,
    vi_core: HashSet<String>,
}

/// The plain normalized forms of a word list (so "my" is looked up as the normalizer writes it).
fn normalized_set(words: &[&str]) -> HashSet<String> {
    words
        .iter()
        .flat_map(|w| normalize(w).tokens)
        .map(|t| t.plain)
        .collect()
}

impl LangId {
    /// Build the lexicons from the knowledge base.
    pub fn new(kb: &Kb) -> LangId {
        let en_core = normalized_set(EN_CORE);
        let vi_core = normalized_set(VI_CORE);
        let mut en = en_core.clone();
        let mut vi = vi_core.clone();
        let add = |set: &mut HashSet<String>, text: &str| {
            for t in normalize(text).tokens {
                if !t.is_number() {
                    set.insert(t.plain);
                }
            }
        };
        for e in kb.intents.values() {
            add(&mut vi, &e.spoken.vi);
            add(&mut en, &e.spoken.en);
            for ex in &e.examples {
                let n = normalize(ex);
                if n.vietnamese_words > 0 {
                    add(&mut vi, ex);
                } else {
                    let core = n
                        .tokens
                        .iter()
                        .filter(|t| en_core.contains(&t.plain))
                        .count();
                    let vic = n
                        .tokens
                        .iter()
                        .filter(|t| vi_core.contains(&t.plain))
                        .count();
                    if core > vic {
                        add(&mut en, ex);
                    } else {
                        add(&mut vi, ex);
                    }
                }
            }
            if let Some(t) = &e.templates {
                for s in &t.vi {
                    add(&mut vi, s);
                }
                for s in &t.en {
                    add(&mut en, s);
                }
            }
        }
        for p in kb.places.values() {
            add(&mut vi, &p.name.vi);
            add(&mut en, &p.name.en);
        }
        LangId {
            en,
            vi,
            en_core,
            vi_core,
        }
    }

    /// The language of a normalized utterance.
    pub fn identify(&self, n: &Normalized) -> Language {
        if n.vietnamese_words > 0 {
            return Language::Vi;
        }
        let mut en = 0i32;
        let mut vi = 0i32;
        for t in &n.tokens {
            if t.is_number() {
                continue;
            }
            let in_en = self.en.contains(&t.plain);
            let in_vi = self.vi.contains(&t.plain);
            match (in_en, in_vi) {
                (true, false) => en += 2,
                (false, true) => vi += 2,
                (true, true) => {
                    // Shared words: the built-in cores break the tie.
                    if self.en_core.contains(&t.plain) {
                        en += 1;
                    }
                    if self.vi_core.contains(&t.plain) {
                        vi += 1;
                    }
                }
                (false, false) => {
                    // Unknown words: English spelling often has letter clusters Vietnamese
                    // syllables never have.
                    if looks_english(&t.plain) {
                        en += 1;
                    }
                }
            }
        }
        if en > vi {
            Language::En
        } else {
            Language::Vi
        }
    }
}

/// Vietnamese syllables end only in vowels or c, ch, m, n, ng, nh, p, t; anything else, or a
/// consonant cluster Vietnamese has no onset for, suggests an English word.
fn looks_english(w: &str) -> bool {
    let last = w.chars().last();
    let ends_ok = match last {
        None => true,
        Some(c) if "aeiouy".contains(c) => true,
        Some(c) => matches!(c, 'c' | 'h' | 'm' | 'n' | 'g' | 'p' | 't'),
    };
    let clusters = [
        "bl", "br", "cl", "cr", "dr", "fl", "fr", "gl", "gr", "pl", "pr", "sc", "sk", "sl", "sm",
        "sn", "sp", "st", "sw", "tw", "wh", "wr", "ck", "ss", "ll", "ee", "oo", "w", "f", "j", "z",
    ];
    !ends_ok || clusters.iter().any(|c| w.contains(c))
}
