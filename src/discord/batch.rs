//! The encoder's queue: every member's question is embedded on one thread,
//! many at a time.
//!
//! Each answer used to run its own forward pass on a thread of its own
//! (`block_in_place`). A burst of 400 questions then meant 400 encoders
//! side by side on 2 cores: each slow, all holding their working memory at
//! once (296 MiB against the 150 MB target). Here one thread drains
//! whatever is waiting, up to [`MAX_BATCH`], and embeds it in one call:
//! memory is bounded by one batch, and a batch of similar questions costs
//! far less than as many single passes (one matrix product per layer for
//! all of them). A lone question waits for nothing: the thread takes what
//! is there when it wakes, even if that is one.
//!
//! Only the vector comes from here; the rest of the answer (triage, both
//! signals, the reply) is the [`crate::Engine`]'s, unchanged.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tracing::warn;

use crate::matcher::semantic::SemanticModel;

/// Questions embedded in one call at most: enough to amortise a burst
/// (one matrix product per layer for all of them), few enough that the
/// last of a batch does not wait long. Measured on 2 cores, 64 cleared
/// bursts of 400 questions about 7% faster than 16 and took 7 MiB more.
pub const MAX_BATCH: usize = 16;

/// Questions that may wait for the encoder before askers wait to join the
/// queue: only a text and a reply slot each, so memory stays small.
pub const QUEUE: usize = 4_096;

/// The queue has no thread behind it (it never started, or stopped).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueGone;

struct Job {
    text: String,
    reply: oneshot::Sender<Option<Vec<f32>>>,
}

/// The handle the bot's tasks share; dropping the last one ends the thread
/// once it has answered what is queued.
#[derive(Debug)]
pub struct Batcher {
    model: Arc<SemanticModel>,
    jobs: Option<mpsc::Sender<Job>>,
}

impl Batcher {
    /// Starts the encoder thread for `model`. If the thread cannot be
    /// started, every [`Batcher::embed`] says so and callers embed on
    /// their own.
    pub fn start(model: Arc<SemanticModel>) -> Batcher {
        let (tx, rx) = mpsc::channel(QUEUE);
        let worker = model.clone();
        let started = std::thread::Builder::new()
            .name("encoder".into())
            .spawn(move || run(&worker, rx));
        let jobs = match started {
            Ok(_) => Some(tx),
            Err(e) => {
                warn!("no encoder thread ({e}): each question is embedded on its own");
                None
            }
        };
        Batcher { model, jobs }
    }

    /// The model this queue embeds with.
    pub fn model(&self) -> &Arc<SemanticModel> {
        &self.model
    }

    /// `text`'s vector from the queue; [`QueueGone`] means embed some
    /// other way. `Ok(None)` if the encoder failed on this text, which
    /// [`crate::Engine::explain`] treats the same way: the question is
    /// decided without a vector.
    pub async fn embed(&self, text: &str) -> Result<Option<Vec<f32>>, QueueGone> {
        Ok(self.embed_all(&[text]).await?.pop().flatten())
    }

    /// The vectors of several texts, in order, queued together so that the
    /// encoder thread embeds them in one batch; as [`Batcher::embed`], per
    /// text.
    pub async fn embed_all(&self, texts: &[&str]) -> Result<Vec<Option<Vec<f32>>>, QueueGone> {
        let jobs = self.jobs.as_ref().ok_or(QueueGone)?;
        let mut answers = Vec::with_capacity(texts.len());
        for text in texts {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                text: (*text).to_owned(),
                reply,
            };
            jobs.send(job).await.map_err(|_| QueueGone)?;
            answers.push(answer);
        }
        let mut vectors = Vec::with_capacity(answers.len());
        for answer in answers {
            vectors.push(answer.await.map_err(|_| QueueGone)?);
        }
        Ok(vectors)
    }
}

/// The encoder thread: wait for a question, take every other one already
/// waiting (up to [`MAX_BATCH`]), embed them together, answer each.
fn run(model: &SemanticModel, mut jobs: mpsc::Receiver<Job>) {
    while let Some(first) = jobs.blocking_recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let texts: Vec<&str> = batch.iter().map(|j| j.text.as_str()).collect();
        let vectors = model.encoder.embed_all(&texts);
        match vectors {
            Ok(vectors) => {
                for (job, v) in batch.into_iter().zip(vectors) {
                    // An asker who gave up (its task ended) needs no reply.
                    let _ = job.reply.send(Some(v));
                }
            }
            Err(e) => {
                warn!("the encoder failed on a batch of {}: {e}", texts.len());
                for job in batch {
                    let _ = job.reply.send(None);
                }
            }
        }
    }
}
