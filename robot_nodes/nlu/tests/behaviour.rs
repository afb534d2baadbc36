//! Behaviour of the shipped router: slots for every place and counter, bad input, language id,
//! out-of-scope, answers, and a property test of the normalizer.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::sync::OnceLock;

use letan_nlu::catalog::{INTENTS, OUT_OF_SCOPE, PLACES};
use letan_nlu::normalize::{normalize, normalize_text};
use letan_nlu::{Language, Nlu};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn nlu() -> &'static Nlu {
    static NLU: OnceLock<Nlu> = OnceLock::new();
    NLU.get_or_init(|| Nlu::embedded().unwrap())
}

const VI_NUM: [&str; 13] = [
    "",
    "một",
    "hai",
    "ba",
    "bốn",
    "năm",
    "sáu",
    "bảy",
    "tám",
    "chín",
    "mười",
    "mười một",
    "mười hai",
];
const EN_NUM: [&str; 13] = [
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];

fn check(text: &str, intent: &str, dest: Option<&str>) -> Result<(), String> {
    let u = nlu().understand(text);
    if u.intent == intent && u.destination.as_deref() == dest {
        Ok(())
    } else {
        Err(format!(
            "{text:?}: expected {intent} {dest:?}, got {} {:?} ({:.2})",
            u.intent, u.destination, u.confidence
        ))
    }
}

fn all_ok(results: Vec<Result<(), String>>) {
    let errs: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(
        errs.is_empty(),
        "{} failures:\n{}",
        errs.len(),
        errs.join("\n")
    );
}

#[test]
fn counters_in_digits_and_words_in_both_languages() {
    let mut r = Vec::new();
    for n in 1..=12 {
        let id = format!("counter_{n}");
        let d = Some(id.as_str());
        r.push(check(&format!("Quầy số {n} ở đâu?"), "nav.where_is", d));
        r.push(check(
            &format!("quầy số {} ở đâu", VI_NUM[n]),
            "nav.where_is",
            d,
        ));
        r.push(check(
            &format!("dẫn tôi đến quầy {}", VI_NUM[n]),
            "nav.guide",
            d,
        ));
        r.push(check(
            &format!("dan toi den quay so {}", normalize(VI_NUM[n]).plain()),
            "nav.guide",
            d,
        ));
        r.push(check(&format!("Where is counter {n}?"), "nav.where_is", d));
        r.push(check(
            &format!("take me to counter {}", EN_NUM[n]),
            "nav.guide",
            d,
        ));
        r.push(check(
            &format!("how do I get to counter number {}", EN_NUM[n]),
            "nav.where_is",
            d,
        ));
    }
    r.push(check("quầy số tư ở đâu", "nav.where_is", Some("counter_4")));
    r.push(check(
        "dẫn bác ra quầy số bẩy",
        "nav.guide",
        Some("counter_7"),
    ));
    r.push(check("quầy7 ở chỗ nào", "nav.where_is", Some("counter_7")));
    all_ok(r);
}

#[test]
fn counter_out_of_range_is_not_a_destination() {
    let u = nlu().understand("quầy số 13 ở đâu");
    assert_ne!(u.destination.as_deref(), Some("counter_13"));
    assert!(u.destination.is_none());
}

#[test]
fn every_place_by_name_in_both_languages() {
    let kb = nlu().kb();
    let mut r = Vec::new();
    for id in PLACES.iter().filter(|p| !p.starts_with("counter_")) {
        let p = &kb.places[*id];
        let vi = p.name.vi.to_lowercase();
        let en = p.name.en.to_lowercase();
        r.push(check(&format!("{vi} ở đâu ạ"), "nav.where_is", Some(id)));
        r.push(check(
            &format!("em dẫn tôi ra {vi} với"),
            "nav.guide",
            Some(id),
        ));
        r.push(check(
            &format!("{} o dau", normalize(&vi).plain()),
            "nav.where_is",
            Some(id),
        ));
        r.push(check(
            &format!("Where is the {en}?"),
            "nav.where_is",
            Some(id),
        ));
        r.push(check(
            &format!("Please take me to the {en}."),
            "nav.guide",
            Some(id),
        ));
    }
    all_ok(r);
}

#[test]
fn every_place_alias_is_extracted() {
    let kb = nlu().kb();
    let mut r = Vec::new();
    for p in kb.places.values() {
        for a in p.aliases.vi.iter() {
            r.push(check(
                &format!("cho hỏi {a} ở đâu"),
                "nav.where_is",
                Some(&p.id),
            ));
        }
        for a in p.aliases.en.iter() {
            r.push(check(
                &format!("where is the {a}"),
                "nav.where_is",
                Some(&p.id),
            ));
        }
    }
    all_ok(r);
}

#[test]
fn destination_only_for_nav_intents() {
    for text in [
        "có máy photo không em",
        "wifi ở đây mật khẩu gì",
        "Trạm sạc có mất tiền không?",
    ] {
        let u = nlu().understand(text);
        assert!(!u.intent.starts_with("nav."), "{text:?} -> {}", u.intent);
        assert!(u.destination.is_none(), "{text:?}");
    }
}

#[test]
fn bad_input_is_out_of_scope_without_panic() {
    let huge = "a".repeat(100 * 1024);
    let huge_vi = "quầy số 5 ở đâu ".repeat(7000);
    let inputs: Vec<String> = vec![
        String::new(),
        "   \t  ".into(),
        huge,
        huge_vi,
        "\u{0}\u{1}\u{7}\u{1b}[31m\u{7f}".into(),
        "Привет, как дела?".into(),
        "你好，请问洗手间在哪里".into(),
        "สวัสดีครับ".into(),
        "🙂🙂🙂👍".into(),
        "🚻❓".into(),
        "\u{feff}\u{200b}\u{202e}".into(),
        "?!...,;".into(),
        "\u{301}\u{300}\u{303}".into(),
    ];
    for text in &inputs {
        let u = nlu().understand(text);
        assert_eq!(
            u.intent,
            OUT_OF_SCOPE,
            "{:?}",
            text.chars().take(40).collect::<String>()
        );
        assert!(u.destination.is_none());
        assert!((0.0..=1.0).contains(&u.confidence));
        let a = nlu().answer(&u);
        assert!(!a.spoken.is_empty());
        let line = u.to_jsonl(text);
        assert!(line.contains("\"intent\":\"fallback.out_of_scope\""));
    }
}

#[test]
fn control_characters_inside_a_real_question_are_ignored() {
    check(
        "nhà vệ\u{0} sinh\u{7} ở đâu",
        "nav.where_is",
        Some("restroom"),
    )
    .unwrap();
}

#[test]
fn unseen_out_of_scope_questions() {
    let mut r = Vec::new();
    for t in [
        "hôm nay nhiệt độ bao nhiêu",
        "đội tuyển việt nam thắng không",
        "em có thích ăn kem không",
        "what's the weather tomorrow",
        "who is the president of america",
        "kể cho tôi nghe chuyện ma",
    ] {
        r.push(check(t, OUT_OF_SCOPE, None));
    }
    all_ok(r);
}

/// "Where is …" something the lobby does not have is out of scope, with its own answer; a bare
/// "where is it" or a place the robot knows stays navigation.
#[test]
fn where_questions_about_places_the_centre_does_not_have() {
    use letan_nlu::router::{unknown_place_reply, OosReason};
    for t in [
        "đổi ngoại tệ ở đâu",
        "where can i exchange money",
        "bệnh viện gần nhất ở đâu",
        "thang máy ở đâu",
        "where is the parking lot",
    ] {
        let u = nlu().understand(t);
        assert_eq!(
            (u.intent.as_str(), u.oos_reason),
            (OUT_OF_SCOPE, Some(OosReason::UnknownPlace)),
            "{t}: {u:?}"
        );
        assert_eq!(nlu().answer(&u).spoken, unknown_place_reply(u.lang), "{t}");
    }
    let mut r = Vec::new();
    for (t, intent, dest) in [
        ("take me there please", "nav.guide", None),
        // accepting the robot's offer (sim/scenarios/ask_and_guide.yaml)
        ("Vâng, cháu dẫn bác đi nhé", "nav.guide", None),
        ("yes please, take me there", "nav.guide", None),
        ("ok, dẫn tôi đi", "nav.guide", None),
        ("chỗ đó ở đâu", "nav.where_is", None),
        ("nhà vệ sinh đâu cháu", "nav.where_is", Some("restroom")),
        ("nha ve sinh dau", "nav.where_is", Some("restroom")),
        ("quầy 5 đâu rồi em", "nav.where_is", Some("counter_5")),
        (
            "where can i get the forms",
            "nav.where_is",
            Some("forms_desk"),
        ),
    ] {
        r.push(check(t, intent, dest));
    }
    all_ok(r);
    // "đâu" negated or inside a sentence is not a where-question; "dau" may be "đau" (pain).
    let u = nlu().understand("tôi bị đau bụng quá");
    assert_eq!(u.intent, "amenity.medical", "{u:?}");
}

/// Every language request in the knowledge base passes the cue check, and a sentence that only
/// names a language is answered for what it asks.
#[test]
fn a_language_named_is_not_a_language_request() {
    use letan_nlu::router::asks_for_language;
    let kb = nlu().kb();
    for e in &kb.intents["chat.language"].examples {
        assert!(asks_for_language(&normalize(e)), "{e}");
    }
    let u = nlu().understand("i want to marry my vietnamese girlfriend what do i need");
    assert_eq!(u.intent, "proc.marriage_registration", "{u:?}");
    let u = nlu().understand("can you speak vietnamese with my mother please");
    assert_eq!(u.intent, "chat.language", "{u:?}");
    // "tiền Việt" (Vietnamese money) names no language
    let u = nlu().understand("tôi muốn đổi tiền đô sang tiền việt");
    assert_ne!(u.intent, "chat.language", "{u:?}");
}

#[test]
fn language_identification() {
    let cases = [
        ("Tôi muốn làm hộ chiếu", Language::Vi),
        ("toi muon lam ho chieu", Language::Vi),
        ("cho toi hoi nha ve sinh o dau", Language::Vi),
        ("em oi", Language::Vi),
        ("How do I apply for a passport?", Language::En),
        ("where is the toilet", Language::En),
        ("thanks", Language::En),
        ("hello", Language::En),
        ("can I pay by card", Language::En),
        (
            "Can I exchange my foreign driving license here?",
            Language::En,
        ),
        ("my phone is dead", Language::En),
    ];
    for (t, l) in cases {
        assert_eq!(nlu().understand(t).lang, l, "{t:?}");
    }
}

#[test]
fn language_slot_for_chat_language() {
    let u = nlu().understand("em nói tiếng anh được không");
    assert_eq!(u.intent, "chat.language");
    assert_eq!(u.language, Some(Language::En));
    let a = nlu().answer(&u);
    assert!(
        a.spoken.is_ascii(),
        "answer should switch to English: {}",
        a.spoken
    );
}

#[test]
fn answers_follow_the_language_and_fill_the_place() {
    let u = nlu().understand("Em dẫn bác ra nhà vệ sinh với");
    let a = nlu().answer(&u);
    assert!(a.spoken.contains("Nhà vệ sinh"), "{}", a.spoken);
    let u = nlu().understand("Where is counter 3?");
    let a = nlu().answer(&u);
    assert!(a.spoken.contains("Counter 3"), "{}", a.spoken);
    let u = nlu().understand("How do I apply for a passport?");
    assert_eq!(u.intent, "proc.passport");
    let a = nlu().answer(&u);
    assert!(
        a.screen.contains("Documents:") && a.screen.contains("Fee:"),
        "{}",
        a.screen
    );
    // Navigation without a place asks where to.
    let u = nlu().understand("dẫn tôi đi với");
    assert_eq!(u.intent, "nav.guide");
    assert!(u.destination.is_none());
    assert!(nlu().answer(&u).spoken.contains('?'));
}

#[test]
fn alternatives_are_sorted_and_calibrated() {
    for t in ["tôi muốn hỏi về giấy tờ", "làm thẻ", "xin chào", "hộ chiếu"] {
        let u = nlu().understand(t);
        assert!(u.alternatives.len() <= 3);
        for w in u.alternatives.windows(2) {
            assert!(w[0].1 >= w[1].1, "{t:?}: {:?}", u.alternatives);
        }
        let s: f32 = u.alternatives.iter().map(|a| a.1).sum();
        assert!(s <= 1.0 + 1e-3, "{t:?}");
    }
    // A vague request is not answered with confidence.
    let u = nlu().understand("làm thẻ");
    assert!(u.needs_clarification || u.intent == OUT_OF_SCOPE, "{u:?}");
}

/// The cases (text, intent, destination) the router reads otherwise, each with what it read.
fn misread(cases: &[(&str, &str, Option<&str>)]) -> Vec<String> {
    cases
        .iter()
        .filter_map(|(text, intent, dest)| {
            let u = nlu().understand(text);
            (u.intent != *intent || u.destination.as_deref() != *dest).then(|| {
                format!(
                    "{text:?}: {} {:?} ({:.2}), expected {intent} {dest:?}",
                    u.intent, u.destination, u.confidence
                )
            })
        })
        .collect()
}

#[test]
fn every_intent_is_reachable_and_answered_in_both_languages() {
    let kb = nlu().kb();
    for id in INTENTS {
        let e = &kb.intents[*id];
        let ex = e
            .examples
            .first()
            .cloned()
            .or_else(|| {
                e.templates
                    .as_ref()
                    .map(|t| t.vi[0].replace("{place}", "quầy số 5"))
            })
            .unwrap();
        let u = nlu().understand(&ex);
        assert_eq!(u.intent, *id, "{ex:?}");
        for lang in [Language::Vi, Language::En] {
            let mut u2 = u.clone();
            u2.lang = lang;
            let a = nlu().answer(&u2);
            assert!(
                !a.spoken.trim().is_empty() && !a.screen.trim().is_empty(),
                "{id} {lang:?}"
            );
            assert!(
                !a.spoken.contains('{'),
                "{id}: unfilled template {}",
                a.spoken
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Property test of the normalizer (seeded, so failures reproduce).

const POOL: &[&str] = &[
    "a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y", "đ", "b", "c", "h", "n", "g", "q",
    "à", "á", "ả", "ã", "ạ", "ằ", "ấ", "ệ", "ỗ", "ớ", "ử", "ỹ", "Đ", "Ư", "Ợ", "A", "Q", " ", " ",
    " ", "1", "2", "0", ",", ".", "?", "-", "'", "\u{300}", "\u{301}", "\u{303}", "\u{309}",
    "\u{323}", "\u{302}", "\u{31b}", "\u{0}", "\t", "\n", "🙂", "你", "ж", "ß", "ﬁ", "\u{200b}",
    "mười", "hai", "mươi", "tư", "số", "quầy", "counter", "twelve", "ki", "ốt", "ai", "hà", "nội",
];

fn random_text(rng: &mut ChaCha8Rng) -> String {
    let len = rng.gen_range(0..40);
    (0..len)
        .map(|_| POOL[rng.gen_range(0..POOL.len())])
        .collect()
}

#[test]
fn normalizer_properties() {
    use unicode_normalization_check::nfd;
    let mut rng = ChaCha8Rng::seed_from_u64(20261122);
    for _ in 0..3000 {
        let s = random_text(&mut rng);
        let n = normalize(&s);
        let text = n.text();
        // Idempotent.
        assert_eq!(normalize_text(&text), text, "input {s:?}");
        // NFD and NFC input agree.
        assert_eq!(normalize_text(&nfd(&s)), text, "input {s:?}");
        // Plain forms carry no diacritics and match the text's stripped form.
        for t in &n.tokens {
            assert!(!t.text.is_empty() && !t.plain.is_empty(), "input {s:?}");
            assert!(
                t.plain.chars().all(|c| c.is_ascii_alphanumeric()
                    || (c.is_alphabetic() && !matches!(c, '\u{300}'..='\u{36f}'))),
                "{s:?} -> {:?}",
                t.plain
            );
            assert_eq!(
                letan_nlu::normalize::strip_diacritics(&t.text),
                t.plain,
                "{s:?}"
            );
            assert!(
                !t.text.chars().any(|c| c.is_whitespace() || c.is_control()),
                "{s:?}"
            );
        }
        // Case does not matter for Vietnamese letters.
        let upper: String = s.chars().flat_map(char::to_uppercase).collect();
        if !s.contains('ß') && !s.contains('ﬁ') {
            assert_eq!(normalize_text(&upper), text, "input {s:?}");
        }
        // The router never panics and always gives a catalog intent.
        let u = nlu().understand(&s);
        assert!(INTENTS.contains(&u.intent.as_str()), "{s:?}");
    }
}

mod unicode_normalization_check {
    /// NFD of a string, by decomposing each precomposed Vietnamese letter through the
    /// normalizer's own plain/accent split would be circular, so use a small independent table:
    /// the combining sequence for the letters in the test pool.
    pub fn nfd(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            let d = match c {
                'à' => "a\u{300}",
                'á' => "a\u{301}",
                'ả' => "a\u{309}",
                'ã' => "a\u{303}",
                'ạ' => "a\u{323}",
                'ằ' => "a\u{306}\u{300}",
                'ấ' => "a\u{302}\u{301}",
                'ệ' => "e\u{323}\u{302}",
                'ỗ' => "o\u{302}\u{303}",
                'ớ' => "o\u{31b}\u{301}",
                'ử' => "u\u{31b}\u{309}",
                'ỹ' => "y\u{303}",
                'ă' => "a\u{306}",
                'â' => "a\u{302}",
                'ê' => "e\u{302}",
                'ô' => "o\u{302}",
                'ơ' => "o\u{31b}",
                'ư' => "u\u{31b}",
                'Ư' => "U\u{31b}",
                'Ợ' => "O\u{31b}\u{323}",
                _ => {
                    out.push(c);
                    continue;
                }
            };
            out.push_str(d);
        }
        out
    }
}

#[test]
fn a_navigation_request_without_a_place_answers_the_service_behind_it() {
    // A bare request to go somewhere stays navigation (the dialog asks where).
    for text in ["dẫn tôi đi với", "take me there"] {
        let u = nlu().understand(text);
        assert_eq!(u.intent, "nav.guide", "{text:?}");
        assert_eq!(u.destination, None);
    }
    // With no place named but a service behind it, the service answers.
    let u = nlu().understand("where do I get my queue number");
    assert!(
        !u.intent.starts_with("nav.") || u.destination.is_some(),
        "{u:?}"
    );
    // The ticket is the queue machine.
    let u = nlu().understand("where do i get my queue ticket");
    assert_eq!(
        (u.intent.as_str(), u.destination.as_deref()),
        ("nav.where_is", Some("queue_kiosk"))
    );
}

/// "Where can I print": a where cue, no place named, and a need given at one place of the map is
/// a where-is for that place, confirmed before the robot guides (below the confirm threshold). A
/// procedure done "where" is still the procedure, and a need with no place (wifi, fees) is not
/// navigation.
#[test]
fn where_to_do_what_a_place_gives_is_that_place() {
    use letan_nlu::router::CONFIRM_THRESHOLD;
    for (text, place) in [
        ("where can I print documents?", "printing_area"),
        ("where can i charge my phone", "charging_station"),
        ("sạc điện thoại ở đâu được em", "charging_station"),
        ("lấy nước uống ở đâu", "water_station"),
        ("where can I sit and wait", "waiting_area"),
    ] {
        let u = nlu().understand(text);
        assert_eq!(
            (u.intent.as_str(), u.destination.as_deref()),
            ("nav.where_is", Some(place)),
            "{text:?}: {u:?}"
        );
    }
    // The place came from the need, not from a name: the dialog confirms before guiding.
    for text in ["where can I print documents?", "where can I sit and wait"] {
        let u = nlu().understand(text);
        assert!(u.confidence < CONFIRM_THRESHOLD, "{text:?}: {u:?}");
    }
    for (text, intent) in [
        ("where do I renew my ID card", "proc.id_card"),
        ("where can i pay the fee", "service.fee_payment"),
    ] {
        let u = nlu().understand(text);
        assert_eq!(u.intent, intent, "{text:?}: {u:?}");
        assert_eq!(u.destination, None, "{text:?}");
    }
}

/// Rules from the outside-written probes 14–16 (each of these was wrong, most at >= 0.9).
#[test]
fn outside_written_probe_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        // a syllable of "hồ sơ" or "tra cứu" is not the "sơ cứu" of the first-aid cabinet
        ("em ơi tra cứu hồ sơ ở đâu", "service.status_tracking", None),
        // a bare place name is a where-is, whatever the classifier hears in its syllables
        ("nhà vệ sinh?", "nav.where_is", Some("restroom")),
        // a guide cue with any form of address, and a bare door with a cue
        ("dẫn cô ra cửa với, mắt cô kém", "nav.guide", Some("exit")),
        // words of a partial place name far apart in a long sentence do not name it
        (
            "cháu đưa ông ra cái chỗ làm dịch vụ công trên máy tính ấy, ông đi một mình không biết đường",
            "nav.guide",
            Some("online_service_area"),
        ),
        // a copy of a document, not the document
        ("Where can I make a photocopy of my passport?", "nav.where_is", Some("printing_area")),
        ("sao y cccd o quay nao", "proc.certified_copy", None),
        // a company's own head office address is its registration, not a place in the city
        (
            "công ty tôi chuyển địa chỉ trụ sở, thay đổi đăng ký ở đâu",
            "proc.enterprise_registration",
            None,
        ),
        // a dossier checked before it is handed in is advice
        (
            "cháu xem hộ bác hồ sơ đã đủ chưa trước khi bác nộp",
            "service.consultation",
            None,
        ),
        // asking about something is not going home
        ("hỏi về giấy phép xây dựng", "proc.construction_permit", None),
    ];
    // nor an option to offer when the router asks which one
    let u = nlu().understand("bác hỏi về hôn nhân");
    assert!(
        u.alternatives.iter().all(|(l, _)| l != "chat.goodbye"),
        "{u:?}"
    );
    let bad = misread(cases);
    assert!(bad.is_empty(), "{bad:#?}");
    // outside places: an ATM, another agency's head office
    for text in [
        "where's the nearest ATM",
        "trụ sở bảo hiểm xã hội quận ở đường nào",
    ] {
        let u = nlu().understand(text);
        assert_eq!(u.intent, OUT_OF_SCOPE, "{text:?}: {u:?}");
    }
}

#[test]
fn vague_requests_ask_which_one_and_one_telling_word_is_enough() {
    for text in [
        "đăng ký",
        "làm giấy",
        "hồ sơ",
        "cấp lại",
        "đăng ký cho con",
        "dang ky",
    ] {
        let u = nlu().understand(text);
        assert!(
            u.needs_clarification || u.intent == OUT_OF_SCOPE,
            "{text:?} should ask which procedure: {u:?}"
        );
        assert!(u.alternatives.len() >= 2, "{text:?}: {u:?}");
    }
    for (text, intent) in [
        ("khai sinh", "proc.birth_registration"),
        ("hộ chiếu", "proc.passport"),
        ("căn cước", "proc.id_card"),
        ("sổ đỏ", "proc.land_certificate"),
        ("wifi", "amenity.wifi"),
        ("tạm trú", "proc.temporary_residence"),
        ("đăng ký kết hôn", "proc.marriage_registration"),
        ("dang ky ket hon", "proc.marriage_registration"),
        ("bác thấy chóng mặt quá", "amenity.medical"),
    ] {
        let u = nlu().understand(text);
        assert_eq!(u.intent, intent, "{text:?}: {u:?}");
        assert!(!u.needs_clarification, "{text:?} is clear: {u:?}");
    }
}

/// One pass: `understand` reads the utterance as a reply too, and a correction's rest.
#[test]
fn understand_reads_replies_in_the_same_pass() {
    use letan_nlu::{Detail, YesNo};
    let u = |t: &str| nlu().understand(t);
    assert_eq!(u("dạ vâng").reply.yes_no, Some(YesNo::Yes));
    assert_eq!(u("khong can dau").reply.yes_no, Some(YesNo::No));
    assert_eq!(u("dẫn tôi đến quầy 5").reply.yes_no, None);
    assert!(u("vâng, cháu dẫn bác ra đấy nhé").reply.starts_with_yes);
    assert_eq!(u("cái thứ hai").reply.ordinal, Some(1));
    assert_eq!(u("the first one").reply.ordinal, Some(0));
    assert!(u("cái kia").reply.other_one && u("the other one").reply.other_one);
    assert!(!u("cái thứ nhất").reply.other_one);
    assert_eq!(u("còn lệ phí thì sao?").reply.detail, Some(Detail::Fee));
    assert_eq!(u("mất bao lâu hả cháu").reply.detail, Some(Detail::Time));
    assert_eq!(u("xin chào").reply.detail, None);
    let r = u("cháu dẫn bác ra đấy").reply;
    assert!(r.guide_verb && r.points_back && r.place.is_none());
    assert_eq!(
        u("dẫn bác đến chỗ nước uống với").reply.place.as_deref(),
        Some("water_station")
    );
    assert_eq!(u("cho bác hỏi cái này").reply.self_address, Some("bác"));
    assert_eq!(u("mẹ tôi muốn hỏi").reply.self_address, None);
    assert_eq!(u("where is the toilet").reply.self_address, None);
    // A correction: the words after the no, understood (intent and readings) in the same call.
    let c = u("không, ý bác là đăng ký kết hôn");
    let rest = c.correction.as_deref().unwrap();
    assert_eq!(rest.intent, "proc.marriage_registration");
    assert_eq!(rest.normalized, normalize_text("đăng ký kết hôn"));
    assert!(u("không cần đâu").correction.is_none(), "a plain no");
    assert!(u("làm căn cước").correction.is_none(), "no 'no' first");
}

/// Asking for a procedure's form is asking for the form (the forms desk's service); asking what
/// the procedure needs is asking about the procedure.
#[test]
fn the_form_of_a_procedure_is_a_forms_question() {
    for t in [
        "xin mẫu tờ khai đăng ký tạm trú",
        "cho bác xin tờ khai cấp lại căn cước",
        "the form for a passport renewal please",
    ] {
        let u = nlu().understand(t);
        assert_eq!(u.intent, "amenity.forms", "{t}: {u:?}");
    }
    let u = nlu().understand("đăng ký tạm trú cần những giấy tờ gì");
    assert_eq!(u.intent, "proc.temporary_residence", "{u:?}");
}

/// "Điền chỗ nào", "ký vào đâu": where on the paper, not a place in the lobby.
#[test]
fn where_to_write_on_a_form_is_not_a_way_in_the_lobby() {
    for text in [
        "mẫu đơn này bác không biết ghi chỗ nào",
        "tờ giấy đăng ký tạm trú này ký vào đâu hả cháu",
        "viết ở đâu trên cái đơn này",
    ] {
        let u = nlu().understand(text);
        assert!(!u.intent.starts_with("nav."), "{text}: {u:?}");
    }
    all_ok(vec![
        check("xin tờ khai ở đâu", "nav.where_is", Some("forms_desk")),
        check(
            "chỗ ký số ở đâu",
            "nav.where_is",
            Some("digital_signature_desk"),
        ),
    ]);
}

/// "VNeID" as a recognizer writes the letters' Vietnamese names.
#[test]
fn vneid_spelled_out_is_vneid() {
    all_ok(vec![
        check("cháu cài giúp bác cái vi en e ai đi", "service.vneid", None),
        check("vê nờ i đê là cái gì", "service.vneid", None),
    ]);
}

/// "Cho bác đi theo cháu ra …": following the robot is being taken there.
#[test]
fn following_the_robot_is_a_guide_request() {
    all_ok(vec![
        check(
            "cho bác đi theo cháu ra nhà vệ sinh",
            "nav.guide",
            Some("restroom"),
        ),
        check(
            "can I follow you to counter 4",
            "nav.guide",
            Some("counter_4"),
        ),
    ]);
}

/// A need denied is not the one asked for: what the rest of the sentence asks answers. A denial
/// with nothing else asked leaves the reading alone.
#[test]
fn a_denied_need_gives_way_to_the_one_asked_for() {
    all_ok(vec![
        check(
            "không phải khai sinh đâu, tôi cần làm giấy khai tử cho bố",
            "proc.death_registration",
            None,
        ),
        check(
            "not a passport, my identity card please",
            "proc.id_card",
            None,
        ),
        check("không cần mang căn cước đúng không", "proc.id_card", None),
    ]);
    let u = nlu().understand("not a passport, my identity card please");
    assert!(u.confidence < 0.9, "a denial rule is not sure: {u:?}");
}

/// Direction questions without "where": "vị trí nào", "đi thẳng hay rẽ", "nearby".
#[test]
fn direction_questions_are_where_questions() {
    all_ok(vec![
        check(
            "quầy số 2 nằm ở vị trí nào vậy",
            "nav.where_is",
            Some("counter_2"),
        ),
        check(
            "nhà vệ sinh đi thẳng hay rẽ trái hả em",
            "nav.where_is",
            Some("restroom"),
        ),
        check(
            "could you take my mum to the restroom",
            "nav.guide",
            Some("restroom"),
        ),
    ]);
}

/// Someone else led there ("dẫn bố em …"), and a full place name is not undone by a word of the
/// city elsewhere in the sentence ("park" the car). "Walk me through it" is an explanation.
#[test]
fn guide_requests_for_a_relative_and_walk_through_is_not_a_walk() {
    all_ok(vec![
        check(
            "nhờ robot đưa chồng tôi ra chỗ nhà vệ sinh với",
            "nav.guide",
            Some("restroom"),
        ),
        check(
            "lead my wife to the water station, I need to go and park the motorbike",
            "nav.guide",
            Some("water_station"),
        ),
        check(
            "đường ra phố hàng bài đi lối nào",
            "fallback.out_of_scope",
            None,
        ),
    ]);
    let u = nlu().understand("can someone walk me through the vneid app, it keeps failing");
    assert_ne!(u.intent, "nav.guide", "{u:?}");
}

/// After the tens, five is "lăm": "mười năm" is ten years, not fifteen.
#[test]
fn ten_years_is_not_fifteen() {
    let n = normalize_text("mở quán mười năm rồi");
    assert_eq!(n, "mở quán 10 năm rồi");
}

/// Where to *do* a service asks for the service (which says where); a desk named asks for the desk,
/// and "where can I print" for the printing area.
#[test]
fn where_to_do_a_service_is_the_service_and_a_desk_is_a_place() {
    all_ok(vec![
        check(
            "chữ ký số miễn phí thì làm ở đâu em",
            "service.digital_signature",
            None,
        ),
        check(
            "bàn chữ ký số ở đâu em",
            "nav.where_is",
            Some("digital_signature_desk"),
        ),
        check("where can I print", "nav.where_is", Some("printing_area")),
    ]);
}

/// From probes 23 and 24 (outside writers), checked on other sentences than theirs: loanwords
/// as Vietnamese says them, English idioms whose words mislead, the Southern "dắt", "lead the
/// way", a denial whose object nothing ends, and being taken where VNeID help is given.
#[test]
fn loanwords_idioms_southern_guides_and_unmarked_denials() {
    all_ok(vec![
        check("toa lét ở đâu", "nav.where_is", Some("restroom")),
        check("làm pát xờ po cần giấy tờ gì", "proc.passport", None),
        check("wify mat khau la gi", "amenity.wifi", None),
        check("is the printing free of charge", "amenity.printing", None),
        check("g'day, how are you going", "chat.greeting", None),
        check("dắt bác ra quầy 5", "nav.guide", Some("counter_5")),
        // "đất tôi" (my land) is not "dắt tôi"
        check("sổ đỏ đất tôi làm ở đâu", "proc.land_certificate", None),
        check(
            "lead the way to the water station",
            "nav.guide",
            Some("water_station"),
        ),
        check(
            "không phải tạm trú, thường trú cơ",
            "proc.permanent_residence",
            None,
        ),
        check(
            "dẫn bác ra chỗ cài VNeID",
            "nav.guide",
            Some("online_service_area"),
        ),
        check("ihanoi tải ở đâu", "service.ihanoi", None),
        check(
            "can I pay by card or is it cash only",
            "service.fee_payment",
            None,
        ),
    ]);
}

/// From probes 25 and 26 (outside writers), checked on other sentences than theirs: typed
/// shorthand ("q7", "ĐKKH", "KT3"), a form named while asking about its procedure, and the
/// desk that helps with something.
#[test]
fn shorthand_forms_named_in_procedure_questions_and_desks_that_help() {
    all_ok(vec![
        check("q7 o dau", "nav.where_is", Some("counter_7")),
        check("dkkh can giay to gi", "proc.marriage_registration", None),
        check("đăng ký KT3 ở quầy nào", "proc.temporary_residence", None),
        check(
            "tờ khai CT01 đăng ký thường trú thì cần những giấy tờ gì",
            "proc.permanent_residence",
            None,
        ),
        check("cho tôi xin tờ khai CT01", "amenity.forms", None),
        check(
            "bàn hướng dẫn điền tờ khai ở đâu",
            "nav.where_is",
            Some("forms_desk"),
        ),
        check("bàn hướng dẫn ở đâu", "nav.where_is", Some("reception")),
    ]);
}

/// A birth told as a story, without the procedure's name, is the birth registration (probe 28);
/// a procedure the classifier is sure of keeps its answer, and "để" (so that) is not "đẻ".
#[test]
fn a_birth_told_as_a_story_is_the_birth_registration() {
    all_ok(vec![
        check(
            "my daughter was born on Sunday at Bach Mai and we have nothing for her yet",
            "proc.birth_registration",
            None,
        ),
        check(
            "con dâu tôi vừa sinh thằng cu hôm kia, giờ cần làm gì cho nó",
            "proc.birth_registration",
            None,
        ),
        check(
            "làm thẻ bảo hiểm y tế cho con mới sinh",
            "proc.health_insurance",
            None,
        ),
    ]);
}

/// From probes 29 and 30 (outside writers), on other sentences than theirs: "bring me" a thing
/// is not a guide request, "how do I get there" asks the way, the Southern "mừi" is ten, and
/// "where do I get a number" is read as the kiosk but not confidently (writers label it the
/// queue service too).
#[test]
fn bring_me_a_thing_get_there_muoi_and_where_to_get_a_number() {
    all_ok(vec![
        check(
            "bring me to the printing area please",
            "nav.guide",
            Some("printing_area"),
        ),
        check(
            "the desk you mentioned for printing, how do I get there",
            "nav.where_is",
            Some("printing_area"),
        ),
        check("quầy mừi hai ở đâu", "nav.where_is", Some("counter_12")),
    ]);
    let u = nlu().understand("bring me a glass of water, I feel faint");
    assert_ne!(u.intent, "nav.guide", "{u:?}");
    let u = nlu().understand("lấy số thứ tự ở đâu vậy em");
    assert!(u.confidence < 0.9, "{u:?}");
}

/// From probe 32 (an outside writer), on other sentences than theirs: "TCTN" is the unemployment
/// benefit, and "go with my dad / with him to …" asks the robot to accompany someone.
#[test]
fn unemployment_shorthand_and_going_with_someone_else() {
    all_ok(vec![
        check("ho so tctn can gi", "proc.unemployment_benefit", None),
        check(
            "can you go with my dad to the water station",
            "nav.guide",
            Some("water_station"),
        ),
        check(
            "please go with him to counter 9, he can't read the signs",
            "nav.guide",
            Some("counter_9"),
        ),
    ]);
}

/// From probes 33–37 (outside writers), on other sentences than theirs: something asked for
/// "near here" is outside the centre unless a place of the centre is named; every lead verb
/// takes every person, and "hai bố con" too; a symptom told is the medical corner's help; a
/// procedure the centre does not do, with none of its own named, is out of scope.
#[test]
fn near_here_lead_verbs_symptoms_and_procedures_not_done_here() {
    all_ok(vec![
        check("quanh đây có quán cà phê nào không em", OUT_OF_SCOPE, None),
        check(
            "is there a shop nearby that sells phone cards",
            OUT_OF_SCOPE,
            None,
        ),
        check("where can i exchange dollars near here", OUT_OF_SCOPE, None),
        check(
            "mua thẻ cào điện thoại ở đâu gần đây em",
            OUT_OF_SCOPE,
            None,
        ),
        check("cháu dắt cụ ra quầy 7 nhé", "nav.guide", Some("counter_7")),
        check(
            "where's the nearest place to buy a phone case",
            OUT_OF_SCOPE,
            None,
        ),
        check("gần đây có tiệm vàng nào không cháu", OUT_OF_SCOPE, None),
        check(
            "nhà vệ sinh gần nhất ở đâu em",
            "nav.where_is",
            Some("restroom"),
        ),
        check(
            "is there a toilet near here",
            "nav.where_is",
            Some("restroom"),
        ),
        check(
            "dắt vợ tôi ra chỗ uống nước với em",
            "nav.guide",
            Some("water_station"),
        ),
        check(
            "em đưa hai mẹ con chị ra quầy số 4 được không",
            "nav.guide",
            Some("counter_4"),
        ),
        check(
            "mẹ tôi tự dưng chóng mặt quá cháu ơi",
            "amenity.medical",
            None,
        ),
        check("my husband suddenly feels dizzy", "amenity.medical", None),
        check("tôi muốn hỏi thủ tục ly hôn đơn phương", OUT_OF_SCOPE, None),
        check("how can my wife get a visa extension", OUT_OF_SCOPE, None),
        check(
            "lý lịch tư pháp để xin visa đi Hàn làm ở đâu",
            "proc.judicial_record",
            None,
        ),
    ]);
    // A benefit asked for is an allowance; a need done, then the one asked now.
    all_ok(vec![
        check(
            "mẹ tôi liệt nửa người, người nhà chăm bà có được hỗ trợ gì không",
            "proc.social_allowance",
            None,
        ),
        check(
            "tôi đăng ký kết hôn xong rồi, giờ muốn làm thủ tục nhập hộ khẩu cho vợ",
            "proc.permanent_residence",
            None,
        ),
    ]);
    // "Dạo gần đây" is "lately", not "near here".
    let u = nlu().understand("dạo gần đây tôi mới chuyển về, đăng ký tạm trú thế nào");
    assert_eq!(u.intent, "proc.temporary_residence", "{u:?}");
    // Paying by Visa card is about paying.
    let u = nlu().understand("có trả bằng thẻ visa được không");
    assert_ne!(u.intent, OUT_OF_SCOPE, "{u:?}");
}

/// From probes 38–42 (outside writers), on other sentences than theirs: the northern l/n merger
/// in the lobby's common words; "ký số ở đâu" is where to sign digitally (the service); a tax
/// disputed is the tax office's; where a place is, asked as a yes/no question about what it is
/// beside; "có khỏe không" greets; a bare "not" starting a correction; paying online; a time
/// asked.
#[test]
fn northern_l_n_signing_tax_disputes_plurals_beside_and_how_are_you() {
    all_ok(vec![
        check("nàm hộ chiếu cần mang những gì", "proc.passport", None),
        check(
            "nhà vệ sinh ở phía lào cháu",
            "nav.where_is",
            Some("restroom"),
        ),
        check("em ơi nối vào ở đâu", "nav.where_is", Some("entrance")),
        check("ký số ở đâu ạ", "service.digital_signature", None),
        check(
            "công ty tôi bị phạt thuế sai, tôi muốn khiếu nại",
            OUT_OF_SCOPE,
            None,
        ),
        check("I want a tax refund for last year", OUT_OF_SCOPE, None),
        check(
            "máy lấy số có phải nằm cạnh cửa ra vào không em",
            "nav.where_is",
            Some("queue_kiosk"),
        ),
        check("chào cháu, cháu có khỏe không", "chat.greeting", None),
        check(
            "not the marriage one, the birth certificate",
            "proc.birth_registration",
            None,
        ),
        check(
            "nộp lệ phí trực tuyến trên cổng dịch vụ công bằng thẻ được không",
            "service.fee_payment",
            None,
        ),
        check(
            "lấy số ở máy xong thì phải đợi bao lâu em",
            "service.queue_number",
            None,
        ),
        check(
            "chỗ sạc điện thoại có phải ở gần quầy 5 không",
            "nav.where_is",
            Some("charging_station"),
        ),
        // Another country's passport is its embassy's; a Vietnamese one for a child with a
        // foreign parent is the centre's.
        check("can I renew my Korean passport here", OUT_OF_SCOPE, None),
        check(
            "làm hộ chiếu Việt Nam cho con, chồng tôi là người Hàn Quốc",
            "proc.passport",
            None,
        ),
    ]);
}

/// The classes found by the fourth round of outside probes (46–50), each said in words of our own
/// (the probe rows themselves are in `tests/data/`): a numbered window is a counter, the machine
/// that prints queue numbers is the queue machine, leave-takings, food asked for, small talk,
/// thanks first, what the robot can do, opening on a day, a thing a place keeps, and "cũ" (old)
/// that is not "cụ" (an elder) before "mất rồi".
#[test]
fn round_four_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("cửa số 3 ở đâu hả cháu", "nav.where_is", Some("counter_3")),
        (
            "dẫn bác ra cửa sổ số 11 với",
            "nav.guide",
            Some("counter_11"),
        ),
        (
            "cái máy nhả ra số thứ tự để ở chỗ nào",
            "nav.where_is",
            Some("queue_kiosk"),
        ),
        ("thôi chào cháu, bác về", "chat.goodbye", None),
        ("mai tôi lại đến nhé, chào em", "chat.goodbye", None),
        (
            "we skipped lunch, is there anything to eat",
            "amenity.water_snacks",
            None,
        ),
        ("bà khát nước quá cháu ơi", "amenity.water_snacks", None),
        ("ở đây có bán đồ ăn không", OUT_OF_SCOPE, None),
        ("will it rain this afternoon", OUT_OF_SCOPE, None),
        ("em kể chuyện cười đi", OUT_OF_SCOPE, None),
        (
            "cảm ơn cháu, cháu chỉ đường dễ hiểu lắm",
            "chat.thanks",
            None,
        ),
        ("con robot này biết làm những gì", "chat.capabilities", None),
        (
            "chủ nhật trung tâm có làm việc không",
            "service.opening_hours",
            None,
        ),
        (
            "where can I find a wheelchair for my father",
            "nav.where_is",
            Some("accessibility_desk"),
        ),
        (
            "xin cái bút ở đâu em",
            "nav.where_is",
            Some("printing_area"),
        ),
        (
            "ông cụ nhà tôi mất rồi, làm giấy báo tử ở đâu",
            "proc.death_registration",
            None,
        ),
        ("tờ khai cũ nhàu mất rồi, xin tờ mới", "amenity.forms", None),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Getting something "ở đâu" is read as the place or as its service, never confidently.
    let u = nlu().understand("không có tờ khai thì lấy ở đâu hả em");
    assert!(u.confidence < 0.9, "{u:?}");
    // A thing a place keeps is not a confident destination: the dialog confirms it.
    let u = nlu().understand("take me to where the wheelchairs are");
    assert_eq!(u.destination.as_deref(), Some("accessibility_desk"));
    assert!(u.confidence < 0.9, "{u:?}");
}

/// Round five (probes 51–55).
#[test]
fn round_five_classes() {
    // Round five (probes 51–55): a word typed without its marks in an accented sentence, unless
    // it is a common word as it stands; English slips in a place's name; a counter word with a
    // tone slip before digits; getting something "ở đâu"; what the robot can do, asked of it by
    // name; a greeting first; "khai sanh".
    let five: &[(&str, &str, Option<&str>)] = &[
        ("dẫn tôi ra cửa chinh", "nav.guide", Some("entrance")),
        ("tiêm phòng cho bé ở đâu", OUT_OF_SCOPE, None),
        ("where is the restrom", "nav.where_is", Some("restroom")),
        ("take me to the exitt please", "nav.guide", Some("exit")),
        ("quấy 7 ở đâu vậy", "nav.where_is", Some("counter_7")),
        (
            "robot hỗ trợ được những việc gì, có chỉ đường không",
            "chat.capabilities",
            None,
        ),
        (
            "chào cháu, bác ở phường bên sang đây chơi",
            "chat.greeting",
            None,
        ),
        (
            "đăng ký khai sanh cho con cần gì",
            "proc.birth_registration",
            None,
        ),
        // a recognizer's slips in a place's words: final consonants and tones
        (
            "dẫn bác ra chỗ uống nướt với",
            "nav.guide",
            Some("water_station"),
        ),
        ("quầy lễ tâng ở đâu", "nav.where_is", Some("reception")),
    ];
    let wrong = misread(five);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round six (probes 56–60).
#[test]
fn round_six_classes() {
    // Round six (probes 56–60): a place the speaker came from, or whose staff spoke to them, is
    // not where they go; the place headed for goes before one only passed; a counter word as a
    // recognizer hears it; a number of times is not a counter; a procedure asked about through
    // a channel; a formal greeting with a wish; "cáo từ"; "bên trái hay bên phải"; "the
    // location of"; a business recommended.
    let six: &[(&str, &str, Option<&str>)] = &[
        (
            "cô ở quầy 5 bảo ra chỗ photo, chỗ đó ở đâu em",
            "nav.where_is",
            Some("printing_area"),
        ),
        (
            "tôi vừa ở quầy 9 ra, giờ dẫn tôi ra nhà vệ sinh",
            "nav.guide",
            Some("restroom"),
        ),
        (
            "the man at counter 2 told me to find the water station, where is it",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "I'm done at counter 8, please walk me to the exit",
            "nav.guide",
            Some("exit"),
        ),
        (
            "hỏi quầy 2 rồi quầy 6 mà không được, em dẫn tôi qua quầy 10 đi",
            "nav.guide",
            Some("counter_10"),
        ),
        (
            "quầy 3 bảo không làm hộ chiếu, vậy làm hộ chiếu ở đâu",
            "proc.passport",
            None,
        ),
        ("cuầy bảy ở đâu", "nav.where_is", Some("counter_7")),
        ("cao tơ số 10 ở đâu", "nav.where_is", Some("counter_10")),
        (
            "I have been to the counters five times, where do I complain",
            "service.feedback",
            None,
        ),
        (
            "đăng ký kết hôn online trên cổng dịch vụ công có được không",
            "proc.marriage_registration",
            None,
        ),
        (
            "kính chào các anh chị, chúc mọi người sức khoẻ",
            "chat.greeting",
            None,
        ),
        ("thôi, tôi xin phép cáo từ", "chat.goodbye", None),
        (
            "quầy 9 ở bên trái hay bên phải",
            "nav.where_is",
            Some("counter_9"),
        ),
        (
            "please tell me the location of the restroom",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "gần đây có trung tâm tiếng Anh nào uy tín không",
            OUT_OF_SCOPE,
            None,
        ),
    ];
    let wrong = misread(six);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round seven (probes 61–65).
#[test]
fn round_seven_classes() {
    // Round seven (probes 61–65): "tao"/"tui" led; a lead verb with no one named; a walk
    // declined; which of two sides; "mé nào"; "tìm quầy"; a place beside the one described is
    // a landmark; another office's hours; what the robot can do, asked bluntly; introduce
    // yourself; thanks first; the free snacks; a copy certified; two procedures weighed; a
    // vehicle that does paperwork.
    let seven: &[(&str, &str, Option<&str>)] = &[
        ("dẫn tao ra quầy 3 cái", "nav.guide", Some("counter_3")),
        (
            "dắt tui ra chỗ uống nước",
            "nav.guide",
            Some("water_station"),
        ),
        ("đưa ra quầy 6 hộ cái", "nav.guide", Some("counter_6")),
        (
            "không cần dẫn đâu, chỉ cho tôi quầy 2 ở đâu thôi",
            "nav.where_is",
            Some("counter_2"),
        ),
        (
            "no need to walk with me, just point me to the restroom",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "nhà vệ sinh ở bên trái hay ở cuối sảnh",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "chỗ sạc điện thoại nằm mé nào",
            "nav.where_is",
            Some("charging_station"),
        ),
        ("tìm quầy 11", "nav.where_is", Some("counter_11")),
        (
            "trụ sở bảo hiểm xã hội quận mấy giờ mở cửa",
            OUT_OF_SCOPE,
            None,
        ),
        ("mày làm được cái gì hả", "chat.capabilities", None),
        ("em giới thiệu bản thân đi", "chat.identity", None),
        (
            "cám ơn cháu, bác đi xa thế này mà được chỉ tận tình quá",
            "chat.thanks",
            None,
        ),
        (
            "kẹo với bánh kia cho không hay phải mua hả em",
            "amenity.water_snacks",
            None,
        ),
        (
            "sao y cái bằng tốt nghiệp cấp ba mất bao lâu",
            "proc.certified_copy",
            None,
        ),
        (
            "nên làm tạm trú hay đăng ký thường trú luôn, ai tư vấn giúp tôi",
            "service.consultation",
            None,
        ),
        (
            "is the paperwork van coming to our village this month",
            "service.mobile_office",
            None,
        ),
    ];
    let wrong = misread(seven);
    assert!(wrong.is_empty(), "{wrong:#?}");
    // A place beside the one described is a landmark, not the destination; the place guessed
    // from part of its name is never sure, so the dialog asks. (Before, these went to counter 3
    // and the entrance at 0.94 and 1.00.)
    let u = nlu().understand("dẫn bác ra cái bàn cạnh quầy 3 có mấy tờ mẫu ấy");
    assert_eq!(u.destination.as_deref(), Some("forms_desk"), "{u:?}");
    assert!(u.confidence < 0.9, "{u:?}");
    // The machine that prints numbers is the queue kiosk; the guess ("máy" + "in": the
    // printers) is wrong, but not sure, and not the door it stands beside.
    let u = nlu().understand("dẫn tôi ra cái máy gần cửa chính in ra số ấy");
    assert_ne!(u.destination.as_deref(), Some("entrance"), "{u:?}");
    assert!(u.confidence < 0.9, "{u:?}");
}

/// Round nineteen (probes 121–125): a place the speaker cannot find is asked for, a result not
/// yet seen is not; a need of the toilet told asks where it is; a grievance about the centre is
/// feedback, reporting a crime is not; a real person asked for is an officer, the robot asked if
/// it is one is its identity; to go first is the queue's question, a thanks for it is thanks; a
/// death told beside a service the classifier is sure of is that service; a service certain
/// beside a procedure the centre does not do stands; thanks then "phải về" leaves; "đưa mã QR"
/// leads no one; "counter tree" is counter 3; loans are not the centre's; boredom is the waiting
/// area, a joke asked for is not.
#[test]
fn round_nineteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Tôi đi loanh quanh mãi mà vẫn chưa thấy bàn hướng dẫn điền tờ khai",
            "nav.where_is",
            Some("forms_desk"),
        ),
        (
            "The guard sent me to the water station but I can't find it",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "Nộp hồ sơ hai tuần rồi mà chưa thấy kết quả",
            "service.status_tracking",
            None,
        ),
        ("Cháu mắc tiểu quá", "nav.where_is", Some("restroom")),
        (
            "Cán bộ quầy 4 hách dịch quá, tôi rất bức xúc",
            "service.feedback",
            None,
        ),
        (
            "My motorbike was stolen outside, I need to report it to the police",
            "fallback.out_of_scope",
            None,
        ),
        (
            "Hàng xóm xây lấn đất nhà tôi, tôi bức xúc lắm",
            "fallback.out_of_scope",
            None,
        ),
        (
            "Please, I want to speak to a real person",
            "staff.handoff",
            None,
        ),
        ("Are you a real person?", "chat.identity", None),
        (
            "Bà cụ nhà tôi 90 tuổi rồi, cho bà lên trước được không",
            "service.queue_number",
            None,
        ),
        (
            "Cảm ơn mọi người đã cho bác lên trước nhé",
            "chat.thanks",
            None,
        ),
        (
            "Chồng tôi mới mất, tài khoản VNeID của anh ấy có cần khoá lại không",
            "service.vneid",
            None,
        ),
        ("Cảm ơn cháu, giờ bà phải về nấu cơm", "chat.goodbye", None),
        (
            "Sạc điện thoại có mất tiền không, máy tôi sắp tắt mà phải đưa mã QR cho quầy",
            "amenity.charging",
            None,
        ),
        (
            "where is counter tree please",
            "nav.where_is",
            Some("counter_3"),
        ),
        (
            "Ở đây có chỗ nào cho vay tiền không",
            "fallback.out_of_scope",
            None,
        ),
        (
            "Số tôi còn xa lắm, ngồi không chán quá",
            "amenity.waiting_area",
            None,
        ),
        (
            "Kể chuyện cười đi, chờ lâu chán quá",
            "fallback.out_of_scope",
            None,
        ),
        ("Who really built you?", "chat.identity", None),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round eighteen (probes 116–120): "không biết dùng … đâu" denies, it asks no place; a place gone
/// to by mistake ("đi nhầm ra …") is not the one asked for, a self-correction still is; what was
/// said by mistake ("nhắn nhầm là …") is not the need; a closing "chào" after thanks leaves, one
/// after a greeting greets; a progress asked ("giờ đến đâu rồi", "is it done") is the status; a
/// dossier sent back for a missing paper asks about the procedure; a complaint wanted about a
/// counter is feedback; a licence class names the driving licence; tax settled is not the centre's;
/// an officer reported is no officer asked for; "ahead of me" is the queue; "bọn chị" is led;
/// "đi cũng được" is no "đi cùng".
#[test]
fn round_eighteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Mẹ em không biết dùng điện thoại đâu, ở đây có ai hỗ trợ nộp hồ sơ qua mạng không",
            "service.online_support",
            None,
        ),
        (
            "Quầy 7 ở đâu em, chị đi nhầm sang quầy 2 rồi",
            "nav.where_is",
            Some("counter_7"),
        ),
        (
            "Dẫn anh ra quầy 3, à nhầm, quầy 8",
            "nav.guide",
            Some("counter_8"),
        ),
        (
            "Ông nhà tôi ghi nhầm là làm khai sinh, tôi cần khai tử cho mẹ chồng",
            "proc.death_registration",
            None,
        ),
        (
            "Cám ơn cháu, mai bác quay lại nộp nốt, chào cháu",
            "chat.goodbye",
            None,
        ),
        ("Chào cháu, bà chào cháu nhé", "chat.greeting", None),
        (
            "Hồ sơ sang tên sổ đỏ nhà tôi nộp hôm thứ Hai giờ đến đâu rồi",
            "service.status_tracking",
            None,
        ),
        (
            "Is my paperwork done yet? Here is the receipt",
            "service.status_tracking",
            None,
        ),
        (
            "Hồ sơ làm hộ chiếu lần trước bị trả vì thiếu căn cước gắn chip, giờ làm lại cần gì nữa",
            "proc.passport",
            None,
        ),
        (
            "Tôi muốn phản ánh cán bộ quầy 9 làm việc chậm quá",
            "service.feedback",
            None,
        ),
        (
            "Bằng A1 của tôi bị rách, cấp lại ở đây được không",
            "proc.driving_license",
            None,
        ),
        (
            "Quyết toán thuế cho công ty thì nộp ở đâu em",
            "fallback.out_of_scope",
            None,
        ),
        (
            "Anh cán bộ bảo tôi ra đây xin phiếu lý lịch tư pháp",
            "proc.judicial_record",
            None,
        ),
        ("Cho tôi gặp cán bộ phụ trách", "staff.handoff", None),
        (
            "How many people are still ahead of me?",
            "service.queue_number",
            None,
        ),
        (
            "Em ơi dẫn bọn anh ra bàn chữ ký số với",
            "nav.guide",
            Some("digital_signature_desk"),
        ),
        (
            "Chỗ uống nước ở đâu em, lát nữa bác đi cũng được",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "Máy photo chuyển đi đâu rồi em",
            "nav.where_is",
            Some("printing_area"),
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round seventeen (probes 111–115): "góp ý" about a counter is feedback; "take my pills" is no
/// lead, "take my mother to …" is; a kiosk near here is the kiosk service; "… về đón cháu đây"
/// leaves; "don't take me there", "đừng đi theo" ask the way; a bare command to the robot ("dừng
/// lại", "tắt tiếng") is out of scope, a question with a wait in it is not; the robot's age and
/// maker are its identity, a child's age is not; "tên" is no English "ten".
#[test]
fn round_seventeen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Em muốn góp ý về anh cán bộ quầy 6, gửi ở đâu",
            "service.feedback",
            None,
        ),
        (
            "Where is the water station? I have to take my pills",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "Can you take my mother to counter 2?",
            "nav.guide",
            Some("counter_2"),
        ),
        (
            "Có ki ốt tự phục vụ ở trung tâm thương mại nào gần đây không",
            "service.kiosk",
            None,
        ),
        (
            "Cảm ơn cháu, bác về đón cháu nội đi học đây",
            "chat.goodbye",
            None,
        ),
        (
            "Don't take me there, just tell me where the toilets are",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "Đừng đi theo chị nữa, bàn chữ ký số ở đâu em nói thôi",
            "nav.where_is",
            Some("digital_signature_desk"),
        ),
        ("Dừng lại đã em", "fallback.out_of_scope", None),
        ("Tắt tiếng đi em", "fallback.out_of_scope", None),
        ("Đợi bao lâu thì tới lượt em", "service.queue_number", None),
        ("Em mấy tuổi rồi?", "chat.identity", None),
        (
            "Em ơi con tôi mấy tuổi thì được làm căn cước",
            "proc.id_card",
            None,
        ),
        ("Robot này do nước nào sản xuất vậy", "chat.identity", None),
        ("Who programmed you?", "chat.identity", None),
        ("Wifi ở đây tên gì, nói chậm thôi em", "amenity.wifi", None),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round sixteen (probes 106–110): "đâu em" before another clause and "ở bên nào" ask where;
/// "xong chưa" asks a dossier's progress; "viết vào chỗ nào" is where on the paper; "byeee" leaves;
/// the speaker leading a small child of their own is told, not asked; children counted after a
/// counter are not its number; a birth told beside a service the classifier is certain of is that
/// service, and a death told is still its registration.
#[test]
fn round_sixteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Cây nước uống đâu cháu, bà khát quá rồi",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "Khu làm thủ tục trực tuyến ở bên nào hả em",
            "nav.where_is",
            Some("online_service_area"),
        ),
        (
            "Hồ sơ cấp lại căn cước nộp hôm thứ hai giờ xong chưa em",
            "service.status_tracking",
            None,
        ),
        (
            "Tờ khai tạm trú này bác không biết viết vào chỗ nào",
            "amenity.forms",
            None,
        ),
        ("ok thank you, byeee", "chat.goodbye", None),
        (
            "Mẹ dắt con nhỏ thế này có được ưu tiên lấy số không",
            "service.queue_number",
            None,
        ),
        ("Cháu dắt bà ra quầy 4 với", "nav.guide", Some("counter_4")),
        (
            "Walk me to counter 10 please, 2 kids here with me",
            "nav.guide",
            Some("counter_10"),
        ),
        (
            "Chị vừa sinh cháu thứ ba, cần người tư vấn nên làm thủ tục gì trước",
            "service.consultation",
            None,
        ),
        (
            "Nhà tôi vừa có người mất, làm giấy tờ gì hả em",
            "proc.death_registration",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round fifteen (probes 101–105): "is counter N where I …" asks about the procedure; "anh đi đây"
/// leaves; how far a dossier has got is its status; a complaint about a counter is the complaint;
/// an English lead verb before a Vietnamese pronoun leads; a bank's hours are not the centre's;
/// a time asked of a place named in full is its amenity's; one's turn is the queue's; a company
/// paying names no registration; a place in sight checked with "là … kia … phải không" or "is near
/// …, right?" is a where question, a person so checked is not; a walk declined asks the way; who
/// made the robot is its identity; "bạn nào" is no "bàn nào".
#[test]
fn round_fifteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "Is counter 7 where we register a marriage?",
            "proc.marriage_registration",
            None,
        ),
        ("Thôi cảm ơn cháu nhé, cô về quê đây", "chat.goodbye", None),
        ("Cảm ơn em, anh đi đây", "chat.goodbye", None),
        (
            "Hồ sơ khai sinh của cháu tôi nộp hôm qua giờ đang ở bước nào",
            "service.status_tracking",
            None,
        ),
        (
            "I want to complain about the officer at counter 2, where do I do that?",
            "service.feedback",
            None,
        ),
        ("Guide chị ra quầy 3 nhé", "nav.guide", Some("counter_3")),
        (
            "What time does Agribank open tomorrow?",
            "fallback.out_of_scope",
            None,
        ),
        (
            "Trạm sạc dùng sao, sạc bao lâu thì đầy pin?",
            "amenity.charging",
            None,
        ),
        (
            "Tôi số 87, mấy giờ thì đến lượt?",
            "service.queue_number",
            None,
        ),
        ("Máy lấy số bấm kiểu gì hả em", "service.queue_number", None),
        (
            "Lệ phí trả bằng thẻ của công ty được không",
            "service.fee_payment",
            None,
        ),
        ("XNTTHN cần giấy tờ gì", "proc.marital_status", None),
        (
            "Cái máy đằng kia là máy lấy số phải không em?",
            "nav.where_is",
            Some("queue_kiosk"),
        ),
        (
            "Chị áo xanh kia là người hướng dẫn phải không, cho tôi gặp chị ấy",
            "staff.handoff",
            None,
        ),
        (
            "The water station is near the entrance, right?",
            "nav.where_is",
            Some("water_station"),
        ),
        (
            "Không cần dẫn đâu, chỉ chị chỗ sạc điện thoại thôi",
            "nav.where_is",
            Some("charging_station"),
        ),
        ("Ai làm ra em vậy?", "chat.identity", None),
        ("Em là robot thật hả?", "chat.identity", None),
        (
            "Em là robot thì giúp được chị những gì",
            "chat.capabilities",
            None,
        ),
        (
            "Cảm ơn em, nhờ em mà chị nộp kịp hồ sơ",
            "chat.thanks",
            None,
        ),
        (
            "Có bạn nào hướng dẫn nộp hồ sơ trực tuyến không",
            "service.online_support",
            None,
        ),
        (
            "Máy đo huyết áp giờ nào cũng đo được hả cháu",
            "amenity.medical",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round fourteen (probes 96–100): a walk declined keeps a where question; the way out asked
/// for, with the errand in the city it is for, is the exit; other agencies' papers (the
/// social-insurance book, school enrolment, a bank account, hospital records, a tax return) are
/// not the centre's; "where do I sign up" asks for the service; the robot asked about stays the
/// robot; a place the speaker comes from names no other office's hours; "số căn cước" is no
/// scan; "X, à không phải, Y" takes X back.
#[test]
fn round_fourteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "quầy 7 ở đâu hả cháu, bác tự đi được, không cần cháu đi cùng",
            "nav.where_is",
            Some("counter_7"),
        ),
        (
            "where is the restroom? no need to take me, thanks",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "cửa ra ở đâu em, chị còn phải sang bưu điện",
            "nav.where_is",
            Some("exit"),
        ),
        // the way to a place of the city stays out of scope
        ("chỉ tôi đường ra phố cổ", OUT_OF_SCOPE, None),
        ("nộp hồ sơ tuyển sinh vào lớp 1 ở đâu", OUT_OF_SCOPE, None),
        ("can I open a bank account here", OUT_OF_SCOPE, None),
        (
            "where do I sign up for a digital signature",
            "service.digital_signature",
            None,
        ),
        (
            "em là robot của ai, của nhà nước hay của công ty nào",
            "chat.identity",
            None,
        ),
        (
            "trưa mấy giờ nghỉ em, chị chạy từ ngân hàng sang",
            "service.opening_hours",
            None,
        ),
        (
            "tra cứu hồ sơ có phải đọc số căn cước không",
            "service.status_tracking",
            None,
        ),
        (
            "tôi muốn đăng ký thường trú, à không phải, tạm trú cho em gái",
            "proc.temporary_residence",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round thirteen (probes 91–95): a call or a hearing check alone greets, and "lễ tân máy" is the
/// robot, not the reception; a phone assistant's errands are out of scope; "bắt đầu từ đâu" is no
/// where; "in ra số" is the queue machine; someone else walked or led ("walk him", "dẫn ra");
/// the Northern merges (l/n, tr/ch, s/x, -t/-c) read; "công an" is a place of the city; a paper
/// that says one is single is the marital-status certificate.
#[test]
fn round_thirteen_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        ("alo alo, robot nghe rõ không", "chat.greeting", None),
        ("ok google, có nghe không", "chat.greeting", None),
        ("em có nghe bác nói gì không đấy", "chat.greeting", None),
        // the speaker did not hear: repeat, not a hearing check
        ("bác nghe không rõ, em nói lại đi", "chat.repeat", None),
        (
            "cô lễ tân máy ơi, máy photo ở đâu",
            "nav.where_is",
            Some("printing_area"),
        ),
        ("hey robot, play some music for my son", OUT_OF_SCOPE, None),
        ("hát một bài cho bà nghe đi em", OUT_OF_SCOPE, None),
        (
            "chị muốn tự làm hồ sơ trên mạng mà không biết bắt đầu từ đâu",
            "service.online_support",
            None,
        ),
        (
            "dẫn cháu ra chỗ máy in ra số thứ tự với",
            "nav.guide",
            Some("queue_kiosk"),
        ),
        (
            "could you walk him to counter 4",
            "nav.guide",
            Some("counter_4"),
        ),
        (
            "em dẫn ra khu ngồi chờ giúp mẹ tôi",
            "nav.guide",
            Some("waiting_area"),
        ),
        (
            "làm lại bằng nái ở đây được không cháu",
            "proc.driving_license",
            None,
        ),
        (
            "tạm chú cho sinh viên thuê trọ làm thế lào",
            "proc.temporary_residence",
            None,
        ),
        ("cài cái áp i Hà Lội thế nào", "service.ihanoi", None),
        ("chỉ đường ra công an phường", OUT_OF_SCOPE, None),
        (
            "cần tờ giấy xác nhận chưa kết hôn để cưới vợ người Nhật",
            "proc.marital_status",
            None,
        ),
        (
            "đăng ký kết hôn cần giấy tờ gì, có phải xin giấy độc thân không",
            "proc.marriage_registration",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round twelve (probes 86–90): a companion told of is no request for company; "hộ tống" leads; a
/// complaint wanted about a late result is the complaint; a small injury is the medical corner's;
/// a pet told beside a procedure is no question about pets; "chỉ có" (only) is no "show me".
#[test]
fn round_twelve_classes() {
    let twelve: &[(&str, &str, Option<&str>)] = &[
        (
            "bà tôi đi cùng bỗng thấy khó thở, có ai giúp không",
            "amenity.medical",
            None,
        ),
        (
            "em đi cùng bác ra quầy 3 nhé",
            "nav.guide",
            Some("counter_3"),
        ),
        (
            "robot hộ tống chị ra chỗ máy in với",
            "nav.guide",
            Some("printing_area"),
        ),
        (
            "hẹn thứ hai trả kết quả mà giờ chưa có, tôi muốn khiếu nại",
            "service.feedback",
            None,
        ),
        (
            "con bé bị đứt tay chảy máu, có băng không em",
            "amenity.medical",
            None,
        ),
        // "chỉ có" is "only", not "show me"; an accented sentence's "cho" is no "chỗ"
        (
            "trạm sạc chỉ có dây cho điện thoại à, sạc laptop được không",
            "amenity.charging",
            None,
        ),
        (
            "chỉ cho tôi chỗ sạc điện thoại với",
            "nav.where_is",
            Some("charging_station"),
        ),
        // an animal told beside a procedure the classifier is sure of
        (
            "hộ chiếu bị con mèo cào rách mất trang, làm lại thế nào",
            "proc.passport",
            None,
        ),
    ];
    let wrong = misread(twelve);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round eleven (probes 81–85): what a place is or where it stands, checked after naming it;
/// "ô số 7" is a counter; smoking and pets are out of scope, and a dog led is no person; a CV
/// is no judicial record; a document asked about for a procedure named first is that
/// procedure's; "bìa đỏ" is the land certificate; "chỗ hướng dẫn" an app is where the app is
/// helped with.
#[test]
fn round_eleven_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "quầy 4 là cái quầy sát cột kia đúng không",
            "nav.where_is",
            Some("counter_4"),
        ),
        (
            "máy lấy số ở bên trái cửa phải không cháu",
            "nav.where_is",
            Some("queue_kiosk"),
        ),
        ("ô số 11 nằm chỗ nào", "nav.where_is", Some("counter_11")),
        ("ngồi chờ có được hút thuốc không em", OUT_OF_SCOPE, None),
        ("can my dog come inside with me", OUT_OF_SCOPE, None),
        ("cho tôi dắt con mèo vào được không", OUT_OF_SCOPE, None),
        (
            "chứng thực chữ ký trên sơ yếu lý lịch làm ở quầy nào",
            "proc.signature_certification",
            None,
        ),
        (
            "làm lại hộ chiếu có cần mang căn cước không em",
            "proc.passport",
            None,
        ),
        (
            "bìa hồng nhà tôi bị mất, xin lại thế nào",
            "proc.land_certificate",
            None,
        ),
        (
            "chỗ hướng dẫn kích hoạt VNeID ở đâu hả em",
            "nav.where_is",
            Some("online_service_area"),
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Someone living "ở bên" a district is not a place checked.
    let u = nlu().understand("tôi ở bên Long Biên, làm tạm trú ở đây được không");
    assert_ne!(u.intent, "nav.where_is", "{u:?}");
}

/// Round ten (probes 76–80): "đâu" closing a negated clause is "not at all"; a place's side
/// asked with a closing "nhỉ"; "băng dán" is no "dẫn", and someone taken to hospital is a story;
/// a correction names the counter or place meant, even in part; a denial's rest may be out of
/// scope; hunger denied is no hunger; a person asked for outweighs the story; Southern words;
/// where on a website; whom the speaker acts for is not the need.
#[test]
fn round_ten_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "chắc là ở đây không cho sạc điện thoại miễn phí đâu nhỉ",
            "amenity.charging",
            None,
        ),
        (
            "tôi tìm mãi không thấy nhà vệ sinh đâu",
            "nav.where_is",
            Some("restroom"),
        ),
        (
            "quầy 9 chắc là ở tận trong cùng nhỉ",
            "nav.where_is",
            Some("counter_9"),
        ),
        (
            "không cần đo huyết áp đâu, cho xin cái băng dán, tôi bị xước chân",
            "amenity.medical",
            None,
        ),
        (
            "hôm qua đưa bố đi viện nên quên mang căn cước, làm lại căn cước thế nào",
            "proc.id_card",
            None,
        ),
        (
            "take me to counter 4, sorry, 5",
            "nav.guide",
            Some("counter_5"),
        ),
        (
            "quầy 2 ở đâu, à nhầm, ý là chỗ sạc pin điện thoại",
            "nav.where_is",
            Some("charging_station"),
        ),
        (
            "where are the printers, not the ones near the entrance",
            "nav.where_is",
            Some("printing_area"),
        ),
        (
            "I'm not hungry, I feel faint, can someone check my blood pressure",
            "amenity.medical",
            None,
        ),
        ("robot có thích ăn phở không", OUT_OF_SCOPE, None),
        (
            "chuyện thừa kế nhà tôi phức tạp lắm, tôi muốn gặp cán bộ nói chuyện trực tiếp",
            "staff.handoff",
            None,
        ),
        (
            "my daughter was born in Japan, it's complicated, can I speak to a staff member",
            "staff.handoff",
            None,
        ),
        (
            "chỗ này có cho sạc điện thoại hông",
            "amenity.charging",
            None,
        ),
        (
            "tui muốn vô quầy 6 mần giấy khai sanh cho con",
            "proc.birth_registration",
            None,
        ),
        (
            "nộp hồ sơ online rồi mà ảnh chân dung không biết up lên chỗ nào",
            "service.online_support",
            None,
        ),
        (
            "Good evening! I'm here on behalf of my company",
            "chat.greeting",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
    // A need named only to be denied, the rest naming none: not answered confidently.
    let u = nlu().understand("not a passport, I want to book a flight to Da Nang, which airline");
    assert!(u.intent != "proc.passport" || u.confidence < 0.9, "{u:?}");
}

/// Round nine (probes 71–75): whether a copy will do for a procedure is that procedure's
/// question, not a copy made; the hours of something near here are not the centre's; "là quầy
/// nào"; "ngoài … ra" (besides) is no way out.
#[test]
fn round_nine_classes() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "làm hộ chiếu thì mang bản gốc căn cước hay bản photo",
            "proc.passport",
            None,
        ),
        (
            "làm tạm trú có cần bản sao chứng thực căn cước không",
            "proc.temporary_residence",
            None,
        ),
        ("photo căn cước giúp tôi 3 bản", "amenity.printing", None),
        ("nhà thuốc gần đây mấy giờ đóng cửa", OUT_OF_SCOPE, None),
        (
            "quầy 10 là quầy nào hả cháu",
            "nav.where_is",
            Some("counter_10"),
        ),
        (
            "ngoài chỉ đường ra robot còn làm được mấy việc nữa",
            "chat.capabilities",
            None,
        ),
    ];
    let wrong = misread(cases);
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// Round eight (probes 66–70).
#[test]
fn round_eight_classes() {
    // Round eight (probes 66–70): Telex and VNI keystrokes left as letters; "bai bai"; "không
    // hiểu … đâu" is not a where; where to get something, in English, is not sure; homework is
    // small talk; a place's name that runs on past the alias found is not sure.
    let eight: &[(&str, &str, Option<&str>)] = &[
        (
            "quaayf soos 3 nawmf ddaau",
            "nav.where_is",
            Some("counter_3"),
        ),
        ("lamf hooj chieeus mast bao laau", "proc.passport", None),
        (
            "cho tooi hoir nhaf veej sinh",
            "nav.where_is",
            Some("restroom"),
        ),
        ("qua6y2 so61 4 o73 d9a6u", "nav.where_is", Some("counter_4")),
        ("thôi bai bai em nhé", "chat.goodbye", None),
        (
            "nói tiếng Anh đi, tôi không hiểu tiếng Việt đâu",
            "chat.language",
            None,
        ),
        ("help me with my homework please", OUT_OF_SCOPE, None),
    ];
    let wrong = misread(eight);
    assert!(wrong.is_empty(), "{wrong:#?}");
    for text in [
        "where can I get a form for my dad",
        "'Bàn hướng dẫn thủ tục đất đai' ở chỗ nào",
    ] {
        let u = nlu().understand(text);
        assert!(u.confidence < 0.9, "{u:?}");
    }
}
