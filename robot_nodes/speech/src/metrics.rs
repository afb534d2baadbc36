//! Recognition metrics.

/// Word errors (substitutions + deletions + insertions, by Levenshtein distance over words,
/// case-insensitive) of `hyp` against `reference`, and the number of reference words.
pub fn word_errors(reference: &str, hyp: &str) -> (usize, usize) {
    let r: Vec<String> = reference
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let h: Vec<String> = hyp.split_whitespace().map(str::to_lowercase).collect();
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = Vec::with_capacity(h.len() + 1);
        cur.push(i + 1);
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    (prev[h.len()], r.len())
}

/// Word error rate in [0, ∞) (0 when the reference is empty and so is the hypothesis).
pub fn wer(reference: &str, hyp: &str) -> f64 {
    let (e, n) = word_errors(reference, hyp);
    if n == 0 {
        return if e == 0 { 0.0 } else { 1.0 };
    }
    e as f64 / n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_substitutions_deletions_insertions() {
        assert_eq!(
            word_errors("nhà vệ sinh ở đâu", "nhà vệ sinh ở đâu"),
            (0, 5)
        );
        assert_eq!(word_errors("nhà vệ sinh ở đâu", "nhà về sinh đâu"), (2, 5));
        assert_eq!(word_errors("a b", "a x b c"), (2, 2));
        assert_eq!(word_errors("", ""), (0, 0));
        assert!((wer("Where is it", "where is") - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(wer("", "x"), 1.0);
    }
}
