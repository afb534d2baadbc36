//! Text normalization for Vietnamese and English utterances.
//!
//! Every utterance goes through the same steps, whether it comes from the speech recognizer,
//! the touchscreen or the knowledge base's example phrases:
//!
//! 1. Unicode: decomposed (NFD) and precomposed (NFC) input give the same result; control
//!    characters, punctuation and symbols become word boundaries.
//! 2. Case is folded.
//! 3. Each Vietnamese syllable is split into its letters (with vowel-quality marks such as
//!    `ơ`, `â`, `ư`) and its tone, and the tone is put back on one canonical vowel, so the
//!    old and new placements ("hòa" / "hoà", "thúy" / "thuý") are the same token.
//! 4. Every token also has a `plain` form without any diacritic (`đ` → `d`), which is what
//!    lets text typed without diacritics match.
//! 5. Spelled-out and split loanwords are joined ("ki ốt" → `kiot`, "ai hà nội" → `ihanoi`,
//!    "oai phai" → `wifi`) and common abbreviations expanded ("cccd").
//! 6. Number words become digits where they are numbers: compounds anywhere ("mười hai" →
//!    `12`, "twenty one" → `21`), single number words after a cue ("quầy số tư" → `quầy số 4`,
//!    "counter seven" → `counter 7`).

use unicode_normalization::UnicodeNormalization;

/// Utterances longer than this (in characters) are treated as not an utterance at all.
pub const MAX_CHARS: usize = 600;

/// One normalized word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Lowercase NFC text with the tone on its canonical vowel ("hoà", "quầy", "12").
    pub text: String,
    /// The same word with every diacritic removed ("hoa", "quay", "12").
    pub plain: String,
}

impl Token {
    fn same(s: &str) -> Self {
        Token {
            text: s.to_string(),
            plain: s.to_string(),
        }
    }

    /// True when the word carries a diacritic (its text differs from its plain form).
    pub fn has_diacritics(&self) -> bool {
        self.text != self.plain
    }

    /// True when the token is a number written in digits.
    pub fn is_number(&self) -> bool {
        !self.plain.is_empty() && self.plain.bytes().all(|b| b.is_ascii_digit())
    }
}

/// The result of normalizing one utterance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub tokens: Vec<Token>,
    /// Letters seen in the input (any script).
    pub letters: usize,
    /// Letters outside the Latin script (Cyrillic, CJK, Thai, ...).
    pub foreign_letters: usize,
    /// Words carrying a Vietnamese diacritic (tone or vowel mark, or `đ`).
    pub vietnamese_words: usize,
    /// Pictographs, emoji and other symbols seen.
    pub symbols: usize,
    /// The input was longer than [`MAX_CHARS`].
    pub too_long: bool,
}

impl Normalized {
    /// The normalized text, tokens joined by single spaces.
    pub fn text(&self) -> String {
        join(self.tokens.iter().map(|t| t.text.as_str()))
    }

    /// The normalized text without diacritics.
    pub fn plain(&self) -> String {
        join(self.tokens.iter().map(|t| t.plain.as_str()))
    }

    /// A copy without the tokens for which `drop(tokens, position)` holds (the counts of the
    /// whole utterance are kept). Only the kept tokens are copied.
    pub fn without(&self, drop: impl Fn(&[Token], usize) -> bool) -> Normalized {
        let t = &self.tokens;
        Normalized {
            tokens: (0..t.len())
                .filter(|&k| !drop(t, k))
                .map(|k| t[k].clone())
                .collect(),
            letters: self.letters,
            foreign_letters: self.foreign_letters,
            vietnamese_words: self.vietnamese_words,
            symbols: self.symbols,
            too_long: self.too_long,
        }
    }

    /// [`Normalized::without`], borrowing `self` when no token is dropped.
    pub fn without_any(
        &self,
        drop: impl Fn(&[Token], usize) -> bool,
    ) -> std::borrow::Cow<'_, Normalized> {
        let t = &self.tokens;
        if (0..t.len()).any(|k| drop(t, k)) {
            std::borrow::Cow::Owned(self.without(drop))
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for p in parts {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

/// Normalize one utterance. Never panics; any input gives a (possibly empty) token list.
pub fn normalize(text: &str) -> Normalized {
    let mut out = Normalized::default();
    let mut limited = text;
    if let Some((idx, _)) = text.char_indices().nth(MAX_CHARS) {
        out.too_long = true;
        limited = &text[..idx];
    }
    let raw = split_syllables(limited, &mut out);
    let mut joined = spoken_scan(spelled_acronyms(raw));
    // Dialect first, so that the phrases read the words meant ("áp i Hà Lội" is "i hà nội").
    if out.vietnamese_words > 0 {
        joined = northern_l_n(central_dialect(joined));
    }
    joined = rewrite_phrases(joined, PHRASES);
    if out.vietnamese_words >= CODE_SWITCH_MIN_VI_WORDS {
        joined = rewrite_phrases(joined, CODE_SWITCH);
    }
    out.tokens = convert_numbers(counter_tone_slips(joined));
    out
}

/// Normalize and return the canonical text (convenience for tests and tools).
pub fn normalize_text(text: &str) -> String {
    normalize(text).text()
}

// ---------------------------------------------------------------------------------------------
// Step 1–4: syllables with canonical tone placement.

const GRAVE: char = '\u{0300}';
const ACUTE: char = '\u{0301}';
const TILDE: char = '\u{0303}';
const HOOK: char = '\u{0309}';
const DOT: char = '\u{0323}';

fn tone_index(c: char) -> Option<u8> {
    match c {
        GRAVE => Some(1),
        ACUTE => Some(2),
        TILDE => Some(3),
        HOOK => Some(4),
        DOT => Some(5),
        _ => None,
    }
}

fn tone_mark(tone: u8) -> Option<char> {
    match tone {
        1 => Some(GRAVE),
        2 => Some(ACUTE),
        3 => Some(TILDE),
        4 => Some(HOOK),
        5 => Some(DOT),
        _ => None,
    }
}

fn is_quality_mark(c: char) -> bool {
    matches!(c, '\u{0302}' | '\u{0306}' | '\u{031B}')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

fn is_symbol(c: char) -> bool {
    matches!(c,
        '\u{2190}'..='\u{2BFF}' | '\u{1F000}'..='\u{1FAFF}' | '\u{FE0F}' | '\u{200D}' | '\u{E000}'..='\u{F8FF}')
}

#[derive(Default)]
struct Syllable {
    /// Letters with vowel-quality marks but no tone, NFD.
    letters: String,
    tone: u8,
    marked: bool,
    digits: bool,
}

fn split_syllables(text: &str, stats: &mut Normalized) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut cur = Syllable::default();
    let flush = |cur: &mut Syllable, tokens: &mut Vec<Token>| {
        if !cur.letters.is_empty() {
            tokens.push(finish_syllable(cur));
        }
        *cur = Syllable::default();
    };
    for c in text.nfd() {
        if let Some(t) = tone_index(c) {
            if !cur.letters.is_empty() && !cur.digits {
                cur.tone = t;
                cur.marked = true;
            }
            continue;
        }
        if is_quality_mark(c) {
            if !cur.letters.is_empty() && !cur.digits {
                cur.letters.push(c);
                cur.marked = true;
            }
            continue;
        }
        if is_combining(c) {
            continue;
        }
        if c.is_ascii_digit() {
            if !cur.digits {
                flush(&mut cur, &mut tokens);
                cur.digits = true;
            }
            cur.letters.push(c);
            continue;
        }
        if c.is_alphabetic() {
            stats.letters += 1;
            if !is_latin_letter(c) {
                // Other scripts are counted but not kept as words.
                stats.foreign_letters += 1;
                flush(&mut cur, &mut tokens);
                continue;
            }
            if cur.digits {
                flush(&mut cur, &mut tokens);
            }
            for l in c.to_lowercase() {
                if l == 'đ' {
                    cur.marked = true;
                }
                cur.letters.push(l);
            }
            continue;
        }
        if is_symbol(c) {
            stats.symbols += 1;
        }
        flush(&mut cur, &mut tokens);
    }
    flush(&mut cur, &mut tokens);
    stats.vietnamese_words += tokens.iter().filter(|t| t.has_diacritics()).count();
    tokens
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'a' | 'ă' | 'â' | 'e' | 'ê' | 'i' | 'o' | 'ô' | 'ơ' | 'u' | 'ư' | 'y'
    )
}

fn is_marked_vowel(c: char) -> bool {
    matches!(c, 'ă' | 'â' | 'ê' | 'ô' | 'ơ' | 'ư')
}

/// Index (in `chars`) of the vowel that carries the tone, by one fixed rule (the "new" style:
/// "hoà", "khoẻ", "thuỷ").
fn tone_target(chars: &[char]) -> Option<usize> {
    let mut start = 0;
    // Skip the consonant onset.
    while start < chars.len() && !is_vowel(chars[start]) {
        start += 1;
    }
    if start >= chars.len() {
        return None;
    }
    // "qu" and "gi" onsets: the u / i belongs to the onset when another vowel follows.
    let follows_vowel = |i: usize| i + 1 < chars.len() && is_vowel(chars[i + 1]);
    let onset_glide = start > 0
        && ((chars[start - 1] == 'q' && chars[start] == 'u')
            || (chars[start - 1] == 'g' && chars[start] == 'i'));
    if onset_glide && follows_vowel(start) {
        start += 1;
    }
    let mut end = start;
    while end < chars.len() && is_vowel(chars[end]) {
        end += 1;
    }
    let cluster = &chars[start..end];
    if let Some(pos) = cluster.iter().rposition(|&c| is_marked_vowel(c)) {
        // "ươ" takes the tone on ơ, which rposition gives.
        return Some(start + pos);
    }
    let closed = end < chars.len();
    let n = cluster.len();
    let idx = match n {
        0 => return None,
        1 => 0,
        2 if closed => 1,
        2 => {
            let pair: String = cluster.iter().collect();
            if matches!(pair.as_str(), "oa" | "oe" | "uy") {
                1
            } else {
                0
            }
        }
        _ => 1,
    };
    Some(start + idx)
}

/// Old and new spelling of final i/y after a consonant ("lý"/"lí", "kỹ"/"kĩ", "đăng ký"/"đăng
/// kí"): one form, `i`. "quý", "y tế" and words with other vowels keep their y.
fn unify_i_y(base: String) -> String {
    let Some(stem) = base.strip_suffix('y') else {
        return base;
    };
    let consonants_only = !stem.is_empty()
        && !stem.starts_with("qu")
        && stem.chars().all(|c| "bcdđghklmnprstvx".contains(c));
    if consonants_only {
        format!("{stem}i")
    } else {
        base
    }
}

fn finish_syllable(s: &Syllable) -> Token {
    if s.digits {
        return Token::same(&s.letters);
    }
    let base: String = unify_i_y(s.letters.nfc().collect());
    let plain: String = base
        .nfd()
        .filter(|c| !is_combining(*c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect();
    if !s.marked {
        return Token { text: base, plain };
    }
    let chars: Vec<char> = base.chars().collect();
    let text = match (tone_mark(s.tone), tone_target(&chars)) {
        (Some(mark), Some(target)) => {
            let mut t = String::with_capacity(base.len() + 2);
            for (i, &c) in chars.iter().enumerate() {
                t.push(c);
                if i == target {
                    t.push(mark);
                }
            }
            t.nfc().collect()
        }
        _ => base,
    };
    Token { text, plain }
}

// ---------------------------------------------------------------------------------------------
// Step 5: joined loanwords and abbreviations, matched on plain forms.

/// (plain words, replacement words).
const PHRASES: &[(&[&str], &[&str])] = &[
    (&["ki", "ot"], &["kiot"]),
    (&["ki", "os"], &["kiot"]),
    (&["kiosk"], &["kiot"]),
    (&["kiosks"], &["kiot"]),
    (&["ki", "osk"], &["kiot"]),
    (&["wi", "fi"], &["wifi"]),
    (&["oai", "phai"], &["wifi"]),
    // "bai bai", "bái bai": bye-bye said the Vietnamese way
    (&["bai", "bai"], &["bye", "bye"]),
    (&["uai", "phai"], &["wifi"]),
    (&["wai", "phai"], &["wifi"]),
    (&["quai", "phai"], &["wifi"]),
    (&["wai", "fai"], &["wifi"]),
    (&["wify"], &["wifi"]),
    (&["wiffi"], &["wifi"]),
    (&["wifii"], &["wifi"]),
    // Loanwords as Vietnamese says and spells them: "toa lét", "pát xờ po".
    (&["toa", "let"], &["toilet"]),
    (&["toi", "let"], &["toilet"]),
    (&["tua", "let"], &["toilet"]),
    (&["toalet"], &["toilet"]),
    (&["pat", "xo", "po"], &["hộ", "chiếu"]),
    (&["pat", "xpo"], &["hộ", "chiếu"]),
    (&["pa", "xpo"], &["hộ", "chiếu"]),
    // "Căn cước công dân" as an English recognizer writes it.
    (
        &["can", "cook", "cong", "dan"],
        &["căn", "cước", "công", "dân"],
    ),
    // English idioms whose words mislead: "free of charge" is not phone charging; "g'day, how
    // ya going" is a greeting.
    (&["free", "of", "charge"], &["free"]),
    (&["g", "day"], &["hello"]),
    (&["how", "ya", "going"], &["how", "are", "you"]),
    (&["how", "are", "you", "going"], &["how", "are", "you"]),
    (&["ai", "ha", "noi"], &["ihanoi"]),
    (&["i", "ha", "noi"], &["ihanoi"]),
    (&["i", "hanoi"], &["ihanoi"]),
    (&["ai", "hanoi"], &["ihanoi"]),
    (&["v", "neid"], &["vneid"]),
    (&["vn", "eid"], &["vneid"]),
    (&["vn", "id"], &["vneid"]),
    (&["ve", "ne", "id"], &["vneid"]),
    (&["ve", "ne", "ai", "di"], &["vneid"]),
    (&["vi", "en", "i", "di"], &["vneid"]),
    (&["vi", "en", "e", "id"], &["vneid"]),
    (&["ve", "en", "ai", "di"], &["vneid"]),
    (&["vi", "en", "ai", "di"], &["vneid"]),
    (&["ve", "en", "id"], &["vneid"]),
    (&["vn", "ai", "di"], &["vneid"]),
    (&["vneid", "app"], &["vneid"]),
    (&["pho", "to", "copy"], &["photo"]),
    (&["pho", "to"], &["photo"]),
    (&["photocopy"], &["photo"]),
    (&["photocopies"], &["photo"]),
    (&["xi", "can"], &["scan"]),
    (&["xcan"], &["scan"]),
    (&["e", "mail"], &["email"]),
    (&["i", "meo"], &["email"]),
    (&["i", "mail"], &["email"]),
    (&["za", "lo"], &["zalo"]),
    (&["da", "lo"], &["zalo"]),
    (&["on", "lai"], &["online"]),
    (&["onl", "ai"], &["online"]),
    (&["ai", "phon"], &["iphone"]),
    (&["ai", "phone"], &["iphone"]),
    (&["o", "ke"], &["ok"]),
    (&["okay"], &["ok"]),
    (&["cccd"], &["căn", "cước", "công", "dân"]),
    (&["cmnd"], &["chứng", "minh", "nhân", "dân"]),
    (&["gplx"], &["giấy", "phép", "lái", "xe"]),
    (&["bhyt"], &["bảo", "hiểm", "y", "tế"]),
    (&["bhxh"], &["bảo", "hiểm", "xã", "hội"]),
    (&["lltp"], &["lý", "lịch", "tư", "pháp"]),
    // Typed shorthand (phone typing, chat style).
    (&["gpxd"], &["giấy", "phép", "xây", "dựng"]),
    (&["blx"], &["bằng", "lái", "xe"]),
    (&["tthn"], &["tình", "trạng", "hôn", "nhân"]),
    (
        &["xntthn"],
        &["xác", "nhận", "tình", "trạng", "hôn", "nhân"],
    ),
    (
        &["gcn", "qsdd"],
        &["giấy", "chứng", "nhận", "quyền", "sử", "dụng", "đất"],
    ),
    (&["qsdd"], &["quyền", "sử", "dụng", "đất"]),
    (&["hkd"], &["hộ", "kinh", "doanh"]),
    (&["dkkh"], &["đăng", "ký", "kết", "hôn"]),
    (&["dkks"], &["đăng", "ký", "khai", "sinh"]),
    (&["tctn"], &["trợ", "cấp", "thất", "nghiệp"]),
    // KT3: the old temporary-residence book
    (&["kt", "3"], &["sổ", "tạm", "trú"]),
    (&["dkkd"], &["đăng", "ký", "kinh", "doanh"]),
    (&["dn"], &["doanh", "nghiệp"]),
    (&["cty"], &["công", "ty"]),
    (&["ks"], &["khai", "sinh"]),
    (&["dk", "ko"], &["được", "không"]),
    (&["dk", "khong"], &["được", "không"]),
    (&["dk"], &["đăng", "ký"]),
    (&["dky"], &["đăng", "ký"]),
    (&["hs"], &["hồ", "sơ"]),
    (&["hso"], &["hồ", "sơ"]),
    (&["stt"], &["số", "thứ", "tự"]),
    (&["dt"], &["điện", "thoại"]),
    (&["dthoai"], &["điện", "thoại"]),
    (&["mk"], &["mật", "khẩu"]),
    (&["ntn"], &["như", "thế", "nào"]),
    (&["ko"], &["không"]),
    (&["k"], &["không"]),
    (&["kg"], &["không"]),
    (&["khg"], &["không"]),
    (&["hok"], &["không"]),
    (&["hem"], &["không"]),
    (&["dc"], &["được"]),
    (&["j"], &["gì"]),
    (&["r"], &["rồi"]),
    (&["vs"], &["với"]),
    (&["t", "7"], &["thứ", "bảy"]),
    (&["cn"], &["chủ", "nhật"]),
    (&["tks"], &["cảm", "ơn"]),
    (&["thks"], &["cảm", "ơn"]),
    (&["thx"], &["cảm", "ơn"]),
    (&["tk", "u"], &["cảm", "ơn"]),
    (&["camon"], &["cảm", "ơn"]),
    // Sino-Vietnamese and old-fashioned thanks.
    (&["da", "ta"], &["cảm", "ơn"]),
    (&["cam", "ta"], &["cảm", "ơn"]),
    (&["doi", "on"], &["cảm", "ơn"]),
    // Telex leftovers and misheard initials of frequent procedure words.
    (&["ho", "trieu"], &["hộ", "chiếu"]),
    (&["ho", "chiu"], &["hộ", "chiếu"]),
    // Words run together.
    (&["khaisinh"], &["khai", "sinh"]),
    // The Southern "sanh" of "sinh" in the birth certificate's name.
    (&["khai", "sanh"], &["khai", "sinh"]),
    (&["khaitu"], &["khai", "tử"]),
    (&["hochieu"], &["hộ", "chiếu"]),
    (&["cancuoc"], &["căn", "cước"]),
    (&["tamtru"], &["tạm", "trú"]),
    (&["thuongtru"], &["thường", "trú"]),
    (&["kethon"], &["kết", "hôn"]),
    (&["sodo"], &["sổ", "đỏ"]),
    (&["sohong"], &["sổ", "hồng"]),
    (&["lylich"], &["lý", "lịch"]),
    (&["banglai"], &["bằng", "lái"]),
    (&["hokhau"], &["hộ", "khẩu"]),
    (&["chungthuc"], &["chứng", "thực"]),
    (&["dangky"], &["đăng", "ký"]),
    (&["dangki"], &["đăng", "ký"]),
    (&["hoso"], &["hồ", "sơ"]),
    (&["thutuc"], &["thủ", "tục"]),
    (&["baohiem"], &["bảo", "hiểm"]),
    // "Máy in ra số thứ tự": the "ra" of printing out, between the verb and what is printed.
    (&["in", "ra", "so"], &["in", "số"]),
    (&["in", "ra", "phieu"], &["in", "phiếu"]),
    (&["wc"], &["toilet"]),
    (&["toilets"], &["toilet"]),
    (&["q", "r"], &["qr"]),
    (&["qrcode"], &["qr"]),
];

/// A Vietnamese sentence has at least this many words with diacritics before its English words
/// are read as code-switching ([`CODE_SWITCH`]).
const CODE_SWITCH_MIN_VI_WORDS: usize = 2;

/// English words that young people mix into Vietnamese ("check xem hồ sơ đã done chưa", "chỗ
/// print tài liệu", "đăng ký chữ ký số free"), replaced by the Vietnamese word only inside a
/// Vietnamese sentence: an English sentence keeps its words.
const CODE_SWITCH: &[(&[&str], &[&str])] = &[
    (&["check"], &["kiểm", "tra"]),
    (&["done"], &["xong"]),
    (&["print"], &["in"]),
    (&["printer"], &["máy", "in"]),
    (&["support"], &["hỗ", "trợ"]),
    (&["feedback"], &["góp", "ý"]),
    (&["free"], &["miễn", "phí"]),
    (&["password"], &["mật", "khẩu"]),
    (&["pass"], &["mật", "khẩu"]),
    (&["log", "in"], &["đăng", "nhập"]),
    (&["login"], &["đăng", "nhập"]),
    (&["update"], &["cập", "nhật"]),
    (&["status"], &["tình", "trạng"]),
    (&["business"], &["kinh", "doanh"]),
    (&["sign"], &["ký"]),
    (&["charge"], &["sạc"]),
    (&["passport"], &["hộ", "chiếu"]),
    (&["sorry"], &["xin", "lỗi"]),
    (&["thanks"], &["cảm", "ơn"]),
    (&["thank", "you"], &["cảm", "ơn"]),
    (&["bye", "bye"], &["tạm", "biệt"]),
    (&["bye"], &["tạm", "biệt"]),
];

/// "Sờ can", "so can": "scan" as said. Not "số căn cước" (the ID number) nor "số căn hộ": the
/// second word carries no mark, and no "cước" or "hộ" follows.
fn spoken_scan(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let scan = tokens[i].plain == "so"
            && tokens.get(i + 1).is_some_and(|x| x.text == "can")
            && !tokens
                .get(i + 2)
                .is_some_and(|x| matches!(x.plain.as_str(), "cuoc" | "ho"));
        if scan {
            out.push(Token::same("scan"));
            i += 2;
        } else {
            out.push(tokens[i].clone());
            i += 1;
        }
    }
    out
}

fn rewrite_phrases(tokens: Vec<Token>, table: &[(&[&str], &[&str])]) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    'outer: while i < tokens.len() {
        for (pat, rep) in table {
            if i + pat.len() <= tokens.len()
                && pat
                    .iter()
                    .zip(&tokens[i..i + pat.len()])
                    .all(|(p, t)| t.plain == *p)
            {
                for r in rep.iter() {
                    out.push(accented(r));
                }
                i += pat.len();
                continue 'outer;
            }
        }
        out.push(tokens[i].clone());
        i += 1;
    }
    out
}

/// The Vietnamese names of the Latin letters, as a recognizer or a phone keyboard writes a
/// spelled abbreviation ("bê hát y tê" is BHYT, "vê en ây đi" VNeID), without their tones: one or
/// two words each.
const LETTER_NAMES: &[(char, &[&[&str]])] = &[
    ('b', &[&["be"], &["bo"]]),
    ('c', &[&["xe"], &["xi"], &["co"], &["ce"]]),
    ('d', &[&["d"], &["de"], &["di"], &["do"]]),
    ('e', &[&["e"], &["i"]]),
    ('g', &[&["gie"], &["ge"], &["go"]]),
    ('h', &[&["hat"], &["ho"], &["ach"]]),
    ('i', &[&["i"], &["ai"], &["ay"]]),
    ('l', &[&["lo"], &["e", "lo"], &["en", "lo"]]),
    ('m', &[&["em"], &["mo"], &["em", "mo"]]),
    ('n', &[&["n"], &["en"], &["no"], &["ne"], &["en", "no"]]),
    ('p', &[&["pe"], &["po"]]),
    ('t', &[&["te"], &["to"]]),
    ('v', &[&["v"], &["ve"], &["vi"]]),
    ('x', &[&["ich"], &["ich", "xi"], &["xo"]]),
    ('y', &[&["y"], &["i"], &["i", "dai"]]),
];

/// The abbreviations that are said letter by letter: (the letters said, the word). Each word is
/// also in [`PHRASES`], which expands it. VNeID is said with or without its E.
const SPELLED: &[(&str, &str)] = &[
    ("cccd", "cccd"),
    ("cmnd", "cmnd"),
    ("bhyt", "bhyt"),
    ("bhxh", "bhxh"),
    ("gplx", "gplx"),
    ("lltp", "lltp"),
    ("gpxd", "gpxd"),
    ("vneid", "vneid"),
    ("vnid", "vneid"),
];

/// How many tokens from `i` spell `letters` one by one ([`LETTER_NAMES`]), if they do.
fn spells(tokens: &[Token], i: usize, letters: &str) -> Option<usize> {
    let mut at = i;
    for letter in letters.chars() {
        let names = LETTER_NAMES.iter().find(|(c, _)| *c == letter)?.1;
        // the longest name that is there ("en nờ" before "en")
        at += names
            .iter()
            .filter(|parts| {
                parts
                    .iter()
                    .enumerate()
                    .all(|(k, part)| tokens.get(at + k).is_some_and(|t| t.plain == *part))
            })
            .map(|parts| parts.len())
            .max()?;
    }
    Some(at - i)
}

/// An abbreviation of [`SPELLED`] said letter by letter becomes the abbreviation ("bê hát y tê"
/// → "bhyt", "xê em en đê" → "cmnd", "giê pê e lờ ích xì" → "gplx", "vi en e ai đi" → "vneid").
/// The whole abbreviation must be spelled: a run of letter names that are also words ("xe", "em",
/// "to"; "vì … đi") is left alone.
fn spelled_acronyms(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        match SPELLED
            .iter()
            .find_map(|(letters, word)| spells(&tokens, i, letters).map(|n| (*word, n)))
        {
            Some((word, n)) => {
                out.push(accented(word));
                i += n;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// The northern l/n merger, as people from Hanoi's provinces type or a recognizer hears them
/// ("lước uống ở chỗ lào" is "nước uống ở chỗ nào", "nàm căn cước", "lộp hồ sơ", "nối ra"): the
/// lobby's common words with the other initial, matched on the accented word. Syllables that
/// are words themselves are rewritten only where the word meant is the only reading ("nối ra" is
/// the way out, "chỗ lào" asks where, "quầy số lăm" is five but "mười lăm" fifteen). The same
/// speakers merge tr/ch, s/x and r/d and confuse final -t/-c ("hỗ chợ", "chả tiền", "sin giấy",
/// "bị mấc", "tiếng Việc"); those are rewritten on the same terms.
fn northern_l_n(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|x| x.text.as_str());
        let prev = out.last().map(|x| x.text.as_str());
        let rep: Option<&str> = match t.text.as_str() {
            // not words: only the other initial reads
            "lước" => Some("nước"),
            "nàm" => Some("làm"),
            "lộp" => Some("nộp"),
            "lày" => Some("này"),
            "lữa" => Some("nữa"),
            "lằm" => Some("nằm"),
            "nấy" if next == Some("số") => Some("lấy"),
            "nối" if matches!(next, Some("ra" | "vào" | "đi")) => Some("lối"),
            "lào"
                if matches!(
                    prev,
                    Some("chỗ" | "bên" | "phía" | "hướng" | "đường" | "lối" | "quầy" | "cái")
                ) =>
            {
                Some("nào")
            }
            "lăm" if matches!(prev, Some("số" | "quầy")) => Some("năm"),
            "nâu" if prev == Some("bao") => Some("lâu"),
            // "thế lào", "hôm lào": which or how
            "lào" if matches!(prev, Some("thế" | "hôm" | "khi" | "lúc" | "nơi")) => {
                Some("nào")
            }
            // "bằng nái" (the driving licence), "cấp nại" (issued again), "Hà Lội"
            "nái" if prev == Some("bằng") => Some("lái"),
            "nại" if matches!(prev, Some("cấp" | "làm" | "nói" | "đổi" | "quay")) => {
                Some("lại")
            }
            "lội" if prev == Some("hà") => Some("nội"),
            // "cái máy này nà gì", "tên nà gì": the copula
            "nà" if matches!(
                prev,
                Some("này" | "tên" | "em" | "cháu" | "đây" | "đó" | "khẩu")
            ) =>
            {
                Some("là")
            }
            // tr/ch, s/x, r/d and final -c/-t, -n/-ng merged: syllables that are no word, or
            // whose other reading does not fit the neighbour ("chả tiền" pays, "chả biết" is not)
            "chợ" if prev == Some("hỗ") => Some("trợ"),
            "chú" if matches!(prev, Some("thường" | "tạm")) => Some("trú"),
            "chả" if matches!(next, Some("tiền" | "lời" | "phí" | "lệ")) => Some("trả"),
            "sin" => Some("xin"),
            "dút" if next == Some("tiền") => Some("rút"),
            "mấc" => Some("mất"),
            "kếc" => Some("kết"),
            "tiến"
                if matches!(next, Some("anh" | "việt" | "trung" | "hàn" | "nhật"))
                    && matches!(
                        prev,
                        Some("nói" | "biết" | "bằng" | "dùng" | "sang" | "học")
                    ) =>
            {
                Some("tiếng")
            }
            "việc" if next == Some("nam") => Some("việt"),
            _ => None,
        };
        match rep {
            Some(w) => out.push(accented(w)),
            None => out.push(t.clone()),
        }
    }
    out
}

/// Central Vietnamese (Nghệ An, Hà Tĩnh, Huế, Quảng …) and Southern ("được hông", "mần", "vô
/// quầy", "coi") question and function words, rewritten to
/// the northern words the knowledge base is written in: "nhà vệ sinh ở mô rứa" is "nhà vệ sinh ở
/// đâu vậy", "làm răng" is "làm sao", "giấy tờ chi" is "giấy tờ gì". Matched on the accented word
/// (so "rửa", "ràng", "mổ" are left alone) and, for the words that are also northern words
/// ("răng" teeth, "chi" in "chi phí", "mô" in "mô tả"), only where they ask.
fn central_dialect(tokens: Vec<Token>) -> Vec<Token> {
    let word = |i: usize| tokens.get(i).map(|t| t.text.as_str());
    let mut out = Vec::with_capacity(tokens.len());
    for (i, t) in tokens.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(word);
        let next = word(i + 1);
        let rep: Option<&[&str]> = match t.text.as_str() {
            "mô" if !matches!(next, Some("tả" | "hình" | "phỏng" | "đun" | "men")) => {
                Some(if prev == Some("chỗ") {
                    &["nào"]
                } else {
                    &["đâu"]
                })
            }
            "rứa" => Some(&["vậy"]),
            "răng"
                if i == 0
                    || matches!(prev, Some("làm" | "vì" | "tại" | "là" | "thì" | "mà"))
                    || matches!(next, Some("rứa" | "vậy" | "hè" | "không")) =>
            {
                Some(&["sao"])
            }
            "chi"
                if !matches!(
                    next,
                    Some(
                        "phí" | "nhánh" | "trả" | "tiết" | "tiêu" | "cục" | "bộ" | "hội" | "lương"
                    )
                ) && (next.is_none()
                    || matches!(next, Some("rứa" | "vậy" | "hè" | "hỉ" | "ạ" | "nữa" | "đó"))
                    || matches!(
                        prev,
                        Some("là" | "làm" | "cần" | "tờ" | "việc" | "cái" | "nói")
                    )) =>
            {
                Some(&["gì"])
            }
            "ni" => Some(&["này"]),
            "tê" => Some(&["kia"]),
            "nớ" => Some(&["đó"]),
            "tui" => Some(&["tôi"]),
            "chừ" => Some(&["giờ"]),
            "mần" => Some(&["làm"]),
            "cấy" => Some(&["cái"]),
            "hè" | "hỉ" => Some(&["nhỉ"]),
            // Southern: "được hông", "bấm số hông hay …" (not "đau hông", the hip)
            "hông" | "hổng"
                if (t.text == "hổng"
                    || next.is_none()
                    || matches!(
                        next,
                        Some("hay" | "ạ" | "dạ" | "vậy" | "dzậy" | "em" | "con" | "cô" | "chú")
                    ))
                    && !matches!(prev, Some("đau" | "bên" | "eo" | "xương")) =>
            {
                Some(&["không"])
            }
            "dzậy" | "dzị" | "zậy" => Some(&["vậy"]),
            "vô" if matches!(
                next,
                Some("quầy" | "trong" | "đây" | "đó" | "phòng" | "làm" | "nộp")
            ) =>
            {
                Some(&["vào"])
            }
            "coi" if !matches!(next, Some("như" | "là" | "chừng" | "bộ")) => Some(&["xem"]),
            // the land certificate by its cover, as older people say: "bìa đỏ", "bìa hồng"
            "bìa" if matches!(next, Some("đỏ" | "hồng")) => Some(&["sổ"]),
            "ổng" => Some(&["ông", "ấy"]),
            "bả" => Some(&["bà", "ấy"]),
            "bển" => Some(&["bên", "đó"]),
            "mi" if matches!(next, Some("là" | "có" | "biết" | "làm" | "ơi")) => {
                Some(&["em"])
            }
            _ => None,
        };
        match rep {
            Some(words) => out.extend(words.iter().map(|w| accented(w))),
            None => out.push(t.clone()),
        }
    }
    // "bữa này" (today in the centre and south) and "bữa trước" are days, not meals.
    for i in 0..out.len().saturating_sub(1) {
        if out[i].text == "bữa" && matches!(out[i + 1].text.as_str(), "này" | "trước" | "qua")
        {
            out[i] = accented("hôm");
        }
    }
    out
}

fn accented(word: &str) -> Token {
    let mut stats = Normalized::default();
    split_syllables(word, &mut stats)
        .into_iter()
        .next()
        .unwrap_or_else(|| Token::same(word))
}

// ---------------------------------------------------------------------------------------------
// Step 6: number words.

/// How many tokens from `i` are the counter word as a recognizer or a learner slips on it:
/// "quầy" with a wrong tone ("quây", "quấy"), its first letter heard as "c" ("cuầy", "cầy": the
/// latter is only a civet otherwise), or the English "counter" said the Vietnamese way ("cao
/// tơ"). `None` for "quầy" itself and every other word.
fn counter_slip(tokens: &[Token], i: usize) -> Option<usize> {
    let t = &tokens[i];
    let next_plain = tokens.get(i + 1).map(|x| x.plain.as_str());
    if (t.plain == "quay" && t.has_diacritics() && t.text != "quầy")
        || t.plain == "cuay"
        || t.text == "cầy"
    {
        Some(1)
    } else if matches!(t.plain.as_str(), "cao" | "cau" | "kao") && next_plain == Some("to") {
        Some(2)
    } else {
        None
    }
}

/// A counter word slipped on ([`counter_slip`]) and followed by a number is the counter and its
/// number: "quây bôn", "quấy số 7", "cuầy mười hai", "cao tơ số 3". Only that pair is repaired
/// ("quay lại", "quay số", "thịt cầy" have no number after them). A number word after a slip
/// loses its tones, so that the number reader takes it by its plain form.
fn counter_tone_slips(tokens: Vec<Token>) -> Vec<Token> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let Some(len) = counter_slip(&tokens, i) else {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        };
        let after = i + len;
        let digits_after = |k: usize| tokens.get(k).is_some_and(Token::is_number);
        // Digits ("quây 5", "quấy số 7"): only the counter word is repaired.
        if digits_after(after)
            || (tokens.get(after).is_some_and(|x| x.plain == "so") && digits_after(after + 1))
        {
            out.push(accented("quầy"));
            i = after;
            continue;
        }
        let number = tokens.get(after).map(|x| Token::same(&x.plain));
        match number.filter(|x| is_muoi(x) || vi_unit(x, false).is_some_and(|v| v > 0)) {
            Some(number) => {
                out.push(accented("quầy"));
                out.push(number);
                i = after + 1;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// Words that announce a number: "quầy số …", "counter …", "number …".
pub(crate) fn is_number_cue(t: &Token) -> bool {
    if t.has_diacritics() {
        matches!(t.text.as_str(), "số" | "quầy" | "bàn")
    } else {
        matches!(
            t.plain.as_str(),
            "so" | "quay" | "counter" | "number" | "no" | "window" | "desk" | "booth" | "ban"
        )
    }
}

/// Plain words after which "tu" is the syllable tư of a word ("tư pháp"), not the number four.
fn tu_is_word(next: Option<&Token>) -> bool {
    next.is_some_and(|t| matches!(t.plain.as_str(), "phap" | "van" | "nhan" | "lieu" | "duy"))
}

fn vi_unit(t: &Token, after_tens: bool) -> Option<u32> {
    // With diacritics the word is checked exactly; without, by its plain form.
    let v = match t.plain.as_str() {
        "khong" => 0,
        "mot" => 1,
        "hai" => 2,
        "ba" => 3,
        "bon" => 4,
        "tu" => 4,
        "nam" | "lam" | "nham" => 5,
        "sau" => 6,
        "bay" => 7,
        "tam" => 8,
        "chin" => 9,
        _ => return None,
    };
    if t.has_diacritics() {
        let ok = match t.text.as_str() {
            "không" | "một" | "hai" | "ba" | "bốn" | "tư" | "sáu" | "bảy" | "bẩy" | "tám"
            | "chín" => true,
            // After the tens five is "lăm" or "nhăm": "mười năm", "hai mươi năm" are ten and
            // twenty years.
            "năm" => !after_tens,
            "mốt" | "lăm" | "nhăm" => after_tens,
            _ => false,
        };
        if !ok {
            return None;
        }
    } else if matches!(t.plain.as_str(), "lam" | "nham") && !after_tens {
        return None;
    }
    Some(v)
}

fn is_muoi(t: &Token) -> bool {
    // "mừi": "mười" as the South says and often writes it
    t.text == "mừi"
        || (t.plain == "muoi" && (!t.has_diacritics() || t.text == "mười" || t.text == "mươi"))
}

/// Parse Vietnamese number words starting at `i`; returns (value, tokens used).
fn parse_vi(tokens: &[Token], i: usize) -> Option<(u32, usize)> {
    let t0 = tokens.get(i)?;
    // "mười [unit]"
    if is_muoi(t0) {
        if let Some(u) = tokens.get(i + 1).and_then(|t| vi_unit(t, true)) {
            if u > 0 {
                return Some((10 + u, 2));
            }
        }
        return Some((10, 1));
    }
    let u = vi_unit(t0, false)?;
    let t1 = tokens.get(i + 1);
    if let Some(t1) = t1 {
        if is_muoi(t1) && u >= 2 {
            if let Some(u2) = tokens.get(i + 2).and_then(|t| vi_unit(t, true)) {
                if u2 > 0 {
                    return Some((u * 10 + u2, 3));
                }
            }
            return Some((u * 10, 2));
        }
        if t1.plain == "tram" && (!t1.has_diacritics() || t1.text == "trăm") {
            let mut value = u * 100;
            let mut used = 2;
            if let Some(t2) = tokens.get(i + 2) {
                if matches!(t2.plain.as_str(), "linh" | "le") {
                    if let Some(u2) = tokens.get(i + 3).and_then(|t| vi_unit(t, false)) {
                        value += u2;
                        used = 4;
                    }
                } else if let Some((rest, n)) = parse_vi(tokens, i + 2) {
                    if rest < 100 {
                        value += rest;
                        used += n;
                    }
                }
            }
            return Some((value, used));
        }
    }
    Some((u, 1))
}

fn en_small(w: &str) -> Option<u32> {
    Some(match w {
        "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        _ => return None,
    })
}

fn en_tens(w: &str) -> Option<u32> {
    Some(match w {
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// A small English number as a recognizer writes an accented speaker's: "won" (one), "tree"
/// (three), "fore" (four), "ate" (eight). Not "to", "too", "for": "counter for passports".
fn english_number_heard_as(w: &str) -> Option<u32> {
    match w {
        "won" => Some(1),
        "tree" => Some(3),
        "fore" => Some(4),
        "ate" => Some(8),
        _ => None,
    }
}

fn parse_en(tokens: &[Token], i: usize) -> Option<(u32, usize)> {
    // An English number word has no diacritics: "tên" (name) is not "ten", "sáu" no "sau".
    fn english(t: &Token) -> Option<&str> {
        (!t.has_diacritics()).then_some(t.plain.as_str())
    }
    let w = english(tokens.get(i)?)?;
    let (mut value, mut used) = if let Some(t) = en_tens(w) {
        match tokens.get(i + 1).and_then(english).and_then(en_small) {
            Some(u) if (1..10).contains(&u) => (t + u, 2),
            _ => (t, 1),
        }
    } else {
        (en_small(w)?, 1)
    };
    if value < 10 && tokens.get(i + used).map(|t| t.plain.as_str()) == Some("hundred") {
        value *= 100;
        used += 1;
        let mut j = i + used;
        if tokens.get(j).map(|t| t.plain.as_str()) == Some("and") {
            j += 1;
        }
        if let Some((rest, n)) = parse_en(tokens, j) {
            if rest < 100 {
                value += rest;
                used = j - i + n;
            }
        }
    }
    Some((value, used))
}

fn convert_numbers(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let cue = out.last().is_some_and(is_number_cue);
        // "where is counter tree", "counter won": an accented English number as a recognizer
        // writes it, right after an English counter word
        let heard = out
            .last()
            .is_some_and(|c| matches!(c.plain.as_str(), "counter" | "window" | "desk" | "booth"))
            .then(|| english_number_heard_as(&tokens[i].plain))
            .flatten()
            .map(|v| (v, 1));
        let parsed = heard
            .or_else(|| parse_vi(&tokens, i))
            .filter(|&(_, n)| n > 1 || cue || tokens[i].text == "mười")
            .filter(|&(_, n)| n > 1 || tokens[i].plain != "tu" || !tu_is_word(tokens.get(i + 1)))
            .or_else(|| {
                parse_en(&tokens, i)
                    .filter(|&(_, n)| n > 1 || cue || !matches!(tokens[i].plain.as_str(), "one"))
            });
        match parsed {
            Some((value, n)) => {
                out.push(Token::same(&value.to_string()));
                i += n;
            }
            None => {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
    }
    out
}

/// How a syllable sounds through a recognizer's common slips: its tone dropped (the vowel's own
/// marks kept: "ư", "ơ", "â" stay), and the final consonants that Southern and Central speech
/// merges made one ("-ng" as "-n", "-nh" as "-n", "-c" and "-ch" as "-t"). "nướt" and "nước",
/// "ấng" and "ấn", "khuyếc" and "khuyết", "hổ" and "hỗ" have one key; "bàn" and "bạn" too, so a key
/// is only ever a weaker match than the word as written.
pub fn sound_key(text: &str) -> String {
    let toneless: String = text
        .nfd()
        .filter(|c| tone_index(*c).is_none())
        .nfc()
        .flat_map(char::to_lowercase)
        .collect();
    for (from, to) in [("ng", "n"), ("nh", "n"), ("ch", "t"), ("c", "t")] {
        if let Some(stem) = toneless.strip_suffix(from) {
            // "c" ends a syllable only after a vowel ("c" alone is not a syllable).
            if !stem.is_empty() {
                return format!("{stem}{to}");
            }
        }
    }
    toneless
}

/// Remove every diacritic from a string (and fold case), without the other steps.
pub fn strip_diacritics(text: &str) -> String {
    text.nfd()
        .filter(|c| !is_combining(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sound_keys_merge_tones_and_the_merged_finals_only() {
        assert_eq!(sound_key("nướt"), sound_key("nước"));
        assert_eq!(sound_key("ấng"), sound_key("ấn"));
        assert_eq!(sound_key("khuyếc"), sound_key("khuyết"));
        assert_eq!(sound_key("hổ"), sound_key("hỗ"));
        assert_eq!(sound_key("chín"), sound_key("chính"));
        // the vowel's own marks stay
        assert_ne!(sound_key("nước"), sound_key("nuốc"));
        assert_ne!(sound_key("lăn"), sound_key("lân"));
        assert_ne!(sound_key("tờ"), sound_key("tò"));
    }

    #[test]
    fn tone_placement_old_and_new_are_equal() {
        assert_eq!(normalize_text("hoà"), normalize_text("hòa"));
        assert_eq!(normalize_text("Thúy"), normalize_text("thuý"));
        assert_eq!(normalize_text("khỏe"), normalize_text("khoẻ"));
        assert_eq!(normalize_text("hóa"), "hoá");
        assert_eq!(normalize_text("quý"), "quý");
        assert_eq!(normalize_text("già"), "già");
        assert_eq!(normalize_text("gì"), "gì");
        assert_eq!(normalize_text("người"), "người");
        assert_eq!(normalize_text("hoàn"), "hoàn");
    }

    #[test]
    fn i_and_y_spellings_are_equal() {
        assert_eq!(normalize_text("đăng ký"), normalize_text("đăng kí"));
        assert_eq!(normalize_text("lý lịch"), normalize_text("lí lịch"));
        assert_eq!(normalize_text("kỹ thuật"), normalize_text("kĩ thuật"));
        assert_eq!(normalize_text("dang ky"), "dang ki");
        assert_eq!(normalize_text("quý"), "quý");
        assert_eq!(normalize_text("y tế"), "y tế");
        assert_eq!(normalize_text("tuy"), "tuy");
    }

    #[test]
    fn nfd_input_equals_nfc_input() {
        let nfc = "Đăng ký khai sinh ở đâu?";
        let nfd: String = nfc.nfd().collect();
        assert_eq!(normalize_text(nfc), normalize_text(&nfd));
        assert_eq!(normalize_text(nfc), "đăng kí khai sinh ở đâu");
    }

    #[test]
    fn case_punctuation_and_plain_form() {
        let n = normalize("XIN CHÀO!!! Em... khỏe không?");
        assert_eq!(n.text(), "xin chào em khoẻ không");
        assert_eq!(n.plain(), "xin chao em khoe khong");
        assert!(n.vietnamese_words > 0);
    }

    #[test]
    fn southern_words_read_as_northern_ones_only_where_they_ask() {
        let t = |s: &str| normalize(s).text();
        assert_eq!(t("sạc điện thoại được hông"), "sạc điện thoại được không");
        assert_eq!(
            t("lấy số trước hông hay vô quầy luôn"),
            "lấy số trước không hay vào quầy luôn"
        );
        assert_eq!(t("hổng biết"), "không biết");
        assert_eq!(t("coi giùm tui cái giấy"), "xem giùm tôi cái giấy");
        // the hip, "count as", "without" stay
        assert_eq!(t("tôi bị đau hông"), "tôi bị đau hông");
        assert_eq!(t("coi như xong"), "coi như xong");
        assert_eq!(t("vô hiệu"), "vô hiệu");
        assert_eq!(t("bìa đỏ nhà tôi"), "sổ đỏ nhà tôi");
        assert_eq!(t("cái bìa kẹp hồ sơ"), "cái bìa kẹp hồ sơ");
    }

    #[test]
    fn central_dialect_question_words_read_as_northern_ones_only_where_they_ask() {
        let t = |s: &str| normalize(s).text();
        assert_eq!(t("nhà vệ sinh ở mô rứa em"), "nhà vệ sinh ở đâu vậy em");
        assert_eq!(t("in giấy ni ở chỗ mô"), "in giấy này ở chỗ nào");
        assert_eq!(t("làm khai sinh thì làm răng"), "làm khai sinh thì làm sao");
        assert_eq!(
            t("đăng ký tạm trú cần giấy tờ chi rứa"),
            "đăng kí tạm trú cần giấy tờ gì vậy"
        );
        assert_eq!(
            t("hồ sơ nộp bữa trước tới đâu rồi hè"),
            "hồ sơ nộp hôm trước tới đâu rồi nhỉ"
        );
        assert_eq!(t("mi là ai"), "em là ai");
        // The same letters as northern words are left alone.
        assert_eq!(t("đau răng quá"), "đau răng quá");
        assert_eq!(t("chi phí bao nhiêu"), "chi phí bao nhiêu");
        assert_eq!(t("xem chi tiết hồ sơ"), "xem chi tiết hồ sơ");
        assert_eq!(t("mô tả sự việc"), "mô tả sự việc");
        assert_eq!(t("rửa tay ở đâu"), "rửa tay ở đâu");
        assert_eq!(t("ăn bữa trưa"), "ăn bữa trưa");
        // Unaccented typing is not guessed at.
        assert_eq!(t("o mo rua"), "o mo rua");
    }

    #[test]
    fn loanwords_are_joined() {
        assert_eq!(normalize_text("Ki-ốt tự phục vụ"), "kiot tự phục vụ");
        assert_eq!(normalize_text("cài ai hà nội"), "cài ihanoi");
        assert_eq!(normalize_text("mật khẩu wi-fi"), "mật khẩu wifi");
        assert_eq!(normalize_text("oai phai"), "wifi");
        assert_eq!(normalize_text("VNeID"), "vneid");
        for spelled in [
            "cài vê en ây đi",
            "cài vi en e ai đi",
            "cài vê nờ i đê",
            "cai ve en ai di",
        ] {
            assert_eq!(normalize(spelled).plain(), "cai vneid", "{spelled}");
        }
        // Not the whole run: the words stay ("vì em đi" is "because I go").
        assert_eq!(normalize_text("vì en đi"), "vì en đi");
        assert_eq!(normalize_text("làm CCCD"), "làm căn cước công dân");
    }

    #[test]
    fn english_words_in_a_vietnamese_sentence_are_read_as_vietnamese() {
        assert_eq!(
            normalize_text("check xem hồ sơ đã done chưa"),
            "kiểm tra xem hồ sơ đã xong chưa"
        );
        assert_eq!(
            normalize_text("chỗ print tài liệu ở đâu"),
            "chỗ in tài liệu ở đâu"
        );
        // An English sentence keeps its words.
        assert_eq!(
            normalize_text("please check the status of the passport"),
            "please check the status of the passport"
        );
        // One accented word is not yet a Vietnamese sentence.
        assert_eq!(normalize_text("free wifi ở"), "free wifi ở");
    }

    #[test]
    fn vietnamese_numbers_after_cue() {
        assert_eq!(normalize_text("quầy số bảy"), "quầy số 7");
        assert_eq!(normalize_text("quầy số bẩy"), "quầy số 7");
        assert_eq!(normalize_text("quầy số tư"), "quầy số 4");
        assert_eq!(normalize_text("quầy mười hai"), "quầy 12");
        assert_eq!(normalize_text("quầy số mười một"), "quầy số 11");
        assert_eq!(normalize_text("quay so muoi"), "quay so 10");
        assert_eq!(normalize_text("số hai mươi"), "số 20");
        assert_eq!(normalize_text("hai mươi mốt"), "21");
        assert_eq!(normalize_text("mười lăm"), "15");
        assert_eq!(normalize_text("hai trăm mười lăm"), "215");
        assert_eq!(normalize_text("quay so nam"), "quay so 5");
        // Five after the tens is "lăm": "năm" there is the year.
        assert_eq!(normalize_text("bán mười năm rồi"), "bán 10 năm rồi");
        assert_eq!(normalize_text("hai mươi năm nay"), "20 năm nay");
        assert_eq!(normalize_text("quầy năm"), "quầy 5");
    }

    #[test]
    fn number_words_that_are_words_stay_words() {
        assert_eq!(normalize_text("tư vấn"), "tư vấn");
        assert_eq!(normalize_text("lý lịch tư pháp"), "lí lịch tư pháp");
        assert_eq!(normalize_text("năm nay"), "năm nay");
        assert_eq!(normalize_text("ba tôi"), "ba tôi");
        assert_eq!(normalize_text("sở tư pháp"), "sở tư pháp");
        assert_eq!(normalize_text("so tu phap"), "so tu phap");
        assert_eq!(normalize_text("có một trạm sạc"), "có một trạm sạc");
        assert_eq!(normalize_text("của ba tôi"), "của ba tôi");
        assert_eq!(normalize_text("which one"), "which one");
    }

    #[test]
    fn english_numbers() {
        assert_eq!(normalize_text("counter seven"), "counter 7");
        assert_eq!(
            normalize_text("Counter Twelve, please"),
            "counter 12 please"
        );
        assert_eq!(normalize_text("counter number one"), "counter number 1");
        assert_eq!(normalize_text("twenty-one"), "21");
        assert_eq!(normalize_text("two hundred and fifteen"), "215");
        // a Vietnamese word whose letters spell one is no number: "tên" (name)
        assert_eq!(normalize_text("wifi tên gì"), "wifi tên gì");
        assert_eq!(normalize_text("counter ten"), "counter 10");
    }

    #[test]
    fn digits_split_from_letters() {
        assert_eq!(normalize_text("quầy7"), "quầy 7");
        assert_eq!(normalize_text("Q.12"), "q 12");
    }

    #[test]
    fn scripts_and_symbols_are_counted() {
        let n = normalize("Привет 你好 🙂");
        assert!(n.tokens.is_empty());
        assert!(n.foreign_letters >= 8);
        assert_eq!(n.symbols, 1);
    }

    #[test]
    fn long_input_is_flagged() {
        let s = "a ".repeat(MAX_CHARS);
        assert!(normalize(&s).too_long);
        assert!(!normalize("xin chào").too_long);
    }

    #[test]
    fn strip() {
        assert_eq!(strip_diacritics("Đường Hoà"), "duong hoa");
    }

    #[test]
    fn abbreviations_spelled_letter_by_letter_are_read_as_the_abbreviation() {
        for (said, read) in [
            ("bê hát y tê hết hạn rồi", "bảo hiểm y tế hết hạn rồi"),
            ("làm lại xê xê xê đê", "làm lại căn cước công dân"),
            ("cờ cờ cờ dờ của tôi", "căn cước công dân của tôi"),
            ("xê em en đê cũ", "chứng minh nhân dân cũ"),
            ("đổi giê pê e lờ ích", "đổi giấy phép lái xe"),
            ("bê hát ích xì hát", "bảo hiểm xã hội"),
            ("e lờ e lờ tê pê số 2", "lí lịch tư pháp số 2"),
        ] {
            assert_eq!(normalize_text(said), read, "{said}");
        }
        // letter names that are words, in runs that spell nothing, stay words
        for said in [
            "xe em to",
            "em bé đi xe",
            "chị đi đâu",
            "con dê to",
            "bà bê cái hộp",
        ] {
            assert_eq!(normalize_text(said), said, "{said}");
        }
    }

    #[test]
    fn a_counter_said_with_the_wrong_tones_is_still_the_counter() {
        assert_eq!(normalize_text("quây bôn đi lôi nao"), "quầy 4 đi lôi nao");
        assert_eq!(normalize_text("quấy mươi hai ở đâu"), "quầy 12 ở đâu");
        // "quay" is also a word: without a number after it nothing changes
        assert_eq!(normalize_text("quay lại đây"), "quay lại đây");
        assert_eq!(normalize_text("cô quấy quá"), "cô quấy quá");
        // the first letter heard as "c", and the English word said the Vietnamese way
        assert_eq!(normalize_text("cuầy mười hai ở đâu"), "quầy 12 ở đâu");
        assert_eq!(normalize_text("cầy tám ở bên nào"), "quầy 8 ở bên nào");
        assert_eq!(normalize_text("cao tơ số 3 ở đâu"), "quầy số 3 ở đâu");
        assert_eq!(normalize_text("thịt cầy"), "thịt cầy");
        assert_eq!(normalize_text("cao to lắm"), "cao to lắm");
    }
}
