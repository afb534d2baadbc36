//! Method selection: run with `cargo test --release -p letan-nlu --test tune -- --ignored --nocapture`.
//! Prints KB-only dev accuracy and 5-fold cross-validated figures for several settings.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use letan_nlu::eval::{cross_validate, cross_validate_kb, evaluate, parse_tsv};
use letan_nlu::{Kb, Nlu, NluConfig};

const DEV: &str = include_str!("data/nlu_dev.tsv");

fn run(name: &str, cfg: NluConfig) {
    let kb = Kb::embedded().unwrap();
    let (rows, _) = parse_tsv(DEV);
    let nlu = Nlu::new(kb.clone(), cfg.clone()).unwrap();
    let r = evaluate(&nlu, &rows);
    let cv = cross_validate(&kb, &cfg, &rows, 5).unwrap();
    let kcv = cross_validate_kb(&kb, &cfg, 5).unwrap();
    let (p, rc) = r.oos_precision_recall();
    let styles: Vec<String> = r
        .per_style()
        .iter()
        .map(|(s, a, _)| format!("{}={:.1}", s.name(), 100.0 * a))
        .collect();
    println!(
        "{name:<28} kb-only {:.2}% dest {:.1}% oosP {:.0}% oosR {:.0}% | dev-cv {:.2}% | kb-cv {:.2}% | ece {:.3} | {}",
        100.0 * r.intent_accuracy(),
        100.0 * r.destination_accuracy().0,
        100.0 * p,
        100.0 * rc,
        100.0 * cv.intent_accuracy(),
        100.0 * kcv.intent_accuracy(),
        r.calibration_error(),
        styles.join(" ")
    );
}

type Tweak = Box<dyn Fn(&mut NluConfig)>;

#[test]
#[ignore = "method selection, prints a table"]
fn compare_settings() {
    let base = NluConfig::default();
    run("default", base.clone());
    let variants: Vec<(&str, Tweak)> = vec![
        (
            "words only (no char n-grams)",
            Box::new(|c| {
                c.classifier.char_min = 0;
                c.classifier.char_max = 0;
            }),
        ),
        (
            "chars 2-4",
            Box::new(|c| {
                c.classifier.char_min = 2;
                c.classifier.char_max = 4;
            }),
        ),
        (
            "chars 3-6",
            Box::new(|c| {
                c.classifier.char_min = 3;
                c.classifier.char_max = 6;
            }),
        ),
        (
            "no accent features",
            Box::new(|c| c.classifier.accent_features = false),
        ),
        (
            "phonetic features (tr/ch, s/x, l/n ...)",
            Box::new(|c| c.classifier.phonetic_features = true),
        ),
        (
            "no plain augmentation",
            Box::new(|c| c.classifier.augment_plain = false),
        ),
        (
            "no word bigrams",
            Box::new(|c| c.classifier.word_bigrams = false),
        ),
        (
            "oos class weight 0.5",
            Box::new(|c| c.classifier.oos_weight = 0.5),
        ),
        ("epochs 4", Box::new(|c| c.classifier.epochs = 4)),
        ("epochs 12", Box::new(|c| c.classifier.epochs = 12)),
        ("lr 1", Box::new(|c| c.classifier.learning_rate = 1.0)),
        ("lr 8", Box::new(|c| c.classifier.learning_rate = 8.0)),
        (
            "temperature 0.7",
            Box::new(|c| c.classifier.temperature = 0.7),
        ),
        (
            "temperature 0.7, oos 0.3",
            Box::new(|c| {
                c.classifier.temperature = 0.7;
                c.oos_threshold = 0.3;
            }),
        ),
        ("oos threshold 0.15", Box::new(|c| c.oos_threshold = 0.15)),
        ("oos threshold 0.3", Box::new(|c| c.oos_threshold = 0.3)),
    ];
    for (name, f) in variants {
        let mut c = base.clone();
        f(&mut c);
        run(name, c);
    }
}
