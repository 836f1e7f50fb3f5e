//! Decoding an operator `Response` by the type the caller expects.
//!
//! A master or agent answers a call with a `Response` whose `type` has the
//! call's name and whose matching field holds the body. The body message is
//! left out when it would be empty (an agent with no containers answers
//! `{"type":"GET_CONTAINERS"}`), so a missing body of the right type reads
//! as the empty body.

use crate::codec::{DecodeError, Encoding};
use crate::v1::{agent, master};
use std::fmt;

/// Why an operator answer could not be read as the expected body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
    /// The bytes are not a `Response` in the given encoding.
    Decode(DecodeError),
    /// A `Response` of another type (or of none) came back.
    UnexpectedType {
        /// The type name the caller asked for.
        expected: &'static str,
        /// The type the answer carried: its name, its number when this
        /// schema does not know it, or `None` when it had no type.
        found: Option<String>,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResponseError::Decode(e) => write!(f, "operator response does not decode: {e}"),
            ResponseError::UnexpectedType { expected, found } => match found {
                Some(found) => write!(f, "expected a {expected} response, got {found}"),
                None => write!(f, "expected a {expected} response, got one without a type"),
            },
        }
    }
}

impl std::error::Error for ResponseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ResponseError::Decode(e) => Some(e),
            ResponseError::UnexpectedType { .. } => None,
        }
    }
}

impl From<DecodeError> for ResponseError {
    fn from(e: DecodeError) -> Self {
        ResponseError::Decode(e)
    }
}

/// A body of a master `Response` (`mesos.v1.master.Response.GetHealth`, ...).
pub trait MasterAnswer: Sized + Default {
    /// The response type that carries this body.
    const TYPE: master::response::Type;
    /// Takes this body out of a response (`None` when it is absent).
    fn take(response: master::Response) -> Option<Self>;
}

/// A body of an agent `Response` (`mesos.v1.agent.Response.GetHealth`, ...).
pub trait AgentAnswer: Sized + Default {
    /// The response type that carries this body.
    const TYPE: agent::response::Type;
    /// Takes this body out of a response (`None` when it is absent).
    fn take(response: agent::Response) -> Option<Self>;
}

macro_rules! answers {
    ($trait:ident, $pkg:ident: $($body:ident => $field:ident, $kind:ident;)*) => {
        $(
            impl $trait for $pkg::response::$body {
                const TYPE: $pkg::response::Type = $pkg::response::Type::$kind;
                fn take(response: $pkg::Response) -> Option<Self> {
                    response.$field
                }
            }
        )*
    };
}

answers! {MasterAnswer, master:
    GetHealth => get_health, GET_HEALTH;
    GetFlags => get_flags, GET_FLAGS;
    GetVersion => get_version, GET_VERSION;
    GetMetrics => get_metrics, GET_METRICS;
    GetLoggingLevel => get_logging_level, GET_LOGGING_LEVEL;
    ListFiles => list_files, LIST_FILES;
    ReadFile => read_file, READ_FILE;
    GetState => get_state, GET_STATE;
    GetAgents => get_agents, GET_AGENTS;
    GetFrameworks => get_frameworks, GET_FRAMEWORKS;
    GetExecutors => get_executors, GET_EXECUTORS;
    GetOperations => get_operations, GET_OPERATIONS;
    GetTasks => get_tasks, GET_TASKS;
    GetRoles => get_roles, GET_ROLES;
    GetWeights => get_weights, GET_WEIGHTS;
    GetMaster => get_master, GET_MASTER;
    GetMaintenanceStatus => get_maintenance_status, GET_MAINTENANCE_STATUS;
    GetMaintenanceSchedule => get_maintenance_schedule, GET_MAINTENANCE_SCHEDULE;
    GetQuota => get_quota, GET_QUOTA;
}

answers! {AgentAnswer, agent:
    GetHealth => get_health, GET_HEALTH;
    GetFlags => get_flags, GET_FLAGS;
    GetVersion => get_version, GET_VERSION;
    GetMetrics => get_metrics, GET_METRICS;
    GetLoggingLevel => get_logging_level, GET_LOGGING_LEVEL;
    ListFiles => list_files, LIST_FILES;
    ReadFile => read_file, READ_FILE;
    GetState => get_state, GET_STATE;
    GetContainers => get_containers, GET_CONTAINERS;
    GetFrameworks => get_frameworks, GET_FRAMEWORKS;
    GetExecutors => get_executors, GET_EXECUTORS;
    GetOperations => get_operations, GET_OPERATIONS;
    GetTasks => get_tasks, GET_TASKS;
    GetAgent => get_agent, GET_AGENT;
    GetResourceProviders => get_resource_providers, GET_RESOURCE_PROVIDERS;
    WaitNestedContainer => wait_nested_container, WAIT_NESTED_CONTAINER;
    WaitContainer => wait_container, WAIT_CONTAINER;
}

/// How a response's type reads in an error.
fn describe(found: Option<i32>, name: Option<&'static str>) -> Option<String> {
    found.map(|n| name.map_or_else(|| format!("type {n}"), str::to_string))
}

/// The body `T` of a master response, or what came instead.
pub fn expect_master<T: MasterAnswer>(response: master::Response) -> Result<T, ResponseError> {
    if response.r#type != Some(T::TYPE) {
        return Err(ResponseError::UnexpectedType {
            expected: T::TYPE.name().unwrap_or("UNKNOWN"),
            found: describe(
                response.r#type.map(i32::from),
                response.r#type.and_then(|t| t.name()),
            ),
        });
    }
    Ok(T::take(response).unwrap_or_default())
}

/// The body `T` of an agent response, or what came instead.
pub fn expect_agent<T: AgentAnswer>(response: agent::Response) -> Result<T, ResponseError> {
    if response.r#type != Some(T::TYPE) {
        return Err(ResponseError::UnexpectedType {
            expected: T::TYPE.name().unwrap_or("UNKNOWN"),
            found: describe(
                response.r#type.map(i32::from),
                response.r#type.and_then(|t| t.name()),
            ),
        });
    }
    Ok(T::take(response).unwrap_or_default())
}

/// Decodes a master's answer body (`encoding`: its `Content-Type`) as a
/// `Response` carrying `T`.
pub fn master_response<T: MasterAnswer>(
    encoding: Encoding,
    body: &[u8],
) -> Result<T, ResponseError> {
    expect_master(encoding.decode::<master::Response>(body)?)
}

/// Decodes an agent's answer body (`encoding`: its `Content-Type`) as a
/// `Response` carrying `T`.
pub fn agent_response<T: AgentAnswer>(encoding: Encoding, body: &[u8]) -> Result<T, ResponseError> {
    expect_agent(encoding.decode::<agent::Response>(body)?)
}
