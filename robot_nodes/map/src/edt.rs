//! Exact Euclidean distance transform (Felzenszwalb & Huttenlocher's lower-envelope method), shared
//! by navigation (costmap inflation, the localization likelihood field) and the simulator.

/// Squared distance (in cells²) from each cell to the nearest `true` cell of `mask` (row-major
/// `w x h`). Cells with no source get `f64::INFINITY`.
pub fn squared_distance_transform(mask: &[bool], w: usize, h: usize) -> Vec<f64> {
    // a large finite stand-in for "no source": the parabola intersections stay finite
    const INF: f64 = 1e20;
    let mut f: Vec<f64> = mask.iter().map(|&m| if m { 0.0 } else { INF }).collect();
    let n = w.max(h);
    let mut buf = vec![0.0f64; n];
    let mut out = vec![0.0f64; n];
    let mut v = vec![0usize; n];
    let mut z = vec![0.0f64; n + 1];
    // columns
    for x in 0..w {
        for y in 0..h {
            buf[y] = f[y * w + x];
        }
        dt1d(&buf[..h], &mut out[..h], &mut v, &mut z);
        for y in 0..h {
            f[y * w + x] = out[y];
        }
    }
    // rows
    for y in 0..h {
        buf[..w].copy_from_slice(&f[y * w..(y + 1) * w]);
        dt1d(&buf[..w], &mut out[..w], &mut v, &mut z);
        f[y * w..(y + 1) * w].copy_from_slice(&out[..w]);
    }
    for d in &mut f {
        if *d >= INF * 0.5 {
            *d = f64::INFINITY;
        }
    }
    f
}

/// Distance (in cells) from each cell to the nearest `true` cell of `mask` (row-major `w x h`).
/// Cells with no source get `f32::INFINITY`.
pub fn distance_transform(mask: &[bool], w: usize, h: usize) -> Vec<f32> {
    squared_distance_transform(mask, w, h)
        .iter()
        .map(|&d| d.sqrt() as f32)
        .collect()
}

fn dt1d(f: &[f64], d: &mut [f64], v: &mut [usize], z: &mut [f64]) {
    let n = f.len();
    if n == 0 {
        return;
    }
    let mut k = 0usize;
    v[0] = 0;
    z[0] = f64::NEG_INFINITY;
    z[1] = f64::INFINITY;
    for q in 1..n {
        let mut s;
        loop {
            let p = v[k];
            s = ((f[q] + (q * q) as f64) - (f[p] + (p * p) as f64))
                / (2.0 * q as f64 - 2.0 * p as f64);
            // z[0] is -inf, so this stops at k == 0
            if k > 0 && s <= z[k] {
                k -= 1;
            } else {
                break;
            }
        }
        k += 1;
        v[k] = q;
        z[k] = s;
        z[k + 1] = f64::INFINITY;
    }
    k = 0;
    for (q, dq) in d.iter_mut().enumerate().take(n) {
        while z[k + 1] < q as f64 {
            k += 1;
        }
        let p = v[k];
        let dx = q as f64 - p as f64;
        *dq = dx * dx + f[p];
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn matches_brute_force() {
        let (w, h) = (23, 17);
        let mut mask = vec![false; w * h];
        for &(x, y) in &[(3usize, 4usize), (20, 2), (10, 15), (11, 15), (0, 0)] {
            mask[y * w + x] = true;
        }
        let d = distance_transform(&mask, w, h);
        for y in 0..h {
            for x in 0..w {
                let mut best = f64::INFINITY;
                for sy in 0..h {
                    for sx in 0..w {
                        if mask[sy * w + sx] {
                            let dd = ((x as f64 - sx as f64).powi(2)
                                + (y as f64 - sy as f64).powi(2))
                            .sqrt();
                            best = best.min(dd);
                        }
                    }
                }
                assert!(
                    (f64::from(d[y * w + x]) - best).abs() < 1e-4,
                    "({x},{y}) {} vs {best}",
                    d[y * w + x]
                );
            }
        }
    }

    #[test]
    fn empty_mask_is_infinite() {
        let d = distance_transform(&[false; 6], 3, 2);
        assert!(d.iter().all(|v| v.is_infinite()));
        let d = squared_distance_transform(&[false; 6], 3, 2);
        assert!(d.iter().all(|v| v.is_infinite()));
    }

    #[test]
    fn squared_distances_are_exact_integers() {
        let (w, h) = (9, 5);
        let mut mask = vec![false; w * h];
        mask[2 * w + 1] = true;
        let d = squared_distance_transform(&mask, w, h);
        assert_eq!(d[2 * w + 1], 0.0);
        assert_eq!(d[2 * w + 8], 49.0);
        assert_eq!(d[4 * w + 4], 13.0);
    }
}
