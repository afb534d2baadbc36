//! Minimal PGM (portable graymap) reader/writer: binary P5 and ASCII P2, maxval up to 255.
//! Pixel rows are stored top row first, as in the file.

/// A grayscale image, `pixels[row * width + col]`, row 0 = top of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pgm {
    pub width: usize,
    pub height: usize,
    pub maxval: u16,
    pub pixels: Vec<u8>,
}

/// Parse a P5 or P2 PGM. The error string says what is wrong (the caller adds the file name).
pub fn parse_pgm(bytes: &[u8]) -> Result<Pgm, String> {
    let mut pos = 0usize;
    let magic = next_token(bytes, &mut pos).ok_or("empty file")?;
    let binary = match magic {
        b"P5" => true,
        b"P2" => false,
        other => {
            return Err(format!(
                "unsupported magic {:?} (only P5 binary and P2 ASCII graymaps)",
                String::from_utf8_lossy(other)
            ))
        }
    };
    let width = header_number(bytes, &mut pos, "width")?;
    let height = header_number(bytes, &mut pos, "height")?;
    let maxval = header_number(bytes, &mut pos, "maxval")?;
    if width == 0 || height == 0 {
        return Err(format!("empty image {width}x{height}"));
    }
    if maxval == 0 || maxval > 255 {
        return Err(format!("maxval {maxval} unsupported (1..=255)"));
    }
    let n = width
        .checked_mul(height)
        .filter(|&n| n <= 1 << 30)
        .ok_or_else(|| format!("image {width}x{height} too large"))?;
    let pixels = if binary {
        // exactly one whitespace byte after maxval
        pos += 1;
        let data = bytes.get(pos..).unwrap_or(&[]);
        if data.len() < n {
            return Err(format!(
                "truncated pixel data: {} bytes, expected {n}",
                data.len()
            ));
        }
        data[..n].to_vec()
    } else {
        let mut px = Vec::with_capacity(n);
        for i in 0..n {
            let v = header_number(bytes, &mut pos, "pixel")
                .map_err(|e| format!("{e} (pixel {i} of {n})"))?;
            if v > maxval {
                return Err(format!("pixel {i} value {v} exceeds maxval {maxval}"));
            }
            px.push(v as u8);
        }
        px
    };
    Ok(Pgm {
        width,
        height,
        maxval: maxval as u16,
        pixels,
    })
}

/// Encode as binary P5 with maxval 255.
pub fn write_pgm_p5(width: usize, height: usize, pixels: &[u8], comment: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(pixels.len() + 64);
    out.extend_from_slice(b"P5\n");
    for line in comment.lines() {
        out.extend_from_slice(b"# ");
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out.extend_from_slice(format!("{width} {height}\n255\n").as_bytes());
    out.extend_from_slice(pixels);
    out
}

fn next_token<'a>(bytes: &'a [u8], pos: &mut usize) -> Option<&'a [u8]> {
    loop {
        while *pos < bytes.len() && bytes[*pos].is_ascii_whitespace() {
            *pos += 1;
        }
        if *pos < bytes.len() && bytes[*pos] == b'#' {
            while *pos < bytes.len() && bytes[*pos] != b'\n' {
                *pos += 1;
            }
            continue;
        }
        break;
    }
    let start = *pos;
    while *pos < bytes.len() && !bytes[*pos].is_ascii_whitespace() && bytes[*pos] != b'#' {
        *pos += 1;
    }
    (start < *pos).then(|| &bytes[start..*pos])
}

fn header_number(bytes: &[u8], pos: &mut usize, what: &str) -> Result<usize, String> {
    let tok = next_token(bytes, pos).ok_or_else(|| format!("missing {what}"))?;
    std::str::from_utf8(tok)
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .ok_or_else(|| format!("bad {what} {:?}", String::from_utf8_lossy(tok)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn p5_roundtrip_with_comment() {
        let px = vec![0u8, 254, 205, 10, 20, 30];
        let bytes = write_pgm_p5(3, 2, &px, "hello\nworld");
        let p = parse_pgm(&bytes).unwrap();
        assert_eq!((p.width, p.height, p.maxval), (3, 2, 255));
        assert_eq!(p.pixels, px);
    }

    #[test]
    fn p5_pixel_data_may_start_with_whitespace_byte() {
        // pixel value 10 is '\n': must not be eaten as header whitespace
        let bytes = write_pgm_p5(2, 1, &[10, 32], "");
        assert_eq!(parse_pgm(&bytes).unwrap().pixels, vec![10, 32]);
    }

    #[test]
    fn p2_ascii() {
        let p = parse_pgm(b"P2\n# c\n2 2\n255\n0 254\n205 7\n").unwrap();
        assert_eq!(p.pixels, vec![0, 254, 205, 7]);
    }

    #[test]
    fn errors_are_explicit() {
        assert!(parse_pgm(b"P6\n1 1\n255\n\0\0\0")
            .unwrap_err()
            .contains("magic"));
        assert!(parse_pgm(b"P5\n4 4\n255\n\0\0")
            .unwrap_err()
            .contains("truncated"));
        assert!(parse_pgm(b"P5\n4 4\n65535\n")
            .unwrap_err()
            .contains("maxval"));
        assert!(parse_pgm(b"P2\n2 1\n255\n1\n")
            .unwrap_err()
            .contains("missing pixel"));
        assert!(parse_pgm(b"").is_err());
    }
}
