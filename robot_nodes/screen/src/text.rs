//! Checks on what the citizen sends: typed text cleaning, topic ids, and the rate limit.
use std::time::{Duration, Instant};
use unicode_normalization::UnicodeNormalization;

/// Longest topic id (bytes).
pub const MAX_TOPIC_ID_BYTES: usize = 64;

/// Invisible characters that can reorder or hide text (bidi overrides, zero-width marks, BOM).
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}')
}

/// Clean a typed question: Unicode NFC (so "ế" typed as e + marks becomes one character), line
/// breaks and tabs become spaces, other control characters and invisible bidi/zero-width characters
/// are removed, runs of spaces collapse to one, and the ends are trimmed.
pub fn clean_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    for c in raw.nfc() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if c.is_control() || is_invisible_format(c) {
            continue;
        }
        if pending_space && !out.is_empty() {
            out.push(' ');
        }
        pending_space = false;
        out.push(c);
    }
    out
}

/// A topic id is an intent id: `^[a-z]+\.[a-z_]+$`, at most [`MAX_TOPIC_ID_BYTES`].
pub fn valid_topic_id(id: &str) -> bool {
    if id.len() > MAX_TOPIC_ID_BYTES {
        return false;
    }
    let Some((domain, name)) = id.split_once('.') else {
        return false;
    };
    !domain.is_empty()
        && domain.bytes().all(|b| b.is_ascii_lowercase())
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
}

/// A token bucket: `burst` requests at once, then `rate_per_s` per second. Time is passed in.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    rate_per_s: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(rate_per_s: f64, burst: u32) -> Self {
        let burst = f64::from(burst.max(1));
        TokenBucket {
            rate_per_s: rate_per_s.max(f64::MIN_POSITIVE),
            burst,
            tokens: burst,
            last: None,
        }
    }

    /// Take one token at `now`, or say how long until one is there.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        if let Some(last) = self.last {
            let dt = now.saturating_duration_since(last).as_secs_f64();
            self.tokens = (self.tokens + dt * self.rate_per_s).min(self.burst);
        }
        self.last = Some(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - self.tokens) / self.rate_per_s;
            Err(Duration::from_secs_f64(wait.min(3600.0)))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cleans_controls_spaces_and_normalizes() {
        assert_eq!(
            clean_text("  khai\tsinh \n\n cho   con  "),
            "khai sinh cho con"
        );
        assert_eq!(clean_text("a\u{0}b\u{7}c\u{1b}[31m"), "abc[31m");
        assert_eq!(clean_text("\u{202E}evil\u{200B}"), "evil");
        // e + combining circumflex + combining acute -> one precomposed "ế"
        let composed = clean_text("tie\u{0302}\u{0301}ng");
        assert_eq!(composed, "tiếng");
        assert_eq!(composed.chars().count(), 5);
        assert_eq!(clean_text(" \r\n\t "), "");
    }

    #[test]
    fn topic_ids() {
        for ok in [
            "proc.birth_registration",
            "nav.restroom",
            "a.b",
            "proc.id_card",
        ] {
            assert!(valid_topic_id(ok), "{ok}");
        }
        let long = format!("proc.{}", "a".repeat(60));
        for bad in [
            "",
            "proc",
            "proc.",
            ".x",
            "Proc.birth",
            "proc.birth-registration",
            "proc.birth.registration",
            "proc.birth registration",
            "proc1.x",
            "proc.x2",
            "proc.khai_sinh_ở",
            long.as_str(),
        ] {
            assert!(!valid_topic_id(bad), "{bad:?}");
        }
        assert!(valid_topic_id(&format!("proc.{}", "a".repeat(59))));
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // a test of wall-clock pacing
    fn bucket_allows_burst_then_rate() {
        let t0 = Instant::now();
        let mut b = TokenBucket::new(2.0, 3);
        for _ in 0..3 {
            b.try_take(t0).unwrap();
        }
        let wait = b.try_take(t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6, "{wait:?}");
        assert!(b.try_take(t0 + Duration::from_millis(400)).is_err());
        b.try_take(t0 + Duration::from_millis(520)).unwrap();
        // a long pause refills only up to the burst
        let later = t0 + Duration::from_secs(60);
        for _ in 0..3 {
            b.try_take(later).unwrap();
        }
        assert!(b.try_take(later).is_err());
    }
}
