//! Shanzhi's domain: the rules of government purchase of public services, free of I/O.

pub mod audit;
pub mod budget;
pub mod calendar;
pub mod catalogue;
pub mod clock;
pub mod committee;
pub mod credit;
pub mod deadlines;
pub mod error;
pub mod evaluation;
pub mod feedback;
pub mod fiscal;
pub mod ids;
pub mod jobs;
pub mod money;
pub mod notice;
pub mod org;
pub mod procurement;
pub mod project;
pub mod red_flags;
pub mod registry;
pub mod rules;
pub mod scoring;
pub mod search;
pub mod sign_in;
pub mod standards;
pub mod statistics;
pub mod survey;
pub mod visibility;

pub use error::{DomainError, ErrorCode, ErrorKind, FieldError};
pub use money::{Money, Quantity};
