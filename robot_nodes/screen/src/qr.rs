//! The QR code of the online procedure, as SVG (rendered here, never fetched).
use crate::{Result, ScreenError};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// Longest URL put in a QR code (bytes). Longer ones make codes too dense to scan from a screen.
pub const MAX_QR_URL_BYTES: usize = 512;

/// Pixels per module in the SVG's own coordinates (the page scales it).
pub const MODULE_PX: u32 = 8;

fn refuse(url: &str, reason: &str) -> ScreenError {
    ScreenError::Qr {
        url: url.chars().take(80).collect(),
        reason: reason.to_string(),
    }
}

/// A URL the screen will show as a QR code: `http://` or `https://`, at most
/// [`MAX_QR_URL_BYTES`], no spaces or control characters.
pub fn check_qr_url(url: &str) -> Result<()> {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(refuse(url, "only http:// and https:// URLs are shown"));
    }
    if url.len() > MAX_QR_URL_BYTES {
        return Err(refuse(url, "longer than 512 bytes"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(refuse(url, "contains spaces or control characters"));
    }
    Ok(())
}

/// The QR code for `url` (error correction M, 4-module quiet zone), as a standalone SVG document.
pub fn qr_svg(url: &str) -> Result<String> {
    check_qr_url(url)?;
    let code = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M)
        .map_err(|e| refuse(url, &e.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .module_dimensions(MODULE_PX, MODULE_PX)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn renders_svg_for_http_urls_only() {
        let svg = qr_svg("https://dichvucong.gov.vn/").unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("<script"));
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "ftp://x",
            "https://a b",
            "dichvucong.gov.vn",
        ] {
            assert!(qr_svg(bad).is_err(), "{bad}");
        }
        let long = format!("https://x.vn/{}", "a".repeat(600));
        assert!(qr_svg(&long).unwrap_err().to_string().contains("512"));
        assert!(qr_svg("HTTPS://DICHVUCONG.GOV.VN/").is_ok());
    }
}
