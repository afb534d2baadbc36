//! Score the router on labelled TSV files and list every miss, in one release build of this crate
//! alone (much quicker to rebuild than the `letan` binary while working on the router).
//!
//!     cargo run --release -p letan-nlu --example score -- [--explain] FILE.tsv [FILE.tsv ...]
//!
//! Output per file: rows, intent and destination accuracy, wrong answers at confidence ≥ 0.9, ECE,
//! then one `MISS` line per wrong answer. The same figures as `letan nlu eval`.

use std::io::Write as _;
use std::process::ExitCode;

/// A line on standard output; a closed pipe (`score … | head`) ends the program quietly instead of
/// panicking as `println!` does.
macro_rules! out {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            return ExitCode::SUCCESS;
        }
    };
}

use letan_nlu::eval::{evaluate, parse_tsv};
use letan_nlu::Nlu;

fn main() -> ExitCode {
    let mut files: Vec<String> = std::env::args().skip(1).collect();
    // --explain: also print each miss's normalized text, out-of-scope reason and alternatives.
    let explain = files.iter().any(|f| f == "--explain");
    files.retain(|f| f != "--explain");
    if files.is_empty() {
        eprintln!("usage: score FILE.tsv [FILE.tsv ...]");
        return ExitCode::from(2);
    }
    let nlu = match Nlu::embedded() {
        Ok(n) => n,
        Err(e) => {
            eprintln!("error: the embedded knowledge base: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut all, mut ok) = (0usize, 0usize);
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: {f}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let (rows, bad) = parse_tsv(&text);
        for (line, why) in &bad {
            eprintln!("{f}:{line}: {why}");
        }
        let r = evaluate(&nlu, &rows);
        let (cw, cwr) = r.confident_wrong(0.9);
        let (dest, n_dest) = r.destination_accuracy();
        out!(
            "{f}: {} rows, intent {:.2}%, destination {:.2}% of {n_dest}, wrong at >= 0.9: {cw} ({:.2}%), ECE {:.3}",
            r.len(),
            100.0 * r.intent_accuracy(),
            100.0 * dest,
            100.0 * cwr,
            r.calibration_error()
        );
        for o in r.outcomes.iter().filter(|o| !o.fully_ok()) {
            out!("  MISS {}", o.describe());
            if explain {
                let u = nlu.understand(&o.example.text);
                out!(
                    "       normalized {:?}, oos {:?}, clarify {}, alternatives {:?}",
                    u.normalized,
                    u.oos_reason,
                    u.needs_clarification,
                    u.alternatives
                );
            }
        }
        all += r.len();
        ok += r.outcomes.iter().filter(|o| o.fully_ok()).count();
    }
    if files.len() > 1 {
        out!(
            "all: {ok}/{all} fully right ({:.2}%)",
            100.0 * ok as f64 / all.max(1) as f64
        );
    }
    ExitCode::SUCCESS
}
