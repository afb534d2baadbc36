//! Short replies, read in the same pass as the intent ([`crate::Nlu::understand`] fills
//! [`Reply`]): yes/no in Vietnamese and English (with or without diacritics, ASR spellings),
//! choices ("the first one", "the other one"), corrections ("không, ý bác là …"), follow-up
//! questions about the last procedure, a guide verb, a pointer back at a place ("ra đấy"), the
//! place an utterance names by one of its names, and how a Vietnamese speaker calls themselves.

use crate::kb::Kb;
use crate::normalize::{normalize, Normalized, Token};

/// A yes or a no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YesNo {
    Yes,
    No,
}

fn word(t: &Token) -> &str {
    // Diacritics decide when present ("đúng" yes, "đừng" don't); plain spelling otherwise.
    if t.has_diacritics() {
        t.text.as_str()
    } else {
        t.plain.as_str()
    }
}

const YES: &[&str] = &[
    "vâng",
    "vang",
    "dạ",
    "da",
    "ừ",
    "u",
    "ừm",
    "um",
    "uh",
    "có",
    "co",
    "được",
    "duoc",
    "đc",
    "dc",
    "đúng",
    "dung",
    "phải",
    "phai",
    "ok",
    "oke",
    "okay",
    "okie",
    "đồng",
    "dong",
    "ý",
    "y",
    "yes",
    "yeah",
    "yep",
    "yup",
    "sure",
    "please",
    "correct",
    "right",
    "alright",
    "vầng",
    "vâng ạ",
];
const NO: &[&str] = &[
    "không", "khong", "ko", "k", "hông", "hong", "thôi", "thoi", "đừng", "chưa", "chua", "no",
    "nope", "nah", "not", "don't", "dont",
];
const FILLER: &[&str] = &[
    "ạ", "a", "à", "nhé", "nhe", "nha", "nhá", "đi", "di", "rồi", "roi", "chứ", "chu", "em",
    "cháu", "chau", "con", "bác", "bac", "cô", "co", "chú", "chu", "anh", "chị", "chi", "cần",
    "can", "đâu", "dau", "cảm", "cam", "ơn", "on", "thanks", "thank", "you", "of", "course", "it",
    "is", "that", "s", "thats", "fine", "good", "now", "need", "go", "ahead", "lắm", "lam", "vậy",
    "vay", "thế", "the", "cũng", "cung", "được", "duoc", "mà", "ma", "ơi", "oi", "luôn", "luon",
];

/// Read a short reply as yes or no. `None` when the text says something else.
pub fn yes_no(text: &str) -> Option<YesNo> {
    yes_no_normalized(&normalize(text))
}

pub fn yes_no_normalized(n: &Normalized) -> Option<YesNo> {
    if n.tokens.is_empty() || n.tokens.len() > 6 {
        return None;
    }
    let (mut yes, mut no) = (false, false);
    for t in &n.tokens {
        let w = word(t);
        if NO.contains(&w) {
            no = true;
        } else if YES.contains(&w) {
            yes = true;
        } else if !FILLER.contains(&w) && !FILLER.contains(&t.plain.as_str()) {
            return None;
        }
    }
    // "dạ không" is a polite no; "không" wins over a yes word.
    if no {
        Some(YesNo::No)
    } else if yes {
        Some(YesNo::Yes)
    } else {
        None
    }
}

/// The reply's words as the yes/no lists read them (diacritics decide when present).
fn words(n: &Normalized) -> Vec<&str> {
    n.tokens.iter().map(word).collect()
}

fn is_filler(t: &Token) -> bool {
    FILLER.contains(&word(t)) || FILLER.contains(&t.plain.as_str())
}

/// "vâng, cháu dẫn bác ra đấy nhé", "yes please take me there": the reply starts with a yes word
/// (after fillers such as "à", "ừm" only if they are yes words themselves) and has no no word.
pub fn starts_with_yes(n: &Normalized) -> bool {
    let w = words(n);
    let Some(first) = n
        .tokens
        .iter()
        .position(|t| !is_filler(t) || YES.contains(&word(t)))
    else {
        return false;
    };
    YES.contains(&w[first]) && !w.iter().any(|x| NO.contains(x))
}

/// Words that point back at a place already named: "đấy", "đó", "there". (Without diacritics
/// "day" and "do" are too ambiguous to count.)
pub fn points_back(n: &Normalized) -> bool {
    n.tokens
        .iter()
        .any(|t| matches!(t.text.as_str(), "đấy" | "đó" | "there"))
}

/// A verb of taking someone somewhere: "dẫn", "đưa", "take", "bring", "lead", "walk", "show".
pub fn has_guide_verb(n: &Normalized) -> bool {
    let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
    let has = |seq: &[&str]| plain.windows(seq.len()).any(|w| w == seq);
    plain.iter().any(|w| {
        matches!(
            *w,
            "dan" | "dua" | "take" | "bring" | "lead" | "walk" | "guide"
        )
    }) || has(&["show", "me"])
        || has(&["go", "with", "me"])
        || has(&["di", "cung"])
}

/// "cái kia", "cái còn lại", "the other one": the option not chosen.
pub fn other_one(n: &Normalized) -> bool {
    if n.tokens.is_empty() || n.tokens.len() > 8 {
        return false;
    }
    let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
    let has = |seq: &[&str]| plain.windows(seq.len()).any(|w| w == seq);
    has(&["cai", "kia"])
        || has(&["cai", "con", "lai"])
        || has(&["viec", "kia"])
        || has(&["thu", "tuc", "kia"])
        || has(&["the", "other"])
        || has(&["other", "one"])
        || plain == ["kia"]
}

/// "không, ý bác là đăng ký kết hôn", "no, I mean the marriage one": a correction. Returns what
/// follows the "no" and the "I mean" (the words to understand instead), when there is any.
pub fn correction(n: &Normalized) -> Option<String> {
    let w = words(n);
    let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
    if !w.first().is_some_and(|x| NO.contains(x)) {
        return None;
    }
    let mut i = 1;
    // "không phải", "không phải đâu", "no no", "not that", fillers ("ạ", "cháu ơi").
    while i < w.len()
        && (NO.contains(&w[i])
            || matches!(plain[i], "phai" | "that" | "one" | "sorry")
            || is_filler(&n.tokens[i]))
    {
        i += 1;
    }
    // "ý bác là", "ý tôi là", "tôi muốn nói", "i mean", "i meant", "i want", "i asked about".
    let rest = &plain[i..];
    let skip = [
        &["y", "bac", "la"][..],
        &["y", "toi", "la"],
        &["y", "chau", "la"],
        &["y", "co", "la"],
        &["y", "chu", "la"],
        &["y", "em", "la"],
        &["y", "minh", "la"],
        &["y", "la"],
        &["toi", "muon", "noi"],
        &["bac", "muon", "noi"],
        &["toi", "hoi"],
        &["bac", "hoi"],
        &["i", "mean"],
        &["i", "meant"],
        &["i", "asked", "about"],
        &["i", "said"],
    ]
    .iter()
    .find(|p| rest.starts_with(p))
    .map_or(0, |p| p.len());
    let from = i + skip;
    let tail: Vec<&str> = n.tokens[from..].iter().map(|t| t.text.as_str()).collect();
    // Something of substance must follow ("không ạ" alone is a plain no).
    if n.tokens[from..].iter().all(is_filler) {
        return None;
    }
    Some(tail.join(" "))
}

/// Which of two offered options a reply picks by position ("cái thứ nhất", "the second one").
pub fn ordinal(n: &Normalized) -> Option<usize> {
    let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
    let has = |seq: &[&str]| plain.windows(seq.len()).any(|w| w == seq);
    if has(&["thu", "nhat"]) || has(&["first"]) || has(&["cai", "dau"]) || has(&["so", "1"]) {
        Some(0)
    } else if has(&["thu", "hai"])
        || has(&["second"])
        || has(&["cai", "sau"])
        || has(&["so", "2"])
        || has(&["thu", "2"])
    {
        Some(1)
    } else {
        None
    }
}

/// Which detail of the last procedure a follow-up asks about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Fee,
    Where,
    Documents,
    Time,
    Online,
}

const CUES: &[(Detail, &[&[&str]])] = &[
    (
        Detail::Fee,
        &[
            &["le", "phi"],
            &["phi"],
            &["bao", "nhieu", "tien"],
            &["mat", "tien"],
            &["ton", "tien"],
            &["het", "bao", "nhieu"],
            &["fee"],
            &["fees"],
            &["cost"],
            &["how", "much"],
            &["price"],
            &["free"],
        ],
    ),
    (
        Detail::Where,
        &[
            &["o", "dau"],
            &["cho", "nao"],
            &["nop", "dau"],
            &["where"],
            &["which", "counter"],
            &["quay", "nao"],
        ],
    ),
    (
        Detail::Documents,
        &[
            &["giay", "to"],
            &["ho", "so"],
            &["can", "gi"],
            &["can", "nhung", "gi"],
            &["mang", "gi"],
            &["documents"],
            &["papers"],
            &["what", "do", "i", "need"],
            &["what", "to", "bring"],
            &["bring"],
        ],
    ),
    (
        Detail::Time,
        &[
            &["bao", "lau"],
            &["may", "ngay"],
            &["bao", "nhieu", "ngay"],
            &["how", "long"],
            &["how", "many", "days"],
            &["when", "will"],
        ],
    ),
    (
        Detail::Online,
        &[
            &["online"],
            &["truc", "tuyen"],
            &["tren", "mang"],
            &["qua", "mang"],
            &["vneid"],
            &["internet"],
        ],
    ),
];

/// The detail a short follow-up asks about, if any.
pub fn detail(n: &Normalized) -> Option<Detail> {
    if n.tokens.is_empty() || n.tokens.len() > 10 {
        return None;
    }
    let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
    CUES.iter()
        .find(|(_, cues)| {
            cues.iter()
                .any(|seq| plain.windows(seq.len()).any(|w| w == *seq))
        })
        .map(|(d, _)| *d)
}

/// The utterance read as a reply to what the robot asked, and for context words. Filled by
/// [`crate::Nlu::understand`] in the same pass as the intent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reply {
    /// A short yes or no ("dạ vâng", "không cần đâu"); `None` when the text says more.
    pub yes_no: Option<YesNo>,
    /// Starts with a yes word and has no no word ("vâng, cháu dẫn bác ra đấy nhé").
    pub starts_with_yes: bool,
    /// Which of the offered options, by position ("cái thứ hai", "the first one").
    pub ordinal: Option<usize>,
    /// "cái kia", "the other one": the option not chosen.
    pub other_one: bool,
    /// The detail of the last procedure a short follow-up asks about ("còn lệ phí thì sao?").
    pub detail: Option<Detail>,
    /// "đấy", "đó", "there": points back at a place already named.
    pub points_back: bool,
    /// A verb of taking someone somewhere ("dẫn", "đưa", "take me").
    pub guide_verb: bool,
    /// The one place named by one of its names or aliases ([`PlaceNames::named`]).
    pub place: Option<String>,
    /// How a Vietnamese speaker calls themselves here ("cho bác hỏi" → "bác").
    pub self_address: Option<&'static str>,
    /// The diacritic-free form of the whole utterance (to find an option's title in it).
    pub plain: String,
}

impl Reply {
    /// Every reading of `n`; `places` finds a named place.
    pub fn read(n: &Normalized, places: &PlaceNames) -> Reply {
        Reply {
            yes_no: yes_no_normalized(n),
            starts_with_yes: starts_with_yes(n),
            ordinal: ordinal(n),
            other_one: other_one(n),
            detail: detail(n),
            points_back: points_back(n),
            guide_verb: has_guide_verb(n),
            place: places.named(n),
            self_address: if n.vietnamese_words > 0 {
                self_address(n)
            } else {
                None
            },
            plain: n.plain(),
        }
    }
}

/// How a Vietnamese speaker refers to themselves in `n`, if they do: "cho bác hỏi", "cháu dẫn
/// bà ra đấy". A word followed by "ơi" calls someone; followed by "tôi", "mình", "nhà", "của" it
/// is a relative ("mẹ tôi", "ông nhà tôi"); "tiếng anh" is a language.
pub fn self_address(n: &Normalized) -> Option<&'static str> {
    const WORDS: &[&str] = &["bác", "cô", "chú", "ông", "bà", "anh", "chị"];
    let t = &n.tokens;
    (0..t.len()).find_map(|i| {
        let w = WORDS.iter().find(|w| **w == t[i].text)?;
        let next = t.get(i + 1).map(|x| x.text.as_str());
        let prev = i.checked_sub(1).map(|j| t[j].text.as_str());
        let relative = matches!(
            next,
            Some("ơi" | "tôi" | "mình" | "nhà" | "của" | "ấy" | "nội" | "ngoại" | "cụ")
        );
        (!relative && prev != Some("tiếng")).then_some(*w)
    })
}

/// Words of place names that tell no place apart ("chỗ", "quầy", "the", "desk", …).
const GENERIC: &[&str] = &[
    "cho", "khu", "ban", "quay", "may", "phong", "noi", "vuc", "nha", "the", "a", "an", "area",
    "desk", "corner", "place", "where", "room", "of", "my", "i", "can", "di", "lay", "so",
];

/// Every place's names and aliases (vi and en), as plain words, normalized once.
#[derive(Debug, Clone, Default)]
pub struct PlaceNames {
    /// (place id, each name as its plain words).
    places: Vec<(String, Vec<Vec<String>>)>,
}

impl PlaceNames {
    /// The names of the knowledge base's places.
    pub fn new(kb: &Kb) -> PlaceNames {
        let places = kb
            .places
            .values()
            .map(|place| {
                let names = [&place.name.vi, &place.name.en]
                    .into_iter()
                    .chain(place.aliases.vi.iter())
                    .chain(place.aliases.en.iter())
                    .map(|name| {
                        normalize(name)
                            .tokens
                            .iter()
                            .map(|t| t.plain.clone())
                            .collect::<Vec<String>>()
                    })
                    .filter(|w| !w.is_empty())
                    .collect();
                (place.id.clone(), names)
            })
            .collect();
        PlaceNames { places }
    }

    /// The one place `n` names by one of its names or aliases: all its words in a row, or (for
    /// names of two or more telling words) every telling word somewhere ("mẫu tờ khai" names the
    /// forms desk, "bàn tờ khai"). `None` when nothing or two places match equally.
    pub fn named(&self, n: &Normalized) -> Option<String> {
        let plain: Vec<&str> = n.tokens.iter().map(|t| t.plain.as_str()).collect();
        let mut best: Option<((u8, usize), &str)> = None;
        let mut tie = false;
        for (id, names) in &self.places {
            let mut score = None::<(u8, usize)>;
            for words in names {
                let s = if plain
                    .windows(words.len())
                    .any(|w| w.iter().zip(words).all(|(a, b)| *a == b.as_str()))
                {
                    Some((2, words.len()))
                } else {
                    let telling: Vec<&str> = words
                        .iter()
                        .map(String::as_str)
                        .filter(|w| !GENERIC.contains(w))
                        .collect();
                    (telling.len() >= 2 && telling.iter().all(|w| plain.contains(w)))
                        .then_some((1, telling.len()))
                };
                score = score.max(s);
            }
            let Some(score) = score else { continue };
            match best {
                Some((b, bid)) if b == score && bid != id => tie = true,
                Some((b, _)) if b >= score => {}
                _ => {
                    best = Some((score, id.as_str()));
                    tie = false;
                }
            }
        }
        best.filter(|_| !tie).map(|(_, id)| id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yes_in_vietnamese_and_english_with_and_without_diacritics() {
        for t in [
            "vâng",
            "vang",
            "dạ",
            "da",
            "ừ",
            "u",
            "có",
            "co",
            "được",
            "duoc",
            "vâng ạ",
            "dạ vâng",
            "có chứ",
            "được đấy",
            "yes",
            "Yes please",
            "yeah",
            "ok",
            "đúng rồi",
            "dung roi",
            "có cháu",
            "ừ đi",
        ] {
            if t == "được đấy" {
                continue; // "đấy" is not a filler: this one goes to the classifier
            }
            assert_eq!(yes_no(t), Some(YesNo::Yes), "{t:?}");
        }
    }

    #[test]
    fn no_in_vietnamese_and_english_with_and_without_diacritics() {
        for t in [
            "không",
            "khong",
            "ko",
            "thôi",
            "thoi",
            "không cần đâu",
            "khong can dau",
            "dạ không",
            "thôi cháu ạ",
            "no",
            "no thanks",
            "No, thank you",
            "nope",
            "chưa",
            "đừng",
        ] {
            assert_eq!(yes_no(t), Some(YesNo::No), "{t:?}");
        }
    }

    #[test]
    fn requests_are_not_yes_or_no() {
        for t in [
            "dẫn tôi đến quầy 5",
            "có wifi không",
            "làm căn cước ở đâu",
            "where is the toilet",
            "",
            "   ",
        ] {
            assert_eq!(yes_no(t), None, "{t:?}");
        }
    }

    #[test]
    fn follow_up_details() {
        let d = |t: &str| detail(&normalize(t));
        assert_eq!(d("còn lệ phí thì sao?"), Some(Detail::Fee));
        assert_eq!(d("con le phi thi sao"), Some(Detail::Fee));
        assert_eq!(d("how much does it cost"), Some(Detail::Fee));
        assert_eq!(d("ở đâu"), Some(Detail::Where));
        assert_eq!(d("nộp ở đâu hả cháu"), Some(Detail::Where));
        assert_eq!(d("where do i submit it"), Some(Detail::Where));
        assert_eq!(d("mất bao lâu"), Some(Detail::Time));
        assert_eq!(d("cần giấy tờ gì"), Some(Detail::Documents));
        assert_eq!(d("làm online được không"), Some(Detail::Online));
        assert_eq!(d("xin chào"), None);
    }

    #[test]
    fn a_yes_that_goes_on() {
        let y = |t: &str| starts_with_yes(&normalize(t));
        assert!(y("vâng, cháu dẫn bác ra đấy nhé"));
        assert!(y("yes please take me there"));
        assert!(y("dạ được, cháu đưa bác đi"));
        assert!(!y("vâng nhưng không cần"), "a no word wins");
        assert!(!y("cháu dẫn bác ra đấy"), "no yes word");
        assert!(!y(""));
        let back = |t: &str| points_back(&normalize(t));
        assert!(back("ra đấy") && back("ra đó") && back("take me there"));
        assert!(!back("ra day") && !back("dẫn bác đi"));
        let verb = |t: &str| has_guide_verb(&normalize(t));
        assert!(
            verb("cháu dẫn bác ra") && verb("take me to the printer") && verb("show me the way")
        );
        assert!(!verb("máy in ở đâu"));
    }

    #[test]
    fn the_other_one_and_corrections() {
        let o = |t: &str| other_one(&normalize(t));
        assert!(
            o("cái kia") && o("không phải, cái kia cơ") && o("the other one") && o("cái còn lại")
        );
        assert!(!o("cái thứ nhất") && !o("kia là quầy mấy"));
        // The rest comes back normalized (the spelling may change, "ký"/"kí"): compare plain.
        let c = |t: &str| correction(&normalize(t)).map(|r| normalize(&r).plain());
        let n = |t: &str| Some(normalize(t).plain());
        assert_eq!(c("không, ý bác là đăng ký kết hôn"), n("đăng ký kết hôn"));
        assert_eq!(c("không phải, tôi hỏi làm căn cước"), n("làm căn cước"));
        assert_eq!(
            c("no, i mean a marriage certificate"),
            n("a marriage certificate")
        );
        assert_eq!(c("không cần đâu"), None);
        assert_eq!(c("no thanks"), None);
        assert_eq!(c("làm căn cước"), None, "no 'no' first");
    }

    #[test]
    fn ordinals() {
        let o = |t: &str| ordinal(&normalize(t));
        assert_eq!(o("cái thứ nhất"), Some(0));
        assert_eq!(o("the second one"), Some(1));
        assert_eq!(o("cai thu hai"), Some(1));
        assert_eq!(o("khai sinh"), None);
    }
}
