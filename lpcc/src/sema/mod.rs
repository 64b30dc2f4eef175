//! Semantic analysis of a parsed program: names, scopes, inheritance,
//! types, efun calls, function values, switches and control flow, as the
//! driver's compiler checks them.
//!
//! Type checking follows the driver: the body of a function declared with
//! a return type is type checked; an untyped function's is not, except for
//! initializers of typed variables. `#pragma strict_types` makes types
//! mandatory. Efun calls are always checked for their argument count.
//!
//! | code  | meaning |
//! |-------|---------|
//! | E0301 | undefined variable |
//! | E0302 | undefined function, or a function called before its declaration in typed code |
//! | E0303 | a local variable, or class member, declared twice |
//! | E0304 | a function defined twice |
//! | E0305 | a class defined twice with different members |
//! | E0306 | undefined class |
//! | E0307 | a class has no such member |
//! | E0308 | a variable, member or argument of type void |
//! | E0309 | a missing type under `#pragma strict_types` |
//! | E0310 | an initializer of the wrong type |
//! | E0311 | an assignment of the wrong type (typed code) |
//! | E0312 | a return value of the wrong type (typed code) |
//! | E0313 | a bad index: wrong index type, constant index outside an array constant |
//! | E0314 | an efun called with too few or too many arguments |
//! | E0315 | an efun argument of the wrong type (typed code) |
//! | E0316 | a function called with too few arguments, or spread into a non-varargs one (typed code) |
//! | E0317 | a function argument of the wrong type (typed code) |
//! | E0318 | `break` or `continue` where it cannot go |
//! | E0319 | a bad case label: mixed integer and string labels, string range bounds, outside a switch |
//! | E0320 | overlapping case ranges |
//! | E0321 | more than one `default` in a switch |
//! | E0322 | division or modulo by zero in a constant expression |
//! | E0323 | `$N` outside `(: :)`, inside an anonymous function, or out of range |
//! | E0324 | a local variable used inside `(: :)` without `$( )` |
//! | E0325 | unknown efun after `efun::`, or no such inherited function after `::` |
//! | E0326 | an inherited file that cannot be found or read |
//! | E0327 | an inherit cycle |
//! | E0328 | `inherit` after global variables |
//! | E0329 | conflicting modifiers |
//! | E0330 | redefinition of a `nomask` function or variable |
//! | E0331 | a call to an inherited private function |
//! | E0332 | an anonymous function with a return type other than `function` |
//! | E0333 | an assignment to something that cannot be assigned |
//! | W0301 | an unused local variable |
//! | W0302 | unreachable code after `return`, `break` or `continue` |
//! | W0303 | `return;` without a value in a function that returns one |
//! | W0304 | a case label that repeats an earlier one (the driver accepts it; the first wins) |
//! | W0305 | an unknown name in `(: name :)`; the driver rejects it unless a package it was built with has such an efun |
//! | W0306 | a function whose return type does not match the inherited function it redefines |
//!
//! Warnings are given while `#pragma warnings` is on, as it is by default.

mod analyze;
pub mod summary;
pub mod types;

use std::sync::Arc;

use crate::diagnostic::Diagnostic;
use crate::parser::{ParseOptions, parse};
use crate::preprocess::{PreprocessConfig, Preprocessed, preprocess_text};
use crate::source::{SourceError, SourceProvider};

use analyze::{Depth, PragmaInput, analyze_program, analyze_recording};
use smol_str::SmolStr;

use crate::span::Span;
pub use summary::{InheritCache, ProgramSummary};

/// The diagnostic codes of semantic analysis; see the table above.
pub mod codes {
    pub const E_UNDEFINED_VARIABLE: &str = "E0301";
    pub const E_UNDEFINED_FUNCTION: &str = "E0302";
    pub const E_REDECLARED: &str = "E0303";
    pub const E_FUNCTION_REDEFINED: &str = "E0304";
    pub const E_CLASS_REDEFINED: &str = "E0305";
    pub const E_UNDEFINED_CLASS: &str = "E0306";
    pub const E_NO_MEMBER: &str = "E0307";
    pub const E_VOID_VAR: &str = "E0308";
    pub const E_MISSING_TYPE: &str = "E0309";
    pub const E_INIT_TYPE: &str = "E0310";
    pub const E_ASSIGN_TYPE: &str = "E0311";
    pub const E_RETURN_TYPE: &str = "E0312";
    pub const E_INDEX: &str = "E0313";
    pub const E_EFUN_ARGS: &str = "E0314";
    pub const E_EFUN_ARG_TYPE: &str = "E0315";
    pub const E_CALL_ARGS: &str = "E0316";
    pub const E_CALL_ARG_TYPE: &str = "E0317";
    pub const E_JUMP: &str = "E0318";
    pub const E_SWITCH_LABEL: &str = "E0319";
    pub const E_SWITCH_DUPLICATE: &str = "E0320";
    pub const E_SWITCH_DEFAULT: &str = "E0321";
    pub const E_DIV_ZERO: &str = "E0322";
    pub const E_DOLLAR: &str = "E0323";
    pub const E_FUNCTIONAL_LOCAL: &str = "E0324";
    pub const E_UNKNOWN_FUNCTION: &str = "E0325";
    pub const E_INHERIT_MISSING: &str = "E0326";
    pub const E_INHERIT_CYCLE: &str = "E0327";
    pub const E_INHERIT_ORDER: &str = "E0328";
    pub const E_MODIFIERS: &str = "E0329";
    pub const E_NOMASK: &str = "E0330";
    pub const E_PRIVATE_CALL: &str = "E0331";
    pub const E_LAMBDA_TYPE: &str = "E0332";
    pub const E_LVALUE: &str = "E0333";
    pub const W_UNUSED_LOCAL: &str = "W0301";
    pub const W_UNREACHABLE: &str = "W0302";
    pub const W_MISSING_RETURN_VALUE: &str = "W0303";
    pub const W_DUPLICATE_CASE: &str = "W0304";
    pub const W_UNKNOWN_FUNCTION: &str = "W0305";
    pub const W_RETURN_MISMATCH: &str = "W0306";
}

/// Everything semantic analysis needs besides the program itself.
pub struct SemaEnv<'a> {
    pub provider: &'a dyn SourceProvider,
    pub preprocess: &'a PreprocessConfig,
    pub parse: &'a ParseOptions,
    /// The efuns of the build; `None` accepts any name as an efun.
    pub efuns: Option<&'a efun_specs::EfunTable>,
    /// The simul_efun file's mudlib path, if the driver has one.
    pub simul_efun_file: Option<&'a str>,
    pub cache: &'a InheritCache,
}

impl SemaEnv<'_> {
    fn efun(&self, name: &str) -> Option<&efun_specs::Efun> {
        self.efuns?.get(name).filter(|e| !e.internal)
    }

    fn has_efuns(&self) -> bool {
        self.efuns.is_some()
    }

    /// The simul_efun file's summary, unless `path` is that file.
    fn simul_efuns(&self, path: &str) -> Option<Arc<ProgramSummary>> {
        let file = self.simul_efun_file?;
        let candidates = summary::inherit_candidates(file);
        if candidates.iter().any(|c| c == path) {
            return None;
        }
        load_summary(self, file, &[]).ok()
    }
}

/// Why an inherited file has no summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    NotFound,
    Unreadable(String),
    /// The file that inherits itself, directly or not.
    Cycle(String),
}

/// The summary of the file an `inherit` path names, from the cache or
/// built now; `chain` holds the files being loaded around this one.
pub fn load_summary(
    env: &SemaEnv<'_>,
    path: &str,
    chain: &[String],
) -> Result<Arc<ProgramSummary>, LoadError> {
    for candidate in summary::inherit_candidates(path) {
        if chain.contains(&candidate) {
            return Err(LoadError::Cycle(candidate));
        }
        if let Some(found) = env.cache.get(&candidate) {
            return Ok(found);
        }
        let text = match env.provider.read(&candidate) {
            Ok(text) => text,
            Err(SourceError::NotFound) => continue,
            Err(error) => return Err(LoadError::Unreadable(error.to_string())),
        };
        let preprocessed = preprocess_text(env.provider, &candidate, text, env.preprocess);
        let (program, parse_diagnostics) =
            parse(&preprocessed.tokens, &preprocessed.sources, env.parse);
        let mut inner_chain = chain.to_vec();
        inner_chain.push(candidate.clone());
        let (mut summary, diagnostics) = analyze_program(
            env,
            &candidate,
            &program,
            &PragmaInput {
                pragmas: &preprocessed.pragmas,
                tokens: &preprocessed.tokens,
            },
            &inner_chain,
            Depth::Summary,
        );
        let failed = |d: &Diagnostic| d.is_error();
        if preprocessed.diagnostics.iter().any(failed)
            || parse_diagnostics.iter().any(failed)
            || diagnostics.iter().any(failed)
        {
            summary.broken = true;
        }
        return Ok(env.cache.insert(&candidate, summary));
    }
    Err(LoadError::NotFound)
}

/// What a name in a function body binds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding {
    /// A local variable or parameter, by where its name is declared.
    Local {
        decl: Span,
    },
    /// A global variable; `origin` is the inherited program that declares
    /// it, `None` for this file's own.
    Global {
        origin: Option<SmolStr>,
    },
    /// A function; `origin` as for globals.
    Function {
        origin: Option<SmolStr>,
    },
    /// A function of the simul_efun object.
    SimulEfun,
    Efun,
    /// A member of the named class.
    Member {
        class: SmolStr,
    },
}

/// One name in the program with what it binds to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameUse {
    pub name: SmolStr,
    pub span: Span,
    pub binding: Binding,
    /// The name is being declared here, not used.
    pub declaration: bool,
}

/// A program checked with every name binding recorded, for editors.
#[derive(Clone, Debug, Default)]
pub struct Resolved {
    pub diagnostics: Vec<Diagnostic>,
    /// In the order met; declarations of functions, globals and locals too.
    pub uses: Vec<NameUse>,
}

/// As [`check_program`], also recording what each name binds to.
pub fn resolve_program(
    env: &SemaEnv<'_>,
    path: &str,
    program: &crate::ast::Program,
    preprocessed: &Preprocessed,
) -> Resolved {
    let chain = vec![path.to_string()];
    let (_, diagnostics, uses) = analyze_recording(
        env,
        path,
        program,
        &PragmaInput {
            pragmas: &preprocessed.pragmas,
            tokens: &preprocessed.tokens,
        },
        &chain,
        Depth::Full,
        true,
    );
    Resolved { diagnostics, uses }
}

/// Checks a parsed program: the diagnostics of semantic analysis.
pub fn check_program(
    env: &SemaEnv<'_>,
    path: &str,
    program: &crate::ast::Program,
    preprocessed: &Preprocessed,
) -> Vec<Diagnostic> {
    let chain = vec![path.to_string()];
    let (_, diagnostics) = analyze_program(
        env,
        path,
        program,
        &PragmaInput {
            pragmas: &preprocessed.pragmas,
            tokens: &preprocessed.tokens,
        },
        &chain,
        Depth::Full,
    );
    diagnostics
}

#[cfg(test)]
mod tests;
