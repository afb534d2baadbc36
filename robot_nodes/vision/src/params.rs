//! Face detector parameters (`face_detector: {ros__parameters: {...}}`).

use std::path::Path;

use letan_core::params::{in_range, node_parameters};
use serde::Deserialize;

use crate::VisionError;

pub const NODE_NAME: &str = "face_detector";

/// Smallest image side YuNet is run on (measured: 62 fails, 63 works); smaller frames are padded.
pub const YUNET_MIN_SIDE: i32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// YuNet 2022mar through `cv::FaceDetectorYN`.
    #[default]
    Yunet,
    /// OpenCV's frontal-face Haar cascade (slower, less accurate; no landmarks, no score).
    Haar,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorParams {
    pub backend: Backend,
    /// If the YuNet model is missing, use the Haar cascade instead of failing.
    pub fallback_to_haar: bool,
    /// YuNet score threshold. 0.8 scores every real test image perfectly (the cat's face,
    /// a hard negative, scores 0.78); 0.7 finds small faces more reliably but lets the cat in.
    pub score_threshold: f32,
    /// YuNet non-maximum-suppression IoU threshold.
    pub nms_threshold: f32,
    /// YuNet: keep at most this many candidates before NMS.
    pub top_k: i32,
    /// YuNet: frames wider than this are downscaled (aspect kept) inside the detector before
    /// detection, and the boxes and landmarks are scaled back to the frame; 0 detects at the
    /// frame's own size. 384 px of a 60° camera still gives a 0.20 m face the 16 px YuNet finds
    /// reliably out to about 4.1 m, past the 4 m attention distance, at well under half the cost
    /// of a 640×480 frame (`cargo bench -p letan-vision --bench detect`).
    pub detect_width: i32,
    /// YuNet: a full-frame detection every this many frames; in between, each face of the
    /// previous frame is looked for only in a square 2.5 face sides wide around it (tracking
    /// between detections), and a newcomer waits for the next full detection. 1: every frame.
    pub detect_every: u32,
    /// Haar: scale step between pyramid levels (> 1).
    pub haar_scale_factor: f64,
    /// Haar: neighbours a candidate needs to be kept.
    pub haar_min_neighbors: i32,
    /// Haar: smallest face side searched (px); larger is much faster.
    pub haar_min_size_px: i32,
    /// OpenCV worker threads (global to the process); 1 leaves the other core to the rest.
    pub threads: i32,
}

impl Default for DetectorParams {
    fn default() -> Self {
        Self {
            backend: Backend::Yunet,
            fallback_to_haar: true,
            score_threshold: 0.8,
            nms_threshold: 0.3,
            top_k: 5000,
            detect_width: 384,
            detect_every: 3,
            haar_scale_factor: 1.1,
            haar_min_neighbors: 5,
            haar_min_size_px: 24,
            threads: 1,
        }
    }
}

/// `letan_core::params::in_range`, as this crate's error.
fn range(key: &str, v: f64, lo: f64, hi: f64) -> Result<(), VisionError> {
    in_range(key, v, lo, hi).map_err(|e| VisionError::InvalidParam {
        key: e.key,
        value: e.value,
        reason: e.reason,
    })
}

impl DetectorParams {
    pub fn validate(&self) -> Result<(), VisionError> {
        range("score_threshold", f64::from(self.score_threshold), 0.0, 1.0)?;
        range("nms_threshold", f64::from(self.nms_threshold), 0.0, 1.0)?;
        range("top_k", f64::from(self.top_k), 1.0, 100_000.0)?;
        if self.detect_width != 0 {
            range(
                "detect_width",
                f64::from(self.detect_width),
                f64::from(YUNET_MIN_SIDE),
                8192.0,
            )?;
        }
        range("haar_scale_factor", self.haar_scale_factor, 1.01, 2.0)?;
        range(
            "haar_min_neighbors",
            f64::from(self.haar_min_neighbors),
            0.0,
            50.0,
        )?;
        range(
            "haar_min_size_px",
            f64::from(self.haar_min_size_px),
            8.0,
            1000.0,
        )?;
        range("detect_every", f64::from(self.detect_every), 1.0, 30.0)?;
        range("threads", f64::from(self.threads), 1.0, 64.0)?;
        Ok(())
    }

    pub fn from_yaml_str(text: &str) -> Result<Self, VisionError> {
        Self::parse(text, None)
    }

    pub fn from_yaml_file(path: &Path) -> Result<Self, VisionError> {
        let text = std::fs::read_to_string(path).map_err(|source| VisionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, Some(path))
    }

    fn parse(text: &str, path: Option<&Path>) -> Result<Self, VisionError> {
        let yaml_err = |source| VisionError::Yaml {
            path: path.map(Path::to_path_buf),
            source,
        };
        let doc: serde_yaml::Value = serde_yaml::from_str(text).map_err(yaml_err)?;
        // The sections that apply to the node (`/**`, `/**/face_detector`, `face_detector`),
        // merged the way `letan run` merges them.
        let section = node_parameters(&doc, &format!("/{NODE_NAME}"))
            .ok()
            .filter(|s| s.found())
            .ok_or_else(|| VisionError::MissingNode {
                node: NODE_NAME.to_string(),
                path: path.map(Path::to_path_buf),
            })?
            .value();
        let p: DetectorParams = serde_yaml::from_value(section).map_err(yaml_err)?;
        p.validate()?;
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_for_all_nodes_applies() {
        // `/**` applies to every node, the node's own section overrides it key by key.
        let p = DetectorParams::from_yaml_str(
            "/**:\n  ros__parameters: {threads: 2, detect_every: 2}\nface_detector:\n  ros__parameters: {threads: 3}\n",
        )
        .expect("valid");
        assert_eq!((p.threads, p.detect_every), (3, 2));
        let p = DetectorParams::from_yaml_str("/**:\n  ros__parameters: {threads: 4}\n")
            .expect("valid");
        assert_eq!(p.threads, 4);
        let p = DetectorParams::from_yaml_str("/face_detector:\n  ros__parameters: {threads: 5}\n")
            .expect("valid");
        assert_eq!(p.threads, 5);
        // A typo or a bad value under `/**` is refused by name like one in the node's section.
        let e = DetectorParams::from_yaml_str("/**:\n  ros__parameters: {treads: 2}\n")
            .expect_err("unknown");
        assert!(e.to_string().contains("treads"), "{e}");
        let e = DetectorParams::from_yaml_str("/**:\n  ros__parameters: {threads: 0}\n")
            .expect_err("range");
        assert!(e.to_string().contains("threads"), "{e}");
        let e = DetectorParams::from_yaml_str("other:\n  ros__parameters: {threads: 2}\n")
            .expect_err("missing");
        assert!(matches!(e, VisionError::MissingNode { .. }), "{e}");
    }

    #[test]
    fn shipped_config_loads() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/face_detector.yaml");
        let p = DetectorParams::from_yaml_file(&path).expect("shipped config");
        assert_eq!(p.backend, Backend::Yunet);
        assert_eq!(
            p,
            DetectorParams::default(),
            "the shipped file states the defaults"
        );
    }

    #[test]
    fn unknown_and_out_of_range_keys_are_refused_by_name() {
        let e =
            DetectorParams::from_yaml_str("face_detector:\n  ros__parameters:\n    score: 0.5\n")
                .expect_err("unknown");
        assert!(e.to_string().contains("score"), "{e}");
        let e = DetectorParams::from_yaml_str(
            "face_detector:\n  ros__parameters:\n    haar_scale_factor: 1.0\n",
        )
        .expect_err("range");
        assert!(e.to_string().contains("haar_scale_factor"), "{e}");
        let e =
            DetectorParams::from_yaml_str("face_detector:\n  ros__parameters:\n    backend: ssd\n")
                .expect_err("backend");
        assert!(e.to_string().contains("ssd"), "{e}");
    }
}
