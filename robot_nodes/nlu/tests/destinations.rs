//! Every place of the robot's map (`maps/places.yaml`) can be asked for in at least three kinds
//! of naming: its official Vietnamese name, what people call it (a Vietnamese alias that is not
//! the name), and English. Counters 1–12 in digits, Vietnamese number words and English number
//! words ("quầy mười một", "counter eleven").
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_nlu::Nlu;

const MAP_PLACES: &str = include_str!("../../../maps/places.yaml");

const VI: [&str; 13] = [
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
const EN: [&str; 13] = [
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve",
];

/// The place ids under `places:` in the map's places file.
fn map_place_ids() -> Vec<String> {
    let mut ids = Vec::new();
    let mut inside = false;
    for line in MAP_PLACES.lines() {
        if line.starts_with("places:") {
            inside = true;
            continue;
        }
        if inside {
            if !line.starts_with("  ") {
                break;
            }
            if let Some((id, _)) = line.trim().split_once(':') {
                if !id.starts_with('#') && !id.is_empty() {
                    ids.push(id.to_string());
                }
            }
        }
    }
    ids
}

fn reaches(nlu: &Nlu, text: &str, id: &str) -> Result<(), String> {
    let u = nlu.understand(text);
    if u.destination.as_deref() == Some(id) && u.intent.starts_with("nav.") {
        Ok(())
    } else {
        Err(format!(
            "{text:?}: got {} {:?} ({:.2}), want {id}",
            u.intent, u.destination, u.confidence
        ))
    }
}

#[test]
fn every_map_place_is_reached_by_three_kinds_of_naming() {
    let nlu = Nlu::embedded().unwrap();
    let kb = nlu.kb();
    let ids = map_place_ids();
    assert_eq!(
        ids.len(),
        26,
        "places parsed from maps/places.yaml: {ids:?}"
    );
    let mut errors = Vec::new();
    let mut checked = 0;
    for id in &ids {
        let Some(p) = kb.places.get(id) else {
            errors.push(format!("{id}: in the map, not in kb/places.yaml"));
            continue;
        };
        let kinds: Vec<(&str, Vec<String>)> = if let Some(n) = id.strip_prefix("counter_") {
            let n: usize = n.parse().unwrap();
            vec![
                (
                    "digits",
                    vec![
                        format!("quầy {n} ở đâu"),
                        format!("dẫn tôi đến quầy số {n}"),
                    ],
                ),
                (
                    "vietnamese words",
                    vec![
                        format!("quầy {} ở đâu", VI[n]),
                        format!("cháu dẫn bác ra quầy số {} với", VI[n]),
                    ],
                ),
                (
                    "english words",
                    vec![
                        format!("where is counter {}", EN[n]),
                        format!("please take me to counter {}", EN[n]),
                    ],
                ),
            ]
        } else {
            let name_vi = p.name.vi.to_lowercase();
            let colloquial: Vec<String> = p
                .aliases
                .vi
                .iter()
                .filter(|a| a.to_lowercase() != name_vi)
                .map(|a| format!("cho bác hỏi {a} ở chỗ nào"))
                .collect();
            let mut english = vec![format!("where is the {}", p.name.en.to_lowercase())];
            english.extend(
                p.aliases
                    .en
                    .iter()
                    .map(|a| format!("can you take me to the {a}")),
            );
            vec![
                ("official", vec![format!("{name_vi} ở đâu ạ")]),
                ("colloquial", colloquial),
                ("english", english),
            ]
        };
        for (kind, texts) in kinds {
            if texts.is_empty() {
                errors.push(format!("{id}: no {kind} naming"));
            }
            for t in texts {
                checked += 1;
                if let Err(e) = reaches(&nlu, &t, id) {
                    errors.push(format!("{id} ({kind}): {e}"));
                }
            }
        }
    }
    println!("{checked} namings checked over {} places", ids.len());
    assert!(
        errors.is_empty(),
        "{} failures:\n{}",
        errors.len(),
        errors.join("\n")
    );
}

#[test]
fn counters_eleven_and_twelve_in_words() {
    let nlu = Nlu::embedded().unwrap();
    for (t, id) in [
        ("quầy mười một ở đâu", "counter_11"),
        ("quầy số mười hai ở đâu cháu", "counter_12"),
        ("counter eleven please, where is it", "counter_11"),
        ("take me to counter twelve", "counter_12"),
        ("quay muoi mot o dau", "counter_11"),
    ] {
        reaches(&nlu, t, id).unwrap();
    }
}

#[test]
fn a_denied_or_corrected_place_is_not_the_destination() {
    let nlu = Nlu::embedded().unwrap();
    for (t, id) in [
        (
            "à nhầm, không phải quầy 3 mà là quầy 8, dẫn tôi đi",
            "counter_8",
        ),
        ("dẫn tôi tới quầy 8 chứ không phải quầy 3", "counter_8"),
        ("quầy số 3, à nhầm, quầy số 8 ở đâu", "counter_8"),
        (
            "not counter three but counter eight, where is that",
            "counter_8",
        ),
        ("where is counter eight, not counter three", "counter_8"),
        // a number begun and said again: the later one
        ("cho hỏi quầy mười, mười hai ở chỗ nào", "counter_12"),
        ("quầy số 1... quầy số 12 ở đâu", "counter_12"),
        ("take me to counter 3, sorry, I mean counter 8", "counter_8"),
        ("không phải quầy 3, dẫn tôi ra nhà vệ sinh", "restroom"),
        // a place taken back for a later one
        (
            "dẫn bác ra nhà vệ sinh, à không, ra cây nước uống",
            "water_station",
        ),
        ("where is the restroom, sorry, I mean the exit", "exit"),
        // two counters, no denial: the first named, as before
        ("quầy 3 với quầy 8 ở đâu", "counter_3"),
    ] {
        reaches(&nlu, t, id).unwrap();
    }
    // the only place named is denied: no destination (the robot asks where)
    let u = nlu.understand("không phải quầy 3 đâu em");
    assert_ne!(u.destination.as_deref(), Some("counter_3"), "{u:?}");
}

#[test]
fn english_words_of_an_alias_match_in_other_forms() {
    let nlu = Nlu::embedded().unwrap();
    // "disability desk" said as "disabled": one stem
    reaches(
        &nlu,
        "take me to the desk for disabled citizens",
        "accessibility_desk",
    )
    .unwrap();
    reaches(
        &nlu,
        "where do disabled folks get help, which desk",
        "accessibility_desk",
    )
    .unwrap();
}
