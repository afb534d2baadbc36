//! Destination slot extraction: counters by number and places by name or alias.

use crate::catalog;
use crate::kb::Kb;
use crate::mention::{self, Mention};
use crate::normalize::{normalize, sound_key, Normalized, Token};

/// Two-syllable words that citizens say in almost every question, whose syllables also occur in
/// place names in other words ("hồ sơ" dossier against "tủ sơ cứu" first-aid cabinet; "tra cứu"
/// look up against "sơ cứu").
const COMPOUNDS: &[(&str, &str)] = &[("ho", "so"), ("tra", "cuu"), ("thu", "tuc")];

/// Is token `i` a syllable of one of the [`COMPOUNDS`] in `t`, while `alias` does not hold that
/// compound?
fn in_other_compound(t: &[Token], i: usize, alias: &[Token]) -> bool {
    let holds = |a: &str, b: &str| alias.windows(2).any(|w| w[0].plain == a && w[1].plain == b);
    COMPOUNDS.iter().any(|&(a, b)| {
        let here = (t[i].plain == b && i > 0 && t[i - 1].plain == a)
            || (t[i].plain == a && t.get(i + 1).is_some_and(|x| x.plain == b));
        here && !holds(a, b)
    }) || outside_its_compound(t, i, alias)
}

/// The information desk's "hướng dẫn" (guidance) in an alias ("quầy hướng dẫn"), against token
/// `i` of the utterance: a "dẫn" that is not part of "hướng dẫn" leads ("cháu dẫn bác đến quầy …"),
/// and "hướng dẫn" after a person ("có người hướng dẫn") is someone who guides, not the desk.
fn outside_its_compound(t: &[Token], i: usize, alias: &[Token]) -> bool {
    const PERSON: &[&str] = &["nguoi", "ai", "vien", "bo"];
    let holds = alias
        .windows(2)
        .any(|w| w[0].plain == "huong" && w[1].plain == "dan");
    if !holds || !matches!(t[i].plain.as_str(), "huong" | "dan") {
        return false;
    }
    let start = if t[i].plain == "dan" {
        i.checked_sub(1)
    } else {
        Some(i)
    };
    let Some(k) =
        start.filter(|&k| t[k].plain == "huong" && t.get(k + 1).is_some_and(|x| x.plain == "dan"))
    else {
        return true;
    };
    k > 0 && PERSON.contains(&t[k - 1].plain.as_str())
}

/// How many other words a partial place match may have between its own: "chỗ lấy tờ khai" matches
/// "mẫu tờ khai đăng ký tạm trú lấy ở đâu", not words scattered over a long sentence.
const PARTIAL_SLACK: usize = 5;

/// How a destination was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// A counter cue and a number ("quầy số 7", "counter seven").
    Counter,
    /// A whole place name or alias.
    Exact,
    /// Most words of an alias, in any order (used only when the intent is already `nav.*`).
    Partial,
}

/// One alias, normalized.
#[derive(Debug, Clone)]
struct Alias {
    place: String,
    tokens: Vec<Token>,
    /// Each token's [`sound_key`], for [`SlotExtractor::heard_as`].
    keys: Vec<String>,
    /// An English name or alias: its words also match with a typing slip ([`english_slip`]).
    english: bool,
}

impl Alias {
    fn new(place: &str, text: &str, english: bool) -> Alias {
        let tokens = normalize(text).tokens;
        Alias {
            place: place.to_string(),
            keys: tokens.iter().map(|x| sound_key(&x.text)).collect(),
            tokens,
            english,
        }
    }

    /// Whether the whole alias stands in `t` from token `start`.
    fn is_at(&self, t: &[Token], start: usize, accented: bool) -> bool {
        self.is_at_by(t, start, |x, y| {
            SlotExtractor::token_matches(x, y, accented)
                || (self.english
                    && (english_slip(&x.plain, &y.plain) || english_plural(&x.plain, &y.plain)))
        })
    }

    /// Whether the whole alias stands in `t` from token `start`, word by word as `matches` says.
    fn is_at_by(
        &self,
        t: &[Token],
        start: usize,
        matches: impl Fn(&Token, &Token) -> bool,
    ) -> bool {
        t.get(start..start + self.tokens.len())
            .is_some_and(|w| w.iter().zip(&self.tokens).all(|(x, y)| matches(x, y)))
    }
}

/// A typing slip in an English word of five letters or more: two neighbouring letters swapped
/// ("toliet"), or one letter doubled or dropped ("exitt", "restrom"). Only between ASCII words
/// that are not common Vietnamese syllables, and only against an English alias (Vietnamese
/// syllables typed plain differ by one letter all the time: "chinh", "chin").
fn english_slip(input: &str, alias: &str) -> bool {
    let (a, b) = (input.as_bytes(), alias.as_bytes());
    if !input.is_ascii()
        || !alias.is_ascii()
        || a.len().max(b.len()) < 5
        || a.len().abs_diff(b.len()) > 1
    {
        return false;
    }
    if crate::lang::is_core_vi(input) || crate::lang::is_core_vi(alias) {
        return false;
    }
    let same_len_swap = a.len() == b.len() && {
        let diff: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        diff.len() == 2
            && diff[1] == diff[0] + 1
            && a[diff[0]] == b[diff[1]]
            && a[diff[1]] == b[diff[0]]
    };
    let one_more = |long: &[u8], short: &[u8]| {
        long.len() == short.len() + 1
            && (0..long.len()).any(|k| long[..k] == short[..k] && long[k + 1..] == short[k..])
    };
    same_len_swap || one_more(a, b) || one_more(b, a)
}

/// An English word said in the plural where the alias has it in the singular: "loos", "counters",
/// "benches". Only for ASCII words of three letters or more against an English alias.
fn english_plural(input: &str, alias: &str) -> bool {
    alias.len() >= 3
        && alias.is_ascii()
        && input
            .strip_suffix('s')
            .is_some_and(|s| s == alias || s.strip_suffix('e') == Some(alias))
}

/// The most words of `alias` that stand together in `t`, in the alias's order, not counting the
/// words that only say "a place" ("chỗ hỗ trợ" is one word of what is given there).
fn longest_run(t: &[Token], alias: &[Token], accented: bool) -> usize {
    let mut best = 0;
    for i in 0..t.len() {
        for k in 0..alias.len() {
            let run = t[i..]
                .iter()
                .zip(&alias[k..])
                .take_while(|(x, y)| SlotExtractor::token_matches(x, y, accented))
                .filter(|(x, _)| !is_place_word(x))
                .count();
            best = best.max(run);
        }
    }
    best
}

/// Words that say only "a place": "chỗ", "khu", "bàn", "quầy", "nơi", "góc", "phòng".
pub(crate) fn is_place_word(t: &Token) -> bool {
    matches!(
        t.plain.as_str(),
        "cho" | "khu" | "ban" | "quay" | "noi" | "goc" | "phong" | "desk" | "area" | "place"
    )
}

/// Finds the destination place in an utterance.
#[derive(Debug, Clone)]
pub struct SlotExtractor {
    aliases: Vec<Alias>,
    /// The things kept at each place ([`crate::kb::Place::holds`]).
    held: Vec<Alias>,
}

/// Plain words that, followed by a number, name a counter.
fn is_counter_cue(t: &Token) -> bool {
    if t.has_diacritics() {
        matches!(t.text.as_str(), "quầy" | "bàn")
    } else {
        matches!(
            t.plain.as_str(),
            // "q5", typed shorthand (split by the normalizer into "q 5")
            "quay" | "counter" | "desk" | "window" | "booth" | "ban" | "counters" | "q"
        )
    }
}

/// "Cửa số 9", "cửa sổ số 9": a numbered window of the hall, which is a counter (the doors are
/// not numbered). "Ô số 7": a numbered booth, as older people call a counter. Accented only: the
/// diacritic-free "cua" is also "của" (of), "o" also "ở".
fn is_numbered_window(t: &[Token], i: usize) -> bool {
    matches!(t[i].text.as_str(), "cửa" | "ô")
        && t.get(i + 1)
            .is_some_and(|x| matches!(x.text.as_str(), "số" | "sổ"))
}

fn is_number_filler(t: &Token) -> bool {
    matches!(
        t.plain.as_str(),
        "so" | "number" | "no" | "thu" | "giao" | "dich"
    )
}

/// Whether the words starting at token `at` (a place named, or a paper asked for) are denied:
/// "không phải quầy 3", "chứ không phải quầy 3", "not counter 3". Looks at the three tokens
/// before them, after any words that only point at them ("not the ones in the waiting area").
pub(crate) fn is_denied(t: &[Token], at: usize) -> bool {
    // "not the ones in the waiting area", "không phải cái ở khu chờ": words that only point
    // at the place may stand between the denial and it.
    const POINTING: &[&str] = &["the", "one", "ones", "in", "at", "by", "cai", "o", "trong"];
    let mut from = at;
    while from > 0 && at - from < 4 && POINTING.contains(&t[from - 1].plain.as_str()) {
        from -= 1;
    }
    let before = &t[from.saturating_sub(3)..at];
    before.iter().any(|x| x.plain == "not")
        || before.windows(2).any(|w| {
            matches!(w[0].plain.as_str(), "khong" | "chang" | "cha") && w[1].plain == "phai"
        })
        // "anh đi nhầm ra lối sau", "sang nhầm quầy 5": where the speaker went by mistake
        || (from.saturating_sub(3)..at).any(|k| went_by_mistake(t, k))
}

/// Whether token `k` is the "nhầm" of going somewhere by mistake ("đi nhầm", "sang nhầm", "xếp
/// nhầm"), not of correcting oneself ("quầy 3, à nhầm, quầy 8"). Not after "vào" or "ra", which
/// also end places' names ("ra cửa vào, nhầm, cửa ra chứ").
fn went_by_mistake(t: &[Token], k: usize) -> bool {
    t[k].plain == "nham"
        && k > 0
        && matches!(
            t[k - 1].plain.as_str(),
            "di" | "sang" | "den" | "toi" | "xep" | "ngoi" | "lay"
        )
}

/// Whether the speaker corrects themselves between tokens `from` and `to`: "quầy 3, à nhầm,
/// quầy 8", "counter 3, sorry, I mean 8".
fn is_corrected_between(t: &[Token], from: usize, to: usize) -> bool {
    let to = to.min(t.len());
    let from = from.min(to);
    t[from..to].iter().enumerate().any(|(k, x)| {
        (x.plain == "sorry" || (x.plain == "nham" && !went_by_mistake(t, from + k)))
            || (x.plain == "mean" && k > 0 && t[from + k - 1].plain == "i")
            // "… à không, …": the speaker takes it back
            || (x.plain == "a" && t.get(from + k + 1).is_some_and(|y| y.plain == "khong"))
    })
}

/// The last correction ("… à nhầm, ý là …", "… sorry, I mean …"), when something was said
/// before it: where its marker starts, and where the words after it start.
fn correction_end(t: &[Token]) -> Option<(usize, usize)> {
    let at = (1..t.len())
        .rev()
        .find(|&k| is_corrected_between(t, k, k + 1))?;
    let word = |k: usize| t.get(k).map_or("", |x| x.plain.as_str());
    // the rest of the marker: "à | không", then "ý là" or "I mean"
    let mut end = at + 1;
    if word(at) == "a" && word(end) == "khong" {
        end += 1;
    }
    if matches!((word(end), word(end + 1)), ("y", "la") | ("i", "mean")) {
        end += 2;
    }
    (end < t.len()).then_some((at, end))
}

/// A counter's number said alone after a correction that starts at token `from` ("sorry, 12",
/// "à nhầm, 8", "I mean twelve"): the correction within the next three words, then the number.
fn corrected_number(t: &[Token], from: usize) -> Option<Mention> {
    let last = t.len().min(from + 4);
    let k = (from + 1..last).find(|&k| t[k].is_number())?;
    if !is_corrected_between(t, from, k) || is_count_unit(t.get(k + 1)) {
        return None;
    }
    let v = t[k].plain.parse::<u32>().ok()?;
    (1..=catalog::COUNTERS).contains(&v).then(|| Mention {
        at: k,
        end: k + 1,
        place: format!("counter_{v}"),
    })
}

/// Of several mentions, those that stand: neither denied nor corrected by a later one.
fn standing(t: &[Token], mentions: Vec<Mention>) -> Vec<Mention> {
    let corrected: Vec<bool> = (0..mentions.len())
        .map(|k| {
            mentions[k + 1..]
                .iter()
                .any(|later| is_corrected_between(t, mentions[k].at, later.at))
        })
        .collect();
    mentions
        .into_iter()
        .zip(corrected)
        .filter(|(m, corrected)| !corrected && !is_denied(t, m.at))
        .map(|(m, _)| m)
        .collect()
}

/// Words after a number that make it a count, not a counter's: "sent between counters three
/// times", "đến quầy 3 lần rồi". Not "người": "dẫn tôi tới quầy 12, người ta bảo …".
fn is_count_unit(t: Option<&Token>) -> bool {
    t.is_some_and(|x| {
        matches!(
            x.plain.as_str(),
            "times"
                | "lan"
                | "luot"
                | "minutes"
                | "phut"
                | "hours"
                | "days"
                // "counter twelve? Two kids and a pram": people counted
                | "kids"
                | "children"
                | "people"
                | "persons"
        )
    })
}

/// English endings taken off before two words are compared ([`same_english_stem`]).
const ENGLISH_ENDINGS: &[&str] = &[
    "ilities", "ations", "ility", "ation", "ities", "ings", "ions", "ing", "ion", "ity", "ies",
    "ers", "ed", "er", "es", "s",
];

/// The word without its longest English ending, keeping at least four letters.
fn english_stem(w: &str) -> &str {
    ENGLISH_ENDINGS
        .iter()
        .filter_map(|e| w.strip_suffix(e))
        .filter(|s| s.len() >= 4)
        .min_by_key(|s| s.len())
        .unwrap_or(w)
}

/// Two English words of one stem: "disabled" and "disability", "printer" and "printing",
/// "registration" and "register". Their stems ([`english_stem`]) are equal, or one is the other
/// with one more letter ("disabl", "disab"). Used only in utterances without a Vietnamese
/// diacritic; Vietnamese syllables do not take these endings.
fn same_english_stem(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if !a.is_ascii() || !b.is_ascii() {
        return false;
    }
    let (x, y) = (english_stem(a), english_stem(b));
    let (short, long) = if x.len() <= y.len() { (x, y) } else { (y, x) };
    short.len() >= 4 && long.starts_with(short) && long.len() - short.len() <= 1
}

/// Function words that do not count towards a partial alias match.
fn is_stopword(p: &str) -> bool {
    matches!(
        p,
        "cho"
            | "cua"
            | "the"
            | "to"
            | "a"
            | "an"
            | "of"
            | "my"
            | "where"
            | "is"
            | "khu"
            | "noi"
            | "o"
            | "di"
            | "va"
            | "de"
            | "for"
            | "nguoi"
            | "place"
            | "area"
            | "vuc"
    )
}

impl SlotExtractor {
    /// Build from the knowledge base's place names and aliases.
    pub fn new(kb: &Kb) -> SlotExtractor {
        let mut aliases = Vec::new();
        for p in kb.places.values() {
            if p.id.starts_with("counter_") {
                continue;
            }
            let vi = std::iter::once(&p.name.vi).chain(p.aliases.vi.iter());
            let en = std::iter::once(&p.name.en).chain(p.aliases.en.iter());
            let names = vi.map(|x| (x, false)).chain(en.map(|x| (x, true)));
            aliases.extend(
                names
                    .map(|(name, english)| Alias::new(&p.id, name, english))
                    .filter(|a| !a.tokens.is_empty()),
            );
        }
        // Longest aliases first, so "quầy lễ tân" wins over "lễ tân".
        aliases.sort_by_key(|a| std::cmp::Reverse(a.tokens.len()));
        let mut held: Vec<Alias> = kb
            .places
            .values()
            .flat_map(|p| {
                p.holds
                    .vi
                    .iter()
                    .chain(p.holds.en.iter())
                    .map(|thing| Alias::new(&p.id, thing, false))
            })
            .filter(|a| !a.tokens.is_empty())
            .collect();
        held.sort_by_key(|a| std::cmp::Reverse(a.tokens.len()));
        SlotExtractor { aliases, held }
    }

    /// A place whose alias of two words or more stands in an accented utterance with some of
    /// its words as a recognizer slips on them ([`crate::normalize::sound_key`]: "nướt" for
    /// "nước", "ấng" for "ấn", "hổ trợ người khuyếc tật"): at least half of its words, and its
    /// first, as written; none of them a word of a place named ([`Self::named_words`]). The
    /// longest alias first.
    fn heard_as(&self, n: &Normalized, named: &[bool]) -> Option<String> {
        if n.vietnamese_words < 2 {
            return None;
        }
        let t = &n.tokens;
        let keys: Vec<String> = t.iter().map(|x| sound_key(&x.text)).collect();
        self.aliases.iter().find_map(|a| {
            let len = a.tokens.len();
            if len < 2 || len > t.len() {
                return None;
            }
            (0..=t.len() - len).find_map(|start| {
                if named[start..start + len].iter().any(|x| *x) {
                    return None;
                }
                let mut exact = 0;
                for (k, y) in a.tokens.iter().enumerate() {
                    let x = &t[start + k];
                    if Self::token_matches(x, y, true) {
                        exact += 1;
                    } else if k == 0 || !y.has_diacritics() || keys[start + k] != a.keys[k] {
                        return None;
                    }
                }
                (exact * 2 >= len && !is_denied(t, start)).then(|| a.place.clone())
            })
        })
    }

    /// The place that keeps a thing the utterance names ("where are the wheelchairs" → the
    /// accessibility desk), the longest thing first; English words also in another form of one
    /// stem ("wheelchair", "wheelchairs"). For a navigation question that named no place.
    pub fn keeper(&self, n: &Normalized) -> Option<String> {
        let accented = n.vietnamese_words >= 2;
        let english = n.vietnamese_words == 0;
        let t = &n.tokens;
        let matches = |x: &Token, y: &Token| {
            Self::token_matches(x, y, accented)
                || (english && same_english_stem(&x.plain, &y.plain))
        };
        self.held
            .iter()
            .find(|a| {
                (0..t.len()).any(|start| !is_denied(t, start) && a.is_at_by(t, start, matches))
            })
            .map(|a| a.place.clone())
    }

    /// Every counter named: from its cue word to its number.
    fn counter_mentions(n: &Normalized) -> Vec<Mention> {
        let t = &n.tokens;
        let is_number = |k: usize| t.get(k).is_some_and(|x| x.is_number());
        let mut out: Vec<Mention> = Vec::new();
        for i in 0..t.len() {
            if !is_counter_cue(&t[i]) && !is_numbered_window(t, i) {
                continue;
            }
            let mut j = i + 1;
            while j < t.len() && j <= i + 3 && is_number_filler(&t[j]) {
                j += 1;
            }
            // A number said again at once is the one meant: "quầy mười, mười một" (a restart).
            while is_number(j) && is_number(j + 1) {
                j += 1;
            }
            let Some(num) = t.get(j).filter(|x| x.is_number()) else {
                continue;
            };
            if is_count_unit(t.get(j + 1)) {
                continue;
            }
            if let Ok(v) = num.plain.parse::<u32>() {
                if (1..=catalog::COUNTERS).contains(&v) {
                    // The cue said again right after a number: the speaker started over
                    // ("quầy mười… quầy mười một"); the later mention replaces it.
                    if out.last().is_some_and(|m| m.end == i) {
                        out.pop();
                    }
                    out.push(Mention {
                        at: i,
                        end: j + 1,
                        place: format!("counter_{v}"),
                    });
                    // "Counter 11, sorry, 12", "quầy 3, à nhầm, 8": a bare number right after
                    // a correction is the counter meant.
                    if let Some(m) = corrected_number(t, j + 1) {
                        if !out.iter().any(|o| o.at == m.at) {
                            out.push(m);
                        }
                    }
                }
            }
        }
        out.sort_by_key(|m| m.at);
        out
    }

    fn token_matches(input: &Token, alias: &Token, accented: bool) -> bool {
        if input.plain != alias.plain {
            return false;
        }
        // With diacritics in the utterance, a different accented word is a different word
        // ("bàn" desk vs "bạn" friend). A word typed without its marks in an accented sentence
        // ("cửa chinh") is a slip and matches by its plain form, unless that plain form is a
        // common word as it stands ("cho" is not "chờ" or "chỗ").
        if accented && (input.has_diacritics() || alias.has_diacritics()) {
            return input.text == alias.text
                || (!input.has_diacritics() && !crate::lang::is_core_vi(&input.plain));
        }
        true
    }

    /// The destination in the utterance and how it was found. Of the counters named (those
    /// neither denied nor corrected) and the place named by its longest alias, the one wanted
    /// ([`mention::wanted`]): not a place the speaker came from or whose staff spoke, and the
    /// one headed for before the others; else the first counter, as people name a counter
    /// they want first ("quầy 5 có làm khai sinh không, hay quầy lễ tân").
    pub fn extract(&self, n: &Normalized) -> Option<(String, Match)> {
        let t = &n.tokens;
        let counters = standing(t, Self::counter_mentions(n));
        let places = counters.len();
        let mut all = counters;
        all.extend(self.place(n));
        let k = mention::wanted(t, &all)?;
        let how = if k < places {
            Match::Counter
        } else {
            Match::Exact
        };
        Some((all.swap_remove(k).place, how))
    }

    /// The place named by its longest alias (the earliest of equals), skipping denied mentions
    /// and those passed over ([`mention::is_passed_over`]: reported, or a landmark).
    fn place(&self, n: &Normalized) -> Option<Mention> {
        let accented = n.vietnamese_words >= 2;
        let t = &n.tokens;
        let mut best: Option<(usize, usize, &str)> = None; // (len, start, place)
        for a in &self.aliases {
            let len = a.tokens.len();
            if len > t.len() {
                continue;
            }
            if best.is_some_and(|(bl, _, _)| bl > len) {
                break;
            }
            for start in 0..=t.len() - len {
                if a.is_at(t, start, accented) {
                    let here = Mention {
                        at: start,
                        end: start + len,
                        place: String::new(),
                    };
                    if is_denied(t, start) || mention::is_passed_over(t, &here) {
                        continue;
                    }
                    let better = match best {
                        None => true,
                        Some((bl, bs, _)) => len > bl || (len == bl && start < bs),
                    };
                    if better {
                        best = Some((len, start, a.place.as_str()));
                    }
                    break;
                }
            }
        }
        let (len, start, place) = best?;
        // "Ra chỗ máy lấy số, à không, ra chỗ lấy nước uống": a place taken back for a later one.
        let later = self.corrected_to(n, start + len, place);
        Some(Mention {
            at: start,
            end: start + len,
            place: later.unwrap_or(place).to_string(),
        })
    }

    /// The last other place named exactly after token `from` with a correction between `from`
    /// and it ("à không", "nhầm", "sorry", "I mean"); `None` if there is none.
    fn corrected_to(&self, n: &Normalized, from: usize, place: &str) -> Option<&str> {
        let t = &n.tokens;
        if from >= t.len() || !is_corrected_between(t, from.saturating_sub(1), t.len()) {
            return None;
        }
        let accented = n.vietnamese_words >= 2;
        let mut last: Option<(usize, &str)> = None;
        for a in self.aliases.iter().filter(|a| a.place != place) {
            let len = a.tokens.len();
            for start in from..=t.len().saturating_sub(len) {
                if a.is_at(t, start, accented)
                    && is_corrected_between(t, from.saturating_sub(1), start)
                    && !is_denied(t, start)
                    && last.is_none_or(|(s, _)| start > s)
                {
                    last = Some((start, a.place.as_str()));
                }
            }
        }
        last.map(|(_, p)| p)
    }

    /// Whether a counter, or a place named in full, is passed over as the destination: reported
    /// or a landmark ([`mention::is_passed_over`]), or a counter named while the destination
    /// is found otherwise.
    pub fn passes_over(&self, n: &Normalized) -> bool {
        self.named_words(n).into_iter().any(|x| x)
    }

    /// Every whole alias standing in the utterance, as a mention of its place.
    fn alias_mentions<'a>(&'a self, n: &'a Normalized) -> impl Iterator<Item = Mention> + 'a {
        let t = &n.tokens;
        let accented = n.vietnamese_words >= 2;
        self.aliases.iter().flat_map(move |a| {
            let len = a.tokens.len();
            (0..=t.len().saturating_sub(len))
                .filter(move |&start| a.is_at(t, start, accented))
                .map(move |start| Mention {
                    at: start,
                    end: start + len,
                    place: a.place.clone(),
                })
        })
    }

    /// Where the first whole alias of `place` in the utterance ends (a token position).
    pub fn alias_end(&self, n: &Normalized, place: &str) -> Option<usize> {
        self.alias_mentions(n)
            .filter(|m| m.place == place)
            .map(|m| (m.at, m.end))
            .min()
            .map(|(_, end)| end)
    }

    /// How many different places the utterance names and does not pass over: counters standing
    /// (neither denied nor corrected) and places by a whole alias, an alias inside a longer one
    /// not counted ("cửa ra" of "cửa ra vào").
    pub fn places_named(&self, n: &Normalized) -> usize {
        let t = &n.tokens;
        let mut found: Vec<Mention> = standing(t, Self::counter_mentions(n));
        found.extend(
            self.alias_mentions(n)
                .filter(|m| !is_denied(t, m.at) && !mention::is_passed_over(t, m)),
        );
        let inside = |m: &Mention| {
            found
                .iter()
                .any(|o| o.at <= m.at && m.end <= o.end && o.end - o.at > m.end - m.at)
        };
        let mut places: Vec<&str> = found
            .iter()
            .filter(|m| !inside(m))
            .map(|m| m.place.as_str())
            .collect();
        places.sort_unstable();
        places.dedup();
        places.len()
    }

    /// Which tokens belong to a counter named or to a place named in full but passed over
    /// ([`mention::is_passed_over`]: reported, or a landmark). They are not words of another
    /// place: in "quầy 1 bảo không làm, vậy đăng ký khai sinh ở đâu", "quầy" and "khai" are not
    /// the forms desk's "quầy tờ khai"; in "chị lễ tân bảo ra khu dịch vụ trực tuyến", "lễ tân"
    /// is not the reception's "bàn lễ tân".
    fn named_words(&self, n: &Normalized) -> Vec<bool> {
        let t = &n.tokens;
        let mut named = vec![false; t.len()];
        let passed_over = self
            .alias_mentions(n)
            .filter(|m| mention::is_passed_over(t, m));
        for m in Self::counter_mentions(n).into_iter().chain(passed_over) {
            named[m.at..m.end].iter_mut().for_each(|x| *x = true);
        }
        named
    }

    /// Like [`SlotExtractor::extract`], and when nothing matches exactly, a place whose alias
    /// stands in the utterance as a recognizer may have written it ([`Self::heard_as`]), or
    /// whose alias has most of its content words in the utterance (any order). Slower; call it
    /// only when the utterance is about navigation.
    pub fn extract_with_partial(&self, n: &Normalized) -> Option<(String, Match)> {
        if let Some(found) = self.extract(n) {
            // "Quầy lễ tân ở đâu, à nhầm, ý là chỗ phát tờ khai ấy": the place after a
            // correction, even named only in part, is the one meant.
            let corrected = correction_end(&n.tokens).and_then(|(at, end)| {
                // the place taken back was named before the correction
                let head = n.without(|_, k| k >= at);
                if self
                    .extract(&head)
                    .is_none_or(|(place, _)| place != found.0)
                {
                    return None;
                }
                let tail = n.without(|_, k| k < end);
                self.extract_with_partial(&tail)
                    .filter(|(place, _)| *place != found.0)
            });
            return Some(corrected.unwrap_or(found));
        }
        let named = self.named_words(n);
        if let Some(place) = self.heard_as(n, &named) {
            return Some((place, Match::Partial));
        }
        let accented = n.vietnamese_words >= 2;
        let english = n.vietnamese_words == 0;
        let t = &n.tokens;
        // Partial: most content words of an alias present anywhere. An alias of which three
        // words or more stand together, in its order, goes before the others: in "cái máy … in ra
        // tờ số thứ tự", "số thứ tự" (the queue machine's) says more than "máy" and "in" apart.
        let mut partial: Option<(bool, f32, usize, &str)> = None;
        for a in &self.aliases {
            let content: Vec<&Token> = a.tokens.iter().filter(|x| !is_stopword(&x.plain)).collect();
            if content.len() < 2 {
                continue;
            }
            // Where each content word first occurs. The words found must lie close together:
            // "đưa ông ra chỗ … không biết đường" holds both words of "đường ra", but far apart
            // and in other senses.
            // A syllable of a word the alias does not hold is not one of its words: "tra cứu hồ
            // sơ" holds "sơ" and "cứu", but not "sơ cứu" (first aid).
            let at: Vec<usize> = content
                .iter()
                .filter_map(|y| {
                    (0..t.len()).find(|&i| {
                        !named[i]
                            && (Self::token_matches(&t[i], y, accented)
                                || (english && same_english_stem(&t[i].plain, &y.plain)))
                            && !in_other_compound(t, i, &a.tokens)
                    })
                })
                .collect();
            let hit = at.len();
            let span = match (at.iter().min(), at.iter().max()) {
                (Some(lo), Some(hi)) => hi - lo + 1,
                _ => 0,
            };
            let score = hit as f32 / content.len() as f32;
            if hit < 2 || span > content.len() + PARTIAL_SLACK || score < 0.66 {
                continue;
            }
            let together = longest_run(t, &a.tokens, accented) >= 3;
            if partial.is_none_or(|(r, s, h, _)| (together, score, hit) > (r, s, h)) {
                partial = Some((together, score, hit, a.place.as_str()));
            }
        }
        partial.map(|(_, _, _, p)| (p.to_string(), Match::Partial))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test
mod tests {
    use super::{normalize, outside_its_compound, same_english_stem};

    #[test]
    fn english_slips_match_and_short_or_other_words_do_not() {
        use super::english_slip;
        assert!(english_slip("toliet", "toilet"));
        assert!(english_slip("exitt", "exit"));
        assert!(english_slip("restrom", "restroom"));
        assert!(english_slip("printr", "printer"));
        // short words, other words, two slips, Vietnamese syllables
        assert!(!english_slip("exot", "exit"));
        assert!(!english_slip("desk", "dusk"));
        assert!(!english_slip("printing", "printer"));
        assert!(!english_slip("ngưoi", "nguoi"));
    }

    #[test]
    fn guidance_counts_only_as_the_whole_word_and_not_after_a_person() {
        let alias = normalize("quầy hướng dẫn").tokens;
        let at = |text: &str, word: &str| {
            let t = normalize(text).tokens;
            let i = t.iter().position(|x| x.text == word).unwrap();
            outside_its_compound(&t, i, &alias)
        };
        // the lead verb "dẫn" is not the desk's "hướng dẫn"
        assert!(at("cháu dẫn bác ra quầy làm giấy tờ", "dẫn"));
        // someone who guides is not the desk
        assert!(at("khu đó có người hướng dẫn không", "hướng"));
        assert!(at("khu đó có người hướng dẫn không", "dẫn"));
        // the desk itself
        assert!(!at("bàn hướng dẫn ở đâu", "hướng"));
        assert!(!at("bàn hướng dẫn ở đâu", "dẫn"));
        // an alias without "hướng dẫn" is not concerned
        let other = normalize("chỗ sạc điện thoại").tokens;
        let t = normalize("cháu dẫn bác ra chỗ sạc").tokens;
        assert!(!outside_its_compound(&t, 1, &other));
    }

    #[test]
    fn english_words_of_one_stem_match_and_short_or_different_words_do_not() {
        assert!(same_english_stem("disabled", "disability"));
        assert!(same_english_stem("printer", "printing"));
        assert!(same_english_stem("registration", "register"));
        assert!(same_english_stem("desks", "desk"));
        // Vietnamese syllables, and words too short to have a stem
        assert!(!same_english_stem("khuyet", "khuyen"));
        assert!(!same_english_stem("nghiep", "nghiem"));
        assert!(!same_english_stem("bus", "busy"));
        // a shared beginning, then different words
        assert!(!same_english_stem("document", "documentary"));
        assert!(!same_english_stem("counter", "countryside"));
        assert!(same_english_stem("exit", "exit"));
    }
}
