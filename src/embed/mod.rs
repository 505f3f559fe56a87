//! The sentence encoder: weights in, unit vectors out.
//!
//! A BERT-style model (the shipped one is all-MiniLM-L6-v2, in
//! `models/minilm-l6/`) turns a sentence into a 384-number vector; two
//! sentences that mean the same thing point the same way, whatever words
//! they use. The edge reads the model's files and hands their contents in;
//! nothing here touches the file system.
//!
//! [`VectorCache`] keeps phrasing vectors between loads, so reloading an
//! FAQ embeds only the phrasings that changed.

mod bert;
mod tokenizer;

use std::collections::HashMap;

use thiserror::Error;

use bert::{Bert, Config};
use tokenizer::Tokenizer;

/// Longest input in tokens, as sentence-transformers cuts this model
/// (`max_seq_length`); longer messages are cut, which costs little: a
/// question's meaning is nearly always in its first 250 word pieces.
pub const MAX_TOKENS: usize = 256;
/// Sentences embedded together when building an index: large enough to
/// amortise the per-call cost, small enough that padding to the longest
/// in a batch (they are sorted by length first) wastes little.
const BATCH: usize = 32;

/// A model that could not be built, with what was wrong.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum EmbedError {
    #[error("config.json: {0}")]
    Config(String),
    #[error("vocab.txt: {0}")]
    Vocab(String),
    #[error("model.safetensors: {0}")]
    Weights(String),
    #[error("encoding failed: {0}")]
    Forward(String),
}

/// The model's files, read by the edge.
pub struct ModelFiles<'a> {
    /// A name for people ("all-MiniLM-L6-v2").
    pub name: &'a str,
    /// Identifies these exact weights (a checksum), for the vector cache.
    pub id: &'a str,
    pub config_json: &'a str,
    pub vocab_txt: &'a str,
    pub safetensors: &'a [u8],
}

pub struct Encoder {
    tokenizer: Tokenizer,
    /// The vocabulary's whole words, built once (see [`Encoder::dictionary`]).
    dictionary: crate::text::Dictionary,
    bert: Bert,
    name: String,
    id: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder")
            .field("name", &self.name)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Encoder {
    pub fn new(files: ModelFiles<'_>) -> Result<Encoder, EmbedError> {
        let config: Config = serde_json::from_str(files.config_json)
            .map_err(|e| EmbedError::Config(e.to_string()))?;
        let tokenizer = Tokenizer::new(files.vocab_txt)?;
        let bert = Bert::load(files.safetensors, &config)?;
        let encoder = Encoder {
            dictionary: crate::text::Dictionary::new(tokenizer.whole_words().map(str::to_owned)),
            tokenizer,
            bert,
            name: files.name.to_owned(),
            id: files.id.to_owned(),
        };
        // A model that loads but computes nonsense (a truncated or
        // mismatched file) must fail here, not answer members.
        let v = encoder.embed("hello")?;
        if v.iter().any(|x| !x.is_finite()) || v.is_empty() {
            return Err(EmbedError::Weights(
                "the model gives non-finite vectors".into(),
            ));
        }
        Ok(encoder)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn max_tokens(&self) -> usize {
        MAX_TOKENS.min(self.bert.max_positions)
    }

    /// The words the model's vocabulary holds whole: a dictionary of
    /// correctly spelled English, for telling a typo from a real word.
    pub fn dictionary(&self) -> crate::text::Dictionary {
        self.dictionary.clone()
    }

    /// Token ids for a text, as the model sees it (for tests and --explain).
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, self.max_tokens())
    }

    /// One sentence's unit vector.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let ids = self.token_ids(text);
        let mut v = self
            .bert
            .embed(&[ids])
            .map_err(|e| EmbedError::Forward(e.to_string()))?;
        Ok(v.pop().unwrap_or_default())
    }

    /// Many sentences' vectors, in input order, embedded in batches of
    /// similar length.
    pub fn embed_all(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<Vec<u32>> = chunk.iter().map(|&i| ids[i].clone()).collect();
            let vectors = self
                .bert
                .embed(&batch)
                .map_err(|e| EmbedError::Forward(e.to_string()))?;
            for (&i, v) in chunk.iter().zip(vectors) {
                out[i] = v;
            }
        }
        Ok(out)
    }
}

/// Cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Unit vectors kept as one matrix, so that a question's cosines to all of
/// them are one matrix product (candle's, optimised even in debug builds).
#[derive(Debug, Clone)]
pub struct Matrix {
    /// rows × dim, one vector a row.
    rows: candle_core::Tensor,
    count: usize,
    dim: usize,
}

impl Matrix {
    /// A matrix of `count` vectors of `dim` numbers, one after another.
    pub fn new(flat: &[f32], dim: usize) -> Matrix {
        let count = flat.len().checked_div(dim).unwrap_or(0);
        let rows = candle_core::Tensor::from_slice(
            &flat[..count * dim],
            (count, dim),
            &candle_core::Device::Cpu,
        )
        .and_then(|t| t.t()?.contiguous())
        .unwrap_or_else(|_| {
            candle_core::Tensor::zeros((dim, 0), candle_core::DType::F32, &candle_core::Device::Cpu)
                .expect("an empty matrix")
        });
        Matrix { rows, count, dim }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Cosines of each query (a flat list of vectors) to every row: a
    /// queries × rows list, row-major.
    pub fn cosines(&self, queries: &[f32]) -> Vec<f32> {
        let n = queries.len().checked_div(self.dim).unwrap_or(0);
        if n == 0 || self.count == 0 {
            return Vec::new();
        }
        candle_core::Tensor::from_slice(
            &queries[..n * self.dim],
            (n, self.dim),
            &candle_core::Device::Cpu,
        )
        .and_then(|q| q.matmul(&self.rows))
        .and_then(|m| m.flatten_all()?.to_vec1::<f32>())
        .unwrap_or_default()
    }
}

/// Sentence vectors kept between loads, keyed by the exact text and valid
/// for one model only.
#[derive(Debug, Clone, Default)]
pub struct VectorCache {
    model: String,
    vectors: HashMap<String, Vec<f32>>,
    changed: bool,
}

/// The cache file's first bytes, with a format version.
const CACHE_MAGIC: &[u8; 8] = b"FQBVEC01";

impl VectorCache {
    /// An empty cache for this model.
    pub fn new(model_id: &str) -> VectorCache {
        VectorCache {
            model: model_id.to_owned(),
            vectors: HashMap::new(),
            changed: false,
        }
    }

    /// Reads a cache file's bytes. Anything unreadable, or made by another
    /// model, gives an empty cache: it is only a speed-up.
    pub fn from_bytes(model_id: &str, bytes: &[u8]) -> VectorCache {
        Self::parse(model_id, bytes).unwrap_or_else(|| VectorCache::new(model_id))
    }

    fn parse(model_id: &str, bytes: &[u8]) -> Option<VectorCache> {
        let mut r = Reader(bytes);
        if r.take(8)? != CACHE_MAGIC || r.string()? != model_id {
            return None;
        }
        let dim = r.u32()? as usize;
        let count = r.u32()? as usize;
        let mut vectors = HashMap::with_capacity(count.min(1 << 16));
        for _ in 0..count {
            let text = r.string()?;
            let raw = r.take(dim.checked_mul(4)?)?;
            let v: Vec<f32> = raw
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            if v.iter().any(|x| !x.is_finite()) {
                return None;
            }
            vectors.insert(text, v);
        }
        r.0.is_empty().then_some(VectorCache {
            model: model_id.to_owned(),
            vectors,
            changed: false,
        })
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let dim = self.vectors.values().next().map_or(0, Vec::len);
        let mut out = Vec::new();
        out.extend_from_slice(CACHE_MAGIC);
        put_str(&mut out, &self.model);
        out.extend_from_slice(&(dim as u32).to_le_bytes());
        let mut keys: Vec<&String> = self.vectors.keys().collect();
        keys.sort();
        out.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        for k in keys {
            put_str(&mut out, k);
            for x in &self.vectors[k] {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Adds one vector (from an index already built with this model).
    pub fn insert(&mut self, text: String, vector: Vec<f32>) {
        self.vectors.insert(text, vector);
    }

    /// Whether anything was added since it was read.
    pub fn changed(&self) -> bool {
        self.changed
    }

    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// Vectors for every text, embedding only those not cached yet.
    pub fn vectors_for(
        &mut self,
        encoder: &Encoder,
        texts: &[&str],
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        if self.model != encoder.id() {
            *self = VectorCache::new(encoder.id());
        }
        let missing: Vec<&str> = {
            let mut seen = std::collections::HashSet::new();
            texts
                .iter()
                .copied()
                .filter(|t| !self.vectors.contains_key(*t) && seen.insert(*t))
                .collect()
        };
        if !missing.is_empty() {
            for (t, v) in missing.iter().zip(encoder.embed_all(&missing)?) {
                self.vectors.insert((*t).to_owned(), v);
            }
            self.changed = true;
        }
        Ok(texts.iter().map(|t| self.vectors[*t].clone()).collect())
    }

    /// Drops vectors for texts no longer in use, so the cache tracks the FAQ.
    pub fn retain(&mut self, used: &std::collections::HashSet<String>) {
        let before = self.vectors.len();
        self.vectors.retain(|k, _| used.contains(k));
        self.changed |= self.vectors.len() != before;
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u32(&mut self) -> Option<u32> {
        let b = self.take(4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self) -> Option<String> {
        let n = self.u32()? as usize;
        String::from_utf8(self.take(n)?.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cache round-trips, and a file from another model or a cut file
    /// gives an empty cache instead of wrong vectors.
    #[test]
    fn cache_round_trip_and_rejects() {
        let mut c = VectorCache::new("m1");
        c.vectors.insert("a".into(), vec![0.5, -0.25]);
        c.vectors.insert("bé".into(), vec![1.0, 0.0]);
        let bytes = c.to_bytes();
        let back = VectorCache::from_bytes("m1", &bytes);
        assert_eq!(back.vectors, c.vectors);
        assert!(VectorCache::from_bytes("m2", &bytes).is_empty());
        assert!(VectorCache::from_bytes("m1", &bytes[..bytes.len() - 1]).is_empty());
        assert!(VectorCache::from_bytes("m1", b"garbage").is_empty());
    }
}
