//! The knowledge base: complete for the catalog in both languages, every fact sourced and
//! dated, errors located by file and line, and hot reload keeps the old base on bad input.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_nlu::catalog::{INTENTS, PLACES};
use letan_nlu::kb::{read_dir_files, Kb, EMBEDDED, MAX_SPOKEN_CHARS};
use letan_nlu::{NluConfig, NluError, ReloadOutcome, Reloader};

fn kb_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../kb")
}

fn files() -> Vec<(String, String)> {
    EMBEDDED
        .iter()
        .map(|&(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

#[test]
fn embedded_copy_matches_the_kb_directory() {
    let on_disk = read_dir_files(&kb_dir()).unwrap();
    let mut a: Vec<_> = on_disk.iter().map(|(n, _)| n.clone()).collect();
    let mut b: Vec<_> = EMBEDDED.iter().map(|(n, _)| n.to_string()).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b, "every file in kb/ must be listed in kb::EMBEDDED");
    for (n, t) in &on_disk {
        let e = EMBEDDED.iter().find(|(m, _)| m == n).unwrap();
        assert_eq!(e.1, t, "{n} differs from the embedded copy (rebuild)");
    }
}

#[test]
fn every_intent_and_place_in_both_languages() {
    let kb = Kb::embedded().unwrap();
    assert_eq!(kb.intents.len(), INTENTS.len());
    for id in INTENTS {
        let e = &kb.intents[*id];
        assert!(
            !e.spoken.vi.trim().is_empty() && !e.spoken.en.trim().is_empty(),
            "{id}"
        );
        assert!(e.spoken.vi.chars().count() <= MAX_SPOKEN_CHARS, "{id}");
        assert!(e.spoken.en.chars().count() <= MAX_SPOKEN_CHARS, "{id}");
        if id.starts_with("proc.") {
            for s in [&e.screen.vi, &e.screen.en] {
                for f in [&s.documents, &s.where_, &s.time, &s.fee, &s.online] {
                    assert!(f.as_deref().is_some_and(|x| !x.trim().is_empty()), "{id}");
                }
            }
        }
        let n = e.examples.len() + e.templates.as_ref().map_or(0, |t| t.vi.len() + t.en.len());
        assert!(n >= 8, "{id} has {n} example phrases");
    }
    assert_eq!(kb.places.len(), PLACES.len());
    for id in PLACES {
        let p = &kb.places[*id];
        assert!(!p.name.vi.is_empty() && !p.name.en.is_empty(), "{id}");
        assert!(
            !p.description.vi.is_empty() && !p.description.en.is_empty(),
            "{id}"
        );
    }
}

#[test]
fn every_fact_has_a_known_source_and_a_reviewed_date() {
    let kb = Kb::embedded().unwrap();
    let mut facts = 0;
    for (id, e) in &kb.intents {
        for f in &e.facts {
            facts += 1;
            assert!(kb.sources.contains_key(&f.source), "{id}: {}", f.source);
            let d = f.reviewed.as_bytes();
            assert!(
                d.len() == 10 && d[4] == b'-' && d[7] == b'-',
                "{id}: {}",
                f.reviewed
            );
        }
        if e.facts.iter().any(|f| f.uncertain) {
            assert!(
                e.screen.vi.note.is_some() && e.screen.en.note.is_some(),
                "{id}"
            );
        }
    }
    assert!(facts >= 60, "only {facts} facts");
}

#[test]
fn training_phrases_do_not_copy_the_dev_set() {
    let kb = Kb::embedded().unwrap();
    let dev = include_str!("data/nlu_dev.tsv");
    let norm = |s: &str| letan_nlu::normalize::normalize(s).plain();
    let dev: std::collections::HashSet<String> = dev
        .lines()
        .skip(1)
        .map(|l| norm(l.split('\t').next().unwrap_or("")))
        .collect();
    // Hand-written examples only: template expansions ("{place} ở đâu") are generic.
    let copied: Vec<String> = kb
        .intents
        .values()
        .flat_map(|e| e.examples.iter())
        .filter(|t| dev.contains(&norm(t)))
        .cloned()
        .collect();
    // Very short phrases ("xin chào", "thanks") may coincide.
    let long: Vec<&String> = copied
        .iter()
        .filter(|t| t.split_whitespace().count() > 3)
        .collect();
    assert!(long.is_empty(), "dev utterances in the examples: {long:?}");
}

fn issues(files: Vec<(String, String)>) -> Vec<letan_nlu::KbIssue> {
    match Kb::parse(files) {
        Err(NluError::Kb(i)) => i,
        other => panic!("expected KB errors, got {other:?}"),
    }
}

#[test]
fn errors_name_file_and_line() {
    // A YAML syntax error.
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/chat.yaml")
        .unwrap();
    *t = t.replacen("    spoken:", "    spoken: [", 1);
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.file == "intents/chat.yaml" && x.line > 0),
        "{i:?}"
    );
    // Only that: the intents of the file that did not parse are not also "missing" (the hub's
    // upload page once listed "intent chat.greeting has no entry" … under the real error).
    assert_eq!(i.len(), 1, "{i:?}");

    // A fact citing an unknown source, and a bad date, in proc_civil.yaml.
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/proc_civil.yaml")
        .unwrap();
    let line = t
        .lines()
        .position(|l| l.contains("source: DVC-1.000656"))
        .unwrap()
        + 1;
    *t = t.replacen("source: DVC-1.000656", "source: NO-SUCH-SOURCE", 1);
    *t = t.replacen("reviewed: 2026-04-16", "reviewed: 16/04/2026", 1);
    let i = issues(f);
    let unknown = i
        .iter()
        .find(|x| x.message.contains("NO-SUCH-SOURCE"))
        .unwrap();
    assert_eq!(unknown.file, "intents/proc_civil.yaml");
    assert!(
        unknown.line > 0 && unknown.line <= line,
        "{unknown:?} vs {line}"
    );
    assert!(i.iter().any(|x| x.message.contains("16/04/2026")), "{i:?}");

    // A missing intent and a missing English answer; every problem is reported.
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/service.yaml")
        .unwrap();
    *t = t.replacen(
        "  - intent: service.kiosk",
        "  - intent: service.kiosk_typo",
        1,
    );
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.message.contains("service.kiosk has no entry")),
        "{i:?}"
    );
    assert!(i.iter().any(|x| x
        .message
        .contains("unknown intent id \"service.kiosk_typo\"")
        && x.line > 0));

    // Three spoken sentences are too many.
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/chat.yaml")
        .unwrap();
    *t = t.replacen(
        "en: \"Hello, I am the reception robot. How can I help you?\"",
        "en: \"Hello. I am the reception robot. How can I help you?\"",
        1,
    );
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.message.contains("more than 2 sentences") && x.line > 0),
        "{i:?}"
    );
}

#[test]
fn an_empty_or_overlong_title_and_a_missing_one_are_reported() {
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/amenity.yaml")
        .unwrap();
    *t = t.replacen(
        "title: {vi: \"Wifi miễn phí\", en: \"Free wifi\"}",
        "title: {vi: \"  \", en: \"Free wifi for everyone who comes to the centre today\"}",
        1,
    );
    let i = issues(f);
    for want in [
        "amenity.wifi: empty vi title",
        "amenity.wifi: en title is longer than 40 characters",
    ] {
        assert!(
            i.iter().any(|x| x.message.contains(want)
                && x.file == "intents/amenity.yaml"
                && x.line > 0),
            "{want}: {i:?}"
        );
    }
    // No title at all: the file does not parse, with its line.
    let mut f = files();
    let (_, t) = f
        .iter_mut()
        .find(|(n, _)| n == "intents/amenity.yaml")
        .unwrap();
    *t = t.replacen(
        "    title: {vi: \"Wifi miễn phí\", en: \"Free wifi\"}\n",
        "",
        1,
    );
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.file == "intents/amenity.yaml" && x.message.contains("title")),
        "{i:?}"
    );
}

#[test]
fn reload_keeps_the_old_base_when_the_new_one_is_invalid() {
    let mut r = Reloader::new(files(), NluConfig::default()).unwrap();
    assert!(matches!(r.offer(files()), ReloadOutcome::Unchanged));
    let before = r.nlu().understand("wifi mật khẩu là gì").intent;
    assert_eq!(before, "amenity.wifi");

    let mut broken = files();
    broken.retain(|(n, _)| n != "intents/amenity.yaml");
    match r.offer(broken.clone()) {
        ReloadOutcome::Rejected(NluError::Kb(i)) => {
            assert!(i.iter().any(|x| x.message.contains("amenity.wifi")))
        }
        other => panic!("{other:?}"),
    }
    // Still answering from the previous base, and the same broken files are not retried.
    assert_eq!(
        r.nlu().understand("wifi mật khẩu là gì").intent,
        "amenity.wifi"
    );
    assert!(matches!(r.offer(broken), ReloadOutcome::Unchanged));

    // A valid change is picked up.
    let mut changed = files();
    let (_, t) = changed
        .iter_mut()
        .find(|(n, _)| n == "intents/amenity.yaml")
        .unwrap();
    *t = t.replacen("Ở đây có wifi miễn phí.", "Trung tâm có wifi miễn phí.", 1);
    assert!(matches!(r.offer(changed), ReloadOutcome::Reloaded));
    let u = r.nlu().understand("wifi mật khẩu là gì");
    assert!(r.nlu().answer(&u).spoken.starts_with("Trung tâm có wifi"));
}

#[test]
fn every_prompt_in_both_languages_and_prompt_errors_located() {
    let kb = Kb::embedded().unwrap();
    for id in letan_nlu::catalog::PROMPTS {
        let t = &kb.prompts[*id];
        assert!(!t.vi.trim().is_empty() && !t.en.trim().is_empty(), "{id}");
        assert_eq!(kb.prompt(id, letan_nlu::Language::Vi), t.vi);
    }
    let prompt_file = |f: &mut Vec<(String, String)>| -> usize {
        f.iter().position(|(n, _)| n == "prompts.yaml").unwrap()
    };
    // A prompt id removed: reported in prompts.yaml at the `prompts:` line.
    let mut f = files();
    let k = prompt_file(&mut f);
    let text = f[k].1.clone();
    let header = text.lines().position(|l| l == "prompts:").unwrap() + 1;
    f[k].1 = text.replacen("- prompt: farewell", "- prompt: farewell_typo", 1);
    let i = issues(f);
    assert!(
        i.iter().any(|x| x.file == "prompts.yaml"
            && x.line == header
            && x.message.contains("prompt farewell is missing")),
        "{i:?}"
    );
    let typo_line = text
        .lines()
        .position(|l| l.contains("- prompt: farewell"))
        .unwrap()
        + 1;
    assert!(
        i.iter()
            .any(|x| x.line == typo_line
                && x.message.contains("unknown prompt id \"farewell_typo\"")),
        "{i:?}"
    );
    // An English text missing: a located YAML error naming the field.
    let mut f = files();
    let k = prompt_file(&mut f);
    let en_line = text
        .lines()
        .position(|l| l.contains("en: \"Goodbye, and good luck"))
        .unwrap();
    let without: Vec<&str> = text
        .lines()
        .enumerate()
        .filter(|(j, _)| *j != en_line)
        .map(|(_, l)| l)
        .collect();
    f[k].1 = without.join("\n");
    let i = issues(f);
    assert!(
        i.iter().any(|x| x.file == "prompts.yaml"
            && x.line > 0
            && x.line <= en_line + 1
            && x.message.contains("missing field `en`")),
        "{i:?}"
    );
    // An empty Vietnamese text, and the file missing altogether.
    let mut f = files();
    let k = prompt_file(&mut f);
    f[k].1 = text.replacen("vi: \"Xin chào!\"", "vi: \"  \"", 1);
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.message.contains("prompt home.title: empty vi text") && x.line > 0),
        "{i:?}"
    );
    let mut f = files();
    let k = prompt_file(&mut f);
    f.remove(k);
    let i = issues(f);
    assert!(
        i.iter()
            .any(|x| x.file == "prompts.yaml" && x.message == "missing file"),
        "{i:?}"
    );
}

#[test]
fn prompt_placeholders_known_and_filled_in_one_pass() {
    use letan_nlu::Language;
    let kb = Kb::embedded().unwrap();
    // Every placeholder of every prompt is one the dialog fills in.
    for id in letan_nlu::catalog::PROMPTS {
        for lang in [Language::Vi, Language::En] {
            let filled = kb.prompt_with(
                id,
                lang,
                &letan_nlu::catalog::prompt_placeholders(id)
                    .iter()
                    .map(|n| (*n, "X"))
                    .collect::<Vec<_>>(),
            );
            assert!(!filled.contains('{'), "{id} {lang:?}: {filled}");
        }
    }
    // Filled in one pass: a value holding a placeholder is left as it is.
    assert_eq!(
        kb.prompt_with("guide.offer", Language::En, &[("place", "{place}")]),
        "Shall I take you to the {place}?"
    );
    // An unknown placeholder: reported at the prompt's line, with the ones it may use.
    let mut f = files();
    let k = f.iter().position(|(n, _)| n == "prompts.yaml").unwrap();
    let text = f[k].1.clone();
    f[k].1 = text.replacen(
        "Shall I take you to the {place}?",
        "Shall I take you to the {plcae}?",
        1,
    );
    let line = text
        .lines()
        .position(|l| l.contains("- prompt: guide.offer"))
        .unwrap()
        + 1;
    let i = issues(f);
    assert!(
        i.iter().any(|x| x.file == "prompts.yaml"
            && x.line == line
            && x.message
                == "prompt guide.offer: unknown placeholder {plcae} in the en text (known: place)"),
        "{i:?}"
    );
}
