//! The agent's validation of an executor call (`src/common/validation.cpp`,
//! `validateExecutorCall`), answered `400 Failed to validate Executor::Call: <msg>`.

use std::fmt;

use super::uuid::is_valid_uuid;
use crate::v1;
use crate::v1::executor::call::Type;
use crate::v1::executor::Call;

/// Why the agent would refuse an executor call. `Display` is the message
/// after `Failed to validate Executor::Call: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecutorValidationError(String);

/// The prefix of the agent's `400` body for an invalid executor call.
pub const EXECUTOR_BODY_PREFIX: &str = "Failed to validate Executor::Call: ";

impl ExecutorValidationError {
    /// The message after the prefix.
    pub fn message(&self) -> &str {
        &self.0
    }

    /// The full `400` body the agent sends.
    pub fn body(&self) -> String {
        format!("{EXECUTOR_BODY_PREFIX}{}", self.0)
    }
}

impl fmt::Display for ExecutorValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ExecutorValidationError {}

fn fail<T>(message: impl Into<String>) -> Result<T, ExecutorValidationError> {
    Err(ExecutorValidationError(message.into()))
}

/// The agent's checks: `type` present (and known); SUBSCRIBE, UPDATE and
/// MESSAGE carry their sub-message; an UPDATE's status has a valid uuid, the
/// call's executor id, source SOURCE_EXECUTOR and a state other than
/// TASK_STAGING. (`executor_id` and `framework_id` are required fields and
/// always present in this model. `check_status` contents are not checked.)
pub fn validate_executor_call(call: &Call) -> Result<(), ExecutorValidationError> {
    let kind = match call.r#type {
        Some(kind) if kind.is_known() => kind,
        _ => return fail("Expecting 'type' to be present"),
    };
    match kind {
        Type::SUBSCRIBE if call.subscribe.is_none() => fail("Expecting 'subscribe' to be present"),
        Type::MESSAGE if call.message.is_none() => fail("Expecting 'message' to be present"),
        Type::UPDATE => match &call.update {
            None => fail("Expecting 'update' to be present"),
            Some(update) => validate_update(call, &update.status),
        },
        _ => Ok(()),
    }
}

fn validate_update(call: &Call, status: &v1::TaskStatus) -> Result<(), ExecutorValidationError> {
    let uuid = match &status.uuid {
        Some(uuid) => uuid,
        None => return fail("Expecting 'uuid' to be present"),
    };
    if !is_valid_uuid(uuid) {
        return fail("Not a valid UUID");
    }
    let executor = &call.executor_id.value;
    let framework = &call.framework_id.value;
    if let Some(status_executor) = &status.executor_id {
        if &status_executor.value != executor {
            return fail(format!(
                "ExecutorID in Call: {executor} does not match ExecutorID in TaskStatus: {}",
                status_executor.value
            ));
        }
    }
    if status.source() != v1::task_status::Source::SOURCE_EXECUTOR {
        return fail(format!(
            "Received Call from executor {executor} of framework {framework} with invalid \
             source, expecting 'SOURCE_EXECUTOR'"
        ));
    }
    if status.state == v1::TaskState::TASK_STAGING {
        return fail(format!(
            "Received TASK_STAGING from executor {executor} of framework {framework} which \
             is not allowed"
        ));
    }
    Ok(())
}
