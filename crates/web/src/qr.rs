//! QR codes drawn by the platform itself (no outside service sees the links): the modules of a text's code, and
//! the code as inline SVG, one square per dark module inside the standard four-module quiet zone.

use maud::{html, Markup, PreEscaped};
use qrcode::{Color, EcLevel, QrCode};

/// The quiet zone around a code, in modules, as the standard asks.
pub const QUIET: usize = 4;

/// The code's side in modules and its modules row by row (dark: `true`), without the quiet zone; `None` when the
/// text is too long for a QR code.
pub fn modules(text: &str) -> Option<(usize, Vec<bool>)> {
    // Medium error correction: a card may be creased or smudged.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let dark = code.to_colors().into_iter().map(|c| c == Color::Dark).collect();
    Some((code.width(), dark))
}

/// The code of `text` as an SVG image that scales to its container, or `None` when the text cannot be encoded.
pub fn svg(text: &str) -> Option<Markup> {
    let (width, dark) = modules(text)?;
    let side = width + 2 * QUIET;
    let mut path = String::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (x, y) = (i % width + QUIET, i / width + QUIET);
        path.push_str(&format!("M{x} {y}h1v1h-1z"));
    }
    Some(html! {
        svg.qr xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (side) " " (side)} shape-rendering="crispEdges"
            role="img" aria-label=(text) {
            rect width=(side) height=(side) fill="#fff" {}
            path d=(PreEscaped(path)) fill="#000" {}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The modules drawn as a greyscale picture, `scale` pixels to a module, with the quiet zone.
    fn picture(text: &str, scale: usize) -> (usize, Vec<u8>) {
        let (width, dark) = modules(text).unwrap();
        let side = (width + 2 * QUIET) * scale;
        let mut px = vec![255u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale).wrapping_sub(QUIET), (y / scale).wrapping_sub(QUIET));
                if mx < width && my < width && dark[my * width + mx] {
                    px[y * side + x] = 0;
                }
            }
        }
        (side, px)
    }

    #[test]
    fn the_code_decodes_to_the_survey_link() {
        let link = "https://shanzhi.example.gov.cn/surveys/ABCDE23456";
        let (side, px) = picture(link, 4);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| px[y * side + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, content) = grids[0].decode().unwrap();
        assert_eq!(content, link);
        // The SVG draws the same modules: one square per dark module.
        let (_, dark) = modules(link).unwrap();
        let svg = svg(link).unwrap().into_string();
        assert_eq!(svg.matches("h1v1h-1z").count(), dark.iter().filter(|d| **d).count());
        assert!(modules(&"x".repeat(5000)).is_none(), "too long for a QR code");
    }
}
