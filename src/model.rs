//! The edge that reads the sentence encoder's files and keeps the vector
//! cache on disk. The core ([`crate::embed`]) gets bytes and strings only.
//!
//! A missing or broken model is an error that names the file: the bot and
//! every command refuse to start rather than answer with half the matcher.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use crate::embed::{Encoder, ModelFiles, VectorCache};
use crate::engine::Engine;
use crate::faq::Faq;
use crate::matcher::semantic::SemanticModel;

/// Where the shipped model lives, relative to the working directory (the
/// repository, or `/app` in the container).
pub const DEFAULT_MODEL_DIR: &str = "models/minilm-l6";
/// The model's display name, shown by `faqbot check` and `/faqadmin info`.
const MODEL_NAME_FILE: &str = "NAME";
/// Largest weights file read: the shipped one is 45 MB; a 12-layer base
/// model in f16 is about 220 MB. Anything bigger is not a sentence encoder
/// this bot can run on a small machine.
const MAX_WEIGHTS_BYTES: u64 = 512 << 20;
/// Largest text file read from the model folder (the vocabulary is 230 KB).
const MAX_TEXT_BYTES: u64 = 16 << 20;
/// Largest vector cache file read: about 40,000 phrasings of 384 floats.
const MAX_CACHE_BYTES: u64 = 64 << 20;

/// The model folder: the one given (`--model` or `FAQBOT_MODEL`), else the
/// shipped one in the working directory, else the one in the source tree
/// this binary was built from (so tests and `cargo run` work anywhere).
pub fn model_dir(given: Option<&Path>) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_owned();
    }
    let local = PathBuf::from(DEFAULT_MODEL_DIR);
    if local.is_dir() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join(DEFAULT_MODEL_DIR)
}

/// Reads a model or cache file through the shared capped reader, naming
/// the file in the error.
fn read_capped(path: &Path, cap: u64, what: &str) -> Result<Vec<u8>> {
    crate::files::read_capped(path, cap, what)
        .with_context(|| format!("cannot read {}", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    crate::files::read_capped_string(path, MAX_TEXT_BYTES, "a model text file")
        .with_context(|| format!("cannot read {}", path.display()))
}

/// Loads the encoder and its calibration sentences from a model folder.
pub fn load_model(dir: &Path) -> Result<Arc<SemanticModel>> {
    let weights_path = dir.join("model.safetensors");
    let weights = read_capped(&weights_path, MAX_WEIGHTS_BYTES, "model weights")?;
    let config = read_text(&dir.join("config.json"))?;
    let vocab = read_text(&dir.join("vocab.txt"))?;
    let name = read_text(&dir.join(MODEL_NAME_FILE))
        .map(|n| n.trim().to_owned())
        .unwrap_or_else(|_| dir.display().to_string());
    let off_topic_path = dir.join("off-topic.txt");
    let off_topic: Vec<String> = read_text(&off_topic_path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    if off_topic.is_empty() {
        bail!("{} has no sentences", off_topic_path.display());
    }
    let digest = ring::digest::digest(&ring::digest::SHA256, &weights);
    let id: String = digest.as_ref()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let encoder = Encoder::new(ModelFiles {
        name: &name,
        id: &id,
        config_json: &config,
        vocab_txt: &vocab,
        safetensors: &weights,
    })
    .with_context(|| format!("the model in {} cannot be used", dir.display()))?;
    Ok(Arc::new(SemanticModel { encoder, off_topic }))
}

/// Where phrasing vectors are kept between runs: `FAQBOT_CACHE_DIR`, else
/// the user's cache folder. `None` when there is nowhere to keep them (the
/// bot then embeds every phrasing at each start, which is only slower).
pub fn cache_file(model: &SemanticModel) -> Option<PathBuf> {
    let dir = std::env::var_os("FAQBOT_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("faqbot")))
        .or_else(|| std::env::var_os("HOME").map(|d| PathBuf::from(d).join(".cache/faqbot")))?;
    Some(dir.join(format!("vectors-{}.bin", model.encoder.id())))
}

/// Builds the full engine, reusing vectors from `seed` (the engine being
/// replaced) or else the cache file, and saving new vectors to the file.
pub fn build_engine(
    faq: Faq,
    model: &Arc<SemanticModel>,
    seed: Option<VectorCache>,
) -> Result<Engine> {
    let file = cache_file(model);
    let mut cache = match (seed, &file) {
        (Some(seed), _) => seed,
        (None, Some(path)) => match read_capped(path, MAX_CACHE_BYTES, "a vector cache") {
            Ok(bytes) => VectorCache::from_bytes(model.encoder.id(), &bytes),
            Err(_) => VectorCache::new(model.encoder.id()),
        },
        (None, None) => VectorCache::new(model.encoder.id()),
    };
    let engine = Engine::with_model(faq, model.clone(), &mut cache)
        .context("the encoder failed on the FAQ's phrasings")?;
    if cache.changed() {
        if let Some(path) = &file {
            if let Err(e) = save_cache(path, &cache) {
                tracing::debug!("vector cache not saved to {}: {e:#}", path.display());
            }
        }
    }
    Ok(engine)
}

/// Writes the cache atomically (a temporary file renamed over the old one),
/// so a reader never sees half a file.
fn save_cache(path: &Path, cache: &VectorCache) -> Result<()> {
    let dir = path.parent().context("cache path has no folder")?;
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("vectors"),
        std::process::id()
    ));
    std::fs::write(&tmp, cache.to_bytes())?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
