//! The semantic signal: every phrasing of every entry as a sentence
//! vector, and a question's cosine to each entry's nearest phrasing.
//!
//! Cosines mean different things on different FAQs (a tight FAQ of near
//! neighbours scores everything high), so the index also measures, at load
//! time, how this FAQ's own phrasings score against each other and how
//! general off-topic sentences score against it: [`Calibration`].

use crate::embed::{EmbedError, Encoder, Matrix, VectorCache};
use crate::faq::Faq;
use crate::text;

/// The encoder and the sentences that calibrate it, shared between FAQ
/// loads (the model is loaded once per process).
#[derive(Debug)]
pub struct SemanticModel {
    pub encoder: Encoder,
    /// General sentences about nothing any FAQ covers (weather, food, chat),
    /// shipped with the model: how off-topic questions score.
    pub off_topic: Vec<String>,
}

/// What this FAQ's cosines look like, measured when it is loaded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Calibration {
    /// Median, over every phrasing, of its cosine to the nearest other
    /// phrasing of its own entry (leave one out): how a question that
    /// means an entry scores.
    pub in_domain: f32,
    /// The [`OFF_TOPIC_QUANTILE`] of the off-topic sentences' best cosine
    /// to any phrasing: how high chat that means no entry scores.
    pub off_topic: f32,
    /// Share of phrasings whose nearest other phrasing is in their own
    /// entry: how separable this FAQ's entries are.
    pub self_consistency: f32,
}

/// Phrasings compared with all others at once during calibration: a
/// block × phrasings matrix of cosines, about 2 MB for the shipped FAQ.
const CALIBRATION_BLOCK: usize = 256;

/// How many of an entry's nearest phrasings [`Nearest::top_mean`] averages.
pub const TOP_K: usize = 2;

/// Which off-topic sentence sets the off-topic level: a high quantile, so
/// that nine in ten chat lines score below it, but not the maximum, which
/// one odd sentence would decide.
pub const OFF_TOPIC_QUANTILE: f32 = 0.9;

#[derive(Debug, Clone)]
pub struct SemanticIndex {
    dim: usize,
    /// Phrasing vectors, one after another.
    vectors: Vec<f32>,
    /// The same, as a matrix for fast cosines.
    matrix: Matrix,
    /// The entry of each phrasing, and its number within the entry.
    owner: Vec<(u32, u32)>,
    /// The normalised text of each phrasing (the cache key).
    texts: Vec<String>,
    entries: usize,
    pub calibration: Calibration,
}

/// One entry's semantic score for a question.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearest {
    pub cosine: f32,
    /// Mean cosine of the entry's [`TOP_K`] nearest phrasings.
    pub top_mean: f32,
    /// Its nearest phrasing, in [`crate::faq::Entry::phrasings`] order.
    pub phrasing: usize,
}

impl SemanticIndex {
    /// Embeds every phrasing (reusing `cache`) and calibrates.
    pub fn build(
        faq: &Faq,
        model: &SemanticModel,
        cache: &mut VectorCache,
    ) -> Result<SemanticIndex, EmbedError> {
        let mut texts = Vec::new();
        let mut owner = Vec::new();
        for (e, entry) in faq.entries.iter().enumerate() {
            for (i, p) in entry.phrasings().enumerate() {
                texts.push(text::normalise(p));
                owner.push((e as u32, i as u32));
            }
        }
        let off_topic: Vec<String> = model.off_topic.iter().map(|s| text::normalise(s)).collect();
        let all: Vec<&str> = texts
            .iter()
            .chain(off_topic.iter())
            .map(String::as_str)
            .collect();
        let vectors = cache.vectors_for(&model.encoder, &all)?;
        let dim = vectors.first().map_or(0, Vec::len);
        let (phrasing_vectors, off_topic_vectors) = vectors.split_at(texts.len());
        let flat = phrasing_vectors.concat();
        let mut index = SemanticIndex {
            dim,
            matrix: Matrix::new(&flat, dim),
            vectors: flat,
            owner,
            texts,
            entries: faq.entries.len(),
            calibration: Calibration {
                in_domain: 0.0,
                off_topic: 0.0,
                self_consistency: 0.0,
            },
        };
        index.calibration = index.calibrate(off_topic_vectors);
        Ok(index)
    }

    fn vector(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    /// The normalised phrasing texts (the vector cache's keys).
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(String::as_str)
    }

    pub fn phrasings(&self) -> usize {
        self.owner.len()
    }

    /// The phrasing texts, for seeding the next load's cache.
    pub fn cache(&self, model_id: &str) -> VectorCache {
        let mut cache = VectorCache::new(model_id);
        for (i, t) in self.texts.iter().enumerate() {
            cache.insert(t.clone(), self.vector(i).to_vec());
        }
        cache
    }

    fn calibrate(&self, off_topic: &[Vec<f32>]) -> Calibration {
        let n = self.owner.len();
        // Every phrasing against every other, in blocks to bound memory.
        let mut own_best = Vec::with_capacity(n);
        let mut consistent = 0usize;
        let mut counted = 0usize;
        for start in (0..n).step_by(CALIBRATION_BLOCK) {
            let end = (start + CALIBRATION_BLOCK).min(n);
            let block = self
                .matrix
                .cosines(&self.vectors[start * self.dim..end * self.dim]);
            for i in start..end {
                let row = &block[(i - start) * n..(i - start + 1) * n];
                let (mut own, mut other) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
                for (j, &c) in row.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    if self.owner[i].0 == self.owner[j].0 {
                        own = own.max(c);
                    } else {
                        other = other.max(c);
                    }
                }
                if own.is_finite() {
                    own_best.push(own);
                    counted += 1;
                    consistent += usize::from(own >= other);
                }
            }
        }
        let flat_off: Vec<f32> = off_topic.concat();
        let off_cos = self.matrix.cosines(&flat_off);
        let mut off: Vec<f32> = off_cos
            .chunks(n.max(1))
            .map(|row| row.iter().copied().fold(f32::NEG_INFINITY, f32::max))
            .filter(|c| c.is_finite())
            .collect();
        Calibration {
            in_domain: quantile(&mut own_best, 0.5),
            off_topic: quantile(&mut off, OFF_TOPIC_QUANTILE),
            self_consistency: if counted == 0 {
                0.0
            } else {
                consistent as f32 / counted as f32
            },
        }
    }

    /// Each entry's cosine to the question, through its nearest phrasing.
    pub fn scores(&self, question: &[f32]) -> Vec<Nearest> {
        let mut best = vec![
            Nearest {
                cosine: f32::NEG_INFINITY,
                top_mean: f32::NEG_INFINITY,
                phrasing: 0,
            };
            self.entries
        ];
        if question.len() != self.dim {
            return best;
        }
        let mut tops = vec![[f32::NEG_INFINITY; TOP_K]; self.entries];
        let cosines = self.matrix.cosines(question);
        for (i, &(e, p)) in self.owner.iter().enumerate() {
            let c = cosines.get(i).copied().unwrap_or(f32::NEG_INFINITY);
            let slot = &mut best[e as usize];
            if c > slot.cosine {
                slot.cosine = c;
                slot.phrasing = p as usize;
            }
            let top = &mut tops[e as usize];
            if c > top[TOP_K - 1] {
                top[TOP_K - 1] = c;
                top.sort_by(|a, b| b.total_cmp(a));
            }
        }
        for (slot, top) in best.iter_mut().zip(&tops) {
            let kept: Vec<f32> = top.iter().copied().filter(|c| c.is_finite()).collect();
            slot.top_mean = kept.iter().sum::<f32>() / kept.len().max(1) as f32;
        }
        best
    }
}

/// The q-quantile (0 to 1) by nearest rank; 0 for no values.
fn quantile(values: &mut [f32], q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f32::total_cmp);
    let at = ((values.len() - 1) as f32 * q).round() as usize;
    values[at.min(values.len() - 1)]
}
