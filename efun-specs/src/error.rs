//! Errors from reading spec files: every one names the file and line at fault.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SpecError {
    /// A line that is not valid spec syntax.
    #[error("{file}:{line}: {message}")]
    Syntax {
        file: String,
        line: u32,
        message: String,
    },
    /// A preprocessor line that is malformed or unsupported, or an unbalanced conditional.
    #[error("{file}:{line}: preprocessor: {message}")]
    Preprocessor {
        file: String,
        line: u32,
        message: String,
    },
    #[error("{file}:{line}: efun `{name}` is already defined at {first}")]
    Duplicate {
        file: String,
        line: u32,
        name: String,
        first: String,
    },
    #[error("{file}:{line}: `{name}` is an alias of `{target}`, which is not defined")]
    UnknownAliasTarget {
        file: String,
        line: u32,
        name: String,
        target: String,
    },
    #[error("unknown package `{0}`")]
    UnknownPackage(String),
}

impl SpecError {
    pub(crate) fn syntax(file: &str, line: u32, message: impl Into<String>) -> Self {
        SpecError::Syntax {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn preprocessor(file: &str, line: u32, message: impl Into<String>) -> Self {
        SpecError::Preprocessor {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    /// The 1-based line the error points at, when it points at one.
    pub fn line(&self) -> Option<u32> {
        match self {
            SpecError::Syntax { line, .. }
            | SpecError::Preprocessor { line, .. }
            | SpecError::Duplicate { line, .. }
            | SpecError::UnknownAliasTarget { line, .. } => Some(*line),
            SpecError::UnknownPackage(_) => None,
        }
    }
}
