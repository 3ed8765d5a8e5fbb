//! Stage 3a, expressions (SPEC §3): lexer, parser with byte spans, and the type checker.
//!
//! Spans inside an expression are byte offsets into the expression string; the checker maps
//! them to the file through a [`crate::load::StringMap`].

mod functions;
mod lexer;
mod parser;
mod typeck;

pub use functions::{Function, FUNCTIONS};
pub use lexer::{lex, Token, TokenKind};
pub use parser::{parse, ParseError};
pub use typeck::{References, Scope, TypeChecker};
