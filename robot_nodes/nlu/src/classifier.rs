//! Intent classifier: hashed word and character n-gram features, TF-IDF weighted, and a
//! multinomial logistic regression trained at start-up with seeded SGD.
//!
//! Features (all from [`crate::normalize`]):
//! - word unigrams and bigrams on the plain (diacritic-free) form, so text typed without
//!   diacritics matches;
//! - word unigrams and bigrams on the accented form, only for words that carry diacritics, so
//!   diacritics help when present ("bàn" vs "bạn" vs "bản");
//! - character 3–5-grams over the plain text with word boundaries, which absorb misheard or
//!   misspelled syllables.
//!
//! Numbers become one `#` feature: "quầy 7" and "quầy 11" look the same to the classifier.

use std::collections::HashMap;

use crate::normalize::{normalize, Normalized};

/// Training and feature settings. The defaults are the measured choice (see the crate README).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassifierConfig {
    pub char_min: usize,
    pub char_max: usize,
    pub word_bigrams: bool,
    pub accent_features: bool,
    pub epochs: usize,
    pub learning_rate: f32,
    pub l2: f32,
    /// Softmax temperature applied at prediction time (calibration).
    pub temperature: f32,
    /// Also train on the diacritic-free copy of each phrase.
    pub augment_plain: bool,
    /// Word features on a phonetic key that merges sounds speakers and recognizers confuse
    /// (tr/ch, s/x, r/gi/d, l/n, final c/t, ng/n).
    pub phonetic_features: bool,
    /// Extra weight of the out-of-scope class (below 1: prefer an in-scope intent and leave
    /// out-of-scope to the confidence threshold).
    pub oos_weight: f32,
    pub seed: u64,
    /// SGD runs averaged, each in its own shuffled order. One run's weights depend on the order
    /// it saw the phrases in, so that adding a phrase to the KB moved answers to unrelated
    /// questions by chance; the average keeps what the runs agree on.
    pub runs: usize,
}

impl Default for ClassifierConfig {
    fn default() -> Self {
        ClassifierConfig {
            char_min: 3,
            char_max: 5,
            word_bigrams: true,
            accent_features: true,
            epochs: 6,
            learning_rate: 4.0,
            l2: 1e-6,
            temperature: 0.7,
            augment_plain: true,
            oos_weight: 1.0,
            phonetic_features: false,
            seed: 0x5eed_1e7a,
            runs: 4,
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(kind: u8, parts: &[&str]) -> u64 {
    let mut h = FNV_OFFSET;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    };
    eat(kind);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            eat(b' ');
        }
        for b in p.bytes() {
            eat(b);
        }
    }
    h
}

fn number_free(s: &str) -> &str {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        "#"
    } else {
        s
    }
}

/// Hashed features of a normalized utterance (with repeats; callers deduplicate).
pub fn features(n: &Normalized, cfg: &ClassifierConfig, out: &mut Vec<u64>) {
    out.clear();
    let plain: Vec<&str> = n.tokens.iter().map(|t| number_free(&t.plain)).collect();
    for (i, p) in plain.iter().enumerate() {
        out.push(fnv(b'w', &[p]));
        if cfg.word_bigrams && i + 1 < plain.len() {
            out.push(fnv(b'b', &[p, plain[i + 1]]));
        }
    }
    if cfg.phonetic_features {
        for p in &plain {
            let key = phonetic(p);
            if key != *p {
                out.push(fnv(b'p', &[&key]));
            } else {
                out.push(fnv(b'p', &[p]));
            }
        }
    }
    if cfg.accent_features {
        for (i, t) in n.tokens.iter().enumerate() {
            if t.has_diacritics() {
                out.push(fnv(b'a', &[&t.text]));
                if cfg.word_bigrams {
                    if let Some(next) = n.tokens.get(i + 1) {
                        out.push(fnv(b'c', &[&t.text, &next.text]));
                    }
                }
            }
        }
    }
    if cfg.char_max >= cfg.char_min && cfg.char_min > 0 {
        let mut s: Vec<u8> = Vec::with_capacity(64);
        s.push(b' ');
        for p in &plain {
            s.extend_from_slice(p.as_bytes());
            s.push(b' ');
        }
        for n_len in cfg.char_min..=cfg.char_max {
            if s.len() < n_len {
                continue;
            }
            for w in s.windows(n_len) {
                let mut h = FNV_OFFSET ^ (n_len as u64);
                for &b in w {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(FNV_PRIME);
                }
                out.push(h);
            }
        }
    }
}

/// A phonetic key of a plain Vietnamese syllable: onsets and finals that are often confused
/// are merged ("trứng"/"chứng", "xin"/"sin", "ra"/"da"/"gia", "làm"/"nàm", "các"/"cát").
pub fn phonetic(plain: &str) -> String {
    let mut w = plain.to_string();
    for (from, to) in [
        ("tr", "ch"),
        ("gi", "d"),
        ("r", "d"),
        ("s", "x"),
        ("l", "n"),
    ] {
        if let Some(rest) = w.strip_prefix(from) {
            w = format!("{to}{rest}");
            break;
        }
    }
    for (from, to) in [("ng", "n"), ("nh", "n"), ("ch", "t"), ("c", "t")] {
        if w.len() > from.len() + 1 {
            if let Some(stem) = w.strip_suffix(from) {
                w = format!("{stem}{to}");
                break;
            }
        }
    }
    w
}

/// Small deterministic RNG (xorshift64*), so training needs no clock or global randomness.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

/// A trained classifier.
#[derive(Debug, Clone)]
pub struct Classifier {
    cfg: ClassifierConfig,
    labels: Vec<String>,
    vocab: HashMap<u64, u32>,
    idf: Vec<f32>,
    /// Row-major `[feature][class]`.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

/// A sparse, L2-normalized feature vector.
type Sparse = Vec<(u32, f32)>;

/// One run of stochastic gradient descent: everything it reads, shared by the runs.
struct Sgd<'a> {
    cfg: &'a ClassifierConfig,
    classes: usize,
    features: usize,
    vectors: &'a [(Sparse, usize)],
    class_weight: &'a [f32],
}

impl Sgd<'_> {
    /// Train from zero weights, in an order shuffled by `seed`; gives (weights, bias).
    fn run(&self, seed: u64) -> (Vec<f32>, Vec<f32>) {
        let c = self.classes;
        let mut weights = vec![0.0f32; self.features * c];
        let mut bias = vec![0.0f32; c];
        let mut order: Vec<usize> = (0..self.vectors.len()).collect();
        let mut rng = Rng(seed);
        let mut scores = vec![0.0f32; c];
        let epochs = self.cfg.epochs.max(1);
        for epoch in 0..epochs {
            for i in (1..order.len()).rev() {
                let j = rng.below(i + 1);
                order.swap(i, j);
            }
            let lr = self.cfg.learning_rate / (1.0 + epoch as f32 * 0.5);
            for &k in &order {
                let (x, y) = &self.vectors[k];
                raw_scores(&weights, &bias, x, &mut scores);
                softmax(&mut scores, 1.0);
                let w = self.class_weight[*y] * lr;
                for (cls, p) in scores.iter().enumerate() {
                    let g = p - if cls == *y { 1.0 } else { 0.0 };
                    if g.abs() < 1e-3 {
                        continue;
                    }
                    let step = w * g;
                    bias[cls] -= step * 0.1;
                    for &(f, v) in x {
                        let wi = &mut weights[f as usize * c + cls];
                        *wi -= step * v + self.cfg.l2 * *wi;
                    }
                }
            }
        }
        (weights, bias)
    }
}

/// Linear scores of a vector: `bias + W x`, with `W` stored feature-major.
fn raw_scores(weights: &[f32], bias: &[f32], x: &Sparse, scores: &mut [f32]) {
    let c = bias.len();
    scores.copy_from_slice(bias);
    for &(f, v) in x {
        let row = &weights[f as usize * c..(f as usize + 1) * c];
        for (s, w) in scores.iter_mut().zip(row) {
            *s += w * v;
        }
    }
}

impl Classifier {
    /// Train from (text, label) pairs.
    pub fn train(
        data: &[(String, String)],
        cfg: ClassifierConfig,
    ) -> Result<Classifier, crate::NluError> {
        if data.is_empty() {
            return Err(crate::NluError::NoTrainingData);
        }
        let mut labels: Vec<String> = data.iter().map(|(_, l)| l.clone()).collect();
        labels.sort();
        labels.dedup();
        let label_index: HashMap<&str, usize> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i))
            .collect();
        // Normalize each phrase (and its diacritic-free copy) once.
        let mut examples: Vec<(Vec<u64>, usize)> = Vec::with_capacity(data.len() * 2);
        let mut buf = Vec::new();
        for (text, label) in data {
            let y = label_index.get(label.as_str()).copied().unwrap_or(0);
            let n = normalize(text);
            features(&n, &cfg, &mut buf);
            buf.sort_unstable();
            buf.dedup();
            examples.push((buf.clone(), y));
            if cfg.augment_plain && n.tokens.iter().any(|t| t.has_diacritics()) {
                let p = normalize(&n.plain());
                features(&p, &cfg, &mut buf);
                buf.sort_unstable();
                buf.dedup();
                examples.push((buf.clone(), y));
            }
        }
        // Vocabulary and document frequencies.
        let mut vocab: HashMap<u64, u32> = HashMap::new();
        let mut df: Vec<u32> = Vec::new();
        for (f, _) in &examples {
            for h in f {
                let next = vocab.len() as u32;
                let id = *vocab.entry(*h).or_insert(next);
                if id as usize == df.len() {
                    df.push(0);
                }
                df[id as usize] += 1;
            }
        }
        let n_docs = examples.len() as f32;
        let idf: Vec<f32> = df
            .iter()
            .map(|&d| ((n_docs + 1.0) / (d as f32 + 1.0)).ln() + 1.0)
            .collect();
        let c = labels.len();
        let mut model = Classifier {
            cfg,
            labels,
            vocab,
            idf,
            weights: Vec::new(),
            bias: vec![0.0; c],
        };
        let vectors: Vec<(Sparse, usize)> = examples
            .iter()
            .map(|(f, y)| (model.vectorize_ids(f), *y))
            .collect();
        // Class weights: balance classes (nav templates give many more phrases).
        let mut counts = vec![0usize; c];
        for (_, y) in &vectors {
            counts[*y] += 1;
        }
        let mean = vectors.len() as f32 / c as f32;
        let class_weight: Vec<f32> = counts
            .iter()
            .zip(&model.labels)
            .map(|(&k, l)| {
                let w = if k == 0 {
                    0.0
                } else {
                    (mean / k as f32).sqrt()
                };
                if l == crate::catalog::OUT_OF_SCOPE {
                    w * model.cfg.oos_weight
                } else {
                    w
                }
            })
            .collect();
        // Several SGD runs, each in its own shuffled order, averaged (see `runs`). The runs are
        // independent, so each has its own thread; they are summed in run order, which gives
        // the same weights, bit for bit, as running them one after another.
        let runs = model.cfg.runs.max(1);
        let job = Sgd {
            cfg: &model.cfg,
            classes: c,
            features: model.idf.len(),
            vectors: &vectors,
            class_weight: &class_weight,
        };
        let results = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..runs)
                .map(|run| {
                    let seed = model
                        .cfg
                        .seed
                        .wrapping_add((run as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                    let job = &job;
                    scope.spawn(move || job.run(seed))
                })
                .collect();
            handles
                .into_iter()
                .enumerate()
                .map(|(run, h)| h.join().map_err(|_| crate::NluError::Training(run)))
                .collect::<Result<Vec<_>, _>>()
        })?;
        let mut weights = vec![0.0f32; model.idf.len() * c];
        let mut bias = vec![0.0f32; c];
        for (w_run, b_run) in &results {
            weights.iter_mut().zip(w_run).for_each(|(a, w)| *a += w);
            bias.iter_mut().zip(b_run).for_each(|(a, b)| *a += b);
        }
        let n = runs as f32;
        model.weights = weights.into_iter().map(|w| w / n).collect();
        model.bias = bias.into_iter().map(|b| b / n).collect();
        Ok(model)
    }

    fn vectorize_ids(&self, hashes: &[u64]) -> Sparse {
        let mut v: Sparse = hashes
            .iter()
            .filter_map(|h| self.vocab.get(h).map(|&id| (id, self.idf[id as usize])))
            .collect();
        v.sort_unstable_by_key(|&(id, _)| id);
        v.dedup_by_key(|&mut (id, _)| id);
        let norm = v.iter().map(|&(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v
    }

    fn raw_scores(&self, x: &Sparse, scores: &mut [f32]) {
        raw_scores(&self.weights, &self.bias, x, scores);
    }

    /// The labels, in score order of [`Classifier::probabilities`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Calibrated class probabilities for a normalized utterance, and the share of its
    /// features that the training data had seen (0 when it has none).
    pub fn probabilities(&self, n: &Normalized) -> (Vec<f32>, f32) {
        let mut buf = Vec::new();
        features(n, &self.cfg, &mut buf);
        buf.sort_unstable();
        buf.dedup();
        let known = buf.iter().filter(|h| self.vocab.contains_key(h)).count();
        let coverage = if buf.is_empty() {
            0.0
        } else {
            known as f32 / buf.len() as f32
        };
        let x = self.vectorize_ids(&buf);
        let mut scores = vec![0.0; self.labels.len()];
        self.raw_scores(&x, &mut scores);
        softmax(&mut scores, self.cfg.temperature);
        (scores, coverage)
    }

    /// The `k` most likely labels with their probabilities, best first.
    pub fn top_k(&self, n: &Normalized, k: usize) -> (Vec<(String, f32)>, f32) {
        let (p, coverage) = self.probabilities(n);
        let mut idx: Vec<usize> = (0..p.len()).collect();
        idx.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
        (
            idx.into_iter()
                .take(k)
                .map(|i| (self.labels[i].clone(), p[i]))
                .collect(),
            coverage,
        )
    }

    /// Number of distinct features learned.
    pub fn vocabulary_size(&self) -> usize {
        self.vocab.len()
    }
}

fn softmax(scores: &mut [f32], temperature: f32) {
    let t = if temperature > 0.0 { temperature } else { 1.0 };
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = ((*s - max) / t).exp();
        sum += *s;
    }
    if sum > 0.0 {
        for s in scores.iter_mut() {
            *s /= sum;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn data() -> Vec<(String, String)> {
        let mut d = Vec::new();
        for t in ["xin chào", "chào em", "hello", "hi there", "chào bác"] {
            d.push((t.to_string(), "greet".to_string()));
        }
        for t in ["cảm ơn", "cám ơn em", "thanks", "thank you", "cảm ơn nhiều"] {
            d.push((t.to_string(), "thanks".to_string()));
        }
        d
    }

    #[test]
    fn learns_tiny_set_and_tolerates_missing_diacritics() {
        let c = Classifier::train(&data(), ClassifierConfig::default()).unwrap();
        let (top, cov) = c.top_k(&normalize("cam on em nhe"), 2);
        assert_eq!(top[0].0, "thanks");
        assert!(top[0].1 > top[1].1);
        assert!(cov > 0.0);
        let (top, _) = c.top_k(&normalize("Chào cháu!"), 1);
        assert_eq!(top[0].0, "greet");
    }

    #[test]
    fn probabilities_sum_to_one() {
        let c = Classifier::train(&data(), ClassifierConfig::default()).unwrap();
        let (p, _) = c.probabilities(&normalize("xyz"));
        let s: f32 = p.iter().sum();
        assert!((s - 1.0).abs() < 1e-4);
    }

    #[test]
    fn training_is_deterministic() {
        let a = Classifier::train(&data(), ClassifierConfig::default()).unwrap();
        let b = Classifier::train(&data(), ClassifierConfig::default()).unwrap();
        assert_eq!(a.weights, b.weights);
    }

    #[test]
    fn averaged_runs_are_the_mean_of_the_single_runs() {
        let cfg = ClassifierConfig {
            runs: 3,
            ..ClassifierConfig::default()
        };
        let avg = Classifier::train(&data(), cfg.clone()).unwrap();
        let singles: Vec<Classifier> = (0..3u64)
            .map(|run| {
                let seed = cfg
                    .seed
                    .wrapping_add(run.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let one = ClassifierConfig {
                    runs: 1,
                    seed,
                    ..cfg.clone()
                };
                Classifier::train(&data(), one).unwrap()
            })
            .collect();
        // the runs differ (each saw its own order) and the result is their mean
        assert_ne!(singles[0].weights, singles[1].weights);
        for (i, w) in avg.weights.iter().enumerate() {
            let mean = singles.iter().map(|s| s.weights[i]).sum::<f32>() / 3.0;
            assert!((w - mean).abs() < 1e-6, "weight {i}: {w} vs {mean}");
        }
    }

    #[test]
    fn empty_training_set_is_an_error() {
        assert!(Classifier::train(&[], ClassifierConfig::default()).is_err());
    }
}
