//! Scoring detections against ground truth (`faces.txt`: `image x y w h` per line).

use std::collections::BTreeMap;

use crate::{BBox, VisionError};

/// Parses a ground-truth file: `#` comments and blank lines are skipped.
pub fn parse_ground_truth(text: &str) -> Result<BTreeMap<String, Vec<BBox>>, VisionError> {
    let mut out: BTreeMap<String, Vec<BBox>> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let err = |reason: String| VisionError::GroundTruth {
            line: i + 1,
            reason,
        };
        let [name, x, y, w, h] = parts.as_slice() else {
            return Err(err(format!(
                "expected `image x y w h`, got {} fields",
                parts.len()
            )));
        };
        let num = |s: &str| s.parse::<f32>().map_err(|e| err(format!("{s:?}: {e}")));
        let b = BBox::new(num(x)?, num(y)?, num(w)?, num(h)?);
        if !b.is_valid() {
            return Err(err(format!("box {b:?} is not a positive finite box")));
        }
        out.entry((*name).to_string()).or_default().push(b);
    }
    Ok(out)
}

/// Result of matching one image's detections to its ground truth.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MatchResult {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    /// IoU of each matched pair.
    pub ious: Vec<f32>,
}

impl MatchResult {
    /// Found / all true faces; 1 when there are none to find.
    pub fn recall(&self) -> f64 {
        let all = self.true_positives + self.false_negatives;
        if all == 0 {
            1.0
        } else {
            self.true_positives as f64 / all as f64
        }
    }

    /// Correct / all detections; 1 when nothing was detected.
    pub fn precision(&self) -> f64 {
        let all = self.true_positives + self.false_positives;
        if all == 0 {
            1.0
        } else {
            self.true_positives as f64 / all as f64
        }
    }

    pub fn add(&mut self, other: &MatchResult) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.false_negatives += other.false_negatives;
        self.ious.extend_from_slice(&other.ious);
    }
}

/// One-to-one greedy matching, best IoU first; a pair counts when IoU ≥ `min_iou`.
pub fn match_boxes(truth: &[BBox], found: &[BBox], min_iou: f32) -> MatchResult {
    let mut pairs: Vec<(f32, usize, usize)> = Vec::new();
    for (ti, t) in truth.iter().enumerate() {
        for (fi, f) in found.iter().enumerate() {
            let iou = t.iou(f);
            if iou >= min_iou && iou > 0.0 {
                pairs.push((iou, ti, fi));
            }
        }
    }
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut t_used = vec![false; truth.len()];
    let mut f_used = vec![false; found.len()];
    let mut r = MatchResult::default();
    for (iou, ti, fi) in pairs {
        if t_used[ti] || f_used[fi] {
            continue;
        }
        t_used[ti] = true;
        f_used[fi] = true;
        r.true_positives += 1;
        r.ious.push(iou);
    }
    r.false_negatives = truth.len() - r.true_positives;
    r.false_positives = found.len() - r.true_positives;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shared_ground_truth_format() {
        let gt = parse_ground_truth("# c\nimg.png 1 2 3 4\n\nimg.png 5 6 7 8\nb.jpg 0 0 10 10\n")
            .expect("parse");
        assert_eq!(gt["img.png"].len(), 2);
        assert_eq!(gt["b.jpg"][0], BBox::new(0.0, 0.0, 10.0, 10.0));
        let e = parse_ground_truth("a 1 2 3\n").expect_err("short line");
        assert!(e.to_string().contains("line 1"), "{e}");
        assert!(parse_ground_truth("a 1 2 x 4\n").is_err());
        assert!(parse_ground_truth("a 1 2 0 4\n").is_err());
    }

    #[test]
    fn matching_is_one_to_one_and_counts_errors() {
        let truth = [
            BBox::new(0.0, 0.0, 10.0, 10.0),
            BBox::new(50.0, 50.0, 10.0, 10.0),
        ];
        let found = [
            BBox::new(1.0, 1.0, 10.0, 10.0),
            BBox::new(0.0, 0.0, 10.0, 10.0), // duplicate of the first face
            BBox::new(200.0, 0.0, 10.0, 10.0),
        ];
        let r = match_boxes(&truth, &found, 0.5);
        assert_eq!(
            (r.true_positives, r.false_positives, r.false_negatives),
            (1, 2, 1)
        );
        assert!((r.recall() - 0.5).abs() < 1e-9);
        assert!((r.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(r.ious, vec![1.0]);
        let empty = match_boxes(&[], &[], 0.5);
        assert_eq!((empty.recall(), empty.precision()), (1.0, 1.0));
    }
}
