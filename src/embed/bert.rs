//! The BERT encoder's forward pass on candle tensors: embeddings, then
//! self-attention layers, then mean pooling over the real (unpadded)
//! tokens, as sentence-transformers pools all-MiniLM-L6-v2.

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

use super::EmbedError;

/// The parts of Hugging Face's `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Config {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub vocab_size: usize,
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub hidden_act: Option<String>,
}

struct Layer {
    /// Query, key and value projections as one `3h × h` matrix: one
    /// matrix product per layer instead of three (the same sums; fewer
    /// passes over the activations).
    qkv: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

pub(crate) struct Bert {
    /// The word-embedding table, kept in f16 (what the shipped file
    /// stores, so nothing is lost): it is half the model's parameters and
    /// only a few rows are read per question, so the rows are widened to
    /// f32 after the lookup instead of the whole table at load.
    words: Tensor,
    positions: Embedding,
    token_types: Embedding,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_dim: usize,
    pub(crate) max_positions: usize,
}

fn linear(vb: &VarBuilder, name: &str, inp: usize, out: usize) -> candle_core::Result<Linear> {
    let vb = vb.pp(name);
    Ok(Linear::new(
        vb.get((out, inp), "weight")?,
        Some(vb.get(out, "bias")?),
    ))
}

/// The query, key and value projections of one layer, stacked.
fn qkv(vb: &VarBuilder, h: usize) -> candle_core::Result<Linear> {
    let vb = vb.pp("attention.self");
    let mut weights = Vec::with_capacity(3);
    let mut biases = Vec::with_capacity(3);
    for part in ["query", "key", "value"] {
        weights.push(vb.get((h, h), &format!("{part}.weight"))?);
        biases.push(vb.get(h, &format!("{part}.bias"))?);
    }
    Ok(Linear::new(
        Tensor::cat(&weights, 0)?,
        Some(Tensor::cat(&biases, 0)?),
    ))
}

fn norm(vb: &VarBuilder, name: &str, size: usize, eps: f64) -> candle_core::Result<LayerNorm> {
    let vb = vb.pp(name);
    Ok(LayerNorm::new(
        vb.get(size, "weight")?,
        vb.get(size, "bias")?,
        eps,
    ))
}

impl Bert {
    /// Builds the model from safetensors bytes (any float type: the
    /// shipped f16 weights are widened to f32 here).
    pub(crate) fn load(weights: &[u8], config: &Config) -> Result<Bert, EmbedError> {
        if config.hidden_act.as_deref().is_some_and(|a| a != "gelu") {
            return Err(EmbedError::Config(format!(
                "hidden_act {:?} is not supported (gelu only)",
                config.hidden_act
            )));
        }
        if config.num_attention_heads == 0 || config.hidden_size % config.num_attention_heads != 0 {
            return Err(EmbedError::Config(
                "hidden_size must be a multiple of num_attention_heads".into(),
            ));
        }
        let device = Device::Cpu;
        // Tensors are read from the bytes one at a time as the layers ask
        // for them, so the file's copy and the widened weights are the
        // only two that ever coexist (not a third, decoded copy of all).
        let vb = VarBuilder::from_slice_safetensors(weights, DType::F32, &device)
            .map_err(|e| EmbedError::Weights(e.to_string()))?;
        let build = || -> candle_core::Result<Bert> {
            let h = config.hidden_size;
            let emb = vb.pp("embeddings");
            let mut layers = Vec::with_capacity(config.num_hidden_layers);
            for i in 0..config.num_hidden_layers {
                let l = vb.pp(format!("encoder.layer.{i}"));
                layers.push(Layer {
                    qkv: qkv(&l, h)?,
                    attention_out: linear(&l, "attention.output.dense", h, h)?,
                    attention_norm: norm(
                        &l,
                        "attention.output.LayerNorm",
                        h,
                        config.layer_norm_eps,
                    )?,
                    intermediate: linear(&l, "intermediate.dense", h, config.intermediate_size)?,
                    output: linear(&l, "output.dense", config.intermediate_size, h)?,
                    output_norm: norm(&l, "output.LayerNorm", h, config.layer_norm_eps)?,
                });
            }
            Ok(Bert {
                words: emb.get_with_hints_dtype(
                    (config.vocab_size, h),
                    "word_embeddings.weight",
                    Default::default(),
                    DType::F16,
                )?,
                positions: Embedding::new(
                    emb.get(
                        (config.max_position_embeddings, h),
                        "position_embeddings.weight",
                    )?,
                    h,
                ),
                token_types: Embedding::new(emb.get((2, h), "token_type_embeddings.weight")?, h),
                embeddings_norm: norm(&emb, "LayerNorm", h, config.layer_norm_eps)?,
                layers,
                heads: config.num_attention_heads,
                head_dim: h / config.num_attention_heads,
                max_positions: config.max_position_embeddings,
            })
        };
        build().map_err(|e| EmbedError::Weights(e.to_string()))
    }

    /// Mean-pooled, L2-normalised sentence vectors for a batch of token id
    /// sequences (padded here to the longest; the mask keeps padding out
    /// of attention and of the mean).
    pub(crate) fn embed(&self, batch: &[Vec<u32>]) -> candle_core::Result<Vec<Vec<f32>>> {
        let b = batch.len();
        let n = batch.iter().map(Vec::len).max().unwrap_or(0);
        if b == 0 || n == 0 {
            return Ok(vec![Vec::new(); b]);
        }
        let device = Device::Cpu;
        let mut ids = Vec::with_capacity(b * n);
        let mut mask = Vec::with_capacity(b * n);
        for seq in batch {
            ids.extend(
                seq.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0, n - seq.len())),
            );
            mask.extend((0..n).map(|i| if i < seq.len() { 1f32 } else { 0f32 }));
        }
        let ids = Tensor::from_vec(ids, (b, n), &device)?;
        let mask = Tensor::from_vec(mask, (b, n), &device)?;
        let positions = Tensor::arange(0u32, n as u32, &device)?;
        let types = Tensor::zeros((b, n), DType::U32, &device)?;

        let h = self.heads * self.head_dim;
        let mut x = self
            .words
            .index_select(&ids.flatten_all()?, 0)?
            .to_dtype(DType::F32)?
            .reshape((b, n, h))?
            .broadcast_add(&self.positions.forward(&positions)?)?
            .add(&self.token_types.forward(&types)?)?;
        x = self.embeddings_norm.forward(&x)?;

        // Padding gets a large negative attention bias, so softmax gives it ~0.
        let bias = ((mask.clone() - 1.0)? * 10_000.0)?.reshape((b, 1, 1, n))?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        for layer in &self.layers {
            let split = |t: Tensor| -> candle_core::Result<Tensor> {
                t.reshape((b, n, self.heads, self.head_dim))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let qkv = layer.qkv.forward(&x)?;
            let q = split(qkv.narrow(D::Minus1, 0, h)?)?;
            let k = split(qkv.narrow(D::Minus1, h, h)?)?;
            let v = split(qkv.narrow(D::Minus1, 2 * h, h)?)?;
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(&bias)?;
            let weights = candle_nn::ops::softmax_last_dim(&scores)?;
            let context =
                weights
                    .matmul(&v)?
                    .transpose(1, 2)?
                    .reshape((b, n, self.heads * self.head_dim))?;
            x = layer
                .attention_norm
                .forward(&(layer.attention_out.forward(&context)? + &x)?)?;
            let inner = layer.intermediate.forward(&x)?.gelu_erf()?;
            x = layer
                .output_norm
                .forward(&(layer.output.forward(&inner)? + &x)?)?;
        }

        let m = mask.unsqueeze(2)?;
        let summed = x.broadcast_mul(&m)?.sum(1)?;
        let counts = m.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norms = mean.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?;
        let unit = mean.broadcast_div(&norms)?;
        unit.to_vec2::<f32>()
    }
}
