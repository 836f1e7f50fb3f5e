//! The HTTP/1.1 pieces of the simulated master: request parsing, response
//! writing and the `Date` header.

pub mod date;
pub mod request;
pub mod response;

pub use request::{read_request, ParseError, Request};
pub use response::Response;
