//! The Operator HTTP API (`POST /api/v1` on masters and agents) without the
//! HTTP: typed constructors for every master and agent call, and decoding of
//! a `Response` by the type the caller expects.
//!
//! Calls are plain [`crate::v1::master::Call`] / [`crate::v1::agent::Call`]
//! values with `type` and the matching sub-message set; encode them with
//! [`crate::Encoding::encode`] and send them with any HTTP client. An answer
//! with a body is a `Response` of the same type name; [`master_response`](crate::operator::master_response)
//! and [`agent_response`](crate::operator::agent_response) decode one and hand back the body the caller asked
//! for, or a [`ResponseError`](crate::operator::ResponseError) saying what came instead.
//!
//! ```
//! use mesos_http::operator::{self, master};
//! use mesos_http::v1::master::response::GetHealth;
//! use mesos_http::Encoding;
//!
//! let call = master::get_health();
//! let body = Encoding::Json.encode(&call);
//! assert_eq!(body, br#"{"type":"GET_HEALTH"}"#);
//!
//! let answer = br#"{"type":"GET_HEALTH","get_health":{"healthy":true}}"#;
//! let health: GetHealth = operator::master_response(Encoding::Json, answer).unwrap();
//! assert!(health.healthy);
//! ```

pub mod agent;
pub mod master;
mod response;

pub use response::{
    agent_response, expect_agent, expect_master, master_response, AgentAnswer, MasterAnswer,
    ResponseError,
};
