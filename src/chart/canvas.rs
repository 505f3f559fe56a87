//! An RGB pixel buffer that draws the only shapes the stats chart needs,
//! filled rectangles and one line of text, and encodes itself as PNG.
//!
//! Text is drawn with the embedded DejaVu Sans through `ab_glyph` (glyph
//! outlines and anti-aliased coverage), so a chart looks the same on a
//! machine with no fonts installed, as the container and CI are.

use ab_glyph::{point, Font as _, FontRef, GlyphId, PxScale, ScaleFont as _};

use super::fit;

/// DejaVu Sans, one face (licence: assets/fonts/LICENSE).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// A colour, red, green and blue.
pub type Rgb = [u8; 3];

/// Horizontal placement of a line of text against its x.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
    Center,
}

pub struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    font: FontRef<'static>,
}

impl Canvas {
    pub fn new(width: u32, height: u32, background: Rgb) -> Canvas {
        let font =
            FontRef::try_from_slice(FONT).expect("the embedded font is a valid TrueType file");
        let pixels = background
            .iter()
            .copied()
            .cycle()
            .take(width as usize * height as usize * 3)
            .collect();
        Canvas {
            width,
            height,
            pixels,
            font,
        }
    }

    /// Fills a rectangle, clipped to the canvas.
    pub fn fill(&mut self, x: i32, y: i32, w: i32, h: i32, color: Rgb) {
        let x0 = x.clamp(0, self.width as i32) as usize;
        let x1 = x.saturating_add(w).clamp(0, self.width as i32) as usize;
        let y0 = y.clamp(0, self.height as i32) as usize;
        let y1 = y.saturating_add(h).clamp(0, self.height as i32) as usize;
        if x1 <= x0 {
            return;
        }
        for row in y0..y1 {
            let start = (row * self.width as usize + x0) * 3;
            let end = (row * self.width as usize + x1) * 3;
            for px in self.pixels[start..end].chunks_exact_mut(3) {
                px.copy_from_slice(&color);
            }
        }
    }

    /// Whether the font has a glyph for `c`.
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c) != GlyphId(0)
    }

    /// A character's advance at `size` pixels.
    pub fn advance(&self, c: char, size: f32) -> f32 {
        let scaled = self.font.as_scaled(PxScale::from(size));
        scaled.h_advance(self.font.glyph_id(c))
    }

    /// The width of a line at `size` pixels.
    pub fn width_of(&self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.advance(c, size)).sum()
    }

    /// `text` cleaned for drawing and cut to `max_width` at `size` pixels.
    pub fn fit(&self, text: &str, size: f32, max_width: f32) -> String {
        let line = fit::clean(text, |c| self.has_glyph(c));
        fit::cut_to_width(&line, max_width, |c| self.advance(c, size))
    }

    /// Draws one line of already fitted text with its top at `top`, and
    /// returns its width. Right-to-left runs are put in display order here.
    pub fn text(
        &mut self,
        x: f32,
        top: f32,
        text: &str,
        size: f32,
        color: Rgb,
        align: Align,
    ) -> f32 {
        let line = fit::display_order(text);
        let width = self.width_of(&line, size);
        let left = match align {
            Align::Left => x,
            Align::Right => x - width,
            Align::Center => x - width / 2.0,
        };
        let scale = PxScale::from(size);
        let baseline = top + self.font.as_scaled(scale).ascent();
        let mut caret = left;
        for c in line.chars() {
            let id = self.font.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            caret += self.font.as_scaled(scale).h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            let (w, h) = (self.width as i32, self.height as i32);
            let pixels = &mut self.pixels;
            outline.draw(|gx, gy, coverage| {
                let px = bounds.min.x as i32 + gx as i32;
                let py = bounds.min.y as i32 + gy as i32;
                if px < 0 || py < 0 || px >= w || py >= h {
                    return;
                }
                let at = (py as usize * w as usize + px as usize) * 3;
                let a = coverage.clamp(0.0, 1.0);
                for (channel, ink) in pixels[at..at + 3].iter_mut().zip(color) {
                    *channel = (f32::from(*channel) * (1.0 - a) + f32::from(ink) * a).round() as u8;
                }
            });
        }
        width
    }

    /// The picture as a PNG file's bytes.
    pub fn png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}
