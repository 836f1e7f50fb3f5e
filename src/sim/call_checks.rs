//! Master-style generic call validation (wire-facts b.1), returning the text
//! that follows `Failed to validate scheduler::Call: `.
//!
//! The crate-wide `validation` module is the long-term home of these rules;
//! this copy keeps the simulated master self-contained until it can delegate.

use crate::v1::scheduler::call::Type;
use crate::v1::scheduler::Call;

/// Checks `call` like the master does right after decoding.
pub fn validate(call: &Call) -> Result<(), String> {
    let ty = match call.r#type {
        Some(t) if t.is_known() => t,
        _ => return Err("Expecting 'type' to be present".to_string()),
    };
    if ty == Type::SUBSCRIBE {
        let subscribe = call
            .subscribe
            .as_ref()
            .ok_or_else(|| missing("subscribe"))?;
        if call.framework_id != subscribe.framework_info.id {
            return Err("'framework_id' differs from 'subscribe.framework_info.id'".to_string());
        }
        return Ok(());
    }
    if ty == Type::UNKNOWN {
        return Ok(());
    }
    if call.framework_id.is_none() {
        return Err(missing("framework_id"));
    }
    let present = |p: bool, name: &str| if p { Ok(()) } else { Err(missing(name)) };
    match ty {
        Type::ACCEPT => present(call.accept.is_some(), "accept"),
        Type::DECLINE => present(call.decline.is_some(), "decline"),
        Type::ACCEPT_INVERSE_OFFERS => {
            present(call.accept_inverse_offers.is_some(), "accept_inverse_offers")
        }
        Type::DECLINE_INVERSE_OFFERS => {
            present(call.decline_inverse_offers.is_some(), "decline_inverse_offers")
        }
        Type::KILL => present(call.kill.is_some(), "kill"),
        Type::SHUTDOWN => present(call.shutdown.is_some(), "shutdown"),
        Type::ACKNOWLEDGE => {
            let ack = call.acknowledge.as_ref().ok_or_else(|| missing("acknowledge"))?;
            valid_uuid(&ack.uuid)
        }
        Type::ACKNOWLEDGE_OPERATION_STATUS => {
            let ack = call
                .acknowledge_operation_status
                .as_ref()
                .ok_or_else(|| missing("acknowledge_operation_status"))?;
            valid_uuid(&ack.uuid)?;
            present(ack.agent_id.is_some(), "agent_id")
        }
        Type::RECONCILE => present(call.reconcile.is_some(), "reconcile"),
        Type::RECONCILE_OPERATIONS => {
            present(call.reconcile_operations.is_some(), "reconcile_operations")
        }
        Type::MESSAGE => present(call.message.is_some(), "message"),
        Type::REQUEST => present(call.request.is_some(), "request"),
        Type::UPDATE_FRAMEWORK => {
            let update = call
                .update_framework
                .as_ref()
                .ok_or_else(|| missing("update_framework"))?;
            if call.framework_id != update.framework_info.id {
                return Err(
                    "'framework_id' differs from 'update_framework.framework_info.id'"
                        .to_string(),
                );
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn missing(field: &str) -> String {
    format!("Expecting '{field}' to be present")
}

/// 16 bytes with an RFC 4122 version nibble (1-5), as stout's `UUID::fromBytes` demands.
fn valid_uuid(bytes: &[u8]) -> Result<(), String> {
    let ok = bytes.len() == 16 && (1..=5).contains(&(bytes[6] >> 4));
    if ok {
        Ok(())
    } else {
        Err("Not a valid UUID".to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v1::scheduler::call::{Acknowledge, Subscribe};
    use crate::v1::FrameworkID;

    #[test]
    fn generic_rules() {
        let mut call = Call::default();
        assert_eq!(validate(&call).unwrap_err(), "Expecting 'type' to be present");
        call.r#type = Some(Type::REVIVE);
        assert_eq!(validate(&call).unwrap_err(), "Expecting 'framework_id' to be present");
        call.framework_id = Some(FrameworkID { value: "f".into() });
        assert!(validate(&call).is_ok());
        call.r#type = Some(Type::ACCEPT);
        assert_eq!(validate(&call).unwrap_err(), "Expecting 'accept' to be present");
        call.r#type = Some(Type::ACKNOWLEDGE);
        call.acknowledge = Some(Acknowledge {
            uuid: vec![0; 16],
            ..Acknowledge::default()
        });
        assert_eq!(validate(&call).unwrap_err(), "Not a valid UUID");
        call.acknowledge.as_mut().unwrap().uuid = crate::sim::ids::uuid_v4_bytes().to_vec();
        assert!(validate(&call).is_ok());
        let mut sub = Call {
            r#type: Some(Type::SUBSCRIBE),
            subscribe: Some(Subscribe::default()),
            framework_id: Some(FrameworkID { value: "a".into() }),
            ..Call::default()
        };
        assert_eq!(
            validate(&sub).unwrap_err(),
            "'framework_id' differs from 'subscribe.framework_info.id'"
        );
        sub.framework_id = None;
        assert!(validate(&sub).is_ok());
    }
}
