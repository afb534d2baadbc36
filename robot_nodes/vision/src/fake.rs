use crate::{Detection, FaceDetector, Image, VisionError};

/// A scripted detector for tests: returns the given frames' detections in order, then the
/// last frame's forever (or nothing, if the script is empty). Records what it was shown.
#[derive(Debug, Clone, Default)]
pub struct FakeDetector {
    script: Vec<Vec<Detection>>,
    calls: usize,
    sizes: Vec<(u32, u32)>,
    fail_on_call: Option<usize>,
}

impl FakeDetector {
    pub fn new(script: Vec<Vec<Detection>>) -> Self {
        Self {
            script,
            ..Self::default()
        }
    }

    /// The same detections for every frame.
    pub fn fixed(detections: Vec<Detection>) -> Self {
        Self::new(vec![detections])
    }

    /// Makes call number `n` (0-based) fail, to test error paths.
    pub fn failing_on(mut self, n: usize) -> Self {
        self.fail_on_call = Some(n);
        self
    }

    pub fn calls(&self) -> usize {
        self.calls
    }

    /// Image sizes it was given, in order.
    pub fn sizes(&self) -> &[(u32, u32)] {
        &self.sizes
    }
}

impl FaceDetector for FakeDetector {
    fn name(&self) -> &str {
        "fake"
    }

    fn detect(&mut self, image: &Image) -> Result<Vec<Detection>, VisionError> {
        let n = self.calls;
        self.calls += 1;
        self.sizes.push((image.width(), image.height()));
        if self.fail_on_call == Some(n) {
            return Err(VisionError::OpenCv {
                op: "fake detect",
                reason: format!("scripted failure on call {n}"),
            });
        }
        if image.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .script
            .get(n)
            .or(self.script.last())
            .cloned()
            .unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BBox;

    #[test]
    fn replays_script_then_holds_last_frame_and_can_fail() {
        let a = Detection::new(BBox::new(1.0, 2.0, 3.0, 4.0), 0.9);
        let mut f = FakeDetector::new(vec![vec![], vec![a]]).failing_on(3);
        let img = Image::filled(4, 4, [0, 0, 0]).expect("img");
        assert!(f.detect(&img).expect("ok").is_empty());
        assert_eq!(f.detect(&img).expect("ok"), vec![a]);
        assert_eq!(f.detect(&img).expect("ok"), vec![a]);
        assert!(f.detect(&img).is_err());
        assert_eq!(f.calls(), 4);
        assert_eq!(f.sizes()[0], (4, 4));
        assert_eq!(f.name(), "fake");
    }
}
