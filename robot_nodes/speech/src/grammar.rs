//! Phrase grammars that a recognizer can actually use: phrases mapped onto the model's own words.
//!
//! Vosk grammars are word-level. A word outside the model's vocabulary is dropped by libvosk with
//! only a warning, and the grammar then behaves as a loop of the remaining words. So a phrase is
//! only handed over when every one of its words is in the model's vocabulary, after:
//! 1. normalisation (lower case, punctuation removed, whitespace collapsed),
//! 2. a respelling table for words the model spells differently (loanwords: "vneid" → "v n e i d"),
//! 3. segmentation of an unknown word into known words with the fewest pieces (the Korean model's
//!    words are morpheme-split: "있어요" → "있어 요").
//!
//! A phrase that still has an unknown word is dropped and reported; nothing unknown reaches the
//! engine. The vocabulary comes from `graph/words.txt`, or from the word symbol table stored in
//! the model's `graph/Gr.fst` / `graph/HCLG.fst` (OpenFst binary header), read without loading the
//! graph itself.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::SpeechError;
use crate::ports::Grammar;

/// The words a recognition model knows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    words: HashSet<String>,
    longest_chars: usize,
    has_unk: bool,
}

/// Symbols that are not words.
fn is_special(w: &str) -> bool {
    w.is_empty()
        || w.starts_with('<')
        || w.starts_with('#')
        || w.starts_with('!')
        || w.starts_with('[')
        || w == "<eps>"
}

impl Vocabulary {
    /// A vocabulary from words (special symbols such as `<eps>`, `#0`, `!SIL`, `[unk]` skipped).
    pub fn from_words<I, S>(words: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut v = Self::default();
        for w in words {
            let w = w.as_ref().trim();
            if w == "[unk]" {
                v.has_unk = true;
            }
            if !is_special(w) {
                v.longest_chars = v.longest_chars.max(w.chars().count());
                v.words.insert(w.to_string());
            }
        }
        v
    }

    /// Parses a Kaldi `words.txt` (`word id` per line).
    pub fn from_words_txt(text: &str) -> Self {
        Self::from_words(text.lines().filter_map(|l| l.split_whitespace().next()))
    }

    /// Reads the output word symbols stored in an OpenFst binary file's header (the file is read
    /// only as far as the symbol tables; at most `limit` bytes).
    pub fn from_fst_header(r: &mut impl Read, what: &str) -> Result<Self, SpeechError> {
        let bad = |reason: String| SpeechError::Engine {
            engine: "vocabulary",
            reason: format!("{what}: {reason}"),
        };
        let mut rd = FstReader { r, read: 0 };
        let magic = rd.i32().map_err(&bad)?;
        if magic != FST_MAGIC {
            return Err(bad(format!("not an OpenFst file (magic {magic:#x})")));
        }
        let _fst_type = rd.string().map_err(&bad)?;
        let _arc_type = rd.string().map_err(&bad)?;
        let _version = rd.i32().map_err(&bad)?;
        let flags = rd.i32().map_err(&bad)?;
        let _properties = rd.u64().map_err(&bad)?;
        let _start = rd.u64().map_err(&bad)?;
        let _states = rd.u64().map_err(&bad)?;
        let _arcs = rd.u64().map_err(&bad)?;
        const HAS_ISYMBOLS: i32 = 1;
        const HAS_OSYMBOLS: i32 = 2;
        if flags & HAS_OSYMBOLS == 0 {
            return Err(bad("stores no word symbol table".into()));
        }
        if flags & HAS_ISYMBOLS != 0 {
            rd.symbol_table(|_| {}).map_err(&bad)?;
        }
        let mut words = Vec::new();
        rd.symbol_table(|w| words.push(w)).map_err(&bad)?;
        Ok(Self::from_words(words))
    }

    /// The vocabulary of a Vosk/Kaldi model folder: `graph/words.txt`, else the word symbols of
    /// `graph/Gr.fst`, else of `graph/HCLG.fst`.
    pub fn from_model_dir(dir: &Path) -> Result<Self, SpeechError> {
        let graph = dir.join("graph");
        let words = graph.join("words.txt");
        if words.is_file() {
            let text = std::fs::read_to_string(&words).map_err(|e| SpeechError::Engine {
                engine: "vocabulary",
                reason: format!("{}: {e}", words.display()),
            })?;
            return Ok(Self::from_words_txt(&text));
        }
        let mut tried: Vec<PathBuf> = vec![words];
        for name in ["Gr.fst", "HCLG.fst"] {
            let p = graph.join(name);
            if p.is_file() {
                let f = std::fs::File::open(&p).map_err(|e| SpeechError::Engine {
                    engine: "vocabulary",
                    reason: format!("{}: {e}", p.display()),
                })?;
                let mut r = std::io::BufReader::new(f).take(MAX_HEADER_BYTES);
                return Self::from_fst_header(&mut r, &p.display().to_string());
            }
            tried.push(p);
        }
        Err(SpeechError::Engine {
            engine: "vocabulary",
            reason: format!(
                "no word list in {}: looked for {}",
                dir.display(),
                tried
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// True if the model has the unknown-word token `[unk]` (a grammar may then end with it; the
    /// Korean test model has none).
    pub fn has_unk(&self) -> bool {
        self.has_unk
    }

    /// True if the model knows `word` exactly.
    pub fn contains(&self, word: &str) -> bool {
        self.words.contains(word)
    }

    /// Splits `word` into the fewest known words (None if impossible). Words longer than 40
    /// characters are not tried.
    pub fn segment(&self, word: &str) -> Option<Vec<String>> {
        if self.contains(word) {
            return Some(vec![word.to_string()]);
        }
        let chars: Vec<char> = word.chars().collect();
        let n = chars.len();
        if n == 0 || n > 40 {
            return None;
        }
        // best[i]: fewest pieces covering chars[..i], with the start of the last piece.
        let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
        best[0] = Some((0, 0));
        for end in 1..=n {
            let lo = end.saturating_sub(self.longest_chars.max(1));
            for start in lo..end {
                let Some((pieces, _)) = best[start] else {
                    continue;
                };
                let piece: String = chars[start..end].iter().collect();
                if self.contains(&piece) && best[end].is_none_or(|(p, _)| pieces + 1 < p) {
                    best[end] = Some((pieces + 1, start));
                }
            }
        }
        best[n]?;
        let mut out = Vec::new();
        let mut end = n;
        while end > 0 {
            let (_, start) = best[end]?;
            out.push(chars[start..end].iter().collect());
            end = start;
        }
        out.reverse();
        Some(out)
    }
}

const FST_MAGIC: i32 = 2_125_659_606;
const SYMBOL_TABLE_MAGIC: i32 = 2_125_658_996;
/// Largest header read for a symbol table (the Korean model's is 11 MB for 503 k words).
const MAX_HEADER_BYTES: u64 = 64 << 20;

struct FstReader<'a, R: Read> {
    r: &'a mut R,
    read: u64,
}

impl<R: Read> FstReader<'_, R> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut b = [0u8; N];
        self.r
            .read_exact(&mut b)
            .map_err(|e| format!("truncated header after {} bytes ({e})", self.read))?;
        self.read += N as u64;
        Ok(b)
    }
    fn i32(&mut self) -> Result<i32, String> {
        self.bytes::<4>().map(i32::from_le_bytes)
    }
    fn u64(&mut self) -> Result<u64, String> {
        self.bytes::<8>().map(u64::from_le_bytes)
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.i32()?;
        if !(0..=1 << 20).contains(&n) {
            return Err(format!("bad string length {n}"));
        }
        let mut b = vec![0u8; n as usize];
        self.r
            .read_exact(&mut b)
            .map_err(|e| format!("truncated string ({e})"))?;
        self.read += n as u64;
        String::from_utf8(b).map_err(|_| "a symbol is not UTF-8".to_string())
    }
    fn symbol_table(&mut self, mut each: impl FnMut(String)) -> Result<(), String> {
        let magic = self.i32()?;
        if magic != SYMBOL_TABLE_MAGIC {
            return Err(format!("bad symbol table magic {magic:#x}"));
        }
        let _name = self.string()?;
        let _available_key = self.u64()?;
        let size = self.u64()?;
        if size > 50_000_000 {
            return Err(format!("implausible symbol table size {size}"));
        }
        for _ in 0..size {
            let s = self.string()?;
            let _key = self.u64()?;
            each(s);
        }
        Ok(())
    }
}

/// Lower case, punctuation removed (letters, digits, marks, apostrophes and hyphens inside words
/// kept), whitespace collapsed.
pub fn normalize_phrase(p: &str) -> String {
    let cleaned: String = p
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '\'' || is_mark(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_mark(c: char) -> bool {
    // Combining diacritics (decomposed Vietnamese input).
    ('\u{0300}'..='\u{036f}').contains(&c)
}

/// What [`build_grammar`] made and what it left out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GrammarReport {
    /// The grammar: every word of every phrase is in the vocabulary.
    pub grammar: Grammar,
    /// Phrases offered (after normalisation, de-duplicated).
    pub offered: usize,
    /// Phrases dropped, each with its unknown words.
    pub dropped: Vec<(String, Vec<String>)>,
    /// Phrases changed on the way (original → what the grammar holds).
    pub mapped: Vec<(String, String)>,
    /// Phrases beyond `max_phrases`, left out.
    pub truncated: usize,
}

impl GrammarReport {
    /// One line for the log: kept, dropped, mapped, with a few examples of what was dropped.
    pub fn summary(&self) -> String {
        let examples: Vec<String> = self
            .dropped
            .iter()
            .take(5)
            .map(|(p, w)| format!("{p:?} (unknown: {})", w.join(", ")))
            .collect();
        format!(
            "{} of {} phrases kept ({} mapped onto the model's words, {} dropped for unknown words, {} over the limit){}{}",
            self.grammar.phrases().len(),
            self.offered,
            self.mapped.len(),
            self.dropped.len(),
            self.truncated,
            if examples.is_empty() { "" } else { "; dropped e.g. " },
            examples.join("; ")
        )
    }
}

/// Maps `phrases` onto `vocab` (respellings first, then segmentation) and keeps those whose every
/// word is known, at most `max_phrases`. `respell` maps a normalised word to its spelling in the
/// model (several words allowed, e.g. `("wifi", "wai phai")`).
pub fn build_grammar<I, S>(
    phrases: I,
    vocab: &Vocabulary,
    respell: &[(&str, &str)],
    max_phrases: usize,
) -> GrammarReport
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut seen: HashSet<String> = HashSet::new();
    let mut report = GrammarReport::default();
    let mut kept: Vec<String> = Vec::new();
    let mut kept_set: HashSet<String> = HashSet::new();
    for p in phrases {
        let norm = normalize_phrase(p.as_ref());
        if norm.is_empty() || !seen.insert(norm.clone()) {
            continue;
        }
        report.offered += 1;
        let mut out: Vec<String> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for w in norm.split_whitespace() {
            let spelled = respell
                .iter()
                .find(|(from, _)| *from == w)
                .map_or(w, |(_, to)| *to);
            for piece in spelled.split_whitespace() {
                match vocab.segment(piece) {
                    Some(parts) => out.extend(parts),
                    None => unknown.push(piece.to_string()),
                }
            }
        }
        if !unknown.is_empty() {
            report.dropped.push((norm, unknown));
            continue;
        }
        let mapped = out.join(" ");
        if !kept_set.insert(mapped.clone()) {
            continue;
        }
        if kept.len() >= max_phrases {
            report.truncated += 1;
            continue;
        }
        if mapped != norm {
            report.mapped.push((norm, mapped.clone()));
        }
        kept.push(mapped);
    }
    report.grammar = Grammar::new(kept);
    report
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn fst_bytes(words: &[&str]) -> Vec<u8> {
        let mut b = Vec::new();
        let s = |b: &mut Vec<u8>, t: &str| {
            b.extend((t.len() as i32).to_le_bytes());
            b.extend(t.as_bytes());
        };
        b.extend(FST_MAGIC.to_le_bytes());
        s(&mut b, "ngram");
        s(&mut b, "standard");
        b.extend(4i32.to_le_bytes());
        b.extend(2i32.to_le_bytes()); // output symbols only
        for _ in 0..4 {
            b.extend(0u64.to_le_bytes());
        }
        b.extend(SYMBOL_TABLE_MAGIC.to_le_bytes());
        s(&mut b, "words.txt");
        b.extend((words.len() as u64).to_le_bytes());
        b.extend((words.len() as u64).to_le_bytes());
        for (i, w) in words.iter().enumerate() {
            s(&mut b, w);
            b.extend((i as u64).to_le_bytes());
        }
        b.extend([0u8; 16]); // the graph would follow
        b
    }

    #[test]
    fn reads_words_from_an_fst_header_and_refuses_other_files() {
        let b = fst_bytes(&["<eps>", "!SIL", "물", "은", "어디", "#0", "<s>"]);
        let v = Vocabulary::from_fst_header(&mut b.as_slice(), "t").unwrap();
        assert_eq!(v.len(), 3);
        assert!(v.contains("어디") && !v.contains("<eps>") && !v.contains("#0"));
        let e = Vocabulary::from_fst_header(&mut &b"hello world"[..], "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an OpenFst file"), "{e}");
        let e = Vocabulary::from_fst_header(&mut &b[..40], "t")
            .unwrap_err()
            .to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn words_txt_parses() {
        let v = Vocabulary::from_words_txt("<eps> 0\nnhà 1\nvệ 2\nsinh 3\n#0 4\n");
        assert_eq!(v.len(), 3);
        assert!(v.contains("sinh"));
    }

    #[test]
    fn segmentation_prefers_fewest_pieces() {
        let v = Vocabulary::from_words(["있어", "요", "있", "어", "어디", "에"]);
        assert_eq!(v.segment("있어요").unwrap(), vec!["있어", "요"]);
        assert_eq!(v.segment("어디에").unwrap(), vec!["어디", "에"]);
        assert!(v.segment("화장실").is_none());
        assert!(v.segment("").is_none());
    }

    #[test]
    fn grammar_keeps_only_known_words_and_reports_the_rest() {
        let v = Vocabulary::from_words(["nhà", "vệ", "sinh", "ở", "đâu", "v", "n", "e", "i", "d"]);
        let r = build_grammar(
            [
                "Nhà vệ sinh ở đâu?",
                "nhà vệ sinh ở đâu",
                "VNeID ở đâu",
                "wifi ở đâu",
                "",
            ],
            &v,
            &[("vneid", "v n e i d")],
            100,
        );
        assert_eq!(r.offered, 3);
        assert_eq!(
            r.grammar.phrases(),
            &["nhà vệ sinh ở đâu", "v n e i d ở đâu"]
        );
        assert_eq!(
            r.dropped,
            vec![("wifi ở đâu".to_string(), vec!["wifi".to_string()])]
        );
        assert_eq!(r.mapped.len(), 1);
        for p in r.grammar.phrases() {
            for w in p.split_whitespace() {
                assert!(v.contains(w), "{w} is not in the vocabulary");
            }
        }
        assert!(
            r.summary().contains("2 of 3 phrases kept"),
            "{}",
            r.summary()
        );
        let small = build_grammar(["nhà", "vệ", "sinh"], &v, &[], 2);
        assert_eq!((small.grammar.phrases().len(), small.truncated), (2, 1));
    }
}
