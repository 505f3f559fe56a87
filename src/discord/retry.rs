//! Retries for the replies members wait on. Discord's REST sometimes
//! answers 500/502/503, or drops a connection; serenity's rate limiter
//! retries 429s but not those, and with the limiter off (a stand-in's
//! proxy) nothing retries at all. A member should not lose an answer to a
//! blip, so member-facing sends go through [`retrying`].

use std::future::Future;
use std::time::Duration;

use poise::serenity_prelude as serenity;
use serenity::HttpError;
use tokio::time::Instant;
use tracing::warn;

/// An interaction must be answered within 3 s of being sent, so retries of
/// a first response stop with some room left.
pub const INTERACTION_BUDGET: Duration = Duration::from_millis(2500);

/// A channel message has no deadline, but a reply arriving much later
/// than the question reads as out of place.
pub const MESSAGE_BUDGET: Duration = Duration::from_secs(10);

/// The first wait; each retry doubles it, up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(100);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Whether Discord may accept the same request a moment later: a server
/// error, a rate limit, or a request that never got an answer.
pub fn transient(e: &serenity::Error) -> bool {
    match e {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            r.status_code.as_u16() == 429 || r.status_code.is_server_error()
        }
        serenity::Error::Http(HttpError::Request(r)) => !r.is_builder(),
        _ => false,
    }
}

/// Runs `attempt` until it succeeds, fails for good, or `budget` would be
/// overrun by the next wait. `what` names the send in the logs.
pub async fn retrying<T, F, Fut>(
    what: &str,
    budget: Duration,
    mut attempt: F,
) -> serenity::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = serenity::Result<T>>,
{
    retry_loop(what, budget, &mut attempt, transient).await
}

/// [`retrying`] with the judgement of an error as an argument (for tests:
/// serenity's error types cannot be built outside serenity).
async fn retry_loop<T, E, F, Fut>(
    what: &str,
    budget: Duration,
    mut attempt: F,
    transient: fn(&E) -> bool,
) -> Result<T, E>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let deadline = Instant::now() + budget;
    let mut delay = FIRST_DELAY;
    let mut tries = 1u32;
    loop {
        match attempt().await {
            Err(e) if transient(&e) && Instant::now() + delay < deadline => {
                warn!(tries, "{what}: Discord failed ({e}); retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_DELAY);
                tries += 1;
            }
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    /// The same rule as [`transient`], on bare status codes.
    fn transient_status(status: &u16) -> bool {
        *status == 429 || (500..600).contains(status)
    }

    /// 5xx and 429 are retried until success; 4xx fails at once; retries
    /// stop at the budget. (Paused clock: no real waiting.)
    #[tokio::test(start_paused = true)]
    async fn retries_transient_failures_within_budget() {
        let cases: [(&[u16], Duration, Result<u32, u16>); 4] = [
            (&[500, 429, 503], INTERACTION_BUDGET, Ok(4)),
            (&[400], INTERACTION_BUDGET, Err(400)),
            (&[500; 20], INTERACTION_BUDGET, Err(500)),
            (&[502; 6], MESSAGE_BUDGET, Ok(7)),
        ];
        for (failures, budget, want) in cases {
            let calls = AtomicU32::new(0);
            let start = Instant::now();
            let got = retry_loop(
                "test",
                budget,
                || async {
                    let n = calls.fetch_add(1, Ordering::SeqCst);
                    match failures.get(n as usize) {
                        Some(&status) => Err(status),
                        None => Ok(n + 1),
                    }
                },
                transient_status,
            )
            .await;
            assert_eq!(got, want, "{failures:?}");
            assert!(
                start.elapsed() <= budget,
                "{failures:?} took {:?}",
                start.elapsed()
            );
        }
    }
}
