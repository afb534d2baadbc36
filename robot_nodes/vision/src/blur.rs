//! Privacy: pixelate faces before an image leaves this crate.
//!
//! Pixelation with coarse blocks (default 6 across the enlarged face box) removes the detail
//! a person could be recognised by; unlike a Gaussian blur it cannot be partly undone by
//! deconvolution. The box is enlarged by a margin so hair, ears and a slightly misplaced box
//! are covered too.

use crate::{BBox, Image};

/// How faces are hidden.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BlurOptions {
    /// Fraction of the box size added on every side.
    pub margin: f32,
    /// Blocks across the larger side of the enlarged box (fewer = coarser).
    pub blocks: u32,
}

impl Default for BlurOptions {
    fn default() -> Self {
        Self {
            margin: 0.25,
            blocks: 6,
        }
    }
}

/// The enlarged, clipped pixel region `(x0, y0, x1, y1)` (exclusive end) hidden for `b`.
fn region(img: &Image, b: &BBox, margin: f32) -> Option<(u32, u32, u32, u32)> {
    if !b.is_valid() || img.is_empty() {
        return None;
    }
    let (mx, my) = (b.w * margin, b.h * margin);
    let clip = |v: f32, max: u32| v.floor().clamp(0.0, max as f32) as u32;
    let x0 = clip(b.x - mx, img.width());
    let y0 = clip(b.y - my, img.height());
    let x1 = clip((b.x + b.w + mx).ceil(), img.width());
    let y1 = clip((b.y + b.h + my).ceil(), img.height());
    (x1 > x0 && y1 > y0).then_some((x0, y0, x1, y1))
}

/// Pixelates every face box in place. Boxes partly or fully outside the image are clipped;
/// invalid boxes are skipped.
pub fn pixelate_faces(img: &mut Image, faces: &[BBox], opts: BlurOptions) {
    for b in faces {
        let Some((x0, y0, x1, y1)) = region(img, b, opts.margin.max(0.0)) else {
            continue;
        };
        let side = (x1 - x0).max(y1 - y0);
        let block = side.div_ceil(opts.blocks.max(1)).max(2);
        let mut by = y0;
        while by < y1 {
            let ey = (by + block).min(y1);
            let mut bx = x0;
            while bx < x1 {
                let ex = (bx + block).min(x1);
                let mut sum = [0u64; 3];
                let mut n = 0u64;
                for y in by..ey {
                    for x in bx..ex {
                        if let Some(p) = img.pixel(x, y) {
                            for c in 0..3 {
                                sum[c] += u64::from(p[c]);
                            }
                            n += 1;
                        }
                    }
                }
                if let Some(n) = std::num::NonZeroU64::new(n) {
                    let avg = |c: usize| (sum[c] / n) as u8;
                    let mean = [avg(0), avg(1), avg(2)];
                    for y in by..ey {
                        for x in bx..ex {
                            img.set_pixel(x, y, mean);
                        }
                    }
                }
                bx = ex;
            }
            by = ey;
        }
    }
}

/// Draws a rectangle outline (clipped to the image).
pub fn draw_box(img: &mut Image, b: &BBox, bgr: [u8; 3], thickness: u32) {
    let Some((x0, y0, x1, y1)) = region(img, b, 0.0) else {
        return;
    };
    let t = thickness.max(1);
    for y in y0..y1 {
        for x in x0..x1 {
            let edge = x < x0 + t || x + t >= x1 || y < y0 + t || y + t >= y1;
            if edge {
                img.set_pixel(x, y, bgr);
            }
        }
    }
}

/// One face to show on the debug image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DebugFace {
    pub bbox: BBox,
    /// Outline colour (BGR), e.g. by engagement level.
    pub color: [u8; 3],
}

/// The annotated debug image: a copy with every face pixelated (unless `blur` is false, which
/// the face node only allows by an explicit parameter) and outlined.
pub fn debug_image(frame: &Image, faces: &[DebugFace], blur: bool) -> Image {
    let mut out = frame.clone();
    if blur {
        let boxes: Vec<BBox> = faces.iter().map(|f| f.bbox).collect();
        pixelate_faces(&mut out, &boxes, BlurOptions::default());
    }
    for f in faces {
        draw_box(&mut out, &f.bbox, f.color, 2);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A high-detail test pattern.
    fn pattern(w: u32, h: u32) -> Image {
        let mut data = Vec::with_capacity((w * h * 3) as usize);
        for y in 0..h {
            for x in 0..w {
                let v = ((x * 37 + y * 91) % 251) as u8;
                data.extend_from_slice(&[v, v.wrapping_mul(3), 255 - v]);
            }
        }
        Image::from_bgr(w, h, data).expect("pattern")
    }

    fn distinct_colors(img: &Image, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
        let mut set = std::collections::HashSet::new();
        for y in y0..y1 {
            for x in x0..x1 {
                set.insert(img.pixel(x, y));
            }
        }
        set.len()
    }

    #[test]
    fn face_region_loses_detail_and_the_rest_is_untouched() {
        let orig = pattern(200, 150);
        let mut img = orig.clone();
        let face = BBox::new(60.0, 40.0, 48.0, 60.0);
        pixelate_faces(&mut img, &[face], BlurOptions::default());
        // Before: thousands of colours in the face box; after: at most blocks² of them.
        assert!(distinct_colors(&orig, 60, 40, 108, 100) > 200);
        assert!(distinct_colors(&img, 60, 40, 108, 100) <= 36);
        // Margin covered: 25 % of 48 = 12 px left of the box is changed too.
        assert_ne!(img.pixel(50, 70), orig.pixel(50, 70));
        // Far away: untouched.
        for (x, y) in [(0, 0), (199, 149), (150, 20), (10, 140)] {
            assert_eq!(img.pixel(x, y), orig.pixel(x, y));
        }
    }

    #[test]
    fn boxes_off_the_edge_or_invalid_do_not_panic() {
        let mut img = pattern(50, 40);
        let before = img.clone();
        pixelate_faces(
            &mut img,
            &[
                BBox::new(-30.0, -30.0, 40.0, 40.0),
                BBox::new(45.0, 35.0, 100.0, 100.0),
                BBox::new(f32::NAN, 0.0, 5.0, 5.0),
                BBox::new(500.0, 500.0, 5.0, 5.0),
                BBox::new(0.0, 0.0, 1e30, 1e30),
            ],
            BlurOptions::default(),
        );
        assert_ne!(img, before);
        let mut empty = Image::filled(0, 0, [0; 3]).expect("empty");
        pixelate_faces(
            &mut empty,
            &[BBox::new(0.0, 0.0, 1.0, 1.0)],
            BlurOptions::default(),
        );
    }

    #[test]
    fn debug_image_blurs_by_default_and_outlines_faces() {
        let orig = pattern(120, 100);
        let face = DebugFace {
            bbox: BBox::new(30.0, 20.0, 40.0, 50.0),
            color: [0, 255, 0],
        };
        let out = debug_image(&orig, &[face], true);
        assert_eq!(out.pixel(30, 20), Some([0, 255, 0]));
        assert!(distinct_colors(&out, 33, 23, 67, 67) <= 36);
        let raw = debug_image(&orig, &[face], false);
        assert!(distinct_colors(&raw, 33, 23, 67, 67) > 200);
        assert_eq!(
            orig.pixel(30, 20),
            pattern(120, 100).pixel(30, 20),
            "input not modified"
        );
    }
}
