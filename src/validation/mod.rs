//! The checks the master applies to a scheduler call after decoding it
//! (`src/master/validation.cpp`), with the master's exact wording.
//!
//! The client runs [`validate_outgoing`](crate::validation::validate_outgoing)
//! before sending so a malformed call fails locally with the text the master
//! would have answered; the simulated master runs
//! [`validate`](crate::validation::validate) on receipt and answers `400` +
//! [`ValidationError::body`](crate::validation::ValidationError::body).

mod executor;
mod framework;
mod uuid;

pub use executor::{validate_executor_call, ExecutorValidationError, EXECUTOR_BODY_PREFIX};
pub use framework::{
    framework_roles, validate_framework_info, validate_offer_constraints_roles, validate_role,
    validate_subscribe, validate_suppressed_roles,
};
pub use uuid::{is_valid_uuid, random_uuid_v4};

use std::fmt;

use crate::v1;
use crate::v1::scheduler::call::Type;
use crate::v1::scheduler::Call;

/// Why the master would refuse a call with `400 Failed to validate scheduler::Call: ...`.
/// `Display` gives the part after that prefix, exactly as the master words it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValidationError {
    /// `type` is unset, or a number the master does not know (it drops
    /// unknown enum values, so they read as unset).
    MissingType,
    /// A call other than SUBSCRIBE without `framework_id`.
    MissingFrameworkId,
    /// The sub-message (or, for ACKNOWLEDGE_OPERATION_STATUS, `agent_id`)
    /// the call type needs is absent; holds the field name.
    MissingField(&'static str),
    /// `Call.framework_id` differs from the FrameworkInfo id inside the call;
    /// holds the sub-message name (`subscribe` or `update_framework`).
    FrameworkIdMismatch(&'static str),
    /// An acknowledgement's `uuid` is not 16 bytes of an RFC 4122 UUID.
    InvalidUuid,
    /// SUBSCRIBE names a principal other than the authenticated one.
    PrincipalMismatch {
        /// The principal the request authenticated as.
        authenticated: String,
        /// `FrameworkInfo.principal`.
        declared: String,
    },
    /// A call of type `UNKNOWN`: the master's validation lets it through, but
    /// Mesos 1.12 then aborts (CHECK failure in its call metrics), so the
    /// client never sends one. Only [`validate_outgoing`] reports this.
    UnknownTypeRefused,
}

/// The prefix of the master's `400` body for an invalid scheduler call.
pub const BODY_PREFIX: &str = "Failed to validate scheduler::Call: ";

impl ValidationError {
    /// The full `400` body the master sends: `Failed to validate scheduler::Call: <message>`.
    pub fn body(&self) -> String {
        format!("{BODY_PREFIX}{self}")
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValidationError::MissingType => f.write_str("Expecting 'type' to be present"),
            ValidationError::MissingFrameworkId => {
                f.write_str("Expecting 'framework_id' to be present")
            }
            ValidationError::MissingField(field) => write!(f, "Expecting '{field}' to be present"),
            ValidationError::FrameworkIdMismatch(within) => {
                write!(
                    f,
                    "'framework_id' differs from '{within}.framework_info.id'"
                )
            }
            ValidationError::InvalidUuid => f.write_str("Not a valid UUID"),
            ValidationError::PrincipalMismatch {
                authenticated,
                declared,
            } => write!(
                f,
                "Authenticated principal '{authenticated}' does not match principal \
                 '{declared}' set in `FrameworkInfo`"
            ),
            ValidationError::UnknownTypeRefused => {
                f.write_str("Refusing to send a call of type UNKNOWN (the master aborts on it)")
            }
        }
    }
}

impl std::error::Error for ValidationError {}

/// The master's validation of a scheduler call, for an unauthenticated request.
pub fn validate(call: &Call) -> Result<(), ValidationError> {
    validate_as(call, None)
}

/// [`validate`] for a call that arrives authenticated as `principal`: SUBSCRIBE
/// must then not name a different `FrameworkInfo.principal`.
pub fn validate_as(call: &Call, principal: Option<&str>) -> Result<(), ValidationError> {
    let kind = match call.r#type {
        Some(kind) if kind.is_known() => kind,
        _ => return Err(ValidationError::MissingType),
    };

    if kind == Type::SUBSCRIBE {
        let subscribe = call
            .subscribe
            .as_ref()
            .ok_or(ValidationError::MissingField("subscribe"))?;
        let info = &subscribe.framework_info;
        if !same_id(info.id.as_ref(), call.framework_id.as_ref()) {
            return Err(ValidationError::FrameworkIdMismatch("subscribe"));
        }
        if let (Some(authenticated), Some(declared)) = (principal, info.principal.as_ref()) {
            if authenticated != declared {
                return Err(ValidationError::PrincipalMismatch {
                    authenticated: authenticated.to_string(),
                    declared: declared.clone(),
                });
            }
        }
        return Ok(());
    }

    if call.framework_id.is_none() {
        return Err(ValidationError::MissingFrameworkId);
    }

    let needs = |present: bool, field: &'static str| {
        if present {
            Ok(())
        } else {
            Err(ValidationError::MissingField(field))
        }
    };

    match kind {
        Type::ACCEPT => needs(call.accept.is_some(), "accept"),
        Type::DECLINE => needs(call.decline.is_some(), "decline"),
        Type::ACCEPT_INVERSE_OFFERS => needs(
            call.accept_inverse_offers.is_some(),
            "accept_inverse_offers",
        ),
        Type::DECLINE_INVERSE_OFFERS => needs(
            call.decline_inverse_offers.is_some(),
            "decline_inverse_offers",
        ),
        Type::KILL => needs(call.kill.is_some(), "kill"),
        Type::SHUTDOWN => needs(call.shutdown.is_some(), "shutdown"),
        Type::ACKNOWLEDGE => {
            let ack = call
                .acknowledge
                .as_ref()
                .ok_or(ValidationError::MissingField("acknowledge"))?;
            check_uuid(&ack.uuid)
        }
        Type::ACKNOWLEDGE_OPERATION_STATUS => {
            let ack =
                call.acknowledge_operation_status
                    .as_ref()
                    .ok_or(ValidationError::MissingField(
                        "acknowledge_operation_status",
                    ))?;
            check_uuid(&ack.uuid)?;
            needs(ack.agent_id.is_some(), "agent_id")
        }
        Type::RECONCILE => needs(call.reconcile.is_some(), "reconcile"),
        Type::RECONCILE_OPERATIONS => {
            needs(call.reconcile_operations.is_some(), "reconcile_operations")
        }
        Type::MESSAGE => needs(call.message.is_some(), "message"),
        Type::REQUEST => needs(call.request.is_some(), "request"),
        Type::UPDATE_FRAMEWORK => {
            let update = call
                .update_framework
                .as_ref()
                .ok_or(ValidationError::MissingField("update_framework"))?;
            if same_id(
                call.framework_id.as_ref(),
                update.framework_info.id.as_ref(),
            ) {
                Ok(())
            } else {
                Err(ValidationError::FrameworkIdMismatch("update_framework"))
            }
        }
        // TEARDOWN, REVIVE, SUPPRESS need only the framework id; UNKNOWN passes
        // validation on the master (and is answered 501 afterwards).
        _ => Ok(()),
    }
}

/// What the client checks before sending: [`validate`], plus a refusal of
/// type `UNKNOWN`, which crashes a Mesos 1.12 master instead of getting its 501.
pub fn validate_outgoing(call: &Call) -> Result<(), ValidationError> {
    validate(call)?;
    if call.r#type() == Type::UNKNOWN {
        return Err(ValidationError::UnknownTypeRefused);
    }
    Ok(())
}

fn check_uuid(bytes: &[u8]) -> Result<(), ValidationError> {
    if is_valid_uuid(bytes) {
        Ok(())
    } else {
        Err(ValidationError::InvalidUuid)
    }
}

/// FrameworkID equality as the master sees it: an unset id equals an empty one.
fn same_id(a: Option<&v1::FrameworkID>, b: Option<&v1::FrameworkID>) -> bool {
    fn value(id: Option<&v1::FrameworkID>) -> &str {
        id.map_or("", |id| id.value.as_str())
    }
    value(a) == value(b)
}
