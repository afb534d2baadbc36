//! Detection time per frame, one OpenCV thread, for each detector at 640×480 and 320×240
//! (YuNet both at the frame's size and downscaled to the node's `detect_width`),
//! on a 1-face and a 29-face real image. `cargo bench -p letan-vision --bench detect`.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use letan_vision::cv::{self, HaarDetector, YunetDetector};
use letan_vision::{shared_images_dir, DetectorParams, FaceDetector, FaceModel, ModelSearch};

fn detect(c: &mut Criterion) {
    let Some(dir) = shared_images_dir() else {
        eprintln!("shared/vision/images not found: nothing to benchmark");
        return;
    };
    let frames = match cv::bench_frames(&dir) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot prepare frames: {e}");
            return;
        }
    };
    if let Err(e) = cv::set_threads(1) {
        eprintln!("cannot set OpenCV threads: {e}");
        return;
    }
    let p = DetectorParams::default();
    let search = ModelSearch::from_env();
    let mut detectors: Vec<(String, Box<dyn FaceDetector>)> = Vec::new();
    // YuNet at the frame's own size on every frame (the anchor); downscaled inside the detector
    // to `detect_width` on every frame; and as the face node runs it: downscaled, with a full
    // detection every `detect_every` frames and a search around the last faces in between (the
    // same frame over and over, so the time is the mean over that cycle). Resizes included.
    for (label, detect_width, detect_every) in [
        ("yunet-2022mar/native".to_string(), 0, 1),
        (
            format!("yunet-2022mar/at-{}px", p.detect_width),
            p.detect_width,
            1,
        ),
        (
            format!(
                "yunet-2022mar/at-{}px-full-every-{}",
                p.detect_width, p.detect_every
            ),
            p.detect_width,
            p.detect_every,
        ),
    ] {
        let yp = DetectorParams {
            detect_width,
            detect_every,
            ..p.clone()
        };
        match search
            .locate(FaceModel::Yunet2022Mar)
            .and_then(|m| YunetDetector::new(&m, &yp))
        {
            Ok(d) => detectors.push((label, Box::new(d))),
            Err(e) => eprintln!("skipping YuNet: {e}"),
        }
    }
    match search
        .locate(FaceModel::HaarFrontalDefault)
        .and_then(|m| HaarDetector::new(&m, &p))
    {
        Ok(d) => detectors.push(("haar".to_string(), Box::new(d))),
        Err(e) => eprintln!("skipping Haar: {e}"),
    }
    for (label, mut det) in detectors {
        let mut g = c.benchmark_group(format!("detect/{label}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for f in &frames {
            g.bench_with_input(BenchmarkId::from_parameter(&f.label), &f.image, |b, img| {
                b.iter(|| det.detect(img).map(|v| v.len()).unwrap_or(usize::MAX))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, detect);
criterion_main!(benches);
