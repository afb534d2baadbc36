//! Machine-readable output for `letan faces detect`: one JSON object per image.

use serde::Serialize;

use crate::Detection;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaceJson {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    pub score: f32,
}

/// `{"image": …, "faces": [{"x", "y", "w", "h", "score"}]}`, or `{"image": …, "error": …}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageReport {
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub faces: Option<Vec<FaceJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ImageReport {
    pub fn found(image: &str, detections: &[Detection]) -> Self {
        let r = |v: f32| (v * 10.0).round() / 10.0;
        Self {
            image: image.to_string(),
            faces: Some(
                detections
                    .iter()
                    .map(|d| FaceJson {
                        x: r(d.bbox.x),
                        y: r(d.bbox.y),
                        w: r(d.bbox.w),
                        h: r(d.bbox.h),
                        score: (d.score * 1000.0).round() / 1000.0,
                    })
                    .collect(),
            ),
            error: None,
        }
    }

    pub fn failed(image: &str, error: &dyn std::fmt::Display) -> Self {
        Self {
            image: image.to_string(),
            faces: None,
            error: Some(error.to_string()),
        }
    }

    /// One line of JSON (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(
                "{{\"image\":{:?},\"error\":\"serialize: {e}\"}}",
                self.image
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BBox;

    #[test]
    fn json_line_has_the_documented_shape() {
        let d = Detection::new(BBox::new(1.04, 2.0, 3.0, 4.0), 0.91234);
        let line = ImageReport::found("a b.png", &[d]).to_json_line();
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(v["image"], "a b.png");
        assert_eq!(
            v["faces"][0]["x"].as_f64().map(|x| (x * 10.0).round()),
            Some(10.0)
        );
        assert_eq!(
            v["faces"][0]["score"]
                .as_f64()
                .map(|s| (s * 1000.0).round()),
            Some(912.0)
        );
        assert!(v.get("error").is_none());
        assert!(!line.contains('\n'));
        let e = ImageReport::failed("x.png", &"no such file").to_json_line();
        let v: serde_json::Value = serde_json::from_str(&e).expect("valid JSON");
        assert_eq!(v["error"], "no such file");
        assert!(v.get("faces").is_none());
        let empty: serde_json::Value =
            serde_json::from_str(&ImageReport::found("n.png", &[]).to_json_line()).expect("json");
        assert_eq!(empty["faces"], serde_json::json!([]));
    }
}
