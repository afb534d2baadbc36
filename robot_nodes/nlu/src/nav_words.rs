//! Does a navigation question name something that is not in the centre? "Đổi ngoại tệ ở đâu",
//! "where can I exchange money": the classifier reads "ở đâu"/"where" as navigation, because the
//! navigation phrases are many and share those words. With no place found, the robot used to ask
//! "where would you like to go?", which answers nothing. When such a question holds a word that
//! no navigation phrase and no place name contains, the citizen named a place or service the
//! centre does not have: that is out of scope, and the robot says what it can help with.
//!
//! A bare "take me there" or "chỗ đó ở đâu" is made of navigation words only and stays navigation;
//! so does a partly heard place name ("nhà về sinh"), whose words are place words, and an answer to
//! the robot's offer ("vâng, cháu dẫn bác đi nhé"), whose extra words are [`PARTICLES`].

use std::collections::HashSet;

use crate::catalog;
use crate::kb::{Kb, Language};
use crate::normalize::{normalize, Normalized};

/// Yes, no, politeness, fillers and forms of address (diacritic-free), in both languages: words
/// that can come with any request and never name a place.
pub const PARTICLES: &[&str] = &[
    // vi
    "vang", "da", "u", "um", "uh", "a", "oi", "nhe", "nha", "thoi", "vay", "the", "nhi", "ha", "ok",
    "oke", "okay", "duoc", "roi", "co", "khong", "dung", "phai", "chu", "nao", "luon", "gium",
    "giup", "ho", "bac", "chau", "em", "anh", "chi", "ong", "ba", "toi", "con", "minh", "cu",
    "voi", "di", "nay", "kia", "ay", // en
    "yes", "yeah", "yep", "sure", "please", "thanks", "thank", "you", "alright", "right", "fine",
    "good", "great", "well", "oh", "hmm", "so", "then", "now", "lets", "let", "go", "come", "on",
    "no", "sorry", "excuse", "me", "hello", "hi",
];

/// Every word (diacritic-free) of the navigation training phrases and of the place names, and the
/// [`PARTICLES`].
#[derive(Debug, Clone, Default)]
pub struct NavWords {
    known: HashSet<String>,
}

impl NavWords {
    /// From the (text, intent) training pairs of the navigation intents and the knowledge base's
    /// place names in both languages.
    pub fn new<'a>(kb: &Kb, data: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut known: HashSet<String> = PARTICLES.iter().map(|p| p.to_string()).collect();
        let nav = data
            .into_iter()
            .filter(|(_, intent)| catalog::takes_destination(intent))
            .map(|(text, _)| text.to_string());
        let places = [Language::Vi, Language::En]
            .into_iter()
            .flat_map(|l| kb.place_phrases(l));
        for text in nav.chain(places) {
            known.extend(normalize(&text).tokens.into_iter().map(|t| t.plain));
        }
        NavWords { known }
    }

    /// The words of `n` that no navigation phrase or place name contains (numbers excepted).
    pub fn unknown<'a>(&'a self, n: &'a Normalized) -> impl Iterator<Item = &'a str> + 'a {
        n.tokens
            .iter()
            .filter(|t| !t.is_number() && !self.known.contains(&t.plain))
            .map(|t| t.plain.as_str())
    }

    /// Does `n` hold a word that no navigation phrase or place name contains?
    pub fn has_unknown(&self, n: &Normalized) -> bool {
        self.unknown(n).next().is_some()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn words_outside_navigation_and_places_are_unknown() {
        let kb = Kb::embedded().unwrap();
        let data = kb.training_phrases();
        let w = NavWords::new(&kb, data.iter().map(|(t, l)| (t.as_str(), l.as_str())));
        assert!(!w.has_unknown(&normalize("nhà vệ sinh ở đâu")));
        assert!(!w.has_unknown(&normalize("take me there please")));
        assert!(!w.has_unknown(&normalize("Vâng, cháu dẫn bác đi nhé")));
        assert!(!w.has_unknown(&normalize("ok yes please lead the way")));
        assert!(!w.has_unknown(&normalize("dẫn bác ra quầy 7 với")));
        let n = normalize("where can i exchange money");
        assert_eq!(w.unknown(&n).collect::<Vec<_>>(), ["exchange", "money"]);
        // "tệ" is known ("y tế" is a place word without diacritics); "ngoại" is not.
        let n = normalize("đổi ngoại tệ ở đâu");
        assert!(w.unknown(&n).any(|u| u == "ngoai"));
    }
}
