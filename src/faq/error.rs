//! Typed errors for loading and validating `faq.toml`. Every variant names
//! where the mistake is (line, and the entry or source id when there is one),
//! because clinic staff edit the file by hand.

use std::fmt;

/// Where in `faq.toml` a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// 1-based line number.
    pub line: usize,
    /// The `[[entry]]` (or `[[source]]`, `[[red_flag]]`) id around that line, if known.
    pub item: Option<String>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.item {
            Some(id) => write!(f, "line {}, {}", self.line, id),
            None => write!(f, "line {}", self.line),
        }
    }
}

/// One thing wrong with an FAQ file.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FaqError {
    /// The file is not valid TOML, or a field has the wrong type, is missing
    /// or is unknown (a misspelt field name is caught here).
    #[error("{at}: {message}")]
    Syntax { at: Location, message: String },
    /// Two entries (or two sources, or two red flags) share an id.
    #[error("{at}: duplicate id \"{id}\" (first used on line {first_line})")]
    DuplicateId {
        at: Location,
        id: String,
        first_line: usize,
    },
    /// An id is not kebab-case (lowercase letters, digits and single hyphens).
    #[error("{at}: id \"{id}\" must be kebab-case, like \"session-count\"")]
    BadId { at: Location, id: String },
    /// An entry's category is not one of the fixed list.
    #[error("{at}: unknown category \"{category}\" (use one of: {allowed})")]
    BadCategory {
        at: Location,
        category: String,
        allowed: String,
    },
    /// A required text field is empty or only whitespace.
    #[error("{at}: `{field}` is empty")]
    Empty { at: Location, field: &'static str },
    /// An entry cites no source: every answer must be sourced.
    #[error("{at}: entry cites no source; add at least one id to `sources`")]
    NoSources { at: Location },
    /// An entry cites a source id that no `[[source]]` defines.
    #[error("{at}: unknown source \"{source_id}\" (no [[source]] has this id)")]
    UnknownSource { at: Location, source_id: String },
    /// An entry's `related` names an entry that does not exist.
    #[error("{at}: unknown related entry \"{related}\"")]
    UnknownRelated { at: Location, related: String },
    /// A source has no link, or more than one kind of link.
    #[error("{at}: a source needs exactly one of `url`, `doi` or `pmc`")]
    SourceLink { at: Location },
    /// A url is not http(s), a doi does not start with "10.", or a pmc id is malformed.
    #[error("{at}: bad {field} \"{value}\"")]
    BadLink {
        at: Location,
        field: &'static str,
        value: String,
    },
    /// A text names a `{placeholder}` that is not a clinic detail, or an
    /// entry takes a reserved id.
    #[error("{at}: invalid {field}: {value}")]
    Invalid {
        at: Location,
        field: &'static str,
        value: String,
    },
    /// A text is longer than Discord allows where the bot shows it.
    #[error("{at}: `{field}` is {len} characters; Discord allows {max}")]
    TooLong {
        at: Location,
        field: &'static str,
        len: usize,
        max: usize,
    },
    /// A matching or triage setting is out of its range.
    #[error("{at}: `{field}` must be between {min} and {max}, got {value}")]
    OutOfRange {
        at: Location,
        field: &'static str,
        value: f64,
        min: f64,
        max: f64,
    },
    /// A red-flag phrase or synonym normalises to nothing.
    #[error("{at}: phrase \"{phrase}\" has no words once normalised")]
    EmptyPhrase { at: Location, phrase: String },
    /// A red-flag term starts with "@" but is none of the special terms.
    #[error("{at}: \"{phrase}\" is not a special term (known: {known})")]
    UnknownSpecialTerm {
        at: Location,
        phrase: String,
        known: String,
    },
}

impl FaqError {
    /// The line the error points at.
    pub fn line(&self) -> usize {
        self.location().line
    }

    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            FaqError::Syntax { at, .. }
            | FaqError::DuplicateId { at, .. }
            | FaqError::BadId { at, .. }
            | FaqError::BadCategory { at, .. }
            | FaqError::Empty { at, .. }
            | FaqError::NoSources { at }
            | FaqError::UnknownSource { at, .. }
            | FaqError::UnknownRelated { at, .. }
            | FaqError::SourceLink { at }
            | FaqError::BadLink { at, .. }
            | FaqError::Invalid { at, .. }
            | FaqError::TooLong { at, .. }
            | FaqError::OutOfRange { at, .. }
            | FaqError::EmptyPhrase { at, .. }
            | FaqError::UnknownSpecialTerm { at, .. } => at,
        }
    }
}

/// All the errors found in one file, in line order. Loading reports every
/// mistake at once so staff fix them in one pass.
#[derive(Debug, Clone, PartialEq)]
pub struct FaqErrors(pub Vec<FaqError>);

impl fmt::Display for FaqErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for FaqErrors {}

/// Maps byte offsets in the source text to line numbers and enclosing ids.
pub(crate) struct LineMap<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineMap<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineMap { text, starts }
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).max(1)
    }

    /// The location of an offset, with the id of the `[[table]]` it sits in,
    /// found by reading back to the table header and forward to its `id`.
    /// Used for syntax errors, where no parsed value exists yet.
    pub(crate) fn locate(&self, offset: usize) -> Location {
        let line = self.line(offset);
        let lines: Vec<&str> = self.text.lines().collect();
        let mut header = None;
        for i in (0..line.min(lines.len())).rev() {
            let t = lines[i].trim_start();
            if t.starts_with('[') {
                header = Some(i);
                break;
            }
        }
        let item = header.map(|h| {
            let kind = lines[h]
                .trim()
                .trim_matches(|c| c == '[' || c == ']')
                .to_owned();
            let id = lines[h + 1..]
                .iter()
                .take_while(|l| !l.trim_start().starts_with('['))
                .find_map(|l| {
                    let (key, value) = l.split_once('=')?;
                    (key.trim() == "id").then(|| value.trim().trim_matches('"').to_owned())
                });
            match id {
                Some(id) => format!("{kind} \"{id}\""),
                None => format!("[[{kind}]] starting on line {}", h + 1),
            }
        });
        Location { line, item }
    }
}
