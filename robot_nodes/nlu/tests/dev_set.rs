//! Accuracy on the development set (`tests/data/nlu_dev.tsv`, a copy of `shared/data`).
//!
//! - The shipped router is trained only on the knowledge base: a held-out measure (although
//!   the knowledge base was written while looking at the dev set's errors, so it is optimistic).
//! - k-fold cross-validation: each dev fold is tested by a router trained on the knowledge base
//!   plus the other folds, never on the fold itself.
//! - k-fold cross-validation on the knowledge base's own phrases, without any dev data: the
//!   check that the classifier generalises beyond what it memorised.
//!
//! Floors are below the measured figures (recorded in the crate README) by a margin for
//! legitimate knowledge-base edits; a drop below them is a real regression.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_nlu::eval::{cross_validate, cross_validate_kb, evaluate, parse_tsv};
use letan_nlu::{Kb, Nlu, NluConfig};

const DEV: &str = include_str!("data/nlu_dev.tsv");

#[test]
fn dev_set_parses_completely() {
    let (rows, bad) = parse_tsv(DEV);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(rows.len(), 285);
}

#[test]
fn kb_only_router_on_dev_set() {
    let nlu = Nlu::embedded().unwrap();
    let (rows, _) = parse_tsv(DEV);
    let r = evaluate(&nlu, &rows);
    println!("{}", r.summary(40));
    for o in r.outcomes.iter().filter(|o| !o.fully_ok()) {
        println!("MISS {}", o.describe());
    }
    assert!(r.intent_accuracy() >= 0.96, "{:.4}", r.intent_accuracy());
    assert!(r.destination_accuracy().0 >= 0.95);
    let (p, rc) = r.oos_precision_recall();
    assert!(p >= 0.8 && rc >= 0.8, "oos {p} {rc}");
    for (style, acc, n) in r.per_style() {
        assert!(acc >= 0.9, "{} {acc} ({n})", style.name());
    }
}

#[test]
fn dev_set_cross_validated() {
    let kb = Kb::embedded().unwrap();
    let (rows, _) = parse_tsv(DEV);
    let r = cross_validate(&kb, &NluConfig::default(), &rows, 5).unwrap();
    println!("DEV 5-fold:\n{}", r.summary(15));
    assert_eq!(r.len(), rows.len());
    assert!(r.intent_accuracy() >= 0.96, "{:.4}", r.intent_accuracy());
    assert!(r.destination_accuracy().0 >= 0.95);
}

#[test]
fn kb_phrases_cross_validated() {
    let kb = Kb::embedded().unwrap();
    let r = cross_validate_kb(&kb, &NluConfig::default(), 5).unwrap();
    println!("KB 5-fold:\n{}", r.summary(15));
    assert!(r.intent_accuracy() >= 0.82, "{:.4}", r.intent_accuracy());
}

/// Accuracy on the probe sentences that are not also knowledge-base phrases. None of a probe's
/// sentences may be added to the knowledge base: that would make it a training set and the figure
/// meaningless.
fn probe_accuracy(tsv: &str, rows_expected: usize, unseen_at_least: usize) -> (f64, f64) {
    let nlu = Nlu::embedded().unwrap();
    let (rows, bad) = parse_tsv(tsv);
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(rows.len(), rows_expected);
    let kb = Kb::embedded().unwrap();
    let phrases: std::collections::HashSet<String> = kb
        .intents
        .values()
        .flat_map(|i| i.examples.iter().map(|e| e.to_lowercase()))
        .collect();
    // Short, common sentences ("thank you so much") may coincide with a knowledge-base phrase;
    // those are not a test of generalisation and are left out.
    let (seen, unseen): (Vec<_>, Vec<_>) = rows
        .into_iter()
        .partition(|r| phrases.contains(&r.text.to_lowercase()));
    println!("left out (also knowledge-base phrases): {seen:?}");
    assert!(unseen.len() >= unseen_at_least, "{} unseen", unseen.len());
    let r = evaluate(&nlu, &unseen);
    println!("{}", r.summary(20));
    (r.intent_accuracy(), r.destination_accuracy().0)
}

/// `tests/data/heldout_probe.tsv`: 185 utterances the developers wrote on 2026-12-02 in the dev
/// set's mix of styles (natural, ASR-style lowercase, no diacritics, English), independently of the
/// dev set and before the router saw them; the first run scored 99 % and 96.5 % on its two halves.
/// Labels follow the dev set's convention ("<place> ở đâu", "muốn ra <place>" is `nav.where_is`
/// with the place).
#[test]
fn held_out_probe_written_apart_from_the_dev_set() {
    let (intent, destination) = probe_accuracy(include_str!("data/heldout_probe.tsv"), 185, 155);
    assert!(intent >= 0.96, "{intent:.4}");
    assert!(destination >= 0.95, "{destination:.4}");
}

/// `tests/data/probe2_elderly_asr.tsv`: 116 utterances written on 2026-12-02 (a second session)
/// in the styles the first probe had least of: long elderly sentences with fillers ("ờ cho bác
/// hỏi…"), colloquial words ("mới đẻ"), misheard syllables from a recognizer ("khai xinh", "tạm
/// chú", "căng cước", "vê nê ai đi"), time words, no diacritics, and English. Its first run, before
/// any change, scored 113 of 116 (97.4 %; 101 of the 104 that are not also knowledge-base
/// phrases, 97.1 %). The three misses were fixed without adding its sentences:
/// time words ("hôm qua") had leaned towards death registration through "qua đời", "sổ hộ khẩu"
/// outweighed "khai sinh", and "ngồi chờ" was not a name of the waiting area. Since then it is a
/// regression set, not a held-out measure.
#[test]
fn second_probe_of_elderly_and_recognizer_style_speech() {
    let (intent, destination) =
        probe_accuracy(include_str!("data/probe2_elderly_asr.tsv"), 116, 100);
    assert!(intent >= 0.97, "{intent:.4}");
    assert!(destination >= 0.95, "{destination:.4}");
}

/// `tests/data/probe3_typed_english_oos.tsv`: 90 utterances written after the second probe's fixes:
/// 30 typed without diacritics, 34 in English (some in a foreigner's phrasing), 11 out of scope
/// that look like lobby questions ("đổi ngoại tệ ở đâu", "mấy giờ rồi cháu"), and 15 spoken
/// Vietnamese. First run, before any change: **81 of 90 (90.0 %)**, or 69 of the 78 that are not
/// also knowledge-base phrases (88.5 %). The misses and their
/// fixes, none by adding the probe's sentences:
/// - "where is X" with X not in the centre read as navigation. The `UnknownPlace` rule now makes it
///   out of scope, with its own answer.
/// - "vietnamese" pulled towards chat.language, "passport" outweighed "notarize a copy", and money,
///   time and social-insurance questions read as services. Phrases were added to each side.
/// - "the forms" and "ghế ngồi" were not place names.
///
/// Two misses are left. "gặp ai đó hỏi về đất đai" is debatable: consultation or land. In "đưa
/// bác ra cửa" the bare "cửa" names no place: "ra cửa" as a name of the exit would take "ra cửa
/// chính" from the entrance, and "cửa" alone would match "cửa hàng" (a shop). Since those fixes
/// it is a regression set.
#[test]
fn third_probe_of_typed_english_and_look_alike_out_of_scope() {
    let (intent, destination) =
        probe_accuracy(include_str!("data/probe3_typed_english_oos.tsv"), 90, 75);
    assert!(intent >= 0.97, "{intent:.4}");
    // 10 of 11: "ra cửa" (above)
    assert!(destination >= 0.9, "{destination:.4}");
}

/// `tests/data/probe4_dev_style.tsv`: 80 utterances in the dev set's own style (capitalized and
/// punctuated Vietnamese, some without diacritics, some spoken, English), one or more per intent,
/// written after the third probe's fixes. First run: 75 of 80. Three of the misses were my labels
/// against the dev convention: "chữ ký số … làm ở đâu" and "ngồi chờ ở đâu" are `nav.where_is`,
/// and home visits for the elderly are `service.collaborators`. With those labels corrected, the
/// first run is **78 of 80 (97.5 %)**. One miss was fixed by the KB: "có bán tờ khai không" is
/// about forms, not printing. One is left: adoption, which is not in the catalog, reads as legal
/// consultation.
#[test]
fn fourth_probe_in_the_dev_sets_style() {
    let (intent, destination) = probe_accuracy(include_str!("data/probe4_dev_style.tsv"), 80, 65);
    assert!(intent >= 0.97, "{intent:.4}");
    assert!(destination >= 0.95, "{destination:.4}");
}

/// A clarification costs an elderly citizen a turn: on the dev set, the vague-request rule must
/// stay rare (it is meant for "đăng ký", not for real questions).
#[test]
fn clarification_questions_stay_rare_on_the_dev_set() {
    let nlu = Nlu::embedded().unwrap();
    let (rows, _) = parse_tsv(DEV);
    let asked: Vec<_> = rows
        .iter()
        .filter(|r| nlu.understand(&r.text).needs_clarification)
        .map(|r| r.text.as_str())
        .collect();
    println!(
        "clarification asked on {} of {}: {asked:?}",
        asked.len(),
        rows.len()
    );
    assert!(asked.len() * 100 <= rows.len() * 3, "{asked:?}");
}
