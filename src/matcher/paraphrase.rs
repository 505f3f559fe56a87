//! Grouping paraphrases: unanswered questions that say the same thing,
//! told apart from different ones by their words and their edit distance.
//! The `unanswered` report lists each group once, most asked first.

use std::collections::HashMap;

use crate::text::normalise;

/// Two unanswered questions this similar (normalised Levenshtein, 0 to 1)
/// are one paraphrase group: catches typos and small rewordings.
pub const PARAPHRASE_SIMILARITY: f64 = 0.8;

/// Unanswered questions that read the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The most asked wording.
    pub text: String,
    pub count: u64,
    /// The other wordings, most asked first.
    pub variants: Vec<String>,
}

/// Through any one word, a wording is compared with at most this many
/// groups, the most asked first: a common word ("can", "i", "after") names
/// thousands of groups, and walking them all would make grouping quadratic.
const GROUPS_PER_WORD: usize = 32;

/// The groups sharing the most (rarity-weighted) words with a wording that
/// are compared with it by edit distance: a paraphrase shares most of its
/// words, and above all its rare ones, with its group.
const MAX_CANDIDATES: usize = 8;

/// Groups texts by normalised equality, then joins each wording (most
/// asked first) to the earliest group whose first wording is at least
/// [`PARAPHRASE_SIMILARITY`] alike (normalised Levenshtein). Not every pair
/// is compared, so this stays near-linear: a wording meets only groups that
/// share a word with it (through each word, the [`GROUPS_PER_WORD`] most
/// asked), are of a length within the allowed edits, and are among the
/// [`MAX_CANDIDATES`] sharing the most words. A wording that shares only
/// common words with a rarely asked paraphrase stays in a group of its own
/// (a longer list, never a wrong merge). Most asked groups first; ties by
/// text, so the order is stable. Each text is normalised and cut to
/// `max_chars` first (the caller's cap, which also bounds the cost of each
/// edit distance).
pub fn group_paraphrases<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    max_chars: usize,
) -> Vec<Group> {
    let mut counts: HashMap<String, u64> = HashMap::new();
    for t in texts {
        let t: String = normalise(t).chars().take(max_chars).collect();
        let t = t.trim_end();
        if !t.is_empty() {
            *counts.entry(t.to_owned()).or_default() += 1;
        }
    }
    let mut distinct: Vec<(String, u64)> = counts.into_iter().collect();
    distinct.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut groups: Vec<Group> = Vec::new();
    // Each group's first wording, as characters, and which groups use a word.
    let mut heads: Vec<Vec<char>> = Vec::new();
    let mut head_grams: Vec<Vec<u64>> = Vec::new();
    let mut by_word: HashMap<String, Vec<usize>> = HashMap::new();
    // Words shared with each group for the current wording, each weighted
    // by its rarity (1 / groups using it), so one rare word outweighs many
    // common ones (dense, reset per wording).
    let mut shared: Vec<f32> = Vec::new();
    let mut touched: Vec<usize> = Vec::new();
    for (text, n) in distinct {
        let chars: Vec<char> = text.chars().collect();
        let grams = trigrams(&chars);
        let mut words: Vec<&str> = text.split_whitespace().collect();
        words.sort_unstable();
        words.dedup();
        for w in &words {
            let Some(ids) = by_word.get(*w) else { continue };
            // Groups are made most asked first, so these are the most asked.
            let weight = 1.0 / ids.len() as f32;
            for &g in ids.iter().take(GROUPS_PER_WORD) {
                if shared[g] == 0.0 {
                    touched.push(g);
                }
                shared[g] += weight;
            }
        }
        let mut candidates: Vec<(f32, usize)> = touched
            .drain(..)
            .map(|g| (std::mem::take(&mut shared[g]), g))
            .filter(|&(_, g)| heads[g].len().abs_diff(chars.len()) <= max_edits(&heads[g], &chars))
            .collect();
        candidates.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        candidates.truncate(MAX_CANDIDATES);
        let joined = candidates
            .iter()
            .map(|&(_, g)| g)
            .filter(|&g| {
                let k = max_edits(&heads[g], &chars);
                may_be_within(&head_grams[g], &grams, heads[g].len().max(chars.len()), k)
                    && within_edits(&heads[g], &chars, k)
            })
            .min();
        match joined {
            Some(g) => {
                groups[g].count += n;
                groups[g].variants.push(text);
            }
            None => {
                let id = groups.len();
                for w in &words {
                    by_word.entry((*w).to_owned()).or_default().push(id);
                }
                heads.push(chars);
                head_grams.push(grams);
                shared.push(0.0);
                groups.push(Group {
                    text,
                    count: n,
                    variants: Vec::new(),
                });
            }
        }
    }
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.text.cmp(&b.text)));
    groups
}

/// The most edits two wordings may differ by and still be
/// [`PARAPHRASE_SIMILARITY`] alike: `1 - d / longer >= similarity`.
fn max_edits(a: &[char], b: &[char]) -> usize {
    let longer = a.len().max(b.len()) as f64;
    // The epsilon keeps an exact boundary (d / longer == 1 - similarity) inside.
    ((1.0 - PARAPHRASE_SIMILARITY) * longer + 1e-9).floor() as usize
}

/// The text's character trigrams, each packed in a `u64` (a `char` fits in
/// 21 bits), sorted.
fn trigrams(chars: &[char]) -> Vec<u64> {
    let mut grams: Vec<u64> = chars
        .windows(3)
        .map(|w| (u64::from(w[0]) << 42) | (u64::from(w[1]) << 21) | u64::from(w[2]))
        .collect();
    grams.sort_unstable();
    grams
}

/// Ukkonen's q-gram count filter, in O(length): two texts within `k` edits
/// share at least `longer - 2 - 3k` trigrams (each edit destroys at most
/// three). False means they cannot be within `k`; true means maybe, and the
/// edit distance decides. It spares the costlier distance for nearly every
/// unrelated pair.
fn may_be_within(a: &[u64], b: &[u64], longer: usize, k: usize) -> bool {
    let needed = longer.saturating_sub(2).saturating_sub(3 * k);
    if needed == 0 {
        return true;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared >= needed
}

/// Whether the Levenshtein distance of `a` and `b` is at most `k`, in
/// O(k · length): only the diagonal band `|i - j| <= k` can stay within
/// `k`, and a row whose best is past `k` ends the search.
fn within_edits(a: &[char], b: &[char], k: usize) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > k {
        return false;
    }
    let far = k + 1;
    let m = b.len();
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(far)).collect();
    let mut cur = vec![far; m + 1];
    for i in 1..=a.len() {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        cur[0] = i.min(far);
        cur[lo - 1] = if lo == 1 { cur[0] } else { far };
        let mut best = cur[lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let v = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            cur[j] = v.min(far);
            best = best.min(cur[j]);
        }
        if hi < m {
            cur[hi + 1] = far;
        }
        if best > k {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m] <= k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Longer than any text of the tests below.
    const MAX_CHARS: usize = 300;

    /// Paraphrases (same normalised text, or close by edit distance) form one
    /// group; different questions stay apart; most asked first.
    #[test]
    fn paraphrases_grouped() {
        let groups = group_paraphrases(
            [
                "Can I dye my hair after?",
                "can i dye my hair after",
                "can i dye my hiar after",
                "does it work on stretch marks",
                "Does it work on stretch marks?",
                "does it work on strech marks",
                "does it work on stretch marks",
                "what about tattoos",
            ],
            MAX_CHARS,
        );
        let summary: Vec<(&str, u64, usize)> = groups
            .iter()
            .map(|g| (g.text.as_str(), g.count, g.variants.len()))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("does it work on stretch marks", 4, 1),
                ("can i dye my hair after", 3, 1),
                ("what about tattoos", 1, 0),
            ]
        );
    }

    /// Texts are compared up to `max_chars` only: two that differ after it
    /// are one wording.
    #[test]
    fn texts_cut_to_max_chars() {
        let groups = group_paraphrases(["can i swim after it", "can i swim after a peel"], 16);
        assert_eq!(groups.len(), 1);
        assert_eq!(
            (groups[0].text.as_str(), groups[0].count),
            ("can i swim after", 2)
        );
    }

    /// The banded edit-distance check agrees with strsim's normalised
    /// Levenshtein at the paraphrase threshold, on typos, rewordings,
    /// unrelated questions, empty and very unequal lengths.
    #[test]
    fn banded_distance_agrees_with_strsim() {
        let texts = [
            "",
            "a",
            "ab",
            "can i dye my hair after",
            "can i dye my hiar after",
            "can i dye my hair afterwards",
            "could i dye my hair after",
            "what about tattoos",
            "what about my tattoos",
            "does it work on stretchmarks",
            "does it work on strech marks",
            "does it work on stretch marks please tell me",
            "hairdye",
            "hair dye",
            "abcdefghij",
            "abcdefghjk",
            "bcdefghijk",
        ];
        for a in texts {
            for b in texts {
                let (ca, cb): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let want = strsim::normalized_levenshtein(a, b) >= PARAPHRASE_SIMILARITY;
                let got = within_edits(&ca, &cb, max_edits(&ca, &cb));
                assert_eq!(got, want, "{a:?} vs {b:?}");
                let exact = strsim::levenshtein(a, b);
                let longer = ca.len().max(cb.len());
                for k in 0..12 {
                    assert_eq!(
                        within_edits(&ca, &cb, k),
                        exact <= k,
                        "{a:?} vs {b:?}, k {k}"
                    );
                    if exact <= k {
                        assert!(
                            may_be_within(&trigrams(&ca), &trigrams(&cb), longer, k),
                            "the trigram filter rejected {a:?} vs {b:?} within {k}"
                        );
                    }
                }
            }
        }
    }

    /// With many groups sharing their common words, a wording still joins
    /// its own group: through its rare word when a common one is misspelt,
    /// and through the common words when its group is among the most asked.
    #[test]
    fn grouping_with_many_groups() {
        // 500 unrelated 20-letter words (a fixed linear congruential sequence).
        let mut seed: u64 = 7;
        let mut word = || -> String {
            (0..20)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    char::from(b'a' + (seed >> 59) as u8 % 26)
                })
                .collect()
        };
        let words: Vec<String> = (0..500).map(|_| word()).collect();
        let ask = |w: &str| format!("can i use {w} after my session");
        let mut texts: Vec<String> = words.iter().map(|w| ask(w)).collect();
        // A typo in a common word, on a group asked once.
        texts.push(format!("can i use {} aftr my session", words[250]));
        // A typo in the one rare word, on the most asked group.
        texts.extend(std::iter::repeat_n(ask(&words[7]), 3));
        let mut swapped: Vec<char> = words[7].chars().collect();
        swapped.swap(2, 3);
        let swapped: String = swapped.into_iter().collect();
        texts.push(ask(&swapped));
        let groups = group_paraphrases(texts.iter().map(String::as_str), MAX_CHARS);
        let merged: Vec<&Group> = groups.iter().filter(|g| !g.variants.is_empty()).collect();
        assert_eq!(groups.len(), 500, "every typo joined a group: {merged:?}");
        let group = |head: &str| groups.iter().find(|g| g.text == head).expect(head);
        assert_eq!(group(&ask(&words[7])).variants, vec![ask(&swapped)]);
        assert_eq!(
            group(&ask(&words[250])).variants,
            vec![format!("can i use {} aftr my session", words[250])]
        );
    }
}
