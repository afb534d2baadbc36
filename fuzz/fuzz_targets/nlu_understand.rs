//! `Nlu::understand` and `Nlu::answer` on arbitrary UTF-8 (the router trained once from the embedded KB).
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static NLU: OnceLock<letan_nlu::Nlu> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let nlu = NLU.get_or_init(|| letan_nlu::Nlu::embedded().expect("embedded KB"));
    let text = String::from_utf8_lossy(data);
    // Huge inputs: the first byte (when it is a digit) repeats the text, up to ~1 MB.
    let text = match data.first() {
        Some(d @ b'1'..=b'9') if data.len() > 1 => {
            let n = (usize::from(d - b'0') * 1000).min((1 << 20) / data.len().max(1));
            text[1..].repeat(n.max(1))
        }
        _ => text.into_owned(),
    };
    let u = nlu.understand(&text);
    let _ = nlu.answer(&u);
});
