//! `letan ask "<text>"`: what the robot understands and answers.

use anyhow::Context;

/// Ask the robot something (intent, slots, confidence, answer).
#[derive(clap::Args)]
pub struct Args {
    /// The utterance, e.g. "quầy số bảy ở đâu".
    pub text: String,
    /// Knowledge-base directory to use instead of the built-in copy.
    #[arg(long)]
    pub kb: Option<std::path::PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let nlu = super::nlu::load(args.kb.as_deref())?;
    let u = nlu.understand(&args.text);
    let a = nlu.answer(&u);
    let mut s = String::new();
    let slots = match (&u.destination, u.language) {
        (Some(d), _) => format!("destination={d}"),
        (None, Some(l)) => format!("language={}", l.code()),
        (None, None) => "(none)".to_string(),
    };
    let alts: Vec<String> = u
        .alternatives
        .iter()
        .map(|(l, p)| format!("{l} {p:.2}"))
        .collect();
    s.push_str(&format!("intent:       {}\n", u.intent));
    s.push_str(&format!("slots:        {slots}\n"));
    s.push_str(&format!("confidence:   {:.3}\n", u.confidence));
    s.push_str(&format!("lang:         {}\n", u.lang.code()));
    s.push_str(&format!("alternatives: {}\n", alts.join(", ")));
    if u.needs_clarification {
        s.push_str("clarify:      yes (ask which alternative was meant)\n");
    }
    s.push_str(&format!("normalized:   {}\n", u.normalized));
    s.push_str(&format!("answer:       {}\n", a.spoken));
    s.push_str(&format!("screen:\n{}\n", a.screen));
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, s.as_bytes()).context("writing to stdout")?;
    Ok(())
}
