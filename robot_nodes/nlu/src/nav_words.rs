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
    /// Every word (diacritic-free) of the place names and aliases.
    place_words: HashSet<String>,
    /// The place names and aliases, normalized, as written.
    place_phrases: Vec<Vec<crate::normalize::Token>>,
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
        let places: Vec<String> = places.collect();
        let place_phrases: Vec<Vec<_>> = places.iter().map(|p| normalize(p).tokens).collect();
        let place_words: HashSet<String> = place_phrases
            .iter()
            .flatten()
            .map(|t| t.plain.clone())
            .collect();
        for text in nav.chain(places) {
            known.extend(normalize(&text).tokens.into_iter().map(|t| t.plain));
        }
        NavWords {
            known,
            place_words,
            place_phrases,
        }
    }

    /// Does `n` name a place of the city ([`names_outside_place`]) that no place of the centre
    /// has: a one-word entry by a word no place name holds ("train station" counts, "water
    /// station" does not), a longer one as a phrase no place name holds ("công an" counts, though
    /// "cổng dịch vụ công" and English "an" hold its words).
    pub fn names_outside_place(&self, n: &Normalized) -> bool {
        outside_place_words(n, |words| match words {
            [one] => !self.place_words.contains(&one.plain),
            _ => !self.place_phrases.iter().any(|p| {
                p.windows(words.len()).any(|w| {
                    w.iter().zip(words).all(|(a, b)| {
                        a.plain == b.plain && (!b.has_diacritics() || a.text == b.text)
                    })
                })
            }),
        })
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

/// Kinds of place found in the city, not in the centre: a landmark, a street, a market, another
/// office. Asked for with a where or guide cue, they are out of scope (the robot only knows the
/// centre's own map), even when a word of the question also names a place of the centre ("đường
/// ra phố …", "the way to the lake"). Accented words match only an accented or a diacritic-free
/// word; a diacritic-free entry never counts when its accented form is ambiguous (`hồ` also
/// starts "hồ sơ", so only accented `hồ` not followed by `sơ` counts).
const OUTSIDE_PLACES: &[&[&str]] = &[
    // vi
    &["hồ", "gươm"],
    &["hồ", "hoàn", "kiếm"],
    &["hồ", "tây"],
    &["phố", "cổ"],
    &["chợ"],
    &["bệnh", "viện"],
    &["ngân", "hàng"],
    &["bến", "xe"],
    &["xe", "buýt"],
    &["sân", "bay"],
    &["nhà", "ga"],
    &["ga", "tàu"],
    &["bưu", "điện"],
    &["công", "an"],
    &["ủy", "ban"],
    &["uỷ", "ban"],
    &["sở", "tư", "pháp"],
    &["sở", "xây", "dựng"],
    &["sở", "kế", "hoạch"],
    &["tòa", "án"],
    &["toà", "án"],
    &["chi", "cục", "thuế"],
    &["cục", "thuế"],
    &["kho", "bạc"],
    &["nhà", "thuốc"],
    &["hiệu", "thuốc"],
    &["khách", "sạn"],
    &["nhà", "hàng"],
    &["siêu", "thị"],
    &["trung", "tâm", "thương", "mại"],
    &["công", "viên"],
    &["nhà", "thờ"],
    &["chùa"],
    &["lăng"],
    &["đại", "sứ", "quán"],
    &["trường", "học"],
    &["đại", "học"],
    &["cây", "xăng"],
    &["quán", "phở"],
    &["quán", "ăn"],
    &["trụ", "sở"],
    &["nhà", "văn", "hóa"],
    &["nhà", "văn", "hoá"],
    &["trường", "mầm", "non"],
    &["mẫu", "giáo"],
    // en
    &["lake"],
    &["street"],
    &["market"],
    &["hospital"],
    &["bank"],
    &["station"],
    &["train"],
    &["bus"],
    &["airport"],
    &["post", "office"],
    &["pharmacy"],
    &["drugstore"],
    &["police"],
    &["museum"],
    &["hotel"],
    &["restaurant"],
    &["old", "quarter"],
    &["embassy"],
    &["consulate"],
    &["pagoda"],
    &["temple"],
    &["church"],
    &["park"],
    &["mall"],
    &["supermarket"],
    &["university"],
    &["cathedral"],
    &["mausoleum"],
    &["atm"],
    // banks by name: "What time does Vietcombank close on Saturdays?"
    &["vietcombank"],
    &["vietinbank"],
    &["agribank"],
    &["bidv"],
    &["techcombank"],
    &["vpbank"],
    &["mbbank"],
    &["sacombank"],
    &["tpbank"],
    &["cash", "machine"],
    &["headquarters"],
    &["head", "office"],
];

/// Another agency's own office ("trụ sở bảo hiểm xã hội quận", "the tax department's head
/// office"): out of the centre even when the classifier is sure of the procedure it handles.
const OTHER_OFFICES: &[&[&str]] = &[&["trụ", "sở"], &["headquarters"], &["head", "office"]];

/// Does `n` ask for another agency's own office ([`OTHER_OFFICES`])?
/// Not an office's address that changes ("chuyển địa chỉ trụ sở công ty": the company's own
/// registration).
pub fn names_other_office(n: &Normalized) -> bool {
    let t = &n.tokens;
    OTHER_OFFICES.iter().any(|seq| {
        (0..t.len().saturating_sub(seq.len() - 1)).any(|i| {
            seq.iter().zip(&t[i..]).all(|(e, x)| word_matches(x, e))
                && !(i > 0 && matches!(t[i - 1].plain.as_str(), "chi" | "address"))
        })
    })
}

/// Words that place the thing asked for around the centre, not in it: "near here", "the
/// nearest", "gần đây", "quanh đây". The centre's own places are named by what they are.
const NEAR_HERE: &[&[&str]] = &[
    &["gan", "day"],
    &["gan", "nhat"],
    &["quanh", "day"],
    &["gan", "cho", "nay"],
    &["gan", "khu", "nay"],
    &["near", "here"],
    &["nearby"],
    &["nearest"],
    &["around", "here"],
    &["close", "by"],
];

/// Does `n` ask for something near the centre ([`NEAR_HERE`])? Not "dạo/thời gian gần đây"
/// (recently), nor "gần đây tôi mới …" (lately I …); "… gần đây em" ends with its addressee.
pub fn asks_near_here(n: &Normalized) -> bool {
    let t = &n.tokens;
    NEAR_HERE.iter().any(|seq| {
        (0..t.len().saturating_sub(seq.len() - 1)).any(|i| {
            seq.iter().zip(&t[i..]).all(|(e, x)| x.plain == *e)
                && !(seq[0] == "gan"
                    && i > 0
                    && matches!(t[i - 1].plain.as_str(), "dao" | "gian" | "khi"))
                && !(seq.get(1) == Some(&"day")
                    && t.len() > i + 4
                    && t.get(i + 2).is_some_and(|x| {
                        matches!(x.plain.as_str(), "toi" | "minh" | "em" | "chau")
                    }))
        })
    })
}

/// The single accented words that name a city place only in their accented form, and do not
/// when followed by the listed word ("hồ sơ" is a dossier, "thành phố" the city itself).
fn outside_word(n: &Normalized, i: usize) -> bool {
    let t = &n.tokens;
    let next = t.get(i + 1).map(|x| x.plain.as_str());
    let prev = i.checked_sub(1).map(|j| t[j].plain.as_str());
    match t[i].text.as_str() {
        "hồ" => next != Some("so") && next != Some("sơ"),
        "phố" => prev != Some("thanh") && prev != Some("duong"),
        _ => false,
    }
}

fn word_matches(input: &crate::normalize::Token, entry: &str) -> bool {
    if input.has_diacritics() {
        input.text == entry
    } else {
        input.plain == crate::normalize::strip_diacritics(entry)
    }
}

/// Does `n` name a place of the city (a landmark, a street, a market, another office)?
pub fn names_outside_place(n: &Normalized) -> bool {
    outside_place_words(n, |_| true)
}

/// Like [`names_outside_place`], counting only entries whose words in `n` `telling` accepts.
fn outside_place_words(
    n: &Normalized,
    telling: impl Fn(&[crate::normalize::Token]) -> bool,
) -> bool {
    let t = &n.tokens;
    (0..t.len()).any(|i| {
        (outside_word(n, i) && telling(&t[i..=i]))
            || OUTSIDE_PLACES.iter().any(|seq| {
                i + seq.len() <= t.len()
                    && seq.iter().zip(&t[i..]).all(|(e, x)| word_matches(x, e))
                    && telling(&t[i..i + seq.len()])
                    // a one-word Vietnamese entry typed without diacritics is too ambiguous
                    // ("cho" is also "for")
                    && (seq.len() > 1
                        || t[i].has_diacritics()
                        || crate::normalize::strip_diacritics(seq[0]) == seq[0])
            })
    })
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

    #[test]
    fn city_places_are_outside_and_centre_words_are_not() {
        for t in [
            "hồ gươm đi lối nào",
            "ra phố hàng bài",
            "bệnh viện ở đâu",
            "benh vien o dau",
            "where is the nearest bank",
            "take me to the train station",
            "chợ ở đâu",
        ] {
            assert!(names_outside_place(&normalize(t)), "{t}");
        }
        for t in [
            "hồ sơ của tôi ở đâu",
            "làm hộ chiếu ở đâu",
            "ho so o dau",
            "nhà vệ sinh ở đâu",
            "cho toi hoi quay 5 o dau",
            "chế độ đền ơn đáp nghĩa",
            "bưu chính",
            "where is the restroom",
        ] {
            assert!(!names_outside_place(&normalize(t)), "{t}");
        }
    }
}
