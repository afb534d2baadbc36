//! `letan faces`: run the face detector on image files, score it, time it. Logic lives in
//! `letan-vision`; this file parses arguments, times loops and prints.
#![allow(clippy::disallowed_methods)] // the command line's edge: it times, paces and rates in wall time

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use letan_vision::cv;
use letan_vision::eval::parse_ground_truth;
use letan_vision::report::ImageReport;
use letan_vision::{Backend, DetectorParams, FaceDetector, ModelSearch};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Clone, Copy, ValueEnum)]
enum BackendArg {
    Yunet,
    Haar,
}

#[derive(clap::Args)]
struct DetectorOpts {
    /// Detector parameter file (`face_detector: ros__parameters`); defaults otherwise.
    #[arg(long)]
    params: Option<PathBuf>,
    /// Override the backend.
    #[arg(long, value_enum)]
    backend: Option<BackendArg>,
    /// Override the YuNet score threshold.
    #[arg(long)]
    score_threshold: Option<f32>,
    /// Override YuNet's detection width (frames wider are downscaled first; 0 = native size).
    #[arg(long)]
    detect_width: Option<i32>,
}

impl DetectorOpts {
    fn params(&self) -> anyhow::Result<DetectorParams> {
        let mut p = match &self.params {
            Some(path) => DetectorParams::from_yaml_file(path)?,
            None => DetectorParams::default(),
        };
        if let Some(b) = self.backend {
            p.backend = match b {
                BackendArg::Yunet => Backend::Yunet,
                BackendArg::Haar => Backend::Haar,
            };
            // An explicit backend means that one, not a silent fallback.
            p.fallback_to_haar = false;
        }
        if let Some(t) = self.score_threshold {
            p.score_threshold = t;
        }
        if let Some(w) = self.detect_width {
            p.detect_width = w;
        }
        // The images are unrelated to each other: each gets a full detection (tracking between
        // detections is for a camera's consecutive frames).
        p.detect_every = 1;
        p.validate()?;
        Ok(p)
    }
}

#[derive(Subcommand)]
enum Cmd {
    /// Detect faces; prints one JSON line per image: {"image", "faces": [{"x","y","w","h","score"}]}.
    Detect {
        #[arg(required = true)]
        images: Vec<PathBuf>,
        #[command(flatten)]
        det: DetectorOpts,
    },
    /// Recall and precision per image on the shared test images (faces.txt ground truth).
    Eval {
        /// Folder with the images and faces.txt (default: <repo>/../shared/vision/images).
        #[arg(long)]
        images_dir: Option<PathBuf>,
        /// IoU needed for a detection to match a true face.
        #[arg(long, default_value_t = 0.5)]
        min_iou: f32,
        #[command(flatten)]
        det: DetectorOpts,
    },
    /// Milliseconds per frame for each detector at 640x480 and 320x240, one OpenCV thread.
    Bench {
        /// Folder with the shared test images (default: <repo>/../shared/vision/images).
        #[arg(long)]
        images_dir: Option<PathBuf>,
        /// Timed runs per frame (after 3 warm-up runs).
        #[arg(long, default_value_t = 30)]
        iterations: usize,
    },
}

fn images_dir(arg: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    arg.or_else(letan_vision::shared_images_dir)
        .context("shared/vision/images not found; pass --images-dir")
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.command {
        Cmd::Detect { images, det } => {
            let mut d = cv::open_detector(&det.params()?, &ModelSearch::from_env())?;
            let mut failed = 0usize;
            for path in &images {
                let name = path.display().to_string();
                let report = match cv::load_image(path).and_then(|img| d.detect(&img)) {
                    Ok(faces) => ImageReport::found(&name, &faces),
                    Err(e) => {
                        failed += 1;
                        ImageReport::failed(&name, &e)
                    }
                };
                println!("{}", report.to_json_line());
            }
            if failed > 0 {
                bail!("{failed} of {} images could not be processed", images.len());
            }
            Ok(())
        }
        Cmd::Eval {
            images_dir: dir,
            min_iou,
            det,
        } => {
            let dir = images_dir(dir)?;
            let gt_path = dir.join("faces.txt");
            let text = std::fs::read_to_string(&gt_path)
                .with_context(|| format!("reading {}", gt_path.display()))?;
            let gt = parse_ground_truth(&text)?;
            let mut d = cv::open_detector(&det.params()?, &ModelSearch::from_env())?;
            let results = cv::evaluate_dir(d.as_mut(), &dir, &gt, &cv::SHARED_NEGATIVES, min_iou)?;
            println!("detector {}  (match at IoU >= {min_iou})", d.name());
            println!(
                "{:<28} {:>5} {:>3} {:>3} {:>3} {:>7} {:>9}",
                "image", "truth", "tp", "fp", "fn", "recall", "precision"
            );
            let mut total = letan_vision::eval::MatchResult::default();
            for (name, r) in &results {
                let truth = r.true_positives + r.false_negatives;
                println!(
                    "{name:<28} {truth:>5} {:>3} {:>3} {:>3} {:>7.3} {:>9.3}",
                    r.true_positives,
                    r.false_positives,
                    r.false_negatives,
                    r.recall(),
                    r.precision()
                );
                total.add(r);
            }
            println!(
                "{:<28} {:>5} {:>3} {:>3} {:>3} {:>7.3} {:>9.3}",
                "ALL",
                total.true_positives + total.false_negatives,
                total.true_positives,
                total.false_positives,
                total.false_negatives,
                total.recall(),
                total.precision()
            );
            Ok(())
        }
        Cmd::Bench {
            images_dir: dir,
            iterations,
        } => {
            let dir = images_dir(dir)?;
            let frames = cv::bench_frames(&dir)?;
            let search = ModelSearch::from_env();
            println!(
                "one OpenCV thread; {iterations} timed runs per frame; milliseconds per frame"
            );
            println!(
                "{:<26} {:<34} {:>8} {:>8} {:>8} {:>6}",
                "detector", "frame", "median", "min", "p90", "found"
            );
            // YuNet at the frame's own size on every frame, downscaled to the default
            // `detect_width` on every frame, then as the face node runs it (a full detection every
            // `detect_every` frames, a search around the last faces in between), then Haar.
            let dflt = DetectorParams::default();
            let configs = [
                (Backend::Yunet, 0, 1),
                (Backend::Yunet, dflt.detect_width, 1),
                (Backend::Yunet, dflt.detect_width, dflt.detect_every),
                (Backend::Haar, 0, 1),
            ];
            for (backend, detect_width, detect_every) in configs {
                let p = DetectorParams {
                    backend,
                    fallback_to_haar: false,
                    detect_width,
                    detect_every,
                    ..DetectorParams::default()
                };
                let label = match (backend, detect_width, detect_every) {
                    (Backend::Yunet, 0, _) => "yunet-2022mar native".to_string(),
                    (Backend::Yunet, w, 1) => format!("yunet-2022mar at {w} px"),
                    (Backend::Yunet, w, n) => format!("yunet {w} px, full 1/{n}"),
                    (Backend::Haar, _, _) => "haar".to_string(),
                };
                let mut d: Box<dyn FaceDetector> = match cv::open_detector(&p, &search) {
                    Ok(d) => d,
                    Err(e) => {
                        println!("{backend:?}: skipped: {e}");
                        continue;
                    }
                };
                cv::set_threads(1)?;
                for f in &frames {
                    let mut found = 0;
                    for _ in 0..3 {
                        found = d.detect(&f.image)?.len();
                    }
                    let mut ms: Vec<f64> = Vec::with_capacity(iterations);
                    for _ in 0..iterations.max(1) {
                        let t = Instant::now();
                        let n = d.detect(&f.image)?.len();
                        ms.push(t.elapsed().as_secs_f64() * 1e3);
                        found = n;
                    }
                    ms.sort_by(f64::total_cmp);
                    let pct = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
                    println!(
                        "{:<26} {:<34} {:>8.2} {:>8.2} {:>8.2} {:>3}/{:<2}",
                        label,
                        f.label,
                        pct(0.5),
                        ms[0],
                        pct(0.9),
                        found,
                        f.faces
                    );
                }
            }
            Ok(())
        }
    }
}
