//! The intent router: text in, intent + slots + calibrated confidence + answer out.

use std::sync::Arc;

use crate::catalog::{self, OUT_OF_SCOPE};
use crate::classifier::{Classifier, ClassifierConfig};
use crate::kb::{Kb, Language};
use crate::lang::LangId;
use crate::nav_words::NavWords;
use crate::normalize::{normalize, Normalized, Token};
use crate::reply::{self, PlaceNames, Reply};
use crate::slots::{Match, SlotExtractor};
use crate::vague::Specificity;
use crate::NluError;

/// Router settings.
#[derive(Debug, Clone, PartialEq)]
pub struct NluConfig {
    pub classifier: ClassifierConfig,
    /// Below this top probability the utterance is out of scope.
    pub oos_threshold: f32,
    /// Below this top probability (and above `oos_threshold`) the robot should ask which of
    /// the alternatives the citizen meant.
    pub clarify_threshold: f32,
    /// How many alternatives to return.
    pub top_k: usize,
}

impl Default for NluConfig {
    fn default() -> Self {
        NluConfig {
            classifier: ClassifierConfig::default(),
            oos_threshold: 0.22,
            clarify_threshold: 0.5,
            top_k: 3,
        }
    }
}

/// Why an utterance was judged out of scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OosReason {
    Empty,
    TooLong,
    OtherScript,
    /// The classifier picked `fallback.out_of_scope`.
    Classified,
    /// No intent was likely enough.
    LowConfidence,
    /// A "where is …" question about something the centre does not have (see `nav_words`).
    UnknownPlace,
    /// A procedure the centre does not handle (adoption, divorce, visas, work permits), with no
    /// procedure of the catalog named beside it.
    NotInCatalog,
}

/// What the robot understood.
#[derive(Debug, Clone, PartialEq)]
pub struct Understanding {
    /// The normalized text.
    pub normalized: String,
    pub intent: String,
    /// Calibrated probability that `intent` is right.
    pub confidence: f32,
    pub lang: Language,
    /// `nav.*` only: the place id.
    pub destination: Option<String>,
    /// `chat.language` only: the language asked for.
    pub language: Option<Language>,
    /// The best intents with their probabilities, best first (for a clarification question).
    pub alternatives: Vec<(String, f32)>,
    /// True when the robot should ask which alternative was meant.
    pub needs_clarification: bool,
    pub oos_reason: Option<OosReason>,
    /// The same utterance read as a reply (yes/no, ordinal, "the other one", follow-up detail,
    /// guide verb, named place, self-address), in the same pass.
    pub reply: Reply,
    /// "không, ý bác là đăng ký kết hôn": a no followed by what was meant. The words after the
    /// no, understood in the same pass (intent, slots, reply readings); `None` when the
    /// utterance is a plain no or no correction at all.
    pub correction: Option<Box<Understanding>>,
}

/// What the robot says and shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub spoken: String,
    pub screen: String,
}

/// The trained router. Cheap to share (`Arc` inside); rebuild with [`Nlu::new`] to reload.
#[derive(Debug, Clone)]
pub struct Nlu {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    kb: Kb,
    cfg: NluConfig,
    classifier: Classifier,
    slots: SlotExtractor,
    lang: LangId,
    specificity: Specificity,
    nav_words: NavWords,
    place_names: PlaceNames,
    /// Every ASCII word of the training phrases, lowercase: words typed so are not
    /// input-method keystrokes ([`crate::input_method::repair`]).
    known: std::collections::HashSet<String>,
}

/// Whether the words of `seq` (diacritic-free) stand in `t` from token `i`.
fn stands_at(t: &[Token], i: usize, seq: &[&str]) -> bool {
    t.get(i..i + seq.len())
        .is_some_and(|w| w.iter().zip(seq).all(|(x, s)| x.plain == *s))
}

fn seq_at(n: &Normalized, seq: &[&str]) -> Option<usize> {
    let t = &n.tokens;
    if seq.len() > t.len() {
        return None;
    }
    (0..=t.len() - seq.len()).find(|&i| stands_at(t, i, seq))
}

fn has_seq(n: &Normalized, seq: &[&str]) -> bool {
    seq_at(n, seq).is_some()
}

/// Whether any of `seqs` stands in `n` ([`has_seq`]).
fn has_any_seq(n: &Normalized, seqs: &[&[&str]]) -> bool {
    seqs.iter().any(|s| has_seq(n, s))
}

/// A guide cue, except "hướng dẫn" (to instruct), which contains "dẫn".
fn has_guide_cue(n: &Normalized, seq: &[&str]) -> bool {
    let t = &n.tokens;
    if seq.len() > t.len() {
        return false;
    }
    (0..=t.len() - seq.len()).any(|i| {
        seq.iter().zip(&t[i..]).all(|(s, x)| x.plain == *s)
            && lead_verb_counts(t, i)
            // "walk me through it", "talk us through the form": an explanation, not a walk.
            && !(seq[0] == "walk" && t[i + seq.len()..].iter().take(2).any(|x| x.plain == "through"))
            // "bring me a cup of water": fetching, not taking; "bring me to / over there" is.
            && (seq[0] != "bring" || towards_somewhere(&t[i + seq.len()..]))
            // "take my meds": someone else taken goes somewhere ("take my mum to the toilet")
            && !(seq[0] == "take"
                && matches!(seq[1], "mi" | "him" | "her" | "them")
                && !towards_somewhere(&t[i + 1..]))
    })
}

/// The word at `i` leads, if it is a lead verb: not the "dẫn" of "hướng dẫn" (to instruct), and
/// "dắt" (Southern "dẫn") only as written so: "dat" is also "đất" (land), "đặt" (book).
fn lead_verb_counts(t: &[crate::normalize::Token], i: usize) -> bool {
    // "Đi cùng" asks for company when someone or somewhere follows ("em đi cùng bác ra quầy 5",
    // "đi cùng ra đó", "đi cùng nhé"); told of a companion ("con tôi đi cùng tự nhiên đau bụng",
    // "đồng nghiệp đi cùng chị"), it does not.
    if t[i].plain == "di" && t.get(i + 1).is_some_and(|x| x.plain == "cung") {
        // "rồi đi cũng được": "cũng" (also), typed with its tone, is no "cùng"
        if t[i + 1].text == "cũng" {
            return false;
        }
        let next = t.get(i + 2).map_or("", |x| x.plain.as_str());
        let asks = next.is_empty()
            || LED_PEOPLE.iter().any(|who| who[0] == next)
            || matches!(
                next,
                "ra" | "den"
                    | "toi"
                    | "sang"
                    | "vao"
                    | "len"
                    | "qua"
                    | "voi"
                    | "nhe"
                    | "nha"
                    | "di"
                    | "duoc"
                    | "giup"
                    | "dum"
                    | "ho"
            );
        if !asks {
            return false;
        }
    }
    // Typed with diacritics, the word must be the lead verb itself: "băng dán" (a plaster) is
    // no "dẫn", "đứa" no "đưa".
    let accented_other = LEAD_VERBS.contains(&t[i].plain.as_str())
        && t[i].has_diacritics()
        && !matches!(t[i].text.as_str(), "dẫn" | "đưa" | "dắt");
    !accented_other
        && match t[i].plain.as_str() {
            "dan" => !(i > 0 && t[i - 1].plain == "huong"),
            "dat" => t[i].text == "dắt",
            _ => true,
        }
        && !takes_someone_on_an_errand(t, i)
}

/// "Sáng nay đưa con đi viện", "dẫn mẹ đi khám": someone taken on an outing of their own (to
/// hospital, school, a check-up, work), told as a story; not a request to be led in the centre.
/// Nor is an animal led ("dắt con chó").
fn takes_someone_on_an_errand(t: &[crate::normalize::Token], i: usize) -> bool {
    // "dắt con chó": an animal, not a person
    if names_an_animal(t, i + 1) {
        return true;
    }
    // "Bà dắt cháu nhỏ thế này có được lấy số ưu tiên không": the speaker, by the word for
    // themself, leading a small child of their own; told, not a request to be led.
    const SELF: &[&str] = &["toi", "ba", "ong", "me", "bo", "minh", "bac"];
    let small = |k: usize| {
        t.get(k)
            .is_some_and(|x| matches!(x.text.as_str(), "nhỏ" | "bé"))
    };
    if i > 0
        && SELF.contains(&t[i - 1].plain.as_str())
        && t.get(i + 1).is_some_and(|x| {
            (matches!(x.text.as_str(), "cháu" | "con") && small(i + 2)) || x.text == "bé"
        })
    {
        return true;
    }
    const OUTINGS: &[&str] = &[
        "viện", "học", "khám", "làm", "chơi", "chợ", "tiêm", "ăn", "du",
    ];
    (i + 2..(i + 4).min(t.len().saturating_sub(1)))
        .find(|&k| t[k].text == "đi")
        .is_some_and(|k| OUTINGS.contains(&t[k + 1].text.as_str()))
}

/// "To", "there" or "over" within the next three words: a motion towards somewhere.
fn towards_somewhere(rest: &[crate::normalize::Token]) -> bool {
    rest.iter()
        .take(3)
        .any(|x| matches!(x.plain.as_str(), "to" | "there" | "over"))
}

/// "đi", "đến", "tới" (movement), checked with diacritics when the word has them.
fn has_motion_word(n: &Normalized) -> bool {
    n.tokens.iter().any(|t| {
        if t.has_diacritics() {
            matches!(t.text.as_str(), "đi" | "đến" | "tới")
        } else {
            matches!(t.plain.as_str(), "di" | "den")
        }
    })
}

/// The least probability at which a service or amenity behind a placeless navigation intent is
/// answered instead (measured on hand-written held-out utterances: "where do I get my queue ticket"
/// has the queue-number service at 0.07, a bare "take me there" has nothing above 0.01).
const NAV_WITHOUT_PLACE_ALT: f32 = 0.05;

/// Asking how something works or what it costs: an amenity or service question, not
/// directions (the labelling convention).
const USAGE_CUES: &[&[&str]] = &[
    &["dung", "the", "nao"],
    &["dung", "ra", "sao"],
    &["dung", "nhu", "the", "nao"],
    &["su", "dung"],
    &["mat", "tien"],
    &["mat", "phi"],
    &["mien", "phi"],
    &["ket", "noi"],
    &["lam", "sao"],
    &["lam", "the", "nao"],
    &["the", "nao"],
    &["ra", "sao"],
    &["cach"],
    &["huong", "dan", "cach"],
    // "máy lấy số bấm kiểu gì"
    &["kieu", "gi"],
    // "chú không biết dùng", "có biết dùng không"
    &["biet", "dung"],
    &["how", "do", "i", "use"],
    &["how", "does"],
    &["how", "to"],
    &["how", "do", "i"],
    &["how", "can", "i"],
    &["how", "do", "you"],
    &["do", "you", "have"],
    &["is", "it", "free"],
];

/// Who is led ("dẫn bác", "đưa bố em", "dắt mạ"), after a verb of [`LEAD_VERBS`]: every
/// verb takes every one of them. "Hai" before one of them counts ("đưa hai bố con ra …").
const LED_PEOPLE: &[&[&str]] = &[
    &["toi"],
    &["bac"],
    &["chau"],
    &["em"],
    &["me"],
    &["ma"], // "mạ": mother, in the Centre
    &["ba"],
    &["ong"],
    &["chung", "toi"],
    &["co"],
    &["chu"],
    &["anh"],
    &["chi"],
    &["cu"],
    &["con"],
    &["minh"],
    // someone else led there: "dẫn bố em ra góc y tế"
    &["bo"],
    &["cha"],
    &["vo"],
    &["chong"],
    // the blunt and the Southern first person: "dẫn tao ra quầy 5", "dắt tui ra"
    &["tao"],
    &["tui"],
];

/// Verbs of leading someone: "dẫn", "đưa", and the Southern "dắt" (only as written so; see
/// [`has_guide_cue`]).
const LEAD_VERBS: &[&str] = &["dan", "dua", "dat"];

/// Does `n` ask to lead someone ([`LEAD_VERBS`], then "hai" or not, then [`LED_PEOPLE`]), with
/// the lead verb's guards of [`has_guide_cue`]?
fn leads_someone(n: &Normalized) -> bool {
    let t = &n.tokens;
    (0..t.len()).any(|i| {
        let verb = t[i].plain.as_str();
        if !LEAD_VERBS.contains(&verb) || !lead_verb_counts(t, i) {
            return false;
        }
        // "mạ" (mother) only as written so, or without diacritics: "đưa mã QR" shows a code
        let at = |j: usize| {
            LED_PEOPLE.iter().any(|who| stands_at(t, j, who))
                && !(t[j].plain == "ma" && t[j].has_diacritics() && t[j].text != "mạ")
        };
        // "đưa hai bố con ra …", "dẫn bọn chị tới quầy 12", "dẫn chúng em ra …"
        at(i + 1)
            || (t
                .get(i + 1)
                .is_some_and(|x| matches!(x.plain.as_str(), "hai" | "bon" | "chung"))
                && at(i + 2))
    })
}

const GUIDE_CUES: &[&[&str]] = &[
    &["dan", "duong", "cho"],
    // no one named: "đưa ra chỗ máy in hộ cái"
    &["dua", "ra", "cho"],
    &["dan", "ra", "cho"],
    &["dua", "ra", "quay"],
    &["dan", "ra", "quay"],
    // "nhờ em dẫn ra bàn hướng dẫn điền tờ khai": "dẫn ra" leads wherever it goes; "đưa ra"
    // only towards a place ("đưa ra giấy tờ" shows papers)
    &["dan", "ra"],
    &["dua", "ra", "ban"],
    &["dua", "ra", "khu"],
    &["dua", "ra", "may"],
    &["dua", "ra", "ghe"],
    &["dan", "di"],
    &["di", "cung"], // see `lead_verb_counts`: not "con tôi đi cùng tự nhiên đau bụng"
    &["ho", "tong"],
    &["di", "voi", "toi"],
    &["di", "theo", "em"],
    &["di", "theo", "chau"],
    &["di", "theo", "con"],
    &["di", "theo", "anh"],
    &["di", "theo", "chi"],
    &["di", "theo", "robot"],
    &["follow", "you"],
    &["take", "me"],
    &["take", "us"],
    // someone else taken there: "take my neighbour to …", "take him to …"
    &["take", "mi"], // "my", as the normalizer spells it (y → i)
    &["take", "him"],
    &["take", "her"],
    &["take", "them"],
    &["walk", "me"],
    &["walk", "her"],
    &["walk", "him"],
    &["walk", "them"],
    &["walk", "mi"],
    &["walk", "with", "me"],
    &["come", "with", "me"],
    &["go", "with", "me"],
    // someone else accompanied: "could you go with my mum to counter 1"
    &["go", "with", "mi"],
    &["go", "with", "him"],
    &["go", "with", "her"],
    &["go", "with", "them"],
    &["guide", "me"],
    &["bring", "me"],
    &["lead", "me"],
    &["lead", "us"],
    &["lead", "mi"],
    &["lead", "him"],
    &["lead", "her"],
    &["lead", "them"],
    &["lead", "the", "way"],
    &["bring", "us"],
    &["walk", "us"],
    &["accompany"],
    &["escort"],
];

const WHERE_CUES: &[&[&str]] = &[
    &["o", "dau"],
    &["cho", "nao"],
    &["phia", "nao"],
    &["huong", "nao"],
    &["loi", "nao"],
    &["duong", "nao"],
    &["nam", "dau"],
    &["where"],
    &["how", "do", "i", "get", "to"],
    &["how", "do", "i", "get", "there"],
    &["how", "can", "i", "get", "there"],
    &["how", "to", "get", "there"],
    &["how", "can", "i", "get", "to"],
    &["how", "to", "get", "to"],
    &["way", "to", "the"],
    &["which", "way"],
    &["chi", "duong"],
    &["tim", "khong", "thay"],
    &["di", "the", "nao"],
    &["want", "to", "go", "to"],
    &["is", "there", "somewhere"],
    &["is", "there", "a", "place"],
    &["need", "to", "go", "to"],
    &["looking", "for", "the"],
    &["muon", "den"],
    &["muon", "ra"],
    &["can", "den"],
    &["muon", "toi"],
    &["tim", "cho"],
    &["the", "nao", "de", "den"],
    // "bàn chữ ký số nằm ở vị trí nào", "quầy 9 đi thẳng hay rẽ", "is there an ATM nearby"
    &["vi", "tri", "nao"],
    // "khu máy tính … ở bên nào"
    &["o", "ben", "nao"],
    &["nam", "ben", "nao"],
    &["goc", "nao"],
    &["di", "thang", "hay"],
    &["re", "trai", "hay"],
    &["re", "phai", "hay"],
    &["ben", "trai", "hay"],
    &["ben", "phai", "hay"],
    &["left", "or", "right"],
    &["point", "me", "to"],
    // "Quầy 6 là quầy nào": which one it is
    &["la", "quay", "nao"],
    // "Chào. Tìm quầy 9", "find counter 4"
    &["tim", "quay"],
    &["find", "counter"],
    // "nằm mé nào": which side, in the North
    &["me", "nao"],
    // "kính đề nghị chỉ dẫn vị trí máy cấp số", "indicate the location of the photocopying area"
    &["chi", "dan", "vi", "tri"],
    &["location", "of"],
    &["go", "straight", "or"],
    &["turn", "left", "or"],
    &["turn", "right", "or"],
    &["nearby"],
    &["near", "here"],
    // "máy lấy số chuyển đi đâu rồi": where a thing has been moved to
    &["chuyen", "di", "dau"],
    &["doi", "di", "dau"],
];

/// "Ở quầy nào", "which desk": asks at which desk a need is served. Not a where cue for place
/// names (its "quầy" would half-match "quầy tờ khai"); only for the place of an amenity or service
/// ([`place_of_the_need`]).
const WHICH_DESK_CUES: &[&[&str]] = &[
    &["quay", "nao"],
    &["ban", "nao"],
    &["which", "counter"],
    &["which", "desk"],
];

/// Words that may follow a question's last word: address, politeness, question particles.
const TRAILING_PARTICLES: &[&str] = &[
    "chau", "em", "a", "nhi", "vay", "the", "nhe", "ha", "day", "roi", "co", "oi",
];

/// "Nhà vệ sinh đâu cháu", "máy photo đâu nhỉ": a bare "đâu" ending the question, with only
/// particles after it, or followed by "nhỉ". Not "không đâu" (not at all). Typed without
/// diacritics, "dau" may also be "đau" (pain) or "đầu" (head); the cue only counts where a place
/// was also named, so those stay harmless.
fn has_bare_where(n: &Normalized) -> bool {
    let t = &n.tokens;
    let is_dau = |x: &Token| x.text == "đâu" || (x.plain == "dau" && !x.has_diacritics());
    let ending = t.iter().rposition(is_dau).filter(|&i| {
        t[i + 1..]
            .iter()
            .all(|x| TRAILING_PARTICLES.contains(&x.plain.as_str()))
    });
    // "đâu nhỉ", "đâu hả em", or "đâu em" and a clause after ("chỗ sạc điện thoại đâu em, máy
    // hết pin rồi")
    let before_nhi = (0..t.len().saturating_sub(1)).find(|&i| {
        is_dau(&t[i])
            && matches!(
                t[i + 1].plain.as_str(),
                "nhi" | "em" | "chau" | "con" | "ha"
            )
    });
    let Some(i) = ending.or(before_nhi) else {
        return false;
    };
    // "không đâu"; "chị không hiểu chữ này đâu", "chắc là không có nước nóng đâu nhỉ": "đâu"
    // closing a negated clause is "not at all", not a place. But "tìm mãi không thấy nhà vệ
    // sinh đâu" (cannot find it anywhere) still asks where; "bố không biết dùng máy tính đâu"
    // (cannot use one at all) does not.
    let negated = t[..i].iter().enumerate().any(|(k, x)| {
        matches!(x.plain.as_str(), "khong" | "chang" | "cha" | "chua")
            && !t.get(k + 1).is_some_and(|y| {
                matches!(y.plain.as_str(), "thay" | "tim" | "biet" | "ro")
                    && !(y.plain == "biet"
                        && t.get(k + 2).is_some_and(|z| {
                            matches!(z.plain.as_str(), "dung" | "su" | "lam" | "doc" | "viet")
                        }))
            })
    });
    // "hồ sơ đến đâu rồi": how far a dossier has got, not a place.
    let progress = i > 0
        && ["den", "toi", "duoc"].contains(&t[i - 1].plain.as_str())
        && t.get(i + 1).is_some_and(|x| x.plain == "roi");
    // "không biết bắt đầu từ đâu": where to start, not a place.
    let start =
        i >= 3 && t[i - 3].plain == "bat" && t[i - 2].plain == "dau" && t[i - 1].plain == "tu";
    !negated && !progress && !start
}

/// "Quầy 3 ở gần cửa ra vào đúng không", "bàn chữ ký số có phải nằm cạnh quầy 12 không": where a
/// place is, asked as a yes/no question (a side of something, then a "không" after it).
fn asks_if_it_is_beside(n: &Normalized) -> bool {
    beside_at(n).is_some()
}

/// Where the side phrase of [`asks_if_it_is_beside`] starts: the place asked about comes before
/// it, the one it is beside after.
fn beside_at(n: &Normalized) -> Option<usize> {
    const BESIDE: &[&[&str]] = &[
        &["o", "canh"],
        &["o", "gan"],
        &["o", "ben", "canh"],
        &["nam", "canh"],
        &["nam", "gan"],
        &["nam", "ben", "canh"],
        &["o", "phia", "sau"],
        &["o", "phia", "truoc"],
        &["o", "dang", "sau"],
        &["o", "dang", "truoc"],
        &["o", "tan"],
        &["o", "cuoi"],
        // "chỗ photocopy nằm ở tầng này không"
        &["nam", "o"],
        // "the first-aid corner is near the entrance, or did I walk past it?", "counter nine
        // is past the stairs, yes?", "the charging point isn't by the stairs, is it?"
        &["is", "near"],
        &["is", "bi"],
        &["is", "past"],
        &["is", "behind"],
        &["is", "beside"],
        &["is", "next", "to"],
        &["is", "it", "through"],
        &["is", "it", "near"],
        &["is", "it", "bi"],
        &["is", "upstairs"],
        &["is", "downstairs"],
        &["isn", "t", "bi"],
        &["isn", "t", "near"],
        &["isn", "t", "past"],
    ];
    // Only after a place named first ("quầy 9 ở dãy đối diện phải không", "góc y tế là cái góc
    // cạnh cầu thang đúng không"): what the place is or where it stands, checked. ("Tôi ở bên
    // Long Biên, làm tạm trú được không" is where the speaker lives.)
    const AFTER_A_PLACE: &[&[&str]] = &[
        &["o", "ben"],
        &["o", "day"],
        &["o", "giua"],
        &["o", "doi", "dien"],
        &["o", "ngay"],
        &["o", "tay"],
        &["o", "trong", "cung"],
        &["la", "cai"],
        &["la", "quay"],
        &["la", "ban"],
        &["la", "cho"],
        &["la", "goc"],
        &["la", "khu"],
    ];
    let t = &n.tokens;
    // The question's tag: a "không" after the side, or a closing "nhỉ" ("chắc là ở gần cửa nhỉ"),
    // "is it", "right", "or did I …".
    let tagged = |from: usize| {
        is_yes_no_tag(t, from)
            || t.last()
                .is_some_and(|x| x.plain == "nhi" && x.text != "nhì")
    };
    let place_first = starts_with_place_head(n);
    BESIDE
        .iter()
        .chain(AFTER_A_PLACE.iter().filter(|_| place_first))
        .filter_map(|b| {
            seq_at(n, b).filter(|&i| {
                // "ở dãy" (in the row) as written: "ở đây" is "here"
                let row = b[1] != "day" || t[i + 1].text == "dãy";
                i > 0 && row && tagged(i + b.len())
            })
        })
        .min()
}

/// "Chỉ bà chỗ cắm sạc", "chỉ giúp tôi chỗ …": show (someone) the place.
fn has_show_me_the_place(n: &Normalized) -> bool {
    let t = &n.tokens;
    t.iter().enumerate().any(|(i, x)| {
        let chi = if x.has_diacritics() {
            x.text == "chỉ"
        } else {
            x.plain == "chi"
        };
        // "chỉ có dây cho robot": "only", not "show"
        let only = t
            .get(i + 1)
            .is_some_and(|y| matches!(y.plain.as_str(), "co" | "can" | "la" | "duoc"));
        // Typed without diacritics, "cho" may be "chỗ"; in an accented sentence it is "cho".
        let plain_cho =
            |y: &Token| !y.has_diacritics() && y.plain == "cho" && n.vietnamese_words < 2;
        chi && !only
            && t[i + 1..]
                .iter()
                .take(3)
                .any(|y| y.text == "chỗ" || (plain_cho(y) && i > 0))
    })
}

/// An English lead verb before a Vietnamese pronoun, in code-switched speech: "guide em ra khu
/// chờ", "take chị đến quầy 5".
/// The pronoun is one of [`PRONOUNS`] but the English ones and those an English word also spells
/// ("me", "bo": "bring me a cup …" keeps its own check).
fn english_lead_then_vi_pronoun(n: &Normalized) -> bool {
    const VERBS: &[&str] = &["guide", "take", "walk", "lead", "bring", "escort"];
    let vi_pronoun = |p: &str| PRONOUNS.contains(&p) && !matches!(p, "me" | "bo" | "i" | "we");
    n.vietnamese_words > 0
        && n.tokens
            .windows(2)
            .any(|w| VERBS.contains(&w[0].plain.as_str()) && vi_pronoun(w[1].plain.as_str()))
}

/// "Cái máy màu trắng đứng kia là máy lấy số hả em", "khu chờ là dãy ghế xanh kia phải không":
/// which of the things in sight a place is, checked. A "là", a word pointing at something in
/// sight ("kia", "đằng kia") anywhere, and a yes/no tag after the "là" ([`is_yes_no_tag`]).
fn points_out_a_place(n: &Normalized) -> bool {
    // What may follow the "là": a kind of place or thing in the hall, not a person ("chị áo
    // xanh kia là người trực …") or a purpose ("mấy máy tính bên kia là để …").
    const HEADS: &[&str] = &[
        "máy", "quầy", "bàn", "khu", "chỗ", "góc", "cửa", "dãy", "cây", "phòng", "nhà", "lối",
    ];
    let t = &n.tokens;
    let Some(i) = t.iter().position(|x| x.text == "là") else {
        return false;
    };
    let head = t[i + 1..].iter().find(|x| x.text != "cái");
    t.iter().any(|x| x.text == "kia")
        && head.is_some_and(|x| HEADS.contains(&x.text.as_str()))
        && is_yes_no_tag(t, i + 1)
}

/// A yes/no question's tag after token `from`: a "không" ("phải không", "đúng không"), or a
/// closing "nhỉ", "hả", "à", "chứ"; in English a closing "is it", "isn't it", "right", "yes",
/// "correct", or "or did / or is / or do" after it.
fn is_yes_no_tag(t: &[Token], from: usize) -> bool {
    let rest = t.get(from..).unwrap_or(&[]);
    let mut end = rest.len();
    while end > 0 && matches!(rest[end - 1].plain.as_str(), "em" | "chau" | "a" | "robot") {
        end -= 1;
        if rest[end].text == "à" {
            return true;
        }
    }
    let last = |k: usize| end.checked_sub(k + 1).map_or("", |j| rest[j].text.as_str());
    rest.iter().any(|x| x.plain == "khong")
        || matches!(
            last(0),
            "nhỉ" | "hả" | "à" | "chứ" | "right" | "yes" | "correct"
        )
        || (last(1) == "is" && last(0) == "it")
        || (last(1) == "t" && last(0) == "it")
        || rest.windows(2).any(|w| {
            w[0].plain == "or" && matches!(w[1].plain.as_str(), "did" | "is" | "do" | "not")
        })
}

fn nav_cue(n: &Normalized) -> Option<&'static str> {
    let declined = declines_a_walk(n);
    if !declined
        && (leads_someone(n)
            || GUIDE_CUES.iter().any(|c| has_guide_cue(n, c))
            || english_lead_then_vi_pronoun(n))
    {
        return Some("nav.guide");
    }
    let off_paper;
    let n = match without_where_on_paper(n) {
        Some(rest) => {
            off_paper = rest;
            &off_paper
        }
        None => n,
    };
    if has_any_seq(n, WHERE_CUES)
        || has_bare_where(n)
        || has_show_me_the_place(n)
        || asks_if_it_is_beside(n)
        || asks_which_side(n)
        || points_out_a_place(n)
        // "không cần dẫn đâu, em chỉ chị nhà vệ sinh thôi": a walk declined asks the way
        || declined
        || (has_motion_word(n) && has_seq(n, &["the", "nao"]) && !has_usage_cue(n))
    {
        return Some("nav.where_is");
    }
    None
}

/// Words of a side or part of the hall: "cửa", "sảnh", "tầng", "trong", "ngoài", "trên",
/// "dưới", "cuối", "đầu"; and "trái", "phải", "này", "kia" after a word of a side ("bên phải",
/// "góc trái", "phía này"), as "phải" is also "must" and "kia" also "that".
fn is_side_word(t: &[Token], i: usize) -> bool {
    const SIDES: &[&str] = &[
        "cửa", "sảnh", "tầng", "trong", "ngoài", "trên", "dưới", "cuối", "đầu",
    ];
    const AFTER_A_SIDE: &[&str] = &["trái", "phải", "này", "kia"];
    let is = |list: &[&str], x: &Token| {
        if x.has_diacritics() {
            list.contains(&x.text.as_str())
        } else {
            list.iter()
                .any(|s| crate::normalize::strip_diacritics(s) == x.plain)
        }
    };
    is(SIDES, &t[i])
        || (is(AFTER_A_SIDE, &t[i])
            && i > 0
            && matches!(
                t[i - 1].plain.as_str(),
                "ben" | "goc" | "tay" | "phia" | "re" | "dang" | "cua" | "cho"
            ))
}

/// "Ở góc trái hay góc phải", "ở gần cửa hay ở cuối sảnh", "bên này hay bên kia", "tầng 1 hay
/// tầng 2": which of two sides or parts of the hall, a word of one within three words before
/// "hay" and of the other within three after.
fn asks_which_side(n: &Normalized) -> bool {
    let t = &n.tokens;
    (0..t.len()).any(|i| {
        t[i].plain == "hay"
            && (i.saturating_sub(3)..i).any(|k| is_side_word(t, k))
            && (i + 1..(i + 4).min(t.len())).any(|k| is_side_word(t, k))
    })
}

/// "Đừng dẫn, chỉ tao quầy 9 ở đâu là được", "don't need walking over, just point me to counter
/// 11": being led is declined; where the place is, is asked.
fn declines_a_walk(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["dung", "dan"],
        &["khong", "can", "dan"],
        &["khoi", "dan"],
        &["don", "t", "need", "walking"],
        &["don", "t", "need", "to", "walk"],
        &["don", "t", "need", "you", "to", "walk"],
        &["don", "t", "take", "me"],
        // "đừng đi theo chị nữa, chỉ cần nói máy in ở chỗ nào"
        &["dung", "di", "theo"],
        &["don", "t", "need", "you", "to", "take"],
        &["no", "need", "to", "walk"],
        &["don", "t", "walk"],
        &["just", "point"],
        // "không cần em đi cùng", "no need to take me there", "you don't have to come with me"
        &["khong", "can", "di", "cung"],
        &["khong", "can", "em", "di", "cung"],
        &["khong", "can", "chau", "di", "cung"],
        &["khong", "can", "dua"],
        &["no", "need", "to", "take"],
        &["no", "need", "to", "come"],
        &["don", "t", "need", "to", "take"],
        &["don", "t", "have", "to", "take"],
        &["don", "t", "have", "to", "come"],
    ];
    has_any_seq(n, SEQS)
}

/// Words that start a denial of what follows: "không phải", "không cần", "don't need", "not a".
const DENIALS: &[&[&str]] = &[
    &["khong", "phai"],
    &["khong", "can"],
    &["khong", "hoi"],
    // "con nhắn nhầm là làm khai sinh, chứ bác ra đây khai tử": what was said by mistake
    &["nham", "la"],
    &["don", "t", "need"],
    &["do", "not", "need"],
    &["not", "a"],
    &["not", "an"],
    &["not", "the"],
];

/// Words after which the speaker says what they do want: "mà", "but", "I", "tôi", "just", "chỉ".
const RESUMPTIONS: &[&str] = &[
    "ma", "but", "i", "toi", "just", "chi", "minh", "con", "em", "mi",
    // "không cần scan đâu, photo …": the "đâu" that closes the denial
    "dau",
];

/// The fewest words after a denial's object for the rest to say what is wanted ("không cần mang
/// căn cước đúng không" denies and asks nothing else).
const WANTED_WORDS: usize = 2;

/// The least the classifier must give the rest of the sentence for it to answer instead.
const WANTED_MIN: f32 = 0.5;

/// The most words a denial's object may have.
const DENIED_WORDS: usize = 4;

/// The first denial and where the words it denies may end: `(from, ends)`, token positions, the
/// longest first. The object runs to a word of [`RESUMPTIONS`] (then that is its only end), or
/// else over at most [`DENIED_WORDS`] words, any of which may be its last ("không phải khai sinh,
/// khai tử cơ" denies two words, and nothing marks where they end once the comma is gone).
fn denied_span(n: &Normalized) -> Option<(usize, Vec<usize>)> {
    let t = &n.tokens;
    // A bare "not" denies only when the utterance starts with it ("not passport, ID card").
    let (at, len) = DENIALS
        .iter()
        .find_map(|d| seq_at(n, d).map(|i| (i, d.len())))
        .or_else(|| (t.first()?.plain == "not").then_some((0, 1)))?;
    let start = at + len;
    let most = t.len().min(start + DENIED_WORDS);
    let ends = match (start..most).find(|&k| RESUMPTIONS.contains(&t[k].plain.as_str())) {
        Some(k) => vec![k],
        None => (start + 1..=most).rev().collect(),
    };
    ends.first()
        .is_some_and(|&e| e > start)
        .then_some((at, ends))
}

/// The most confidence in a need that only the words naming whom the speaker acts for say
/// ([`Nlu::principal_rule`]).
const PRINCIPAL_ONLY_MAX: f32 = 0.85;

/// Whom the speaker acts for: "on behalf of my company", "for my company", "thay mặt công ty",
/// "đại diện cho mẹ". The tokens of the phrase, its word of acting included, and up to three
/// words after it, to a word that starts what comes next ("to", "để", "nộp" …).
fn principal_span(n: &Normalized) -> Option<std::ops::Range<usize>> {
    const ACTING: &[&[&str]] = &[
        &["on", "behalf", "of"],
        &["for", "mi"],
        &["for", "our"],
        &["thay", "mat"],
        &["dai", "dien", "cho"],
        &["dai", "dien"],
    ];
    // where the principal's name ends: "on behalf of my company | to change …"
    const AFTER: &[&str] = &[
        "to", "and", "i", "de", "den", "toi", "nop", "lam", "va", "thi",
    ];
    let t = &n.tokens;
    let (at, len) = ACTING
        .iter()
        .find_map(|a| seq_at(n, a).map(|i| (i, a.len())))?;
    let start = at + len;
    let end = (start..t.len().min(start + 3))
        .find(|&k| AFTER.contains(&t[k].plain.as_str()))
        .unwrap_or(t.len().min(start + 3));
    (end > start).then_some(at..end)
}

/// Verbs of writing on a form: "điền", "ghi", "ký", "viết" (not "khai": "tờ khai ở đâu" is the form).
/// "Ký" as the normalizer spells it ("kí", y → i).
const WRITING_VERBS: &[&str] = &["dien", "ghi", "ki", "viet"];

/// Verbs of working a screen, as written ("nhận ở đâu" is where to collect something).
const SCREEN_VERBS: &[&str] = &["bấm", "nhấn", "chạm", "click", "chọn"];

/// Words of uploading, before the "lên" they take: "tải bản scan lên chỗ nào", "up ảnh lên đâu".
const UPLOAD_VERBS: &[&str] = &["tai", "up", "upload", "dang"];

/// "Không biết điền chỗ nào", "ký vào đâu": where on the paper, not where in the lobby; likewise
/// where on a screen ("bấm vào đâu") or a website ("tải bản scan giấy tờ lên chỗ nào"). The
/// utterance without those where words, or `None` when it has none.
fn without_where_on_paper(n: &Normalized) -> Option<Normalized> {
    let t = &n.tokens;
    let uploads = |i: usize| {
        t[i].plain == "len"
            && t[i.saturating_sub(6)..i]
                .iter()
                .any(|x| UPLOAD_VERBS.contains(&x.plain.as_str()))
    };
    // "ghi vào chỗ nào": a "vào" may come between the verb and "chỗ nào"
    let into = |i: usize| {
        usize::from(
            t.get(i + 1).is_some_and(|x| x.plain == "vao")
                && t.get(i + 2)
                    .is_some_and(|x| matches!(x.plain.as_str(), "cho" | "o" | "muc")),
        )
    };
    let on_paper = |i: usize| {
        let j = i + into(i);
        t.get(i).is_some_and(|v| {
            WRITING_VERBS.contains(&v.plain.as_str())
                || SCREEN_VERBS.contains(&v.text.as_str())
                || uploads(i)
        }) && matches!(
            (
                t.get(j + 1).map(|x| x.plain.as_str()),
                t.get(j + 2).map(|x| x.plain.as_str())
            ),
            (Some("cho" | "o" | "vao" | "muc"), Some("nao" | "dau"))
        )
    };
    // the words after each verb, up to its "nào" / "đâu"
    let spans: Vec<std::ops::RangeInclusive<usize>> = (0..t.len())
        .filter(|&i| on_paper(i))
        .map(|i| i + 1..=i + 2 + into(i))
        .collect();
    if spans.is_empty() {
        return None;
    }
    Some(n.without(|_, k| spans.iter().any(|s| s.contains(&k))))
}

/// What the robot says to a "where is …" question about something not on its map
/// ([`OosReason::UnknownPlace`]).
pub fn unknown_place_reply(lang: Language) -> &'static str {
    match lang {
        Language::Vi => "Dạ, cháu chỉ biết đường trong trung tâm này thôi ạ, chỗ đó không có trên bản đồ của cháu. Bác hỏi cán bộ ở quầy lễ tân giúp cháu nhé.",
        Language::En => "I only know the way around this centre, and that place is not on my map. Please ask the staff at the reception desk.",
    }
}

/// The best alternative that is neither navigation nor out of scope: the service or amenity a
/// navigation reading may stand in front of.
fn service_behind<'a>(alts: impl IntoIterator<Item = &'a (String, f32)>) -> Option<(String, f32)> {
    alts.into_iter()
        .find(|(l, _)| !catalog::takes_destination(l) && l != OUT_OF_SCOPE)
        .cloned()
}

/// Answer `alt` (probability `p`) instead of the current intent, which was a rule's second choice:
/// the confidence is at least half the classifier's, and `alt` moves to the front of the list.
fn promote(
    intent: &mut String,
    confidence: &mut f32,
    alts: &mut Vec<(String, f32)>,
    alt: String,
    p: f32,
) {
    *intent = alt;
    *confidence = p.max(*confidence * 0.5);
    alts.retain(|(l, _)| l != intent);
    alts.insert(0, (intent.clone(), *confidence));
}

/// A rule chose `label`: answer it at the classifier's own probability for it, and at least at
/// [`RULE_CONFIDENCE`].
fn promote_by_rule(
    intent: &mut String,
    confidence: &mut f32,
    alts: &mut Vec<(String, f32)>,
    label: &str,
) {
    let p = alts
        .iter()
        .find(|(l, _)| l == label)
        .map_or(0.0, |(_, p)| *p);
    let c = p.max(RULE_CONFIDENCE);
    promote(intent, confidence, alts, label.to_string(), c);
    *confidence = c;
}

fn has_usage_cue(n: &Normalized) -> bool {
    has_any_seq(n, USAGE_CUES)
}

/// Words of a request to change language ("nói", "speak", "chuyển sang", "dùng", "in english").
/// A longer sentence that only mentions a language ("marry my vietnamese girlfriend") is not one.
pub const LANGUAGE_REQUEST_CUES: &[&str] = &[
    "noi",
    "speak",
    "speaks",
    "talk",
    "say",
    "switch",
    "change",
    "chuyen",
    "doi",
    "sang",
    "dung",
    "use",
    "prefer",
    "language",
    "ngon",
    "biet",
    "hieu",
    "understand",
    "please",
    "di",
    "in",
];

/// Short requests ("english please", "tiếng việt") need no cue word.
const LANGUAGE_REQUEST_MAX_BARE: usize = 4;

/// Words that name a language or languages ("tiếng …", "English", "ngôn ngữ").
const LANGUAGE_NAMES: &[&str] = &[
    "tieng",
    "ngon",
    "english",
    "vietnamese",
    "language",
    "languages",
    "chinese",
    "korean",
    "japanese",
    "french",
];

/// Does an utterance the classifier calls `chat.language` really ask to change language? It
/// names a language ("đổi tiền đô sang tiền Việt" names none: it is about money), and it is
/// short or has a word of asking.
pub fn asks_for_language(n: &Normalized) -> bool {
    let names_one = n
        .tokens
        .iter()
        .any(|t| LANGUAGE_NAMES.contains(&t.plain.as_str()));
    names_one
        && (n.tokens.len() <= LANGUAGE_REQUEST_MAX_BARE
            || n.tokens
                .iter()
                .any(|t| LANGUAGE_REQUEST_CUES.contains(&t.plain.as_str())))
}

fn requested_language(n: &Normalized) -> Option<Language> {
    let en = has_seq(n, &["tieng", "anh"]) || has_seq(n, &["english"]);
    let vi = has_seq(n, &["tieng", "viet"]) || has_seq(n, &["vietnamese"]);
    match (en, vi) {
        (true, false) => Some(Language::En),
        (false, true) => Some(Language::Vi),
        _ => None,
    }
}

/// Words that open the name of a place or a thing of the lobby ("chỗ …", "bàn …", "máy …",
/// "mẫu tờ khai …", "the desk …"): a question that starts with one asks for that place, even when
/// a procedure's words follow ("chỗ người khuyết tật mượn xe lăn ở đâu").
const PLACE_HEADS: &[&str] = &[
    "cho", "ban", "quay", "khu", "goc", "phong", "may", "mau", "to", "cay", "noi", "desk",
    "counter", "area", "corner", "machine", "form", "forms", "room", "station",
];

/// Words skipped before the first word that counts: fillers, address, "where is the …".
const LEAD_SKIP: &[&str] = &[
    "where", "is", "are", "the", "a", "can", "i", "find", "hoi", "xin", "cai", "ve", "thi", "u",
    "o", "a", "da", "oi", "em", "chau", "bac", "toi", "cho",
];

/// "Is counter 4 where I apply …", "is this where we wait": an English "where" after the place
/// and its "is", with a subject right after it. A relative clause, not a where question.
fn where_clause_after_a_place(n: &Normalized) -> bool {
    const SUBJECTS: &[&str] = &["i", "we", "you", "one", "people", "they", "he", "she"];
    let t = &n.tokens;
    (2..t.len().saturating_sub(1)).any(|i| {
        t[i].plain == "where"
            && SUBJECTS.contains(&t[i + 1].plain.as_str())
            && t[..i]
                .iter()
                .any(|x| matches!(x.plain.as_str(), "is" | "are"))
    })
}

/// Verbs of doing a procedure.
const DOING_VERBS: &[&[&str]] = &[
    &["lam"],
    &["dang", "ky"],
    &["dang", "ki"],
    &["nop"],
    &["gia", "han"],
    &["cap", "lai"],
    &["cap", "doi"],
    &["khai"],
    &["chung", "thuc"],
    // "ký số ở đâu": signing digitally
    &["ki", "so"],
    // an app: "iHanoi cài ở đâu", "tải ở đâu"
    &["cai"],
    &["tai"],
    &["install"],
    &["download"],
    &["register"],
    &["apply"],
    &["renew"],
    &["sign", "up"],
    &["submit"],
    &["file"],
    &["extend"],
];

/// Where to *do* something: a doing verb right before "ở đâu" / "o dau" ("đăng ký ở đâu"), or
/// right after "where do I", and no place head first ("chỗ …", "bàn …"): what is asked for is a
/// procedure or a service, not a place of the map.
fn asks_where_to_do(n: &Normalized) -> bool {
    !starts_with_place_head(n) && doing_verb_at_where(n)
}

/// A doing verb right before "ở đâu" / "o dau", or right after "where do I".
fn doing_verb_at_where(n: &Normalized) -> bool {
    let t = &n.tokens;
    if let Some(i) = seq_at(n, &["o", "dau"]) {
        return DOING_VERBS
            .iter()
            .any(|v| i >= v.len() && v.iter().zip(&t[i - v.len()..i]).all(|(w, x)| x.plain == *w));
    }
    if let Some(i) = seq_at(n, &["where", "do", "i"]).or_else(|| seq_at(n, &["where", "can", "i"]))
    {
        return DOING_VERBS.iter().any(|v| {
            v.iter()
                .zip(t.iter().skip(i + 3))
                .all(|(w, x)| x.plain == *w)
        });
    }
    false
}

/// The utterance starts (after fillers and address) with "lấy" or "bốc" (take, get), has one
/// right before "ở đâu" ("không có mẫu tờ khai thì lấy ở đâu"), or asks where to "get" or "pick"
/// something up.
fn starts_with_getting(n: &Normalized) -> bool {
    let getting = |x: &Token| {
        if x.has_diacritics() {
            matches!(x.text.as_str(), "lấy" | "bốc")
        } else {
            matches!(x.plain.as_str(), "lay" | "boc")
        }
    };
    first_counted(n).is_some_and(|i| getting(&n.tokens[i]))
        || seq_at(n, &["o", "dau"]).is_some_and(|i| i > 0 && getting(&n.tokens[i - 1]))
        // "where can she get one", "where do I pick up the form"
        || ["get", "pick"].iter().any(|verb| {
            seq_at(n, &["where"]).is_some_and(|w| {
                n.tokens[w..(w + 5).min(n.tokens.len())]
                    .iter()
                    .any(|x| x.plain == *verb)
            })
        })
}

/// The first word that counts, after fillers, address and "where is the …".
fn first_counted(n: &Normalized) -> Option<usize> {
    // "cho tôi hỏi": the "cho" of a request, not a place ("chỗ" has diacritics when typed so)
    n.tokens.iter().position(|x| {
        let skipped = (LEAD_SKIP.contains(&x.plain.as_str()) && x.text != "chỗ")
            || crate::nav_words::PARTICLES.contains(&x.plain.as_str());
        !skipped
    })
}

/// Names of a blank form, as the first words that count.
const FORM_HEADS: &[&[&str]] = &[
    &["mau", "to", "khai"],
    &["mau", "don"],
    &["to", "khai"],
    &["form"],
    &["forms"],
];

/// A question about the procedure behind a form: its papers, photo, time, fee, doing it online.
const PROCEDURE_QUESTIONS: &[&[&str]] = &[
    &["giay", "to", "gi"],
    &["can", "nhung", "gi"],
    &["can", "gi"],
    &["mang", "gi"],
    &["bao", "lau"],
    &["le", "phi"],
    &["bao", "nhieu", "tien"],
    &["anh", "co"],
    &["online"],
    &["truc", "tuyen"],
    &["what", "documents"],
    &["what", "papers"],
    &["how", "long"],
    &["how", "much"],
    &["fee"],
];

/// "Xin mẫu tờ khai đăng ký tạm trú", "the form for a passport": the citizen asks for the form
/// itself, not how the procedure goes ("tờ khai TK01 cấp hộ chiếu thì ảnh cỡ bao nhiêu", "form
/// for ID card renewal, what documents do I bring" ask about the procedure).
fn asks_for_a_form(n: &Normalized) -> bool {
    if has_any_seq(n, PROCEDURE_QUESTIONS) {
        return false;
    }
    let Some(i) = first_counted(n) else {
        return false;
    };
    let t = &n.tokens[i..];
    FORM_HEADS.iter().any(|head| {
        head.len() <= t.len()
            && head.iter().zip(t).all(|(w, x)| {
                x.plain == *w
                    && (!x.has_diacritics()
                        || matches!(x.text.as_str(), "mẫu" | "tờ" | "khai" | "đơn"))
            })
    })
}

fn starts_with_place_head(n: &Normalized) -> bool {
    let t = &n.tokens;
    let Some(i) = first_counted(n) else {
        return false;
    };
    let w = &t[i];
    if w.has_diacritics() {
        matches!(
            w.text.as_str(),
            "chỗ" | "bàn" | "quầy" | "khu" | "góc" | "phòng" | "máy" | "mẫu" | "tờ" | "cây" | "nơi"
        )
    } else {
        PLACE_HEADS.contains(&w.plain.as_str())
    }
}

/// Making copies or prints, the free printing area's work ("photocopy my passport", "in mấy tờ
/// giấy", "photo căn cước"), as opposed to certifying a copy.
const COPY_WORDS: &[&[&str]] = &[
    &["photocopy"],
    &["photo"],
    &["print"],
    &["printing"],
    &["printer"],
    &["make", "a", "copy"],
    &["make", "copies"],
    &["in", "tai", "lieu"],
    &["in", "giay"],
    &["in", "may", "to"],
    &["may", "in"],
    &["may", "photo"],
];

/// Words of a certified copy: with them, a copy is the procedure, not the printer.
const CERTIFY_WORDS: &[&[&str]] = &[
    &["chung", "thuc"],
    &["cong", "chung"],
    &["sao", "y"],
    &["certify"],
    &["certified"],
    &["notarize"],
    &["notarized"],
    &["notary"],
];

/// "Photocopy my passport", "in giúp bác bản căn cước": a copy or print of a document is asked
/// for, not the document's procedure.
fn asks_for_copies(n: &Normalized) -> bool {
    has_any_seq(n, COPY_WORDS) && !has_any_seq(n, CERTIFY_WORDS)
}

/// "Sao y", "chứng thực", "certify": a copy certified (not "công chứng" or "notary", which also
/// name private offices).
fn asks_to_certify_a_copy(n: &Normalized) -> bool {
    has_seq(n, &["sao", "y"])
        || has_seq(n, &["chung", "thuc"])
        || has_seq(n, &["certify"])
        || has_seq(n, &["certified"])
}

/// Whether a copy will do, or must be certified, for a procedure: "cần bản gốc hay bản photo",
/// "có cần bản sao chứng thực không", "photo thường cũng được", "is a photocopy enough". The
/// procedure's papers are asked about, not a copy made.
fn asks_if_a_copy_will_do(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["ban", "goc", "hay"],
        &["hay", "ban", "photo"],
        &["hay", "ban", "sao"],
        &["photo", "thuong"],
        &["co", "can", "ban"],
        &["enough"],
        &["original", "or"],
        &["do", "i", "need", "a", "copy"],
    ];
    has_any_seq(n, SEQS)
}

/// A true copy certified ("sao y cccd", "công chứng bằng đại học", "notarize my passport copy"):
/// the certified-copy procedure, not the document's own. Not a contract or a signature, which is
/// the signature-certification procedure.
fn asks_for_certified_copy(n: &Normalized) -> bool {
    has_any_seq(n, CERTIFY_WORDS) && !has_any_seq(n, CONTRACT_WORDS)
}

const CONTRACT_WORDS: &[&[&str]] = &[
    &["hop", "dong"],
    &["chu", "ki"], // "chữ ký", as the normalizer spells it (y → i)
    &["contract"],
    &["signature"],
    &["chuyen", "nhuong"],
    &["mua", "ban"],
];

/// A benefit asked for ("có được hỗ trợ gì không", "được hưởng trợ cấp"), not at the centre
/// ("ở đây", "tại đây", "here").
fn asks_for_a_benefit(n: &Normalized) -> bool {
    const BENEFIT: &[&[&str]] = &[
        &["duoc", "ho", "tro", "gi"],
        &["co", "duoc", "ho", "tro"],
        &["duoc", "huong", "gi"],
        &["duoc", "huong", "tro", "cap"],
        &["duoc", "tro", "cap"],
    ];
    BENEFIT.iter().any(|b| has_seq(n, b))
        && !has_seq(n, &["o", "day"])
        && !has_seq(n, &["tai", "day"])
        && !n.tokens.iter().any(|x| x.plain == "here")
}

/// "Bấm số ở máy rồi chờ tới chừng nào": when, not where ([`asks_when`]).
fn time_asked_rule(n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
    // Read as a where-is with no where cue, a time question is the need behind it, or the need
    // the place found gives.
    if r.intent == "nav.where_is" && cue.is_none() && asks_when(n) {
        let owner = match &r.dest {
            Some((place, _)) => owner_place_need(place),
            None => None,
        };
        // A place named in full vouches for the need it gives ("trạm sạc dùng thế nào, cắm bao
        // lâu thì đầy": the charging, whatever weak reading the classifier has of it).
        let exact = matches!(&r.dest, Some((_, Match::Exact)));
        let vouched = owner
            .filter(|_| exact)
            .map(|o| (o.to_string(), RULE_CONFIDENCE));
        let behind = vouched
            .or_else(|| service_behind(&r.alts).filter(|(_, p)| *p >= NAV_WITHOUT_PLACE_ALT))
            .or_else(|| owner.map(|o| (o.to_string(), RULE_CONFIDENCE)));
        if let Some((alt, p)) = behind {
            r.promote(alt, p.min(RULE_CONFIDENCE));
            r.set_confidence(p.min(RULE_CONFIDENCE));
            r.dest = None;
        }
    }
}

/// A time asked ("chờ tới chừng nào", "bao lâu", "bao giờ", "khi nào", "mấy giờ", "how long",
/// "when").
fn asks_when(n: &Normalized) -> bool {
    const WHEN: &[&[&str]] = &[
        &["bao", "lau"],
        &["bao", "gio"],
        &["khi", "nao"],
        &["may", "gio"],
        &["how", "long"],
        &["when"],
    ];
    WHEN.iter().any(|w| has_seq(n, w))
        || n.tokens
            .windows(2)
            .any(|w| w[0].text == "chừng" && w[1].plain == "nao")
}

/// The need a place of the map gives ([`PLACE_OWNERS`]).
fn owner_place_need(place: &str) -> Option<&'static str> {
    PLACE_OWNERS
        .iter()
        .find(|(p, _)| *p == place)
        .map(|(_, o)| *o)
}

/// Paying ("thanh toán", "nộp phí", "pay").
fn asks_to_pay(n: &Normalized) -> bool {
    const PAY: &[&[&str]] = &[
        &["thanh", "toan"],
        &["tra", "phi"],
        &["nop", "phi"],
        &["nop", "le", "phi"],
        &["dong", "phi"],
        &["dong", "le", "phi"],
        &["pay"],
        &["payment"],
        &["paying"],
    ];
    PAY.iter().any(|p| has_seq(n, p))
}

/// A dossier to be checked before it is handed in ("xem hộ bác đã đủ chưa", "trước khi nộp",
/// "is anything missing before I submit"): advice, not the status of a submitted one.
const BEFORE_SUBMITTING: &[&[&str]] = &[
    &["truoc", "khi", "nop"],
    &["du", "chua"],
    &["du", "giay", "to", "chua"],
    &["thieu", "gi", "khong"],
    &["con", "thieu", "gi"],
    &["dung", "chua"],
    &["before", "i", "submit"],
    &["before", "submitting"],
    &["anything", "missing"],
    &["is", "it", "complete"],
];

fn checks_before_submitting(n: &Normalized) -> bool {
    has_any_seq(n, BEFORE_SUBMITTING)
}

/// At most this many words for a bare place name to be read as "where is it" ("nhà vệ sinh?",
/// "quầy 5 ạ", "counter four please"). A longer sentence that names a place and nothing the
/// router understands ("kể cho bà một câu chuyện cười đi, bà ngồi chờ buồn quá") is about
/// something else.
const BARE_PLACE_MAX_WORDS: usize = 6;

/// "Hỏi về …", "thông tin về …", "tìm hiểu về …", "về việc …": a question about something.
fn asks_about(n: &Normalized) -> bool {
    [
        &["hoi", "ve"][..],
        &["hoi", "chut", "ve"],
        &["hoi", "them", "ve"],
        &["thong", "tin", "ve"],
        &["tim", "hieu", "ve"],
        &["ve", "viec"],
        &["ve", "thu", "tuc"],
    ]
    .iter()
    .any(|c| has_seq(n, c))
}

/// Procedures a citizen may ask for that the catalog does not cover.
const NOT_IN_CATALOG: &[&[&str]] = &[
    &["con", "nuoi"],
    &["li", "hon"], // "ly hôn", as the normalizer spells it (y → i)
    &["thua", "ke"],
    &["di", "chuc"],
    &["visa"],
    &["thi", "thuc"],
    &["giay", "phep", "lao", "dong"],
    &["adopt"],
    &["adoption"],
    &["divorce"],
    &["inheritance"],
    &["work", "permit"],
    // other agencies' papers that sound like the centre's: the social-insurance book (not the
    // health-insurance card), school enrolment, a bank account opened, hospital records, tax
    // returns
    &["so", "bao", "hiem", "xa", "hoi"],
    &["social", "insurance", "book"],
    &["tuyen", "sinh"],
    // opening a bank account ("không có tài khoản ngân hàng" only tells how one pays)
    &["mo", "tai", "khoan", "ngan", "hang"],
    &["open", "a", "bank", "account"],
    &["open", "a", "bank"],
    &["benh", "an"],
    &["medical", "records"],
    &["tax", "return"],
    &["vat", "return"],
    &["quyet", "toan", "thue"],
    // loans and debts: a bank's or a court's ("chỗ nào cho vay nhanh", "trả nợ thay")
    &["cho", "vay"],
    &["vay", "tien"],
    &["vay", "von"],
    &["tra", "no"],
    &["khoan", "no"],
    &["loan"],
];

/// A tax disputed, to be refunded, settled or declared ("khiếu nại thuế", "tiền thuế đất bị tính
/// sai", "tax refund", "quyết toán thuế thu nhập cá nhân"):
/// the tax office's, not the centre's, whatever procedure is named beside it. The range of the
/// tax word, if so.
fn disputes_tax(n: &Normalized) -> Option<std::ops::Range<usize>> {
    const DISPUTE: &[&str] = &[
        "khieu",
        "sai",
        "tranh",
        "hoan",
        "truy",
        "refund",
        "dispute",
        "complain",
        "wrong",
        "overcharged",
    ];
    let t = &n.tokens;
    let tax = t.iter().position(|x| {
        x.text == "thuế" || x.plain == "tax" || (x.plain == "thue" && !x.has_diacritics())
    })?;
    let settled = has_seq(n, &["quyet", "toan"]);
    (settled || t.iter().any(|x| DISPUTE.contains(&x.plain.as_str()))).then_some(tax..tax + 1)
}

/// Where `n` asks for a procedure of [`NOT_IN_CATALOG`], not denied ("không phải visa", "not a
/// visa") and not a card ("thẻ visa", "Visa card"): the tokens of its name.
fn asks_outside_the_catalog(n: &Normalized) -> Option<std::ops::Range<usize>> {
    let t = &n.tokens;
    NOT_IN_CATALOG.iter().find_map(|c| {
        (0..t.len().saturating_sub(c.len() - 1))
            .find(|&i| {
                c.iter().zip(&t[i..]).all(|(w, x)| x.plain == *w)
                    && !t[i.saturating_sub(3)..i].iter().enumerate().any(|(k, x)| {
                        let next = t.get(i.saturating_sub(3) + k + 1).map(|y| y.plain.as_str());
                        x.plain == "not"
                            || (matches!(x.plain.as_str(), "khong" | "ko" | "chang" | "k")
                                && matches!(next, Some("phai" | "can")))
                    })
                    && !(c[0] == "visa"
                        && (t.get(i + 1).is_some_and(|y| y.plain == "card")
                            || i.checked_sub(1).is_some_and(|j| t[j].text == "thẻ")))
            })
            .map(|i| i..i + c.len())
    })
}

/// Another country's passport ("renew my Indian passport", "my passport was stolen, I'm
/// Australian"): its embassy's, not the centre's. A nationality right before "passport", or
/// said of oneself ("I'm …"); not a country travelled to ("hộ chiếu để đi Nhật", "a passport
/// to study in Australia"), and never when the passport is Vietnamese. The range of the
/// nationality word, if so.
fn foreign_passport(n: &Normalized) -> Option<std::ops::Range<usize>> {
    const NATIONALITIES: &[&str] = &[
        "australian",
        "american",
        "british",
        "indian",
        "korean",
        "japanese",
        "chinese",
        "french",
        "german",
        "canadian",
        "russian",
        "thai",
        "singaporean",
        "filipino",
        "italian",
        "spanish",
        "dutch",
        "taiwanese",
        "malaysian",
    ];
    let t = &n.tokens;
    if !t.iter().any(|x| x.plain == "passport") || t.iter().any(|x| x.plain == "vietnamese") {
        return None;
    }
    (0..t.len())
        .find(|&i| {
            NATIONALITIES.contains(&t[i].plain.as_str())
                && (t.get(i + 1).is_some_and(|x| x.plain == "passport")
                    || (i >= 2
                        && t[i - 2].plain == "i"
                        && matches!(t[i - 1].plain.as_str(), "m" | "am")))
        })
        .map(|i| i..i + 1)
}

/// The classifier's confidence in a procedure of the catalog at which a procedure outside it,
/// named beside, is read as that one's purpose ("police clearance for my visa"), not the need.
const NIC_SURE_PROCEDURE: f32 = 0.8;

/// How sure the classifier must be of a service for a procedure the catalog does not have, told
/// beside it, not to make the whole out of scope ([`Nlu::finish`]).
const NIC_CERTAIN_SERVICE: f32 = 0.95;

/// The classifier's confidence from which a rule that would overrule it on a weak cue (small
/// talk, a pet, who the robot is, an opening day) yields: the classifier is sure of its reading.
const SURE: f32 = 0.6;

/// The most an answer about a procedure outside the catalog may claim.
const NOT_IN_CATALOG_MAX: f32 = 0.6;

/// The place where an amenity or a service is given: asked how it works ("máy lấy số dùng thế
/// nào", "how do I use the queue machine"), the answer is that amenity or service.
const PLACE_OWNERS: &[(&str, &str)] = &[
    ("queue_kiosk", "service.queue_number"),
    ("charging_station", "amenity.charging"),
    ("water_station", "amenity.water_snacks"),
    ("printing_area", "amenity.printing"),
    ("forms_desk", "amenity.forms"),
    ("medical_corner", "amenity.medical"),
    ("accessibility_desk", "amenity.accessibility"),
    ("waiting_area", "amenity.waiting_area"),
    ("digital_signature_desk", "service.digital_signature"),
    ("online_service_area", "service.online_support"),
];

/// Places that give a service among others: asked to be *taken* where the service is given
/// ("đưa em ra chỗ máy tính làm VNeID"), the citizen is taken there. Asked *where* ("cài VNeID
/// ở đâu", "kích hoạt định danh mức 2 ở đâu"), the service answers, and says where.
const GUIDE_OWNERS: &[(&str, &str)] = &[
    ("online_service_area", "service.vneid"),
    ("online_service_area", "service.ihanoi"),
];

/// The most a where-is answer may claim when its place came from the need ("where can I print"),
/// not from a place named: below [`CONFIRM_THRESHOLD`], so the dialog confirms before guiding.
const PLACE_OF_NEED_MAX: f32 = 0.85;

/// The place where the need behind a placeless where-question is given: the current intent when
/// it owns a place, or, when the current intent is navigation or out of scope, the best service
/// or amenity behind it if that owns a place and has at least [`NAV_WITHOUT_PLACE_ALT`]. Returns
/// the place and the need's probability.
fn place_of_the_need(
    intent: &str,
    confidence: f32,
    alts: &[(String, f32)],
    guide: bool,
) -> Option<(&'static str, f32)> {
    if let Some(place) = owner_place(intent, guide) {
        return Some((place, confidence));
    }
    if !(catalog::takes_destination(intent) || intent == OUT_OF_SCOPE) {
        return None;
    }
    let (alt, p) = service_behind(alts)?;
    if p < NAV_WITHOUT_PLACE_ALT {
        return None;
    }
    owner_place(&alt, guide).map(|place| (place, p))
}

/// The place of the map that gives `label` ([`PLACE_OWNERS`]; for a guide request also
/// [`GUIDE_OWNERS`]).
fn owner_place(label: &str, guide: bool) -> Option<&'static str> {
    let shared: &[(&str, &str)] = if guide { GUIDE_OWNERS } else { &[] };
    PLACE_OWNERS
        .iter()
        .chain(shared)
        .find(|(_, o)| *o == label)
        .map(|(p, _)| *p)
}

/// The confidence reported when a rule, not the classifier, chose a procedure over navigation.
/// Below [`CONFIRM_THRESHOLD`]: the dialog confirms before acting on it.
const RULE_CONFIDENCE: f32 = 0.75;

/// Services through which any procedure is done: asked about with a procedure named, the
/// procedure may be the need ([`Nlu::need_rules`]).
const CHANNELS: &[&str] = &[
    "service.consultation",
    "service.online_support",
    "service.collaborators",
    "service.queue_number",
];
/// Below this, the classifier is not sure of the channel.
const CHANNEL_UNSURE: f32 = 0.9;
/// The most confidence in a place guessed from part of its name beside places passed over, or
/// chosen of two places named.
const DESCRIBED_PLACE_MAX: f32 = 0.85;
/// Below this, a word that only says goodbye outweighs what the classifier reads.
const FAREWELL_UNSURE: f32 = 0.8;
/// The probability the procedure named must have for the channel to give way to it.
const CHANNEL_PROCEDURE_MIN: f32 = 0.1;

/// At or above this confidence the dialog may act without asking (see
/// [`Understanding::needs_confirmation`]). On every probe set, wrong answers at or above it are
/// at most 0.5 % of utterances (`tests/probes.rs`).
pub const CONFIRM_THRESHOLD: f32 = 0.9;

/// The most a navigation answer without a place may claim: the dialog will ask where to anyway.
const NAV_WITHOUT_PLACE_MAX: f32 = 0.7;

/// The most "out of scope" may claim when it rests only on the classifier's best reading being
/// weak. Over the 106 labelled files at 91feca0, answers out of scope for low confidence (this
/// path and the one for unseen words together) were right 23 times in 57: a weak reading says
/// little about whether the centre does the thing.
const WEAK_READING_OOS_MAX: f32 = 0.5;

/// The most a "not on the map" answer may claim when it rests only on an unknown word.
const UNKNOWN_WORD_MAX: f32 = 0.85;

/// The confidence of "that place is in the city, not in the centre".
const OUTSIDE_PLACE_CONFIDENCE: f32 = 0.9;

/// The confidence of "not in the centre" when it rests on "near here" alone, no kind of city
/// place named: below [`CONFIRM_THRESHOLD`].
const NEAR_HERE_CONFIDENCE: f32 = 0.8;

const PRONOUNS: &[&str] = &[
    "toi", "bac", "chi", "anh", "em", "chau", "con", "minh", "ong", "ba", "co", "chu", "me", "bo",
    "i", "we",
];

/// A word that only ever says goodbye: "tạm biệt", "hẹn gặp lại", "bye", "goodbye", and the
/// Sino-Vietnamese "cáo từ" ("nay tôi xin phép cáo từ").
fn says_farewell(n: &Normalized) -> bool {
    has_seq(n, &["hen", "gap", "lai"])
        || has_seq(n, &["tam", "biet"])
        || has_seq(n, &["cao", "tu"])
        || n.tokens.iter().any(|w| {
            // "bye", "goodbye", drawn out in typing ("byeee")
            let word = w.plain.trim_end_matches('e');
            word == "by" || word == "goodby"
        })
}

/// A leave-taking inside a longer sentence: "<pronoun> (đi) về" ending the sentence (before
/// particles), "xin phép … về", "hẹn gặp lại", "see you", "tạm biệt", "bye"/"goodbye" ("thanks
/// a lot, bye", "ok I'm done, bye robot"), "thôi chào" opening it, or coming back tomorrow ("mai
/// tôi lại lên", "mai bác quay lại").
fn is_leave_taking(n: &Normalized) -> bool {
    let t = &n.tokens;
    if says_farewell(n)
        || has_seq(n, &["see", "you"])
        || (t.len() >= 2 && t[0].plain == "thoi" && t[1].plain == "chao")
        || comes_back_tomorrow(t)
    {
        return true;
    }
    let mut end = t.len();
    while end > 0
        && (TRAILING_PARTICLES.contains(&t[end - 1].plain.as_str())
            || ["nha", "day", "luon", "thoi"].contains(&t[end - 1].plain.as_str()))
    {
        end -= 1;
    }
    if end == 0 {
        return false;
    }
    // "Cảm ơn em nhé, anh đi đây", "chị về văn phòng đây", "bà về lo hậu sự cho ông đây": a
    // pronoun, "đi" or "về" and at most six words of where to or what for, closing the sentence
    // with "đây". Not someone led ("dẫn anh đi đây").
    if end < t.len() && t[end].text == "đây" {
        let going = (end.saturating_sub(7)..end).any(|k| {
            k > 0
                && matches!(t[k].text.as_str(), "đi" | "về")
                && PRONOUNS.contains(&t[k - 1].plain.as_str())
                && !(k >= 2
                    && (LEAD_VERBS.contains(&t[k - 2].plain.as_str()) || t[k - 2].plain == "cho"))
        });
        if going {
            return true;
        }
    }
    // "Cảm ơn em nhé, thứ Sáu chị quay lại lấy kết quả, chào em": a "chào" closing a longer
    // sentence that thanks first, or tells of coming back, takes leave ("bác chào cháu nhé"
    // alone greets).
    let chao_at = if t[end - 1].plain == "chao" {
        Some(end - 1)
    } else {
        (end >= 2 && t[end - 2].plain == "chao" && PRONOUNS.contains(&t[end - 1].plain.as_str()))
            .then(|| end - 2)
    };
    // "Cảm ơn em nhé, giờ chị phải về lo hậu sự cho ông cụ": thanks, then the speaker must go
    // home.
    let must_go = (1..t.len().saturating_sub(1)).any(|k| {
        PRONOUNS.contains(&t[k - 1].plain.as_str())
            && matches!(t[k].plain.as_str(), "phai" | "xin")
            && (t[k + 1].text == "về"
                || (t[k + 1].plain == "phep" && t.get(k + 2).is_some_and(|x| x.text == "về")))
    });
    if must_go && opens_with_thanks(n) {
        return true;
    }
    if chao_at.is_some_and(|k| k >= 3)
        && (opens_with_thanks(n) || has_any_seq(n, &[&["quay", "lai"], &["hom", "khac"]]))
    {
        return true;
    }
    let last = &t[end - 1];
    let ve = if last.has_diacritics() {
        last.text == "về"
    } else {
        last.plain == "ve"
    };
    if !ve || end < 2 {
        return false;
    }
    let mut j = end - 2;
    if t[j].plain == "di" && j > 0 {
        j -= 1;
    }
    PRONOUNS.contains(&t[j].plain.as_str())
}

/// What kind of thing is said, when the classifier reads it as another chat intent or weakly:
/// food asked for, thanks or a greeting first, what the robot can do, opening on a day, small talk
/// the centre does not do.
fn what_is_said_rules(n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
    // Food asked for, or hunger or thirst told ("is there anything to eat", "cháu đói rồi"): the
    // free water and snacks, unless the classifier is sure of a procedure or a service.
    if cue.is_none()
        && r.intent != WATER_SNACKS
        && !((r.intent.starts_with("proc.") || r.intent.starts_with("service."))
            && r.confidence >= SURE)
        && asks_for_food(n)
    {
        r.promote_by_rule(WATER_SNACKS);
    }
    // A sentence that opens with thanks and names no need the classifier is sure of ("cảm ơn
    // em nhiều lắm, nãy giờ hỏi mãi mới có người chỉ rõ thế"): thanks.
    if cue.is_none()
        && (r.confidence < 0.5 || r.intent == OUT_OF_SCOPE || thanks_for_something(n))
        && r.intent != "chat.thanks"
        && opens_with_thanks(n)
    {
        r.promote_by_rule("chat.thanks");
    }
    // A sentence that opens with a greeting and names no need the classifier is sure of ("chào
    // em, chị bên văn phòng luật qua nộp hồ sơ như mọi tuần đây"): a greeting.
    // So does one that opens with a greeting and wishes a good day ("kính chào quý cơ quan, chúc
    // quý vị một ngày làm việc tốt lành"), whatever else the classifier reads in it.
    if cue.is_none()
        && (r.confidence < 0.5 || wishes_well(n))
        && r.intent != "chat.greeting"
        && !is_leave_taking(n)
        && opens_with_greeting(n)
    {
        r.promote_by_rule("chat.greeting");
    }
    // "Cái máy này biết làm những gì", "em làm được gì": what the robot can do, read as another
    // chat intent or weakly; or asked of the robot by name ("em hỗ trợ được những việc gì, … hay
    // chỉ chỉ đường thôi") and read as a place it only half names.
    if r.intent != "chat.capabilities"
        && asks_what_it_can_do(n)
        && ((cue.is_none()
            && (r.intent.starts_with("chat.") || r.intent == OUT_OF_SCOPE || r.confidence < SURE))
            || (addresses_the_robot(n)
                && catalog::takes_destination(&r.intent)
                && !matches!(&r.dest, Some((_, Match::Exact | Match::Counter))))
            // "Ngoài chỉ đường ra thì em còn giúp được những việc gì": the "ra" closes
            // "ngoài … ra" (besides); no way out is asked for.
            || n.tokens.first().is_some_and(|x| x.plain == "ngoai"))
    {
        r.promote_by_rule("chat.capabilities");
    }
    // "Trụ sở công an phường … mấy giờ mở cửa", "Vietcombank gần đây mấy giờ đóng cửa": another
    // office's hours, or those of something near here, are not the centre's.
    // Not a place the speaker comes from ("chị chạy từ ngân hàng sang", "from the bank").
    // (read only when hours are in question: it scans the whole sentence for city places)
    let hours_elsewhere = || {
        crate::nav_words::names_other_office(n)
            || crate::nav_words::names_outside_place(&without_origin(n))
            || crate::nav_words::asks_near_here(n)
    };
    if r.intent == "service.opening_hours" && hours_elsewhere() {
        r.promote_by_rule(OUT_OF_SCOPE);
    }
    // "Máy đo huyết áp của trung tâm giờ nào cũng dùng được hả em": when a thing of the lobby
    // named in full may be used is that amenity's question, not the centre's hours.
    // The thing comes first ("… trưa nay có làm không hay tôi lại phải ngồi chờ" names the
    // waiting, not its hours).
    if r.intent == "service.opening_hours"
        && matches!(&r.dest, Some((_, Match::Exact)))
        && starts_with_place_head(n)
    {
        if let Some(owner) = owner_of(&r.dest).filter(|o| o.starts_with("amenity.")) {
            r.promote_by_rule(owner);
        }
    }
    // "Tôi số 215, tầm mấy giờ thì tới lượt": when one's turn comes is the queue's question.
    // "If I step out for ten minutes, will I miss my turn? How many people are ahead of me?":
    // also when the classifier reads nothing sure.
    if r.intent != "service.queue_number"
        && (r.intent == "service.opening_hours"
            || (cue.is_none() && (r.intent == OUT_OF_SCOPE || r.confidence < SURE)))
        && asks_for_a_turn(n)
    {
        r.promote_by_rule("service.queue_number");
    }
    // "When's that paperwork bus coming round", "có ô tô làm thủ tục đi về các xã": a vehicle
    // that does paperwork is the mobile office, however the classifier reads it.
    if r.intent != "service.mobile_office"
        && (r.intent == OUT_OF_SCOPE || r.confidence < SURE)
        && tells_a_travelling_office(n)
    {
        r.promote_by_rule("service.mobile_office");
    }
    // "Giới thiệu bản thân đi", "introduce yourself": who the robot is. Who made it, asked of
    // it, whatever company or office the question names ("em là của phường hay của công ty nào
    // làm ra thế").
    if (r.intent.starts_with("chat.")
        || r.intent == OUT_OF_SCOPE
        || r.confidence < SURE
        || asks_what_made_it(n))
        && r.intent != "chat.identity"
        && asks_to_introduce_itself(n)
    {
        r.promote_by_rule("chat.identity");
    }
    // "Thứ bảy này có mở cửa không": whether the centre is open on a day, read as out of scope or
    // weakly.
    if cue.is_none()
        && (r.intent == OUT_OF_SCOPE || r.confidence < SURE)
        && r.intent != "service.opening_hours"
        // another office's day ("What time does Agribank open tomorrow?"), unless the centre
        // is asked about beside it ("thứ bảy ở đây có làm việc không, hay vẫn nghỉ như ủy ban")
        && asks_if_open_on_a_day(n)
        && (!hours_elsewhere() || names_here(n))
    {
        r.promote_by_rule("service.opening_hours");
    }
    // A business of the city recommended ("trường dạy lái nào uy tín", "any good bánh mì
    // places", "recommend a hotel"): the robot judges no school, shop or restaurant, however
    // sure the classifier is of the procedure the business is near ("bằng lái").
    if r.intent != OUT_OF_SCOPE
        && !matches!(&r.dest, Some((_, Match::Exact | Match::Counter)))
        && asks_for_a_recommendation(n)
    {
        r.promote_by_rule(OUT_OF_SCOPE);
    }
    // Small talk the centre does not do (the weather, football, jokes, songs) read as a chat
    // intent or weakly: out of scope.
    if cue.is_none()
        && (r.intent.starts_with("chat.") || r.confidence < SURE)
        && r.intent != OUT_OF_SCOPE
        && asks_small_talk(n)
    {
        r.promote_by_rule(OUT_OF_SCOPE);
    }
    // "Trong sảnh có được hút thuốc không", "can I bring my dog in": the house rules on smoking
    // and pets are not the robot's to answer (the labelling rules: out of scope), whatever the
    // words share with an amenity ("thuốc" of the medical corner).
    // Not when the classifier is sure of a procedure the animal is only told beside ("làm mất
    // căn cước rồi, chắc con chó nhà tao ăn, làm lại thế nào").
    let sure_procedure = r.intent.starts_with("proc.") && r.confidence >= SURE;
    if r.intent != OUT_OF_SCOPE && !sure_procedure && asks_about_smoking_or_pets(n) {
        r.promote_by_rule(OUT_OF_SCOPE);
    }
}

/// "Công ty", "company" (its words) at token `k`.
fn is_company_word(t: &[Token], k: usize) -> bool {
    match t[k].plain.as_str() {
        "company" | "cty" => true,
        "cong" => t
            .get(k + 1)
            .is_some_and(|x| matches!(x.plain.as_str(), "ti" | "ty")),
        "ti" | "ty" => k > 0 && t[k - 1].plain == "cong",
        _ => false,
    }
}

/// The centre itself named: "ở đây", "here", "trung tâm", "centre".
fn names_here(n: &Normalized) -> bool {
    n.tokens
        .windows(2)
        .any(|w| w[0].plain == "o" && w[1].text == "đây")
        || has_any_seq(n, &[&["here"], &["trung", "tam"], &["centre"], &["center"]])
}

/// One's turn: "tới lượt", "đến lượt", "my turn".
fn asks_for_a_turn(n: &Normalized) -> bool {
    has_any_seq(
        n,
        &[
            &["toi", "luot"],
            &["den", "luot"],
            &["toi", "luoc"],
            &["my", "turn"],
            &["our", "turn"],
            // "how many people are ahead of me", "mất lượt", "qua lượt"
            &["ahead", "of", "me"],
            &["ahead", "of", "us"],
            &["in", "front", "of", "me"],
            &["mat", "luot"],
            &["qua", "luot"],
        ],
    )
}

/// How far a dossier has got: a dossier ("hồ sơ", "application", "file", "papers") and a
/// question of its progress ("đến bước nào", "đang ở bước nào", "tiến độ", "what stage", "how far
/// along"). Not the steps of a procedure ("gồm những bước nào").
fn asks_how_far_a_dossier_is(n: &Normalized) -> bool {
    const DOSSIER: &[&[&str]] = &[
        &["ho", "so"],
        &["application"],
        &["file"],
        &["papers"],
        &["paperwork"],
        &["dossier"],
    ];
    const PROGRESS: &[&[&str]] = &[
        &["xong", "chua"],
        &["co", "ket", "qua", "chua"],
        // "hồ sơ … nộp tuần trước giờ đến đâu rồi"
        &["den", "dau", "roi"],
        &["toi", "dau", "roi"],
        // "how can I check if my paperwork is done"
        &["is", "done"],
        &["done", "yet"],
        &["is", "ready"],
        &["ready", "yet"],
        &["den", "buoc", "nao"],
        &["toi", "buoc", "nao"],
        &["o", "buoc", "nao"],
        &["tien", "do"],
        &["what", "stage"],
        &["which", "stage"],
        &["how", "far", "along"],
    ];
    has_any_seq(n, DOSSIER) && has_any_seq(n, PROGRESS)
}

/// Boredom told while waiting: "ngồi không chán quá", "buồn chán", "I'm bored", "nothing to do".
fn tells_boredom(n: &Normalized) -> bool {
    n.tokens.iter().any(|x| x.text == "chán")
        || has_any_seq(
            n,
            &[
                &["bored"],
                &["boring"],
                &["nothing", "to", "do"],
                &["kill", "time"],
            ],
        )
}

/// A need of the toilet told: "buồn đi vệ sinh", "mắc tiểu", "need the loo", "need to pee",
/// "been holding it".
fn tells_needs_the_toilet(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["buon", "di", "ve", "sinh"],
        &["can", "di", "ve", "sinh"],
        &["muon", "di", "ve", "sinh"],
        &["buon", "tieu"],
        &["mac", "tieu"],
        &["di", "tieu"],
        &["need", "the", "loo"],
        &["need", "the", "toilet"],
        &["need", "the", "bathroom"],
        &["need", "to", "pee"],
        &["need", "a", "wee"],
        &["holding", "it"],
    ];
    has_any_seq(n, SEQS)
}

/// A grievance told about the centre: anger or a rude officer ("bức xúc", "gắt gỏng", "hết chịu
/// nổi", "hách dịch", "nobody cares") about a counter, an officer or a dossier, or with who to
/// report it to.
fn tells_a_grievance(n: &Normalized) -> bool {
    const ANGER: &[&[&str]] = &[
        &["buc", "xuc"],
        &["gat", "gong"],
        &["het", "chiu", "noi"],
        &["hach", "dich"],
        &["coc", "can"],
        &["tho", "lo"],
        &["quat", "nat"],
        &["rude"],
        &["nobody", "cares"],
        &["unacceptable"],
    ];
    const REPORT: &[&[&str]] = &[
        &["who", "do", "i", "report"],
        &["report", "this"],
        &["report", "it"],
    ];
    // reporting alone may be to the police or of an employer ("who do I report that to?")
    has_any_seq(n, ANGER) && (complains_of_the_centre(n) || has_any_seq(n, REPORT))
}

/// A real person wanted instead of the machine: "an actual human", "a real person", "người thật",
/// "nói với máy không xong".
/// Not the robot asked whether it is one ("are you a real person?", "cháu là người thật hay là
/// máy").
fn wants_a_human(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["actual", "human"],
        &["real", "human"],
        &["real", "person"],
        &["nguoi", "that"],
        &["noi", "voi", "may", "khong"],
    ];
    let t = &n.tokens;
    let asks_what_it_is = has_any_seq(n, &[&["are", "you"], &["la", "nguoi", "that"]])
        || seq_at(n, &["nguoi", "that"])
            .is_some_and(|i| t.get(i + 2).is_some_and(|x| x.plain == "hay"));
    has_any_seq(n, SEQS) && !asks_what_it_is
}

/// Asking to be served before one's turn: "cho bác lên trước", "có được gọi trước không", "số ưu
/// tiên", "skip the queue", "go first".
fn asks_to_go_first(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["len", "truoc"],
        &["goi", "truoc"],
        &["vao", "truoc"],
        &["lam", "truoc", "duoc", "khong"],
        &["so", "uu", "tien"],
        &["duoc", "uu", "tien", "khong"],
        &["co", "uu", "tien", "khong"],
        &["skip", "the", "queue"],
        &["skip", "the", "line"],
        &["jump", "the", "queue"],
        &["go", "first"],
        &["served", "first"],
        &["priority", "number"],
        &["priority", "queue"],
    ];
    has_any_seq(n, SEQS)
}

/// A complaint about the centre itself: a counter, an officer, a dossier, the wait ("quầy",
/// "cán bộ", "hồ sơ", "thái độ", "counter", "staff"), and iHanoi not named.
fn complains_of_the_centre(n: &Normalized) -> bool {
    const CENTRE: &[&[&str]] = &[
        &["quay"],
        &["can", "bo"],
        &["nhan", "vien"],
        &["ho", "so"],
        &["thai", "do"],
        &["counter"],
        &["staff"],
        &["officer"],
    ];
    has_any_seq(n, CENTRE) && !n.tokens.iter().any(|x| x.plain == "ihanoi")
}

/// A driving-licence class: "bằng B2", "bằng A1", "bằng hạng C" (the normalizer splits "b2"
/// into "b 2"). "Bằng" typed without diacritics counts too.
fn names_a_licence_class(n: &Normalized) -> bool {
    let t = &n.tokens;
    let class = |x: &Token| matches!(x.plain.as_str(), "a" | "b" | "c" | "d" | "e" | "f");
    (0..t.len()).any(|i| {
        let bang = t[i].text == "bằng" || (t[i].plain == "bang" && !t[i].has_diacritics());
        let at = if t.get(i + 1).is_some_and(|x| x.plain == "hang") {
            i + 2
        } else {
            i + 1
        };
        bang && t.get(at).is_some_and(class)
            && (t
                .get(at + 1)
                .is_some_and(|x| x.plain.chars().all(|c| c.is_ascii_digit()))
                || at == i + 2)
    })
}

/// An officer who told the speaker something: an officer word ("cán bộ", "nhân viên",
/// "officer", "clerk", "staff") and, within the next four words, a word of saying ("bảo", "nói",
/// "dặn", "said", "told"), with no person asked for ("gặp", "nói chuyện với", "talk to").
fn tells_what_an_officer_said(n: &Normalized) -> bool {
    const OFFICER: &[&[&str]] = &[
        &["can", "bo"],
        &["nhan", "vien"],
        &["officer"],
        &["official"],
        &["clerk"],
        &["staff"],
    ];
    const MEET: &[&[&str]] = &[
        &["gap"],
        &["noi", "chuyen"],
        &["talk", "to"],
        &["speak", "to"],
        &["speak", "with"],
        &["real", "person"],
        &["human"],
    ];
    let t = &n.tokens;
    // not "kêu" (also "call someone"), nor "nói năng" (a manner of speaking)
    let says = |k: usize| {
        matches!(t[k].text.as_str(), "bảo" | "dặn")
            || matches!(t[k].plain.as_str(), "said" | "told")
            || (t[k].text == "nói"
                && t.get(k + 1)
                    .is_some_and(|x| matches!(x.plain.as_str(), "la" | "rang")))
    };
    let said = OFFICER
        .iter()
        .filter_map(|o| seq_at(n, o).map(|i| i + o.len()))
        .any(|end| (end..t.len().min(end + 4)).any(says));
    said && !has_any_seq(n, MEET)
}

/// A complaint wanted: "muốn khiếu nại", "xin phản ánh", "I want to complain", "file a complaint".
fn wants_to_complain(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["muon", "khieu", "nai"],
        &["xin", "khieu", "nai"],
        &["can", "khieu", "nai"],
        &["muon", "phan", "anh"],
        &["xin", "phan", "anh"],
        &["want", "to", "complain"],
        &["like", "to", "complain"],
        &["make", "a", "complaint"],
        &["file", "a", "complaint"],
        &["file", "complaint"],
        &["lodge", "a", "complaint"],
        // "ở đâu nhận khiếu nại", "gửi khiếu nại ở đâu"
        &["nhan", "khieu", "nai"],
        // "muốn góp ý về thái độ của anh cán bộ quầy 4"
        &["muon", "gop", "y"],
        &["gui", "gop", "y"],
        &["gui", "khieu", "nai"],
        &["nop", "khieu", "nai"],
    ];
    has_any_seq(n, SEQS)
}

/// "Con chó", "con mèo", "con cún" starting at token `k`: an animal, not a child ("con").
fn names_an_animal(t: &[Token], k: usize) -> bool {
    t.get(k).is_some_and(|x| x.text == "con")
        && t.get(k + 1)
            .is_some_and(|x| matches!(x.text.as_str(), "chó" | "mèo" | "cún"))
}

/// Smoking, or an animal brought in: "hút thuốc", "thuốc lá", "smoke", "vape"; "con chó",
/// "con mèo", "my dog", "a pet".
fn asks_about_smoking_or_pets(n: &Normalized) -> bool {
    // English words only in English ("thẻ PET" is a plastic licence, "cắt" to cut).
    const ENGLISH: &[&[&str]] = &[
        &["smoke"],
        &["smoking"],
        &["vape"],
        &["dog"],
        &["cat"],
        &["pets"],
        &["puppy"],
    ];
    let t = &n.tokens;
    (n.vietnamese_words == 0 && has_any_seq(n, ENGLISH))
        || t.windows(2).any(|w| {
            (w[0].text == "thuốc" && w[1].text == "lá")
                || (w[0].text == "hút" && w[1].text == "thuốc")
        })
        || (0..t.len()).any(|k| names_an_animal(t, k))
}

/// "Mai (tôi) lại lên/đến/qua", "mai (bác) quay lại": coming back tomorrow. "Mai" as written
/// when accented ("mãi" is "for so long").
fn comes_back_tomorrow(t: &[Token]) -> bool {
    t.iter().enumerate().any(|(i, w)| {
        let rest = &t[i + 1..(i + 5).min(t.len())];
        !w.has_diacritics()
            && w.plain == "mai"
            && rest.windows(2).any(|p| {
                matches!(
                    (p[0].plain.as_str(), p[1].plain.as_str()),
                    ("lai", "len" | "den" | "toi" | "qua" | "ghe") | ("quay", "lai")
                )
            })
    })
}

/// "(Có) khỏe không", "how are you (doing)": asking how someone is. "Khỏe" with its diacritics
/// ("khoe" is also "khoe", to show off).
fn asks_how_it_is(n: &Normalized) -> bool {
    let t = &n.tokens;
    t.windows(2)
        .any(|w| (w[0].text == "khỏe" || w[0].text == "khoẻ") && w[1].plain == "khong")
        || has_seq(n, &["how", "are", "you"])
        || has_seq(n, &["how", "r", "u"])
}

/// Kin or a person, then a word for dying: a bereavement told as a story ("sáng qua cụ đi rồi",
/// "ông nhà tôi ra đi đột ngột", "my father passed away").
fn tells_a_death(n: &Normalized) -> bool {
    const DIED: &[&[&str]] = &[
        &["qua", "doi"],
        &["tu", "tran"],
        &["ta", "the"],
        &["khuat", "nui"],
        &["ra", "di"],
        &["di", "roi"],
        &["mat", "roi"],
        &["vua", "mat"],
        &["moi", "mat"],
        &["da", "mat"],
        &["passed", "away"],
        &["died"],
        &["has", "died"],
    ];
    const KIN: &[&str] = &[
        "cu",
        "ong",
        "ba",
        "bo",
        "me",
        "cha",
        "vo",
        "chong",
        "con",
        "anh",
        "chi",
        "em",
        "chau",
        "father",
        "mother",
        "husband",
        "wife",
        "son",
        "daughter",
        "grandmother",
        "grandfather",
        "brother",
        "sister",
        "dad",
        "mum",
        "mom",
    ];
    let t = &n.tokens;
    DIED.iter().any(|d| {
        seq_at(n, d).is_some_and(|i| {
            // "mất" with diacritics only (plain "mat" is also "mặt", "mật"); a kin word within
            // the three words before
            let accents_ok = d
                .iter()
                .zip(&t[i..])
                .all(|(w, x)| *w != "mat" || !x.has_diacritics() || x.text == "mất")
                && (d[0] != "mat" || t[i].has_diacritics());
            accents_ok
                && t[i.saturating_sub(3)..i]
                    .iter()
                    .any(|x| KIN.contains(&x.plain.as_str()) && is_kin_as_written(x))
        })
    })
}

/// A kin word as written when accented: "cũ" (old) is not "cụ", "bó" not "bố", "mẹ" not "mê".
fn is_kin_as_written(x: &Token) -> bool {
    const ACCENTED: &[&str] = &[
        "cụ", "ông", "bà", "bố", "mẹ", "vợ", "chồng", "anh", "chị", "cháu",
    ];
    !x.has_diacritics() || ACCENTED.contains(&x.text.as_str())
}

/// Feeling unwell, told ("ông nhà tôi tự nhiên khó thở", "my son feels dizzy"): the medical
/// corner's help. Single Vietnamese words count with diacritics only ("ngất", not "ngat").
fn tells_unwell(n: &Normalized) -> bool {
    const SYMPTOMS: &[&[&str]] = &[
        &["kho", "tho"],
        &["chong", "mat"],
        &["choang", "vang"],
        &["dau", "nguc"],
        &["tuc", "nguc"],
        &["buon", "non"],
        &["tut", "huyet", "ap"],
        &["len", "con"],
        &["co", "giat"],
        &["can", "t", "breathe"],
        &["cannot", "breathe"],
        &["dizzy"],
        &["fainted"],
        &["feels", "faint"],
        &["feel", "faint"],
        &["chest", "pain"],
        &["feel", "sick"],
        &["feels", "sick"],
        &["feeling", "sick"],
        &["unwell"],
        // small injuries: "ngã trầy đầu gối", "đứt tay", "chảy máu", "băng cá nhân"
        &["chay", "mau"],
        &["dut", "tay"],
        &["bang", "ca", "nhan"],
        &["band", "aid"],
        &["plaster"],
        &["bleeding"],
    ];
    const ACCENTED: &[&str] = &["ngất", "choáng", "xỉu", "sốt", "nôn", "ói", "trầy"];
    let t = &n.tokens;
    has_any_seq(n, SYMPTOMS)
        || t.iter().enumerate().any(|(i, x)| {
            ACCENTED.contains(&x.text.as_str())
                // "sốt ruột" (impatient), "nôn nóng" (eager)
                && !t.get(i + 1).is_some_and(|y| matches!(y.text.as_str(), "ruột" | "nóng"))
        })
}

const WATER_SNACKS: &str = "amenity.water_snacks";

/// Thanks first: "cảm ơn …", "thank you …", "thanks …", after a "dạ", "vâng" or "ok".
fn opens_with_thanks(n: &Normalized) -> bool {
    let t = &n.tokens;
    let start = t
        .iter()
        .take_while(|x| matches!(x.plain.as_str(), "da" | "vang" | "ok" | "oh" | "a"))
        .count();
    let at = |k: usize| t.get(start + k).map_or("", |x| x.plain.as_str());
    (at(0) == "cam" && at(1) == "on") || at(0) == "thanks" || (at(0) == "thank" && at(1) == "you")
}

/// What the thanks is for: "nhờ em mà bác kịp", "nhờ cháu mà …" (thanks to you).
fn thanks_for_something(n: &Normalized) -> bool {
    n.tokens.windows(3).any(|w| {
        w[0].text == "nhờ"
            && matches!(w[1].plain.as_str(), "em" | "chau" | "robot" | "ban" | "con")
            && w[2].text == "mà"
    })
}

/// A greeting first: "chào", "xin chào", "hello", "hi", "good morning".
fn opens_with_greeting(n: &Normalized) -> bool {
    let t = &n.tokens;
    let at = |k: usize| t.get(k).map_or("", |x| x.plain.as_str());
    matches!(at(0), "chao" | "hello" | "hi" | "hey")
        || (at(0) == "xin" && at(1) == "chao")
        // "kính chào quý cơ quan", "xin kính chào trung tâm"
        || (at(0) == "kinh" && at(1) == "chao")
        || (at(0) == "xin" && at(1) == "kinh" && at(2) == "chao")
        || (at(0) == "good" && matches!(at(1), "morning" | "afternoon" | "evening"))
        || matches!(at(0), "morning" | "afternoon" | "evening")
}

/// Only a command to the robot's body or voice: a command word ("dừng", "đứng", "đợi", "chờ",
/// "tắt", "im", "stop", "wait", "mute", "hold") and otherwise only the words such commands take
/// ("lại", "yên", "tiếng", "tí", "chút", "on"), address and particles.
fn is_only_a_command(n: &Normalized) -> bool {
    const HEADS: &[&str] = &[
        "dừng", "đứng", "đợi", "chờ", "tắt", "im", "stop", "wait", "mute", "hold",
    ];
    const REST: &[&str] = &[
        "lại", "yên", "tiếng", "loa", "lặng", "đã", "tí", "chút", "một", "on", "please", "there",
        "a", "second", "moment", "minute", "em", "chị", "tôi", "bác", "anh", "cháu", "cô", "chú",
        "robot", "ơi", "nhé", "nha", "đi", "thôi", "đấy", "ạ", "ok", "now",
    ];
    fn word(x: &Token) -> &str {
        if x.has_diacritics() || x.text.is_ascii() {
            &x.text
        } else {
            &x.plain
        }
    }
    let t = &n.tokens;
    !t.is_empty()
        && t.len() <= 6
        && t.iter().any(|x| HEADS.contains(&word(x)))
        && t.iter()
            .all(|x| HEADS.contains(&word(x)) || REST.contains(&word(x)))
}

/// A self-service machine named: "máy tự phục vụ", "ki ốt", "kiosk", "self-service".
fn names_a_kiosk(n: &Normalized) -> bool {
    has_any_seq(
        n,
        &[
            &["tu", "phuc", "vu"],
            &["ki", "ot"],
            &["kiosk"],
            &["kiosks"],
            &["self", "service"],
        ],
    )
}

/// A vehicle ("bus", "van", "ô tô", "xe buýt") and paperwork ("papers", "paperwork", "thủ tục",
/// "giấy tờ", "hồ sơ") in one sentence.
fn tells_a_travelling_office(n: &Normalized) -> bool {
    const VEHICLES: &[&[&str]] = &[
        &["bus"],
        &["van"],
        &["truck"],
        &["o", "to"],
        &["xe", "buyt"],
        &["xe", "luu", "dong"],
    ];
    const PAPERWORK: &[&[&str]] = &[
        &["paper"],
        &["papers"],
        &["paperwork"],
        &["documents"],
        &["thu", "tuc"],
        &["giay", "to"],
        &["ho", "so"],
    ];
    // English words only in English ("văn" is "van" without its marks)
    let english = n.vietnamese_words == 0;
    let vehicle = VEHICLES
        .iter()
        .any(|s| (english || s.len() > 1) && has_seq(n, s));
    vehicle && has_any_seq(n, PAPERWORK)
}

/// "Giới thiệu bản thân", "tự giới thiệu", "introduce yourself".
fn asks_to_introduce_itself(n: &Normalized) -> bool {
    has_seq(n, &["gioi", "thieu", "ban", "than"])
        || has_seq(n, &["tu", "gioi", "thieu"])
        || has_seq(n, &["introduce", "yourself"])
        || asks_what_made_it(n)
}

/// Who made the robot, or whether it is a machine, asked of it: "em là của phường hay của công
/// ty nào làm ra", "ai làm ra em", "mày là máy thật hay có người điều khiển", "who made you".
fn asks_what_made_it(n: &Normalized) -> bool {
    const ROBOT: &[&str] = &["em", "may", "ban", "robot", "you"];
    let t = &n.tokens;
    // made, and nothing else after it than the robot or a particle ("… làm ra em", "… làm ra
    // thế"): not "ai làm ra cái app này"
    let made = (0..t.len().saturating_sub(1)).any(|i| {
        let verb = (t[i].plain == "lam" && t[i + 1].plain == "ra")
            || (t[i].plain == "che" && t[i + 1].plain == "tao")
            || (t[i].plain == "who" && matches!(t[i + 1].plain.as_str(), "made" | "built"));
        verb && t[i + 2..].iter().all(|x| {
            ROBOT.contains(&x.plain.as_str()) || TRAILING_PARTICLES.contains(&x.plain.as_str())
        })
    });
    // "mày là máy", "em là robot thật": the robot asks about itself
    // and then asked: "… thật hay …", "… à", "… hả", "… không", or nothing after
    let is_a_machine = (0..t.len().saturating_sub(2)).any(|i| {
        ROBOT.contains(&t[i].plain.as_str())
            && t[i + 1].text == "là"
            && matches!(t[i + 2].text.as_str(), "máy" | "robot" | "người")
            && t.get(i + 3).is_none_or(|x| {
                matches!(
                    x.text.as_str(),
                    "thật" | "hay" | "à" | "hả" | "không" | "sao" | "chứ"
                )
            })
    });
    // "bạn mấy tuổi rồi", "how old are you"; "robot này tự sản xuất hay nhập", "who programmed you"
    let age = t.windows(3).any(|w| {
        ROBOT.contains(&w[0].plain.as_str()) && w[1].plain == "may" && w[2].plain == "tuoi"
    }) || has_seq(n, &["how", "old", "are", "you"]);
    // the robot itself the thing made ("robot này"), not robots a company would make
    let origin = t
        .windows(2)
        .any(|w| w[0].plain == "robot" && w[1].text == "này")
        && has_any_seq(
            n,
            &[
                &["san", "xuat"],
                &["nhap", "khau"],
                &["lap", "trinh"],
                &["programmed"],
            ],
        );
    // "who made you? are you owned by the city", "so who exactly built you"
    let programmed = has_any_seq(
        n,
        &[
            &["who", "programmed", "you"],
            &["who", "built", "you"],
            &["who", "made", "you"],
        ],
    ) || t.windows(4).any(|w| {
        w[0].plain == "who"
            && matches!(w[1].plain.as_str(), "actually" | "exactly" | "really")
            && matches!(w[2].plain.as_str(), "made" | "built" | "programmed")
            && w[3].plain == "you"
    });
    !asks_what_it_can_do(n)
        && ((made && addresses_the_robot(n)) || is_a_machine || age || origin || programmed)
}

/// A recommendation asked for: "recommend", "any good …", "quán nào ngon", "trường nào uy tín".
fn asks_for_a_recommendation(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["recommend"],
        &["any", "good"],
        &["nao", "ngon"],
        &["nao", "uy", "tin"],
    ];
    has_any_seq(n, SEQS)
}

/// A good wish: "chúc … tốt lành", "chúc … vui vẻ", "chúc … sức khoẻ", "have a nice day".
fn wishes_well(n: &Normalized) -> bool {
    let wished =
        has_seq(n, &["tot", "lanh"]) || has_seq(n, &["vui", "ve"]) || has_seq(n, &["suc", "khoe"]);
    (wished && n.tokens.iter().any(|x| x.plain == "chuc"))
        || has_seq(n, &["have", "a", "nice", "day"])
        || has_seq(n, &["have", "a", "good", "day"])
}

/// "Biết làm (những) gì", "làm được (những) gì", "giúp được (những) gì", "what can you do".
fn asks_what_it_can_do(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["biet", "lam", "gi"],
        &["biet", "lam", "nhung", "gi"],
        &["lam", "duoc", "gi"],
        &["lam", "duoc", "cai", "gi"],
        &["lam", "duoc", "may", "viec"],
        &["lam", "duoc", "nhung", "gi"],
        &["giup", "duoc", "gi"],
        &["giup", "duoc", "nhung", "gi"],
        &["duoc", "nhung", "viec", "gi"],
        &["ho", "tro", "duoc", "gi"],
        &["ho", "tro", "duoc", "nhung", "gi"],
        &["what", "can", "you", "do"],
        &["what", "do", "you", "do"],
    ];
    has_any_seq(n, SEQS)
}

/// The robot addressed: "em", "bạn" or "you" as the first word, or "robot" anywhere.
fn addresses_the_robot(n: &Normalized) -> bool {
    n.tokens.iter().any(|x| x.plain == "robot")
        || n.tokens
            .first()
            .is_some_and(|x| matches!(x.plain.as_str(), "em" | "ban" | "you"))
}

/// Opening asked of a day or a time: "mở cửa" / "làm việc" / "open", with a day ("thứ bảy",
/// "chủ nhật", "cuối tuần", "hôm nay", "mai", "saturday", "weekend", "today", "tomorrow").
fn asks_if_open_on_a_day(n: &Normalized) -> bool {
    const OPEN: &[&[&str]] = &[&["mo", "cua"], &["lam", "viec"], &["open"]];
    const DAYS: &[&[&str]] = &[
        &["thu", "bay"],
        &["chu", "nhat"],
        &["cuoi", "tuan"],
        &["hom", "nay"],
        &["ngay", "mai"],
        &["ngay", "le"],
        &["saturday"],
        &["sunday"],
        &["weekend"],
        &["today"],
        &["tomorrow"],
        &["holiday"],
    ];
    has_any_seq(n, OPEN) && has_any_seq(n, DAYS)
}

/// Food asked for, or hunger or thirst told: "anything to eat", "I'm hungry", "đói quá", "khát
/// nước", "có gì ăn không", "bánh kẹo". Vietnamese words count as written when accented ("an" is
/// also "an toàn", "công an"), or in typing with no diacritics at all; "ăn" alone does not ("đi
/// ăn phở rồi quay lại" is a lunch break outside). Not food bought or sold, unless whether it is
/// free is asked.
fn asks_for_food(n: &Normalized) -> bool {
    const ENGLISH: &[&[&str]] = &[
        &["hungry"],
        &["starving"],
        &["thirsty"],
        &["to", "eat"],
        &["food"],
    ];
    const PLAIN: &[&[&str]] = &[
        &["doi", "qua"],
        &["bi", "doi"],
        &["khat", "nuoc"],
        &["do", "an"],
    ];
    const ACCENTED: &[[&str; 2]] = &[
        ["đồ", "ăn"],
        ["thức", "ăn"],
        ["ăn", "gì"],
        ["gì", "ăn"],
        ["ăn", "nhẹ"],
        ["ăn", "vặt"],
    ];
    // Food bought or sold, or an eatery: the centre sells none (out of scope, as the knowledge
    // base's examples say).
    const TRADE: &[&str] = &[
        "bán",
        "mua",
        "quán",
        "buy",
        "sell",
        "sells",
        "selling",
        "restaurant",
        "canteen",
        "cafe",
    ];
    // "Not hungry", "chưa đói": hunger denied; "em thích ăn gì": a taste asked about.
    let kept = n.without_any(|t, k| {
        let next = t.get(k + 1).map_or("", |x| x.plain.as_str());
        let prev = k.checked_sub(1).map_or("", |p| t[p].plain.as_str());
        let hunger = |w: &str| matches!(w, "hungry" | "thirsty" | "starving" | "doi" | "khat");
        (matches!(t[k].plain.as_str(), "not" | "khong" | "chua" | "chang") && hunger(next))
            || (hunger(t[k].plain.as_str()) && matches!(prev, "not" | "khong" | "chua" | "chang"))
            || (t[k].text == "thích" && next == "an")
            || (t[k].plain == "an" && prev == "thich")
    });
    let n: &Normalized = &kept;
    let t = &n.tokens;
    // "Bánh kẹo … cho không hay phải mua": whether it is free is the free snacks' question.
    let free = has_seq(n, &["mien", "phi"])
        || has_seq(n, &["free"])
        || t.windows(2)
            .any(|w| w[0].text == "cho" && w[1].text == "không");
    if !free && t.iter().any(|x| TRADE.contains(&x.text.as_str())) {
        return false;
    }
    let typed_plain = !t.iter().any(Token::has_diacritics);
    has_any_seq(n, ENGLISH)
        || (typed_plain && has_any_seq(n, PLAIN))
        || t.iter()
            .any(|x| matches!(x.text.as_str(), "đói" | "khát" | "kẹo"))
        || t.windows(2)
            .any(|w| ACCENTED.contains(&[w[0].text.as_str(), w[1].text.as_str()]))
}

/// Small talk about what the centre does not do: the weather ("thời tiết", "có mưa không",
/// "will it rain"), football, jokes, songs and homework. "Cười" and "mưa" as written ("chuyện
/// cưới" is a wedding, "mua" to buy).
fn asks_small_talk(n: &Normalized) -> bool {
    const SEQS: &[&[&str]] = &[
        &["thoi", "tiet"],
        &["weather"],
        &["forecast"],
        &["will", "it", "rain"],
        &["going", "to", "rain"],
        &["bong", "da"],
        &["football"],
        &["soccer"],
        &["premier", "league"],
        &["world", "cup"],
        &["tieu", "lam"],
        &["joke"],
        &["jokes"],
        &["sing", "a", "song"],
        &["bai", "hat"],
        // schoolwork: "do my maths homework", "giải bài tập toán"
        &["homework"],
        &["maths"],
        &["bai", "tap"],
        // what a phone assistant is asked: "set an alarm", "play some music", "đặt báo thức"
        &["alarm"],
        &["timer"],
        &["remind", "me"],
        &["play", "music"],
        &["play", "some"],
        &["bao", "thuc"],
    ];
    let t = &n.tokens;
    has_any_seq(n, SEQS)
        // "hát cho tôi một bài", "mở nhạc đi" (as written: "nhắc lại" repeats)
        || t.iter().any(|x| matches!(x.text.as_str(), "hát" | "nhạc"))
        || t.windows(2).any(|w| {
            (w[0].text == "chuyện" && w[1].text == "cười")
                || (w[0].text == "mưa" && w[1].plain == "khong")
        })
}

/// Only a call to the robot, or a check that it hears: "alo alo, nghe không?", "OK Google",
/// "này em gì ơi, em có nghe chị nói không đấy", "một hai ba, robot có nghe thấy bác không",
/// "hey Siri, can you hear me". Every word is a call, a name, a pronoun or a hearing word, and
/// one at least is a hearing word or an assistant's name. Not when the speaker says they did not
/// hear ("bác nghe không rõ", "chưa nghe"): that asks to repeat.
fn is_only_a_call(n: &Normalized) -> bool {
    const CALL: &[&str] = &[
        "alo", "a", "lo", "e", "nay", "oi", "hey", "hi", "ok", "okay", "google", "siri", "alexa",
        "robot", "may", "em", "ban", "chau", "co", "anh", "chi", "gi", "day", "the", "do", "nghe",
        "thay", "ro", "khong", "chua", "noi", "toi", "bac", "minh", "tao", "to", "mot", "hai",
        "ba", "test", "testing", "thu", "can", "you", "hear", "me", "are", "there", "tra", "loi",
        "hello", "ha", "hu", "nhe", "nhi", "yo",
    ];
    const HEARING: &[&str] = &[
        "nghe", "hear", "test", "testing", "alo", "siri", "google", "alexa",
    ];
    let t = &n.tokens;
    let not_heard = t.windows(2).any(|w| {
        (matches!(w[0].plain.as_str(), "khong" | "chua") && w[1].plain == "nghe")
            || (w[0].plain == "khong" && w[1].plain == "ro")
    });
    !t.is_empty()
        && !not_heard
        && t.iter().all(|x| CALL.contains(&x.plain.as_str()))
        && t.iter().any(|x| HEARING.contains(&x.plain.as_str()))
}

/// `n` without where the speaker comes from: "từ" or "from" and the three words after it.
fn without_origin(n: &Normalized) -> std::borrow::Cow<'_, Normalized> {
    n.without_any(|t, k| {
        (k.saturating_sub(3)..=k).any(|j| {
            t[j].plain == "from"
                || t[j].text == "từ"
                || (t[j].plain == "tu" && !t[j].has_diacritics())
        })
    })
}

/// A paper that says one is single: a paper word ("giấy", "paper", "certificate", "proof",
/// "xác nhận", "confirm") and, at most six words after it, being single ("độc thân", "chưa kết
/// hôn", "chưa có vợ", "single", "unmarried", "not married", "not have wife"). Not a paper
/// denied as a place named is ([`crate::slots::is_denied`]: "không phải xác nhận độc thân, đăng
/// ký kết hôn luôn"), nor one asked about after the
/// marriage registration is named as the topic ("đăng ký kết hôn cần giấy gì, có phải xin giấy
/// độc thân trước không").
fn asks_for_a_single_paper(n: &Normalized) -> bool {
    const PAPER: &[&str] = &[
        "giay",
        "paper",
        "certificate",
        "proof",
        "prove",
        "proves",
        "confirm",
        "confirmation",
    ];
    const SINGLE: &[&[&str]] = &[
        &["doc", "than"],
        &["chua", "ket", "hon"],
        &["chua", "co", "vo"],
        &["chua", "co", "chong"],
        &["chua", "vo"],
        &["chua", "chong"],
        &["single"],
        &["unmarried"],
        &["not", "married"],
        &["never", "married"],
        &["not", "have", "wife"],
        &["not", "have", "husband"],
        &["no", "wife"],
        &["no", "husband"],
    ];
    let t = &n.tokens;
    let paper = |i: usize| {
        PAPER.contains(&t[i].plain.as_str())
            || (t[i].plain == "xac" && t.get(i + 1).is_some_and(|x| x.plain == "nhan"))
    };
    // where the marriage registration is first named: "đăng ký kết hôn", "register"
    let registration = [
        seq_at(n, &["dang", "ki", "ket", "hon"]),
        seq_at(n, &["dang", "ky", "ket", "hon"]),
        seq_at(n, &["register"]),
    ]
    .into_iter()
    .flatten()
    .min();
    (0..t.len()).filter(|&i| paper(i)).any(|i| {
        !crate::slots::is_denied(t, i)
            && registration.is_none_or(|k| k >= i)
            && (i + 1..(i + 8).min(t.len())).any(|j| SINGLE.iter().any(|s| stands_at(t, j, s)))
    })
}

/// A birth told as a story, without the procedure's name: "vợ tôi vừa sinh", "cháu mới đẻ được
/// tuần", "my grandson was born last month", "we just had a baby". "Sinh" and "đẻ" count with
/// diacritics only, or in English-free plain typing ("vua sinh").
fn tells_a_birth(n: &Normalized) -> bool {
    const BORN: &[&[&str]] = &[
        &["vua", "sinh"],
        &["moi", "sinh"],
        &["vua", "de"],
        &["moi", "de"],
        &["vua", "sanh"],
        &["moi", "sanh"],
        &["sinh", "con"],
        &["sinh", "chau"],
        &["sinh", "em", "be"],
        &["de", "con"],
        &["was", "born"],
        &["were", "born"],
        &["just", "had", "a", "baby"],
        &["had", "a", "baby"],
        &["gave", "birth"],
        &["newborn"],
        &["new", "baby"],
        &["baby", "born"],
    ];
    let t = &n.tokens;
    BORN.iter().any(|b| {
        seq_at(n, b).is_some_and(|i| {
            // "đẻ", "sinh" as written when accented ("để", "dễ", "đề" are other words)
            b.iter().zip(&t[i..]).all(|(w, x)| {
                !matches!(*w, "de" | "sinh" | "sanh")
                    || !x.has_diacritics()
                    || matches!(x.text.as_str(), "đẻ" | "sinh" | "sanh")
            })
        })
    })
}

/// "cửa" alone after a guide or where cue ("đưa bác ra cửa"): the way out. Accented only: the
/// diacritic-free "cua" is also "của" (of).
fn names_bare_door(n: &Normalized) -> bool {
    let t = &n.tokens;
    (0..t.len()).any(|i| {
        let door = crate::mention::Mention {
            at: i,
            end: i + 1,
            place: String::new(),
        };
        t[i].text == "cửa" && !crate::mention::is_landmark(t, &door)
    })
}

/// Input the router does not classify: too long, mostly another script, or nothing at all.
fn unreadable(n: &Normalized) -> Option<OosReason> {
    if n.too_long {
        Some(OosReason::TooLong)
    } else if n.foreign_letters > 0 && n.foreign_letters * 2 >= n.letters {
        Some(OosReason::OtherScript)
    } else if n.tokens.is_empty() {
        Some(OosReason::Empty)
    } else {
        None
    }
}

/// The amenity or service given at the place found, if any ([`PLACE_OWNERS`]).
fn owner_of(dest: &Option<(String, Match)>) -> Option<&'static str> {
    let (place, _) = dest.as_ref()?;
    PLACE_OWNERS
        .iter()
        .find(|(p, _)| p == place)
        .map(|(_, o)| *o)
}

/// One utterance's reading while the rules work on it: the intent, its confidence, the
/// alternatives (the intent first) and the destination found.
struct Reading {
    intent: String,
    confidence: f32,
    alts: Vec<(String, f32)>,
    dest: Option<(String, Match)>,
}

impl Reading {
    /// The classifier's reading: its best label, or out of scope when it has none.
    fn new(alts: Vec<(String, f32)>) -> Self {
        let (intent, confidence) = alts
            .first()
            .cloned()
            .unwrap_or_else(|| (OUT_OF_SCOPE.to_string(), 0.0));
        Reading {
            intent,
            confidence,
            alts,
            dest: None,
        }
    }

    /// The probability of `label` among the alternatives (0 when absent).
    fn p(&self, label: &str) -> f32 {
        self.alts
            .iter()
            .find(|(l, _)| l == label)
            .map_or(0.0, |(_, p)| *p)
    }

    /// The best alternative other than `label`.
    fn next_after(&self, label: &str) -> Option<(String, f32)> {
        self.alts.iter().find(|(l, _)| l != label).cloned()
    }

    /// See [`promote`].
    fn promote(&mut self, alt: String, p: f32) {
        promote(
            &mut self.intent,
            &mut self.confidence,
            &mut self.alts,
            alt,
            p,
        );
    }

    /// See [`promote_by_rule`].
    fn promote_by_rule(&mut self, label: &str) {
        promote_by_rule(
            &mut self.intent,
            &mut self.confidence,
            &mut self.alts,
            label,
        );
    }

    /// Report `c` as the answer's confidence, at the front of the alternatives too.
    fn set_confidence(&mut self, c: f32) {
        self.confidence = c;
        if let Some(first) = self.alts.first_mut() {
            first.1 = c;
        }
    }
}

/// Usage questions about a place of the lobby ("how does the charging station work", "cây nước
/// này lấy nước nóng thế nào"), asked without a where cue: the amenity or service itself.
fn usage_rules(n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
    if cue.is_some() || !has_usage_cue(n) {
        return;
    }
    let named = match &r.dest {
        Some((_, Match::Exact | Match::Partial)) => owner_of(&r.dest),
        _ => None,
    };
    // The classifier leans to nav.* on place words. When the place named is an amenity's, that
    // amenity answers (below); otherwise the best service behind.
    if catalog::takes_destination(&r.intent) && named.is_none() {
        if let Some((alt, p)) = service_behind(&r.alts) {
            r.promote(alt, p);
        }
    }
    let Some(owner) = named else {
        return;
    };
    if r.intent.starts_with("proc.") {
        return;
    }
    // Already that amenity, but through a weak second choice ("do I need my own cable?"): the
    // rule vouches for it.
    if r.intent == owner && r.confidence < RULE_CONFIDENCE {
        r.set_confidence(RULE_CONFIDENCE);
    }
    if r.intent != owner {
        let p = r.p(owner);
        r.promote(owner.to_string(), p.max(RULE_CONFIDENCE));
        r.confidence = r.confidence.min(RULE_CONFIDENCE.max(p));
    }
}

/// Needs told around the centre's people and order, against the neighbour the classifier reads:
/// a complaint wanted or a grievance told (feedback), boredom while waiting (the waiting area), a
/// real person asked for, to go first (the queue), a licence class (the driving licence), an
/// officer reported as the source of the need (no officer asked for).
fn complaint_turn_and_person_rules(n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
    // "Giấy hẹn ngày 10 mà hôm nay 20 rồi vẫn chưa có, tôi muốn khiếu nại": a late dossier
    // told, and a complaint wanted, is the complaint.
    if r.intent == "service.status_tracking" && wants_to_complain(n) {
        r.promote_by_rule("service.feedback");
    }
    // "Lần trước tôi bị trả hồ sơ mà không được giải thích gì, tôi muốn phản ánh", "anh muốn
    // phản ánh cái quầy hôm qua hẹn lên hẹn xuống": a complaint wanted, read as a neighbour
    // or weakly, is the centre's feedback; read as iHanoi (the city's own reports), only
    // when it is about the centre and iHanoi is not named.
    if cue.is_none()
        && r.intent != "service.feedback"
        && (matches!(
            r.intent.as_str(),
            "service.consultation" | "service.status_tracking" | OUT_OF_SCOPE
        ) || r.confidence < SURE
            || (r.intent == "service.ihanoi" && complains_of_the_centre(n)))
        && wants_to_complain(n)
    {
        r.promote_by_rule("service.feedback");
    }
    // "Hồ sơ của tôi bị trễ hẹn hai lần rồi, tôi rất bức xúc", "cán bộ quầy 6 còn gắt gỏng":
    // a grievance about the centre is its feedback, read as an officer, a neighbour or
    // weakly.
    if cue.is_none()
        && r.intent != "service.feedback"
        && (matches!(
            r.intent.as_str(),
            "staff.handoff"
                | "service.consultation"
                | "service.status_tracking"
                | "chat.repeat"
                | OUT_OF_SCOPE
        ) || r.confidence < SURE)
        && tells_a_grievance(n)
    {
        r.promote_by_rule("service.feedback");
    }
    // "Còn lâu mới đến lượt, ngồi không chán quá": boredom while waiting wants the waiting
    // area's books and computers, not the queue.
    // A joke or a song asked for against it stays out of scope.
    if cue.is_none()
        && r.intent != OUT_OF_SCOPE
        && (matches!(
            r.intent.as_str(),
            "service.queue_number" | "service.opening_hours"
        ) || r.confidence < SURE)
        && tells_boredom(n)
    {
        r.promote_by_rule("amenity.waiting_area");
    }
    // "I need an actual human", "nói với máy không xong được đâu": a person asked for.
    if cue.is_none()
        && r.intent != "staff.handoff"
        && (r.intent == OUT_OF_SCOPE || r.confidence < SURE)
        && wants_a_human(n)
    {
        r.promote_by_rule("staff.handoff");
    }
    // "Tôi là người có công, có được gọi trước không", "can I skip the queue? I'm 82": to be
    // served first is the queue's question, whoever asks.
    // Beside a procedure the classifier is sure of ("two copies certified, can I go
    // first?"), the procedure stands, but which need leads is not sure.
    if cue.is_none()
        && r.intent != "service.queue_number"
        && asks_to_go_first(n)
        && !opens_with_thanks(n)
    {
        if r.intent.starts_with("proc.") && r.confidence >= SURE {
            r.set_confidence(r.confidence.min(RULE_CONFIDENCE));
        } else {
            r.promote_by_rule("service.queue_number");
        }
    }
    // "Bằng B2 của anh sắp hết hạn", "bằng A1 bị rách": a licence class names the driving
    // licence, unless the classifier is sure of another procedure.
    if !(r.intent.starts_with("proc.") && r.confidence >= SURE) && names_a_licence_class(n) {
        r.promote_by_rule("proc.driving_license");
    }
    // "Cô cán bộ phường bảo bác ra đây …", "the officer at the ward told me to …": an
    // officer who told the speaker something is where the need came from, not a person
    // asked for. The next reading answers, not confidently.
    if r.intent == "staff.handoff" && tells_what_an_officer_said(n) {
        if let Some((alt, p)) = r.next_after("staff.handoff") {
            r.promote(alt, p);
            r.set_confidence(p.min(RULE_CONFIDENCE));
        }
    }
}

/// The conversation around the need: a leave-taking in a longer sentence, "hỏi về" that is not
/// going home, a bereavement told as a story.
fn conversation_rules(n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
    // "Chào em, hôm nay em có khỏe không", "dạo này robot khỏe không": asking how the robot is,
    // with no need named, greets it.
    if cue.is_none()
        && !(crate::vague::answers_a_need(&r.intent) && r.confidence >= SURE)
        && r.intent != "chat.greeting"
        && asks_how_it_is(n)
    {
        r.promote_by_rule("chat.greeting");
    }
    // Only a command to the robot's body or voice ("dừng lại!", "đợi chị tí nhé", "tắt tiếng
    // đi", "stop", "mute"): nothing the router answers, whatever the classifier makes of the
    // word ("dừng" of a driving licence).
    if r.intent != OUT_OF_SCOPE && is_only_a_command(n) {
        r.promote_by_rule(OUT_OF_SCOPE);
    }
    // Only a call or a hearing check ("alo alo, nghe không?", "OK Google"): it greets, whatever
    // the classifier reads in the pronouns.
    if cue.is_none() && r.intent != "chat.greeting" && is_only_a_call(n) {
        r.promote_by_rule("chat.greeting");
    }
    // A leave-taking in a longer sentence ("thôi chào em nhé, chị về đây") read as a greeting,
    // a thanks or nothing: the citizen is leaving.
    if cue.is_none()
        // a goodbye read weakly stands when a word only ever says goodbye ("so I'm off. Bye")
        && !(r.intent == "chat.goodbye"
            && (r.confidence >= RULE_CONFIDENCE || !says_farewell(n)))
        && (matches!(
            r.intent.as_str(),
            "chat.greeting" | "chat.thanks" | OUT_OF_SCOPE
        ) || r.confidence < SURE
            || (r.confidence < FAREWELL_UNSURE && says_farewell(n)))
        && is_leave_taking(n)
    {
        r.promote_by_rule("chat.goodbye");
    }
    // "Hỏi về giấy phép", "cho tôi hỏi về đăng ký cho con": the "về" of "about", not of going
    // home. Asking about something is not a leave-taking; the next reading answers.
    if asks_about(n) && !is_leave_taking(n) {
        if r.intent == "chat.goodbye" {
            if let Some((alt, p)) = r.next_after("chat.goodbye") {
                r.promote(alt, p);
                r.set_confidence(p);
            }
        }
        // Nor is it an option to offer ("hôn nhân hay tạm biệt?").
        r.alts.retain(|(l, _)| l != "chat.goodbye");
    }
    // A bereavement or a birth told as a story, without the procedure's name: its registration,
    // unless the classifier is sure of another procedure. A death told decides before a birth.
    let told = if tells_a_death(n) {
        Some("proc.death_registration")
    } else if tells_a_birth(n) {
        Some("proc.birth_registration")
    } else if tells_unwell(n) {
        Some("amenity.medical")
    } else {
        None
    };
    what_is_said_rules(n, cue, r);
    if let Some(registration) = told {
        // Unwell, the classifier sure of another need ("chóng mặt quá, có ghế ngồi không")
        // answers that need. So does a person asked for ("I was born abroad … I'd rather talk
        // to a real officer").
        let sure_of_other = r.intent == "staff.handoff"
            || if registration.starts_with("proc.") {
                r.intent.starts_with("proc.")
            } else {
                crate::vague::answers_a_need(&r.intent)
            };
        // A service or an amenity asked for beside the story, the classifier sure of it ("mới
        // sinh bé, có cộng tác viên đến nhà không", "… em tư vấn giúp chị", "tài khoản VNeID
        // của ông nhà tôi, ông đi rồi thì có phải khoá không").
        let certain_service = (r.intent.starts_with("service.")
            || r.intent.starts_with("amenity."))
            && r.confidence >= NIC_SURE_PROCEDURE;
        if r.intent != registration
            && !(sure_of_other && r.confidence >= SURE)
            && !certain_service
            && cue.is_none()
        {
            r.promote_by_rule(registration);
        }
    }
}

impl Nlu {
    /// Train the router from a knowledge base.
    pub fn new(kb: Kb, cfg: NluConfig) -> Result<Nlu, NluError> {
        let data = kb.training_phrases();
        Self::with_training(kb, cfg, &data)
    }

    /// Train from explicit (text, intent) pairs (cross-validation uses this to hold folds out).
    pub fn with_training(
        kb: Kb,
        cfg: NluConfig,
        data: &[(String, String)],
    ) -> Result<Nlu, NluError> {
        let classifier = Classifier::train(data, cfg.classifier.clone())?;
        let slots = SlotExtractor::new(&kb);
        let lang = LangId::new(&kb);
        let specificity = Specificity::from_kb(&kb);
        let nav_words = NavWords::new(&kb, data.iter().map(|(t, l)| (t.as_str(), l.as_str())));
        let place_names = PlaceNames::new(&kb);
        // Only ASCII words can be keystrokes; split, not normalized (which would cost start-up
        // time for every phrase).
        let known = data
            .iter()
            .flat_map(|(t, _)| t.split(|c: char| !c.is_ascii_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        tracing::debug!(
            phrases = data.len(),
            features = classifier.vocabulary_size(),
            "nlu trained"
        );
        Ok(Nlu {
            inner: Arc::new(Inner {
                kb,
                cfg,
                classifier,
                slots,
                lang,
                specificity,
                nav_words,
                place_names,
                known,
            }),
        })
    }

    /// The router trained on the knowledge base built into the binary.
    pub fn embedded() -> Result<Nlu, NluError> {
        Nlu::new(Kb::embedded()?, NluConfig::default())
    }

    /// The knowledge base this router answers from.
    pub fn kb(&self) -> &Kb {
        &self.inner.kb
    }

    /// The settings in use.
    pub fn config(&self) -> &NluConfig {
        &self.inner.cfg
    }

    fn out_of_scope(
        n: &Normalized,
        lang: Language,
        reason: OosReason,
        confidence: f32,
        alternatives: Vec<(String, f32)>,
    ) -> Understanding {
        Understanding {
            normalized: n.text(),
            intent: OUT_OF_SCOPE.to_string(),
            confidence,
            lang,
            destination: None,
            language: None,
            alternatives,
            needs_clarification: false,
            oos_reason: Some(reason),
            reply: Reply::default(),
            correction: None,
        }
    }

    /// Understand one utterance: its intent and slots, its readings as a reply
    /// ([`Understanding::reply`]) and, for a correction ("không, ý bác là …"), what follows the
    /// no ([`Understanding::correction`]), all from one normalization of the text (after Telex
    /// or VNI keystrokes typed as letters are repaired: [`crate::input_method`]). Never panics;
    /// any input gives an answerable result.
    pub fn understand(&self, text: &str) -> Understanding {
        let known = &self.inner.known;
        let n = normalize(&crate::input_method::repair(text, |w| known.contains(w)));
        let mut u = self.classify(&n);
        u.reply = Reply::read(&n, &self.inner.place_names);
        if u.reply.yes_no.is_none() {
            if let Some(rest) = reply::correction(&n) {
                let rn = normalize(&rest);
                let mut c = self.classify(&rn);
                c.reply = Reply::read(&rn, &self.inner.place_names);
                u.correction = Some(Box::new(c));
            }
        }
        u
    }

    /// Intent, slots and confidence of a normalized utterance: the classifier's reading, then the
    /// rules in four phases (navigation, the need, the place of the need, the conversation), then
    /// the checks every answer passes ([`Nlu::finish`]).
    fn classify(&self, n: &Normalized) -> Understanding {
        let inner = &self.inner;
        let lang = inner.lang.identify(n);
        if let Some(reason) = unreadable(n) {
            return Self::out_of_scope(n, lang, reason, 1.0, Vec::new());
        }
        let k = inner.cfg.top_k.max(2);
        let (alts, coverage) = inner.classifier.top_k(n, k);
        let mut r = Reading::new(alts);
        // Nothing the training data has seen: out of scope.
        if coverage < 0.2 {
            let c = 1.0 - r.confidence;
            return Self::out_of_scope(n, lang, OosReason::LowConfidence, c, r.alts);
        }
        let mut cue = nav_cue(n);
        // Destination and navigation cues override the classifier when both are clear.
        r.dest = if cue.is_some() || catalog::takes_destination(&r.intent) {
            inner.slots.extract_with_partial(n)
        } else {
            inner.slots.extract(n)
        };
        if cue != Some("nav.guide") {
            // "Đi cả vòng rồi mà vẫn chưa thấy chỗ cắm sạc điện thoại", "sent me to the online
            // services area but I can't find it": a place the speaker cannot find is asked for.
            if let Some(found) = self.place_not_found(n) {
                cue = Some("nav.where_is");
                r.dest = Some(found);
            } else if cue.is_none() && tells_needs_the_toilet(n) {
                // "Tôi buồn đi vệ sinh quá", "I badly need the loo": where the restroom is.
                cue = Some("nav.where_is");
                r.dest = Some(("restroom".to_string(), Match::Exact));
            }
        }
        if let Some((reason, c)) = self.navigation_rules(n, cue, k, &mut r) {
            return Self::out_of_scope(n, lang, reason, c, r.alts);
        }
        self.need_rules(n, cue, &mut r);
        if let Some((reason, c)) = self.place_of_need_rules(n, cue, &mut r) {
            return Self::out_of_scope(n, lang, reason, c, r.alts);
        }
        conversation_rules(n, cue, &mut r);
        self.finish(n, lang, r)
    }

    /// The place the speaker cannot find: after words of not finding ("chưa thấy", "chẳng thấy",
    /// "can't find", "đang tìm", "lạc mất"), a place named within the next four words, or, when
    /// those words point back ("… chưa thấy bàn đó", "can't find it") or end the sentence, the
    /// place named anywhere.
    fn place_not_found(&self, n: &Normalized) -> Option<(String, Match)> {
        const NOT_FOUND: &[&[&str]] = &[
            &["chua", "thay"],
            &["chang", "thay"],
            &["cha", "thay"],
            &["khong", "thay"],
            &["can", "t", "find"],
            &["cannot", "find"],
            &["couldn", "t", "find"],
            &["can", "t", "see"],
            &["cannot", "see"],
            &["dang", "tim"],
            &["lac", "mat"],
            &["lac", "duong"],
            &["got", "lost"],
        ];
        let t = &n.tokens;
        let end = NOT_FOUND
            .iter()
            .find_map(|s| seq_at(n, s).map(|i| i + s.len()))?;
        let slots = &self.inner.slots;
        let near = n.without(|_, k| k < end || k >= end + 5);
        if let Some(found) = slots.extract(&near) {
            return Some(found);
        }
        let rest = &t[end..];
        let points_back = rest
            .iter()
            .take(3)
            .any(|x| matches!(x.plain.as_str(), "it" | "do" | "no" | "them" | "anywhere"));
        let ends = rest
            .iter()
            .all(|x| TRAILING_PARTICLES.contains(&x.plain.as_str()) || x.plain == "ca");
        // a place found from part of its name needs a word of a place beside it ("… bàn làm chữ
        // ký số mà … chưa thấy"; not "vneid … tìm trên store không thấy")
        (points_back || ends)
            .then(|| slots.extract_with_partial(n))
            .flatten()
            .filter(|(_, how)| {
                !matches!(how, Match::Partial) || t.iter().any(crate::slots::is_place_word)
            })
    }

    /// "Lối ra ở đâu, tôi phải sang ngân hàng", "dẫn tôi ra cửa về, tôi còn sang kho bạc": the
    /// way out asked for, then in a clause of its own ("tôi phải / còn / cần / muốn …") the errand
    /// in the city it is for. The words before that clause name the exit and no city place.
    fn exit_then_errand(&self, n: &Normalized) -> bool {
        const SUBJECTS: &[&str] = &[
            "toi", "minh", "i", "we", "bac", "chau", "em", "chi", "anh", "co", "ong", "ba",
        ];
        const NEXT: &[&str] = &[
            "phai", "con", "can", "muon", "sang", "se", "need", "have", "must", "m", "am", "want",
            "going", "gotta", "dang",
        ];
        let t = &n.tokens;
        let Some(k) = (1..t.len().saturating_sub(1)).find(|&k| {
            SUBJECTS.contains(&t[k].plain.as_str()) && NEXT.contains(&t[k + 1].plain.as_str())
        }) else {
            return false;
        };
        let head = n.without(|_, i| i >= k);
        !crate::nav_words::names_outside_place(&head)
            && (names_bare_door(&head)
                || matches!(self.inner.slots.extract(&head), Some((place, _)) if place == "exit"))
    }

    /// A place of the city, or something near the centre rather than in it: `Some` when the
    /// utterance is out of scope for that.
    fn outside_the_centre(
        &self,
        n: &Normalized,
        cue: Option<&'static str>,
        r: &Reading,
    ) -> Option<(OosReason, f32)> {
        let inner = &self.inner;
        // "When's that paperwork bus coming round": the mobile office, not a bus of the city.
        if tells_a_travelling_office(n) {
            return None;
        }
        // "Có máy tự phục vụ ở siêu thị nào gần đây": the self-service kiosks stand in malls
        // and neighbourhoods; where one is, is the kiosk service's answer.
        if names_a_kiosk(n) {
            return None;
        }
        // The way to a place of the city ("hồ gươm đi lối nào", "where is the nearest bank"):
        // the robot only knows the centre. A counter number keeps it navigation, and so does a
        // procedure or service the classifier is sure of ("làm hộ chiếu ở công an hay ở đây").
        let sure_need = crate::vague::answers_a_need(&r.intent)
            && r.confidence >= 0.5
            && !crate::nav_words::names_other_office(n);
        // A place of the map named in full keeps it too ("take my father to the accessibility
        // desk, I have to go park the car"), but not the exit: "đường ra phố Hàng Bài" is the
        // way to the street.
        let inside = match &r.dest {
            Some((_, Match::Counter)) => true,
            Some((place, Match::Exact)) => place != "exit" || self.exit_then_errand(n),
            Some((place, Match::Partial)) => place == "exit" && self.exit_then_errand(n),
            _ => false,
        };
        if (cue.is_some() || catalog::takes_destination(&r.intent))
            && !sure_need
            && !inside
            && inner.nav_words.names_outside_place(n)
        {
            return Some((OosReason::UnknownPlace, OUTSIDE_PLACE_CONFIDENCE));
        }
        // "Nhà thuốc gần nhất ở đâu", "is there a shop nearby that sells diapers", "mua sim ở
        // đâu gần đây": something around the centre, not in it. A place of the centre named in
        // full keeps it ("the nearest toilet"); so does a need the classifier is sure of ("chỗ
        // sạc điện thoại gần nhất"), unless a kind of city place is named too ("gần đây có hiệu
        // thuốc không", with no cue at all).
        if !inside && crate::nav_words::asks_near_here(n) {
            if crate::nav_words::names_outside_place(n) {
                return Some((OosReason::UnknownPlace, OUTSIDE_PLACE_CONFIDENCE));
            }
            if (cue.is_some() || catalog::takes_destination(&r.intent)) && !sure_need {
                return Some((OosReason::UnknownPlace, NEAR_HERE_CONFIDENCE));
            }
        }
        None
    }

    /// Navigation against the classifier: places of the city, the cue with a place named, the
    /// procedure that decides, a bare place name, usage questions about a place, a navigation
    /// reading with no place. `Some` when the utterance is out of scope.
    fn navigation_rules(
        &self,
        n: &Normalized,
        cue: Option<&'static str>,
        k: usize,
        r: &mut Reading,
    ) -> Option<(OosReason, f32)> {
        let inner = &self.inner;
        let desk = self.desk_that_helps_rule(n, r);
        // "Bàn chữ ký số có phải ở cạnh quầy 12 không": the place asked about is the one before
        // the side it is on, not the one it is beside.
        if let Some(at) = beside_at(n) {
            let mut head = n.clone();
            head.tokens.truncate(at);
            if let Some(found) = inner.slots.extract_with_partial(&head) {
                r.dest = Some(found);
            }
        }
        // "Dẫn cô ra cửa với": with a cue, a bare door is the way out (before any rule reads
        // the rest of the sentence as the need).
        if cue.is_some() && r.dest.is_none() && names_bare_door(n) {
            r.dest = Some(("exit".to_string(), Match::Partial));
        }
        if let Some(outside) = self.outside_the_centre(n, cue, r) {
            return Some(outside);
        }
        // "Có chỗ nào scan giấy tờ lưu vô điện thoại không": a place found from part of its
        // name ("điện thoại" of "chỗ sạc điện thoại") while the classifier is sure of a service
        // or amenity that no place of the map gives. Those words belong to the need, which
        // answers. (Not a procedure: its form or its papers are things a place gives, "mẫu tờ
        // khai tạm trú lấy ở đâu".)
        // Not the desk that helps with the need, found by [`Nlu::desk_that_helps_rule`] ("chỗ
        // hướng dẫn kích hoạt VNeID ở đâu"): that place is asked for.
        if !desk
            && matches!(&r.dest, Some((_, Match::Partial)))
            && (r.intent.starts_with("service.") || r.intent.starts_with("amenity."))
            && r.confidence >= CONFIRM_THRESHOLD
            && !PLACE_OWNERS.iter().any(|(_, o)| *o == r.intent)
        {
            r.dest = None;
        }
        // A place named and an explicit cue: the cue's intent (the labelling convention:
        // "where is <amenity>" is nav).
        // Not a place found from part of its name when the classifier is sure the request is
        // out of scope ("mua thẻ cào điện thoại ở đâu": "điện thoại" of the charging station).
        let sure_outside = r.intent == OUT_OF_SCOPE
            && r.confidence >= CONFIRM_THRESHOLD
            && matches!(&r.dest, Some((_, Match::Partial)));
        if let (Some(_), Some(cue), false) = (&r.dest, cue, sure_outside) {
            if r.intent != cue {
                let p = r.p(cue);
                r.intent = cue.to_string();
                // The rule is reliable; report at least a moderate confidence.
                r.confidence = r.confidence.max(p).max(0.8);
                r.alts.retain(|(l, _)| l != cue);
                r.alts.insert(0, (r.intent.clone(), r.confidence));
                r.alts.truncate(k);
            }
        }
        // "Where do I renew my health insurance card": the procedure decides. A where-is needs a
        // place the map has; a place guessed from a word or two of the procedure's name ("y tế"
        // in "bảo hiểm y tế", "chữ ký" in "chứng thực chữ ký") is not one.
        let navigating = |r: &Reading| {
            catalog::takes_destination(&r.intent) || (r.intent == OUT_OF_SCOPE && cue.is_some())
        };
        if navigating(r)
            && !matches!(&r.dest, Some((_, Match::Counter | Match::Exact)))
            && !starts_with_place_head(n)
        {
            if let Some(p) = inner.specificity.procedure_named(n) {
                r.promote(p.to_string(), RULE_CONFIDENCE);
                r.set_confidence(RULE_CONFIDENCE);
                r.dest = None;
            }
        }
        self.where_is_about_a_need(n, r);
        // "… thì đăng ký ở đâu", "làm ở đâu": where to *do* something. Without a place head
        // ("chỗ …", "bàn …") the thing asked for is a procedure or a service, not a place of the
        // map: the procedure or service the classifier sees behind the navigation answers, and not
        // confidently ("chữ ký số làm ở đâu" is the service; "bàn chữ ký số ở đâu" is the desk).
        if navigating(r)
            && cue == Some("nav.where_is")
            && !matches!(&r.dest, Some((_, Match::Counter)))
            && asks_where_to_do(n)
        {
            // Amenities are passed over: one is not registered or renewed, and a word of the
            // procedure may name one ("khám bệnh" of the health-insurance card).
            let behind = service_behind(r.alts.iter().filter(|(l, _)| !l.starts_with("amenity.")))
                .filter(|(l, p)| {
                    (l.starts_with("proc.") || l.starts_with("service."))
                        && *p >= NAV_WITHOUT_PLACE_ALT
                });
            // Nothing behind it, but the place was found from part of a service's name ("ký số ở
            // đâu": "ký số" of the digital signature desk): that service, whose answer says where.
            let owner = || match &r.dest {
                Some((place, Match::Partial)) => owner_place_need(place)
                    .filter(|o| o.starts_with("service."))
                    .map(|o| (o.to_string(), RULE_CONFIDENCE)),
                _ => None,
            };
            if let Some((alt, p)) = behind.or_else(owner) {
                r.promote(alt, p);
                r.confidence = r.confidence.min(RULE_CONFIDENCE);
                r.dest = None;
            }
        }
        // "Lấy số thứ tự ở đâu", "bốc số ở đâu": where to *get* something the name of a place
        // also says. Read as the place, or as the service whose answer says where (outside
        // writers label it both ways): the dialog confirms before it acts.
        if r.intent == "nav.where_is"
            && matches!(&r.dest, Some((_, Match::Exact | Match::Partial)))
            && starts_with_getting(n)
            && r.confidence > PLACE_OF_NEED_MAX
        {
            r.set_confidence(PLACE_OF_NEED_MAX);
        }
        time_asked_rule(n, cue, r);
        self.bare_place_rule(n, cue, r);
        usage_rules(n, cue, r);
        // "Đưa bác ra cửa": a bare door, with a cue, is the way out.
        if catalog::takes_destination(&r.intent) && r.dest.is_none() && names_bare_door(n) {
            r.dest = Some(("exit".to_string(), Match::Partial));
        }
        // A navigation intent without a place ("where do I get my queue ticket") is the weakest
        // answer there is ("where would you like to go?"): when the classifier sees a service or
        // an amenity behind it, answer that instead. A bare "take me there" stays navigation.
        if catalog::takes_destination(&r.intent) && r.dest.is_none() {
            if let Some((alt, p)) = service_behind(&r.alts).filter(|a| a.1 >= NAV_WITHOUT_PLACE_ALT)
            {
                r.promote(alt, p);
            }
        }
        None
    }

    /// A where question that asks about a need, not a place: "Is counter 4 where I apply for a
    /// passport?" (a clause about the counter) and a complaint about a counter, asked where.
    fn where_is_about_a_need(&self, n: &Normalized, r: &mut Reading) {
        // "Is counter 4 where I apply for a passport?": the "where" opens a clause about the
        // counter named; whether the procedure is done there is the procedure's question.
        // Not named outright, the procedure or service the classifier is sure of behind it.
        if r.intent == "nav.where_is" && where_clause_after_a_place(n) {
            let sure_behind = || {
                r.alts
                    .iter()
                    .find(|(l, p)| {
                        (l.starts_with("proc.") || l.starts_with("service.")) && *p >= SURE
                    })
                    .map(|(l, _)| l.clone())
            };
            let need = self
                .inner
                .specificity
                .procedure_named(n)
                .map(str::to_string)
                .or_else(sure_behind);
            if let Some(p) = need {
                r.promote(p, RULE_CONFIDENCE);
                r.set_confidence(RULE_CONFIDENCE);
                r.dest = None;
            }
        }
        // "Tôi muốn khiếu nại anh cán bộ quầy 4, ở đâu nhận khiếu nại": the counter is what the
        // complaint is about; where a complaint is made is the feedback service's answer.
        if r.intent == "nav.where_is" && wants_to_complain(n) {
            r.promote_by_rule("service.feedback");
            r.dest = None;
        }
    }

    /// "Bàn hướng dẫn điền tờ khai", "chỗ hướng dẫn cài VNeID ở đâu": the desk that helps with
    /// something is where that is given, not the information desk whose name ("bàn hướng dẫn")
    /// the words begin with. The words after "hướng dẫn" are read alone; a need among their
    /// first three readings that a place gives makes that place the destination. True when it
    /// did.
    fn desk_that_helps_rule(&self, n: &Normalized, r: &mut Reading) -> bool {
        if !matches!(&r.dest, Some((place, _)) if place == "reception") {
            return false;
        }
        let t = &n.tokens;
        let Some(i) = (1..t.len().saturating_sub(1)).find(|&i| {
            matches!(
                t[i - 1].plain.as_str(),
                "ban" | "quay" | "cho" | "khu" | "noi" | "goc"
            ) && t[i].plain == "huong"
                && t[i + 1].plain == "dan"
        }) else {
            return false;
        };
        let mut tail = n.clone();
        tail.tokens = t[i + 2..].to_vec();
        if tail.tokens.len() < 2 {
            return false;
        }
        let (alts, _) = self.inner.classifier.top_k(&tail, 3);
        let place = alts
            .iter()
            .filter(|(l, p)| !catalog::takes_destination(l) && *p >= NAV_WITHOUT_PLACE_ALT)
            .find_map(|(l, _)| owner_place(l, true));
        if let Some(place) = place {
            r.dest = Some((place.to_string(), Match::Partial));
        }
        place.is_some()
    }

    /// A place named exactly with nothing else understood: the citizen wants to go there. So is
    /// a bare place name whatever unrelated need the classifier makes of it ("nhà vệ sinh?" is not
    /// birth registration for sharing a syllable with "khai sinh"): a short utterance of place and
    /// navigation words only.
    fn bare_place_rule(&self, n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
        let bare_place = n.tokens.len() <= BARE_PLACE_MAX_WORDS
            && !self.inner.nav_words.has_unknown(n)
            && !r.intent.starts_with("chat.")
            // "có máy in không", "nước uống": the amenity the place gives is a fair reading
            && owner_of(&r.dest) != Some(r.intent.as_str());
        if (r.intent == OUT_OF_SCOPE || bare_place)
            && !catalog::takes_destination(&r.intent)
            && cue.is_none()
            && matches!(&r.dest, Some((_, Match::Counter | Match::Exact)))
            && !has_usage_cue(n)
            && n.tokens.len() <= BARE_PLACE_MAX_WORDS
        {
            let p = r.p("nav.where_is");
            r.intent = "nav.where_is".to_string();
            r.confidence = p.max(0.5);
            r.alts.retain(|(l, _)| l != "nav.where_is");
            r.alts.insert(0, (r.intent.clone(), r.confidence));
        }
    }

    /// The need itself against a neighbour: a procedure's form, a language named but not asked
    /// for, a copy of a document, a certified copy, a dossier checked before it is handed in, a
    /// procedure named outright.
    fn need_rules(&self, n: &Normalized, cue: Option<&'static str>, r: &mut Reading) {
        self.denied_need_rule(n, r);
        self.principal_rule(n, r);
        self.done_then_now_rule(n, r);
        self.document_for_a_procedure_rule(n, r);
        complaint_turn_and_person_rules(n, cue, r);
        // "Hồ sơ ĐKKD của công ty khách nộp từ thứ Hai, giờ đến bước nào rồi", "my passport
        // application, what stage is it at": how far a dossier handed in has got is its status,
        // whatever procedure it is for.
        if r.intent != "service.status_tracking"
            && (r.intent.starts_with("proc.") || r.confidence < SURE)
            && asks_how_far_a_dossier_is(n)
        {
            r.promote_by_rule("service.status_tracking");
        }
        // "Sơ yếu lý lịch" is a CV, which people have certified for a job; "lý lịch tư pháp" is
        // the judicial record. A CV without "tư pháp": the next reading, not sure.
        if r.intent == "proc.judicial_record"
            && has_seq(n, &["so", "yeu", "li", "lich"])
            && !has_seq(n, &["tu", "phap"])
        {
            if let Some((alt, _)) = r.next_after("proc.judicial_record") {
                r.promote_by_rule(&alt);
            }
        }
        // "I want make paper single, for marry with foreign man", "giấy xác nhận chưa có vợ để
        // kết hôn": a paper that says one is single is the marital-status certificate, which a
        // marriage needs first; not the marriage registration its purpose names.
        if r.intent == "proc.marriage_registration" && asks_for_a_single_paper(n) {
            r.promote_by_rule("proc.marital_status");
        }
        // The form of a procedure asked for, with no where cue: the forms desk's service.
        if cue.is_none() && r.intent.starts_with("proc.") && asks_for_a_form(n) {
            r.promote_by_rule("amenity.forms");
        }
        // "I want to marry my Vietnamese girlfriend": a language named, no change asked for. The
        // classifier's next choice answers, out of scope included ("đổi tiền đô sang tiền Việt").
        if r.intent == "chat.language" && !asks_for_language(n) {
            if let Some((alt, p)) = r.next_after("chat.language") {
                r.promote(alt, p);
            }
        }
        // A copy of a document, not the document: "where can I photocopy my passport".
        if r.intent.starts_with("proc.")
            && r.intent != "proc.certified_copy"
            && asks_for_copies(n)
            && !asks_if_a_copy_will_do(n)
        {
            r.promote_by_rule("amenity.printing");
        }
        // "Sao y bằng đại học … lấy luôn được không": a copy certified is done here, whatever
        // the document, though the classifier reads the document as out of scope.
        if r.intent == OUT_OF_SCOPE && asks_to_certify_a_copy(n) {
            r.promote_by_rule("proc.certified_copy");
        }
        // "Làm tạm trú có cần bản sao chứng thực căn cước không": whether a certified copy is
        // needed is the procedure's question, when one is named.
        if matches!(
            r.intent.as_str(),
            "proc.certified_copy" | "amenity.printing"
        ) && asks_if_a_copy_will_do(n)
        {
            if let Some(p) = self.inner.specificity.procedure_named(n) {
                if p != r.intent && r.p(p) > 0.0 {
                    r.promote_by_rule(p);
                }
            }
        }
        // A certified copy of a document, not the document: "sao y cccd ở quầy nào".
        if r.intent.starts_with("proc.")
            && !matches!(
                r.intent.as_str(),
                "proc.certified_copy" | "proc.signature_certification"
            )
            && asks_for_certified_copy(n)
            && !asks_if_a_copy_will_do(n)
        {
            r.promote_by_rule("proc.certified_copy");
        }
        // "Người chăm sóc có được hỗ trợ gì không": a benefit asked for is an allowance, not the
        // help the lobby gives (unless asked for here: "ở đây có hỗ trợ gì cho người khiếm thị").
        if r.intent.starts_with("amenity.") && asks_for_a_benefit(n) {
            r.promote_by_rule("proc.social_allowance");
        }
        // The fee of a procedure named is that procedure's (the labelling convention): "tặng
        // cho con căn nhà có sổ hồng thì đóng lệ phí gì".
        // A company named as the payer ("quẹt thẻ công ty", "a receipt in the company's name")
        // names no registration.
        if r.intent == "service.fee_payment" {
            let payer = n.without_any(is_company_word);
            if let Some(p) = self.inner.specificity.procedure_named(&payer) {
                r.promote_by_rule(p);
            }
        }
        // "Nhà tôi chưa có sổ đỏ, muốn làm thì bắt đầu từ đâu", "đăng ký khai sinh online có
        // được không": a procedure named and asked about through a channel (advice, online,
        // collaborators, the queue) is that procedure's, when the classifier is not sure of the
        // channel and the procedure is among its choices.
        if CHANNELS.contains(&r.intent.as_str()) && r.confidence < CHANNEL_UNSURE {
            if let Some(p) = self.inner.specificity.procedure_named(n) {
                let q = r.p(p);
                if q >= CHANNEL_PROCEDURE_MIN {
                    r.promote(p.to_string(), q);
                }
            }
        }
        // Two procedures weighed against each other ("nên đăng ký hộ kinh doanh hay lập công
        // ty"): which one fits is advice.
        if r.intent.starts_with("proc.") && self.weighs_two_procedures(n) {
            r.promote_by_rule("service.consultation");
        }
        // Paying, online: "thanh toán trực tuyến trên cổng dịch vụ công thế nào" is how to pay.
        if r.intent == "service.online_support" && asks_to_pay(n) {
            r.promote_by_rule("service.fee_payment");
        }
        // A dossier checked before it is handed in is advice; its status comes after.
        if r.intent == "service.status_tracking" && checks_before_submitting(n) {
            r.promote_by_rule("service.consultation");
        }
        // "Làm sổ hồng chung cư cần những gì": a procedure named outright is not a question
        // about the robot ("what can you do", "what is your name").
        // Not when the robot itself is asked about and the classifier is sure ("em là robot của
        // ai đặt ở đây, của nhà nước hay của công ty tư nhân", "robot ơi em làm được những việc
        // gì, … bên bảo hiểm xã hội").
        if matches!(r.intent.as_str(), "chat.capabilities" | "chat.identity")
            && !(r.confidence >= CONFIRM_THRESHOLD && addresses_the_robot(n))
        {
            if let Some(p) = self.inner.specificity.procedure_named(n) {
                r.promote_by_rule(p);
            }
        }
    }

    /// Two words or more stand between the alias of the place found and the where cue after it
    /// ("bàn hướng dẫn | kê khai biểu mẫu | ở chỗ nào"), none of them a particle or address.
    fn name_runs_on(&self, n: &Normalized, dest: Option<&(String, Match)>) -> bool {
        let Some((place, Match::Exact)) = dest else {
            return false;
        };
        let Some(end) = self.inner.slots.alias_end(n, place) else {
            return false;
        };
        let t = &n.tokens;
        let Some(cue) = (end..t.len()).find(|&i| {
            t[i].plain == "o"
                && t.get(i + 1)
                    .is_some_and(|x| matches!(x.plain.as_str(), "dau" | "cho"))
        }) else {
            return false;
        };
        cue >= end + 2
            && t[end..cue].iter().all(|x| {
                !TRAILING_PARTICLES.contains(&x.plain.as_str())
                    && !PRONOUNS.contains(&x.plain.as_str())
                    && !matches!(x.plain.as_str(), "nam" | "thi" | "la" | "o")
            })
    }

    /// "Nên đăng ký hộ kinh doanh hay lập công ty", "household business or a company": the words
    /// before "hay" / "or" name one procedure and the words after it another.
    fn weighs_two_procedures(&self, n: &Normalized) -> bool {
        let t = &n.tokens;
        let part = |r: std::ops::Range<usize>| {
            let mut p = n.clone();
            p.tokens = t[r].to_vec();
            self.inner
                .specificity
                .procedure_named(&p)
                .map(str::to_string)
        };
        // The second is done: "hay lập công ty", "or register a company", not "hay phải về
        // phường nơi thường trú" (a place, not a procedure).
        let doing = |k: usize| {
            t.get(k).is_some_and(|x| {
                matches!(
                    x.plain.as_str(),
                    "dang" | "lam" | "lap" | "xin" | "cap" | "register" | "apply" | "get" | "open"
                )
            })
        };
        (1..t.len()).any(|i| {
            matches!(t[i].plain.as_str(), "hay" | "or")
                && doing(i + 1)
                && match (
                    part(i.saturating_sub(6)..i),
                    part(i + 1..(i + 7).min(t.len())),
                ) {
                    (Some(a), Some(b)) => a != b,
                    _ => false,
                }
        })
    }

    /// "Tôi làm khai sinh cho con xong rồi, giờ muốn nhập hộ khẩu cho cháu", "I've already got
    /// my number, now where do I pay": a need done, then the one asked now. When the classifier's
    /// answer is what the words before "giờ" / "now" alone say, the words after it answer (if
    /// they read as another need), and not confidently.
    fn done_then_now_rule(&self, n: &Normalized, r: &mut Reading) {
        if !crate::vague::answers_a_need(&r.intent) {
            return;
        }
        let t = &n.tokens;
        let Some(done) = t
            .iter()
            .position(|x| matches!(x.plain.as_str(), "xong" | "already" | "done" | "finished"))
        else {
            return;
        };
        let Some(now) = (done + 1..t.len()).find(|&k| {
            let x = &t[k];
            (x.plain == "now" || (x.plain == "gio" && (!x.has_diacritics() || x.text == "giờ")))
                && !(k > 0 && matches!(t[k - 1].plain.as_str(), "may" | "bao" | "gio"))
        }) else {
            return;
        };
        if t.len() < now + 1 + WANTED_WORDS {
            return;
        }
        let part = |range: std::ops::Range<usize>| n.without(|_, k| !range.contains(&k));
        let top = |m: &Normalized| self.top_reading(m);
        if top(&part(0..now)).is_none_or(|(l, _)| l != r.intent) {
            return;
        }
        if let Some((other, p)) = top(&part(now + 1..t.len())) {
            if other != r.intent && p >= WANTED_MIN && crate::vague::answers_a_need(&other) {
                r.promote(other, p.min(RULE_CONFIDENCE));
                r.set_confidence(p.min(RULE_CONFIDENCE));
            }
        }
    }

    /// "Không phải tạm trú đâu, tôi đăng ký thường trú", "I don't need a passport, I need my ID
    /// card renewed", "not a company, just a small family shop": the need named right after a
    /// denial is not the one asked for. When the classifier's answer is what the denied words
    /// alone say, the rest of the sentence, without them, answers (if it reads as another need),
    /// and not confidently.
    fn denied_need_rule(&self, n: &Normalized, r: &mut Reading) {
        let top = |m: &Normalized| self.top_reading(m);
        if !crate::vague::answers_a_need(&r.intent) {
            return;
        }
        let part = |keep: &dyn Fn(usize) -> bool| n.without(|_, k| !keep(k));
        // "Bác đến làm khai sinh… à không phải, khai tử": "à không phải" takes back what came
        // before it; what follows is the need.
        let t = &n.tokens;
        if let Some(at) = seq_at(n, &["khong", "phai"]).filter(|&a| a >= 2 && t[a - 1].text == "à")
        {
            let before = part(&|k| k + 1 < at);
            let after = part(&|k| k >= at + 2);
            let wanted = top(&after);
            // the classifier already reads what follows: nothing is denied
            if wanted.as_ref().is_some_and(|(l, _)| *l == r.intent) {
                return;
            }
            if top(&before).is_some_and(|(l, _)| l == r.intent) {
                if let Some((other, p)) = wanted {
                    if other != r.intent && p >= WANTED_MIN && crate::vague::answers_a_need(&other)
                    {
                        r.promote(other, p.min(RULE_CONFIDENCE));
                        r.set_confidence(p.min(RULE_CONFIDENCE));
                        return;
                    }
                }
            }
        }
        let Some((from, ends)) = denied_span(n) else {
            return;
        };
        // Only the denied words name the need answered, and the rest names neither it nor
        // another ("not a passport, I want to book a flight"): that need is not sure.
        let mut only_denied = false;
        for (nth, to) in ends.into_iter().enumerate() {
            if n.tokens.len() < to + WANTED_WORDS {
                continue;
            }
            let denied = part(&|k| (from..to).contains(&k));
            let rest = part(&|k| !(from..to).contains(&k));
            if top(&denied).is_none_or(|(l, _)| l != r.intent) {
                continue;
            }
            if let Some((other, p)) = top(&rest) {
                // A shortened object may cut a word in two ("căn | cước"): then the need
                // the rest names must be one the whole sentence also suggested, or a procedure
                // the rest's own telling words name ("thường trú cơ").
                let heard = nth == 0
                    || r.p(&other) >= NAV_WITHOUT_PLACE_ALT
                    || self.inner.specificity.procedure_named(&rest) == Some(other.as_str());
                // "Not a driving licence, I want to buy a car, which dealer is good": what is
                // left may be something the centre does not do.
                if other != r.intent
                    && p >= WANTED_MIN
                    && heard
                    && (crate::vague::answers_a_need(&other) || other == OUT_OF_SCOPE)
                {
                    r.promote(other, p.min(RULE_CONFIDENCE));
                    r.set_confidence(p.min(RULE_CONFIDENCE));
                    // The longest object that leaves another need decides.
                    return;
                }
                only_denied |= other != r.intent;
            }
        }
        if only_denied {
            r.set_confidence(r.confidence.min(RULE_CONFIDENCE));
        }
    }

    /// "Đổi hộ chiếu mới có cần chứng minh thư không", "to renew my passport do I need my ID
    /// card": a procedure named before the words of needing or bringing, and the one answered
    /// named after them, is a document that procedure asks for. The procedure done answers.
    fn document_for_a_procedure_rule(&self, n: &Normalized, r: &mut Reading) {
        // asked as a yes/no question about the document
        const NEEDING: &[&[&str]] = &[
            &["co", "can"],
            &["co", "phai", "mang"],
            &["do", "i", "need"],
            &["do", "we", "need"],
        ];
        // "lần trước đăng ký kết hôn bị trả vì chồng em chưa có xác nhận độc thân": a dossier
        // sent back for a missing paper
        const SENT_BACK: &[&[&str]] = &[
            &["bi", "tra"],
            &["sent", "back"],
            &["rejected", "because"],
            &["returned", "because"],
        ];
        if !r.intent.starts_with("proc.") || denied_span(n).is_some() {
            return;
        }
        let needing = NEEDING.iter().filter_map(|s| seq_at(n, s)).min();
        let sent_back = SENT_BACK.iter().filter_map(|s| seq_at(n, s)).min();
        let Some(at) = needing.into_iter().chain(sent_back).min() else {
            return;
        };
        if at == 0 {
            return;
        }
        let spec = &self.inner.specificity;
        let head = n.without(|_, k| k >= at);
        let tail = n.without(|_, k| k < at);
        // what the tail asks for: the procedure it names, or else, for a dossier sent back (two
        // named alike: "… bị trả vì thiếu căn cước, giờ làm lại"), the classifier's reading of it
        let asked = spec.procedure_named(&tail).map(str::to_string).or_else(|| {
            (sent_back == Some(at))
                .then(|| self.top_reading(&tail))
                .flatten()
                .map(|(l, _)| l)
                .filter(|l| l.starts_with("proc."))
        });
        if let Some(done) = spec.procedure_named(&head) {
            if done != r.intent && asked.as_deref() == Some(r.intent.as_str()) && r.p(done) > 0.0 {
                r.promote_by_rule(done);
            }
        }
    }

    /// The classifier's first reading of (part of) an utterance, alone.
    fn top_reading(&self, m: &Normalized) -> Option<(String, f32)> {
        self.inner.classifier.top_k(m, 1).0.into_iter().next()
    }

    /// "Morning! First time here on behalf of my company", "hello, I'm here for my company":
    /// who the speaker acts for is not yet what they need. When the need answered is what the
    /// words naming that principal alone say, and the rest of the sentence names no need, the
    /// rest's greeting answers, or else the need stands but not confidently (the dialog asks).
    fn principal_rule(&self, n: &Normalized, r: &mut Reading) {
        let top = |m: &Normalized| self.top_reading(m);
        if !crate::vague::answers_a_need(&r.intent) {
            return;
        }
        let Some(span) = principal_span(n) else {
            return;
        };
        let principal = n.without(|_, k| !span.contains(&k));
        if top(&principal).is_none_or(|(l, _)| l != r.intent) {
            return;
        }
        let rest = n.without(|_, k| span.contains(&k));
        match top(&rest) {
            // the same need, or another that the principal makes precise ("đại diện công ty
            // nộp hồ sơ thay đổi đăng ký kinh doanh": a company's, not a household business's)
            Some((l, p)) if crate::vague::answers_a_need(&l) && p >= WANTED_MIN => {}
            Some((l, _)) if l == "chat.greeting" || opens_with_greeting(n) => {
                r.promote_by_rule("chat.greeting");
            }
            _ => r.set_confidence(r.confidence.min(PRINCIPAL_ONLY_MAX)),
        }
    }

    /// "Where can I print", "sạc điện thoại ở đâu được", "đưa ông ra chỗ làm dịch vụ công trên
    /// máy tính": a where or guide cue, no place named, and the need is an amenity or service
    /// given at one place of the map. The citizen asks for that place, or to be taken there (the
    /// labelling convention: "photo giấy tờ ở đâu" is a where-is). Confirmed first. Then, still
    /// navigation with no place and a word no place or navigation phrase has: something the
    /// centre does not have ("đổi ngoại tệ ở đâu"), out of scope.
    fn place_of_need_rules(
        &self,
        n: &Normalized,
        cue: Option<&'static str>,
        r: &mut Reading,
    ) -> Option<(OosReason, f32)> {
        // "Có bạn nào cầm tay chỉ việc không": "bạn nào" is which person, not "bàn nào".
        let person = n.tokens.iter().any(|x| x.text == "bạn");
        let place_cue = cue.or_else(|| {
            WHICH_DESK_CUES
                .iter()
                .any(|c| has_seq(n, c) && !(c[0] == "ban" && person))
                .then_some("nav.where_is")
        });
        if let (Some(cue), None) = (place_cue, &r.dest) {
            // "In mấy tờ giấy này ở chỗ nào được": copies asked for where; the printing area.
            if asks_for_copies(n)
                && (catalog::takes_destination(&r.intent) || r.intent == OUT_OF_SCOPE)
            {
                r.promote_by_rule("amenity.printing");
            }
            // Where to *do* a service ("chữ ký số làm ở đâu") asks for the service, which says
            // where; "bàn chữ ký số ở đâu", "where can I print" ask for the place.
            let does_the_service = r.intent.starts_with("service.") && asks_where_to_do(n);
            let place = if does_the_service {
                None
            } else {
                place_of_the_need(&r.intent, r.confidence, &r.alts, cue == "nav.guide")
            };
            if let Some((place, p)) = place {
                r.promote(cue.to_string(), p);
                r.set_confidence(p.clamp(RULE_CONFIDENCE, PLACE_OF_NEED_MAX));
                r.dest = Some((place.to_string(), Match::Partial));
            }
        }
        let asks_the_way =
            catalog::takes_destination(&r.intent) || (r.intent == OUT_OF_SCOPE && cue.is_some());
        // "Take me to where the wheelchairs are": no place named, but a thing one place keeps.
        // Not confidently: the dialog confirms the place before going.
        if asks_the_way && r.dest.is_none() {
            if let Some(place) = self.inner.slots.keeper(n) {
                if let Some(cue) = cue.filter(|_| r.intent == OUT_OF_SCOPE) {
                    r.promote_by_rule(cue);
                }
                r.set_confidence(r.confidence.min(RULE_CONFIDENCE));
                r.dest = Some((place, Match::Partial));
                return None;
            }
        }
        if asks_the_way && r.dest.is_none() && self.inner.nav_words.has_unknown(n) {
            return Some((OosReason::UnknownPlace, r.confidence.min(UNKNOWN_WORD_MAX)));
        }
        None
    }

    /// The checks every answer passes: out of scope, the least confidence, the destination of a
    /// navigation answer, confidence caps, the language slot, and whether to ask which one.
    fn finish(&self, n: &Normalized, lang: Language, r: Reading) -> Understanding {
        let inner = &self.inner;
        let Reading {
            intent,
            mut confidence,
            mut alts,
            dest,
        } = r;
        if intent == OUT_OF_SCOPE {
            return Self::out_of_scope(n, lang, OosReason::Classified, confidence, alts);
        }
        if confidence < inner.cfg.oos_threshold {
            let c = (1.0 - confidence).min(WEAK_READING_OOS_MAX);
            return Self::out_of_scope(n, lang, OosReason::LowConfidence, c, alts);
        }
        // Never sure, so the dialog confirms: a place guessed from part of its name beside
        // places named in full and passed over ("em dẫn bác ra cái máy cạnh cửa ra vào in ra tờ
        // giấy có số ấy": described rather than named); one chosen of two places named; a
        // place's name that runs on past the alias found ("'Bàn hướng dẫn kê khai biểu mẫu' ở
        // chỗ nào": the reception's "bàn hướng dẫn", but the sign names the forms desk).
        if catalog::takes_destination(&intent)
            && dest.is_some()
            && ((matches!(dest, Some((_, Match::Partial))) && inner.slots.passes_over(n))
                || inner.slots.places_named(n) >= 2
                || self.name_runs_on(n, dest.as_ref()))
        {
            confidence = confidence.min(DESCRIBED_PLACE_MAX);
        }
        let destination = if catalog::takes_destination(&intent) {
            dest.map(|(d, _)| d)
        } else {
            None
        };
        if catalog::takes_destination(&intent) && destination.is_none() {
            confidence = confidence.min(NAV_WITHOUT_PLACE_MAX);
        }
        // A procedure the catalog does not have (adoption, divorce, inheritance, visas) pulls
        // towards a neighbour. Asked for with no procedure of the catalog named, it is not one
        // the centre does ("gia hạn visa cho vợ", "work permit for a foreigner"); beside one
        // ("lý lịch tư pháp để xin visa", "sổ đỏ cho đất thừa kế"), that one may help, but the
        // answer is not sure.
        // A tax disputed is the tax office's whatever else is named ("thuế đất", "công ty"), and
        // another country's passport its embassy's.
        let elsewhere = disputes_tax(n).or_else(|| foreign_passport(n));
        // "Bố mẹ ly hôn rồi … cho tôi gặp cán bộ trực tiếp": a person asked for, surely, is what
        // is wanted, whatever the story names.
        let asks_for_staff = intent == "staff.handoff" && confidence >= NIC_SURE_PROCEDURE;
        if let Some(name) = asks_outside_the_catalog(n)
            .or(elsewhere.clone())
            .filter(|_| !asks_for_staff)
        {
            // Its own words may also name a neighbour ("hôn" of "li hôn"): the rest decides.
            let rest = n.without(|_, k| name.contains(&k));
            let sure_procedure = intent.starts_with("proc.") && confidence >= NIC_SURE_PROCEDURE;
            // "Can I pay the fee by card? Money's tight since the divorce": a service of the
            // centre the classifier is all but certain of is asked; the story is told.
            // Not a channel to a procedure (advice, online help): through it, the procedure
            // is still the one asked about ("tôi muốn hỏi về thủ tục nhận con nuôi").
            let certain_service = intent.starts_with("service.")
                && !CHANNELS.contains(&intent.as_str())
                && intent != "service.status_tracking"
                && confidence >= NIC_CERTAIN_SERVICE;
            if elsewhere.is_some()
                || (!sure_procedure
                    && !certain_service
                    && inner.specificity.procedure_named(&rest).is_none())
            {
                return Self::out_of_scope(n, lang, OosReason::NotInCatalog, RULE_CONFIDENCE, alts);
            }
            confidence = confidence.min(NOT_IN_CATALOG_MAX);
        }
        let language = if intent == "chat.language" {
            requested_language(n)
        } else {
            None
        };
        // "đăng ký", "hồ sơ": nothing said points to one procedure or service; ask which.
        let needs_clarification = confidence < inner.cfg.clarify_threshold
            || (destination.is_none()
                && crate::vague::answers_a_need(&intent)
                && inner.specificity.is_vague(n));
        alts.truncate(inner.cfg.top_k);
        Understanding {
            normalized: n.text(),
            intent,
            confidence,
            lang,
            destination,
            language,
            alternatives: alts,
            needs_clarification,
            oos_reason: None,
            reply: Reply::default(),
            correction: None,
        }
    }

    /// The spoken answer and screen text for an understanding, in its language.
    pub fn answer(&self, u: &Understanding) -> Answer {
        let kb = &self.inner.kb;
        if u.oos_reason == Some(OosReason::UnknownPlace) {
            let spoken = unknown_place_reply(u.lang);
            return Answer {
                spoken: spoken.to_string(),
                screen: spoken.to_string(),
            };
        }
        let lang = u
            .language
            .filter(|_| u.intent == "chat.language")
            .unwrap_or(u.lang);
        let Some(entry) = kb.intents.get(&u.intent) else {
            return Answer {
                spoken: String::new(),
                screen: String::new(),
            };
        };
        let place = u
            .destination
            .as_ref()
            .and_then(|d| kb.places.get(d))
            .map(|p| (p.name.get(lang).clone(), p.description.get(lang).clone()));
        if catalog::takes_destination(&u.intent) && place.is_none() {
            let spoken = match lang {
                Language::Vi => "Dạ, bác muốn đến chỗ nào ạ? Ví dụ quầy số 5, nhà vệ sinh, máy lấy số.",
                Language::En => "Where would you like to go? For example counter 5, the restroom, the queue machine.",
            };
            return Answer {
                spoken: spoken.to_string(),
                screen: spoken.to_string(),
            };
        }
        let fill = |s: &str| match &place {
            Some((name, desc)) => s.replace("{place}", name).replace("{description}", desc),
            None => s.to_string(),
        };
        Answer {
            spoken: fill(entry.spoken.get(lang)),
            screen: fill(&entry.screen.get(lang).render(lang)),
        }
    }
}

impl Understanding {
    /// Should the dialog confirm before acting on this understanding ("Bác hỏi về … phải không
    /// ạ?")? True below [`CONFIRM_THRESHOLD`], when a clarification is due anyway, and for a
    /// guide request without a place. Out of scope and chat answers cost nothing when wrong and
    /// are not confirmed.
    pub fn needs_confirmation(&self) -> bool {
        if self.intent == OUT_OF_SCOPE || self.intent.starts_with("chat.") {
            return false;
        }
        self.needs_clarification
            || self.confidence < CONFIRM_THRESHOLD
            || (catalog::takes_destination(&self.intent) && self.destination.is_none())
    }

    /// The `letan nlu --jsonl` line for this understanding:
    /// `{"text", "intent", "confidence", "lang", "slots": {"destination"?}}`.
    pub fn to_jsonl(&self, text: &str) -> String {
        let mut slots = serde_json::Map::new();
        if let Some(d) = &self.destination {
            slots.insert("destination".into(), serde_json::Value::String(d.clone()));
        }
        let conf = (f64::from(self.confidence) * 1000.0).round() / 1000.0;
        let v = serde_json::json!({
            "text": text,
            "intent": self.intent,
            "confidence": conf,
            "lang": self.lang.code(),
            "slots": slots,
        });
        v.to_string()
    }
}

/// Keeps a router in service and swaps in a new one only when a changed knowledge base is
/// valid (the old one stays otherwise). The caller reads the files; this decides.
#[derive(Debug, Clone)]
pub struct Reloader {
    nlu: Nlu,
    fingerprint: u64,
    cfg: NluConfig,
}

/// What [`Reloader::offer`] did.
#[derive(Debug)]
pub enum ReloadOutcome {
    Unchanged,
    Reloaded,
    /// The new files were rejected; the previous knowledge base is still in use.
    Rejected(NluError),
}

fn fingerprint(files: &[(String, String)]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (name, text) in files {
        for b in name.bytes().chain([0u8]).chain(text.bytes()).chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

impl Reloader {
    /// Start from files (e.g. read from `kb/`).
    pub fn new(files: Vec<(String, String)>, cfg: NluConfig) -> Result<Reloader, NluError> {
        let fp = fingerprint(&files);
        let nlu = Nlu::new(Kb::parse(files)?, cfg.clone())?;
        Ok(Reloader {
            nlu,
            fingerprint: fp,
            cfg,
        })
    }

    /// The router in service.
    pub fn nlu(&self) -> &Nlu {
        &self.nlu
    }

    /// Offer the current contents of the knowledge-base files.
    pub fn offer(&mut self, files: Vec<(String, String)>) -> ReloadOutcome {
        let fp = fingerprint(&files);
        if fp == self.fingerprint {
            return ReloadOutcome::Unchanged;
        }
        // Remember the rejected version too, so a broken file is reported once, not on
        // every poll.
        self.fingerprint = fp;
        match Kb::parse(files).and_then(|kb| Nlu::new(kb, self.cfg.clone())) {
            Ok(nlu) => {
                self.nlu = nlu;
                tracing::info!("knowledge base reloaded");
                ReloadOutcome::Reloaded
            }
            Err(e) => {
                tracing::warn!(error = %e, "knowledge base change rejected; keeping the previous one");
                ReloadOutcome::Rejected(e)
            }
        }
    }
}
