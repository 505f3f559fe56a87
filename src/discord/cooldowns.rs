//! Rate limits on what the bot sends unasked-for: replies to messages
//! (per member and per channel) and staff alerts. Plain data over
//! `tokio::time::Instant`, so the tests drive them with a paused clock.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// After the bot answers a member's message, it does not answer another
/// from them for this long: a burst of messages gets one reply, and the
/// member can still use /faq.
pub const USER_COOLDOWN: Duration = Duration::from_secs(30);
/// At most this many message replies per channel in [`CHANNEL_WINDOW`]:
/// the bot must never flood a conversation.
pub const CHANNEL_BURST: usize = 4;
pub const CHANNEL_WINDOW: Duration = Duration::from_secs(60);
/// After a member's urgent question alerts staff, their next urgent
/// questions do not alert again for this long: staff already have the link
/// and are on it; the member still gets the urgent reply every time.
pub const ALERT_MEMBER_COOLDOWN: Duration = Duration::from_secs(10 * 60);
/// At most this many staff alerts in [`ALERT_WINDOW`] from everyone
/// together: a raid of urgent-sounding messages must not bury the alert
/// channel; the alerts held back are counted in the next one sent.
pub const ALERT_BURST: usize = 5;
pub const ALERT_WINDOW: Duration = Duration::from_secs(60);
/// Past this many remembered members, those whose cooldown is over are
/// forgotten: the maps stay small however many members ever asked.
const FORGET_ABOVE: usize = 1024;

/// Rate limits for message replies (slash commands are asked on purpose
/// and are not limited). Urgent replies have their own per-member slot and
/// ignore the channel limit: a member describing a complication is always
/// told to get care, once per cooldown. Urgent replies are not counted
/// against the channel either.
#[derive(Debug, Default)]
pub struct Cooldowns {
    /// (user, urgent) → when the bot last replied.
    users: HashMap<(u64, bool), Instant>,
    /// channel → when the bot replied there within the window.
    channels: HashMap<u64, VecDeque<Instant>>,
}

impl Cooldowns {
    /// Whether a reply could go out now, counting nothing: checked before
    /// answering, so a member on cooldown costs no encoder time. A question
    /// that `may_be_urgent` is let through while the member's urgent slot
    /// is free, whatever the ordinary limits say: only the answer can tell
    /// whether it is urgent, and an urgent reply is never held back by them.
    pub fn may_reply(&self, user: u64, channel: u64, may_be_urgent: bool, now: Instant) -> bool {
        let user_free = |urgent: bool| {
            self.users
                .get(&(user, urgent))
                .is_none_or(|&last| now.duration_since(last) >= USER_COOLDOWN)
        };
        let channel_free = self.channels.get(&channel).is_none_or(|recent| {
            recent
                .iter()
                .filter(|&&t| now.duration_since(t) < CHANNEL_WINDOW)
                .count()
                < CHANNEL_BURST
        });
        (user_free(false) && channel_free) || (may_be_urgent && user_free(true))
    }

    /// Whether the bot may reply now; if so, the reply is counted.
    pub fn try_take(&mut self, user: u64, channel: u64, urgent: bool, now: Instant) -> bool {
        if self
            .users
            .get(&(user, urgent))
            .is_some_and(|&last| now.duration_since(last) < USER_COOLDOWN)
        {
            return false;
        }
        if !urgent {
            let recent = self.channels.entry(channel).or_default();
            while recent
                .front()
                .is_some_and(|&t| now.duration_since(t) >= CHANNEL_WINDOW)
            {
                recent.pop_front();
            }
            if recent.len() >= CHANNEL_BURST {
                return false;
            }
            recent.push_back(now);
        }
        self.users.insert((user, urgent), now);
        // Forget members whose cooldown is over, so the map stays small.
        if self.users.len() > FORGET_ABOVE {
            self.users
                .retain(|_, &mut t| now.duration_since(t) < USER_COOLDOWN);
        }
        true
    }
}

/// Limits on staff alerts (see [`ALERT_MEMBER_COOLDOWN`] and
/// [`ALERT_BURST`]); the member's own urgent reply is never limited by it.
#[derive(Debug, Default)]
pub struct AlertCooldown {
    /// (server, member) → when their last alert was sent.
    members: HashMap<(Option<u64>, u64), Instant>,
    /// When the alerts within the window were sent.
    recent: VecDeque<Instant>,
    /// Alerts held back since the last one sent.
    held: u64,
}

impl AlertCooldown {
    /// Whether an alert about `user` in `guild` may go to staff now; if so,
    /// it is counted and the number held back since the last alert is
    /// returned (and reset).
    pub fn try_take(&mut self, guild: Option<u64>, user: u64, now: Instant) -> Option<u64> {
        let member_quiet = self
            .members
            .get(&(guild, user))
            .is_some_and(|&last| now.duration_since(last) < ALERT_MEMBER_COOLDOWN);
        while self
            .recent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= ALERT_WINDOW)
        {
            self.recent.pop_front();
        }
        if member_quiet || self.recent.len() >= ALERT_BURST {
            self.held += 1;
            return None;
        }
        self.recent.push_back(now);
        self.members.insert((guild, user), now);
        // Forget members whose cooldown is over, so the map stays small.
        if self.members.len() > FORGET_ABOVE {
            self.members
                .retain(|_, &mut t| now.duration_since(t) < ALERT_MEMBER_COOLDOWN);
        }
        Some(std::mem::take(&mut self.held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A burst from one member gets one reply per cooldown; a channel gets at
    /// most CHANNEL_BURST replies per window; urgent replies are not crowded out.
    #[tokio::test(start_paused = true)]
    async fn cooldowns_bound_bursts() {
        let mut c = Cooldowns::default();
        assert!(c.try_take(1, 10, false, Instant::now()));
        assert!(
            !c.try_take(1, 10, false, Instant::now()),
            "same member, within the cooldown"
        );
        assert!(
            c.try_take(1, 10, true, Instant::now()),
            "urgent has its own slot"
        );
        assert!(!c.try_take(1, 10, true, Instant::now()));
        for user in 2..=CHANNEL_BURST as u64 {
            assert!(c.try_take(user, 10, false, Instant::now()));
        }
        assert!(!c.try_take(99, 10, false, Instant::now()), "channel full");
        assert!(c.try_take(99, 11, false, Instant::now()), "another channel");
        assert!(
            c.try_take(98, 10, true, Instant::now()),
            "urgent ignores the channel limit"
        );
        tokio::time::advance(USER_COOLDOWN).await;
        assert!(c.try_take(1, 12, false, Instant::now()), "cooldown over");
        assert!(
            !c.try_take(99, 10, false, Instant::now()),
            "channel window not over yet"
        );
        tokio::time::advance(CHANNEL_WINDOW).await;
        assert!(c.try_take(99, 10, false, Instant::now()));
    }

    /// The check before answering agrees with the count after it: it lets
    /// through exactly what `try_take` would, with either slot for a question
    /// that may be urgent, and counts nothing.
    #[tokio::test(start_paused = true)]
    async fn may_reply_agrees_with_try_take() {
        let now = Instant::now;
        let mut c = Cooldowns::default();
        assert!(c.may_reply(1, 10, false, now()));
        assert!(c.may_reply(1, 10, false, now()), "checking counts nothing");
        assert!(c.try_take(1, 10, false, now()));
        assert!(!c.may_reply(1, 10, false, now()), "member cooling down");
        assert!(
            c.may_reply(1, 10, true, now()),
            "a question that may be urgent still gets its own slot"
        );
        assert!(c.try_take(1, 10, true, now()));
        assert!(!c.may_reply(1, 10, true, now()), "both slots taken");
        for user in 2..=CHANNEL_BURST as u64 {
            assert!(c.try_take(user, 10, false, now()));
        }
        assert!(!c.may_reply(99, 10, false, now()), "channel full");
        assert!(
            c.may_reply(99, 10, true, now()),
            "urgent ignores the channel"
        );
        assert!(c.may_reply(99, 11, false, now()), "another channel");
        tokio::time::advance(CHANNEL_WINDOW).await;
        assert!(c.may_reply(99, 10, false, now()), "window over");
        assert!(c.may_reply(1, 10, false, now()), "cooldown over");
    }

    /// Staff alerts: one per member per cooldown, ALERT_BURST per window in
    /// all; the held-back count goes with the next alert sent.
    #[tokio::test(start_paused = true)]
    async fn alert_cooldown_bounds_floods() {
        let mut a = AlertCooldown::default();
        let now = Instant::now;
        assert_eq!(a.try_take(Some(1), 10, now()), Some(0));
        for _ in 0..9 {
            assert_eq!(a.try_take(Some(1), 10, now()), None, "same member");
        }
        assert_eq!(
            a.try_take(Some(2), 10, now()),
            Some(9),
            "same id, another server"
        );
        for user in 11..(11 + ALERT_BURST as u64 - 2) {
            assert!(a.try_take(Some(1), user, now()).is_some());
        }
        assert_eq!(a.try_take(Some(1), 99, now()), None, "window full");
        tokio::time::advance(ALERT_WINDOW).await;
        assert_eq!(a.try_take(Some(1), 99, now()), Some(1), "window over");
        assert_eq!(
            a.try_take(Some(1), 10, now()),
            None,
            "member still cooling down"
        );
        tokio::time::advance(ALERT_MEMBER_COOLDOWN).await;
        assert_eq!(a.try_take(Some(1), 10, now()), Some(1));
    }
}
