//! Vietnamese typed with an input method that misbehaved: the keystrokes of Telex ("ddawng kys",
//! "quaayf 5", "nhaf veej sinh") or VNI ("d9a8ng ky1", "qua6y2 9") left as letters and digits
//! instead of becoming diacritics. A word is repaired only when it is not a Vietnamese syllable as
//! typed, not a word the router knows ("bus", "loo", "toilets": the caller says), and its
//! keystrokes make a syllable; Telex only in an utterance with no common English word ("is",
//! "the", "where"…), since English words also end in s, f, r, x or j. Only what citizens type
//! is repaired, never the knowledge base's phrases.

use std::borrow::Cow;

const GRAVE: char = '\u{0300}';
const ACUTE: char = '\u{0301}';
const TILDE: char = '\u{0303}';
const HOOK: char = '\u{0309}';
const DOT: char = '\u{0323}';

/// Onsets of a Vietnamese syllable, longest first.
const ONSETS: &[&str] = &[
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "th", "tr", "qu", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Final consonants, longest first.
const FINALS: &[&str] = &["ng", "nh", "ch", "c", "m", "n", "p", "t"];

/// The vowel sequences of Vietnamese rimes (with their closing semivowel, if any).
const VOWELS: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "ai", "ao", "au", "ay", "âu", "ây",
    "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe", "oi", "ôi", "ơi", "ua", "uâ", "uê", "ui", "uô",
    "uy", "ưa", "ưi", "ươ", "ưu", "yê", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi",
    "uya", "uyê", "uyu", "ươi", "ươu",
];

/// Vowel sequences a final consonant may follow.
const BEFORE_FINAL: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "iê", "yê", "oa", "oă", "oe", "uâ",
    "uê", "uô", "uy", "ươ", "uyê",
];

/// Common English words: an utterance with one is English, or mixed, and its words ending in s,
/// f, r, x or j are not Telex tones ("bus", "car", "his").
const ENGLISH: &[&str] = &[
    "the", "is", "are", "was", "of", "for", "my", "you", "your", "where", "wher", "can", "does",
    "please", "pls", "plz", "what", "how", "it", "this", "that", "and", "with", "have", "has",
    "need", "want", "get", "take", "help", "speak", "at", "from", "there", "here", "thanks",
    "thank", "hello", "im",
];

/// Whether `s` (lowercase letters with their vowel marks, no tone) is a Vietnamese syllable:
/// an onset, a vowel sequence and a final. "Gi" may also be the onset "g" before "i" ("gìn").
fn is_syllable(s: &str) -> bool {
    let onset = ONSETS
        .iter()
        .find(|o| s.starts_with(*o))
        .map_or(0, |o| o.len());
    is_rime(&s[onset..]) || (s.starts_with("gi") && is_rime(&s[1..]))
}

fn is_rime(rest: &str) -> bool {
    let fin = FINALS
        .iter()
        .find(|f| rest.ends_with(*f))
        .map_or("", |f| *f);
    let vowels = &rest[..rest.len() - fin.len()];
    VOWELS.contains(&vowels) && (fin.is_empty() || BEFORE_FINAL.contains(&vowels))
}

fn tone_of(c: char) -> Option<char> {
    match c {
        's' => Some(ACUTE),
        'f' => Some(GRAVE),
        'r' => Some(HOOK),
        'x' => Some(TILDE),
        'j' => Some(DOT),
        _ => None,
    }
}

/// A Telex word's syllable and tone mark: "quaayf" → "quâ" + "y" with a grave accent. The tone
/// key may come anywhere after a vowel: "vieejt", "vieetj".
fn telex(w: &str) -> Option<String> {
    let mut tone = None;
    let mut seen_vowel = false;
    let mut body = String::with_capacity(w.len());
    for c in w.chars() {
        match tone_of(c) {
            Some(t) if seen_vowel && tone.is_none() => tone = Some(t),
            _ => {
                seen_vowel |= matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
                body.push(c);
            }
        }
    }
    let mut s = body.clone();
    if let Some(rest) = s.strip_prefix("dd") {
        s = format!("đ{rest}");
    }
    for (keys, letters) in [
        ("uwow", "ươ"),
        ("uow", "ươ"),
        ("aa", "â"),
        ("aw", "ă"),
        ("ee", "ê"),
        ("oo", "ô"),
        ("ow", "ơ"),
        ("uw", "ư"),
    ] {
        s = s.replace(keys, letters);
    }
    if s == body && tone.is_none() {
        return None;
    }
    is_syllable(&s).then(|| s.chars().chain(tone).collect())
}

/// A VNI word's syllable and tone mark: "d9a8ng" → "đăng", "ky1" → "ký". At least two letters
/// ("A1", "B2" are licence classes).
fn vni(w: &str) -> Option<String> {
    if w.chars().filter(char::is_ascii_alphabetic).count() < 2
        || !w.chars().any(|c| ('1'..='9').contains(&c))
        || !w.starts_with(|c: char| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut out: Vec<char> = Vec::new();
    let mut tone = None;
    for c in w.chars() {
        let mark = |out: &mut Vec<char>, from: &[char], to: &[char]| -> Option<()> {
            let at = out.iter().rposition(|x| from.contains(x))?;
            let k = from.iter().position(|x| *x == out[at])?;
            out[at] = to[k];
            Some(())
        };
        match c {
            '1' => tone = Some(ACUTE),
            '2' => tone = Some(GRAVE),
            '3' => tone = Some(HOOK),
            '4' => tone = Some(TILDE),
            '5' => tone = Some(DOT),
            '6' => mark(&mut out, &['a', 'e', 'o'], &['â', 'ê', 'ô'])?,
            '7' => mark(&mut out, &['o', 'u'], &['ơ', 'ư'])?,
            '8' => mark(&mut out, &['a'], &['ă'])?,
            '9' => mark(&mut out, &['d'], &['đ'])?,
            c if c.is_ascii_alphabetic() => out.push(c),
            _ => return None,
        }
    }
    let s: String = out.into_iter().collect();
    is_syllable(&s).then(|| s.chars().chain(tone).collect())
}

/// The word repaired, if it is input-method keystrokes.
fn repair_word(w: &str, telex_ok: bool, known: &impl Fn(&str) -> bool) -> Option<String> {
    if !w.is_ascii() || w.len() < 2 {
        return None;
    }
    let lower = w.to_ascii_lowercase();
    if is_syllable(&lower) || known(&lower) {
        return None;
    }
    if lower.bytes().any(|b| b.is_ascii_digit()) {
        return vni(&lower);
    }
    if telex_ok && lower.bytes().all(|b| b.is_ascii_lowercase()) {
        return telex(&lower);
    }
    None
}

/// `text` with every word that is Telex or VNI keystrokes repaired (see the module docs);
/// `known` says whether a lowercase word is one the router knows as it stands.
pub fn repair(text: &str, known: impl Fn(&str) -> bool) -> Cow<'_, str> {
    let telex_ok = !text
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| ENGLISH.contains(&w.to_lowercase().as_str()));
    let mut out = String::with_capacity(text.len() + 16);
    let mut changed = false;
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        match repair_word(word, telex_ok, &known) {
            Some(r) => {
                out.push_str(&r);
                changed = true;
            }
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normalized, after repair with no word known.
    fn normalize_text(text: &str) -> String {
        crate::normalize::normalize_text(&repair(text, |_| false))
    }

    #[test]
    fn telex_keystrokes_become_the_syllables_they_type() {
        assert_eq!(
            normalize_text("ddawng kys khai sinh"),
            normalize_text("đăng ký khai sinh")
        );
        assert_eq!(
            normalize_text("quaayf 5 ở ddaau"),
            normalize_text("quầy 5 ở đâu")
        );
        assert_eq!(
            normalize_text("nhaf veej sinh"),
            normalize_text("nhà vệ sinh")
        );
        assert_eq!(
            normalize_text("nuwowcs uoongs"),
            normalize_text("nước uống")
        );
        assert_eq!(
            normalize_text("tieengs Vieejt"),
            normalize_text("tiếng Việt")
        );
        assert_eq!(
            normalize_text("khoong bieets"),
            normalize_text("không biết")
        );
    }

    #[test]
    fn vni_keystrokes_become_the_syllables_they_type() {
        assert_eq!(normalize_text("d9a8ng ky1"), normalize_text("đăng ký"));
        assert_eq!(normalize_text("qua6y2 9"), normalize_text("quầy 9"));
        assert_eq!(normalize_text("ngu7o7i2"), normalize_text("người"));
    }

    #[test]
    fn words_that_are_not_keystrokes_stay() {
        for said in [
            "nha ve sinh o dau",
            "wifi password",
            "where is the bus stop",
            "my car is outside",
            "bằng lái A1",
            "quầy 5",
            "photo cccd",
            "q5",
        ] {
            assert_eq!(repair(said, |_| false), said, "{said}");
        }
        // a word the router knows stays whatever it looks like
        assert_eq!(repair("bus toilets", |w| w == "bus"), "bus toilets");
        assert_eq!(normalize_text("bus"), "bú");
    }
}
