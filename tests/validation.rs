//! Master-style validation: every validation message of the real master's
//! error capture (tests/data/e-errors-summary.txt), UUID rules, FrameworkInfo
//! rules and executor calls.

use std::collections::BTreeMap;

use mesos_http::call;
use mesos_http::v1;
use mesos_http::v1::framework_info::{capability, Capability};
use mesos_http::v1::scheduler::call::Type;
use mesos_http::v1::scheduler::Call;
use mesos_http::validation::{
    is_valid_uuid, validate, validate_as, validate_executor_call, validate_framework_info,
    validate_role, validate_subscribe, validate_suppressed_roles, ValidationError,
};

const SUMMARY: &str = include_str!("data/e-errors-summary.txt");

/// The master's body for a capture case, e.g. `E6b` → `Failed to validate ...`.
fn captured_body(case: &str) -> String {
    let line = SUMMARY
        .lines()
        .find(|line| line.trim_start().starts_with(&format!("{case} ")))
        .unwrap_or_else(|| panic!("case {case} not in the capture"));
    let (_, body) = line.split_once("| b").expect("body column");
    // A Python bytes literal: b"..." or b'...'; strip exactly its delimiters.
    let body = body.trim();
    let quote = body.chars().next().expect("quoted body");
    body.strip_prefix(quote)
        .and_then(|b| b.strip_suffix(quote))
        .expect("closing quote")
        .to_string()
}

fn fid() -> v1::FrameworkID {
    v1::FrameworkID {
        value: "c12a49c7-c956-4864-8638-152d631db23d-0000".into(),
    }
}

fn with_fid(call: Call) -> Call {
    Call {
        framework_id: Some(fid()),
        ..call
    }
}

fn typed(kind: Type) -> Call {
    Call {
        r#type: Some(kind),
        ..Call::default()
    }
}

fn ack(uuid: &[u8]) -> Call {
    with_fid(call::acknowledge(
        v1::AgentID { value: "a".into() },
        v1::TaskID { value: "t".into() },
        uuid.to_vec(),
    ))
}

fn info(id: Option<&str>) -> v1::FrameworkInfo {
    v1::FrameworkInfo {
        user: "root".into(),
        name: "capture-e".into(),
        id: id.map(|value| v1::FrameworkID {
            value: value.into(),
        }),
        ..v1::FrameworkInfo::default()
    }
}

fn body_of(call: &Call) -> String {
    validate(call)
        .expect_err("the master refuses this call")
        .body()
}

#[test]
fn capture_validation_cases_give_the_masters_exact_body() {
    // E5/E5d: an unknown type name is dropped by the master's JSON parser, and an
    // unknown number in protobuf becomes an unknown field: both read as unset.
    let unknown_name = with_fid(Call::default());
    let unknown_number = with_fid(typed(Type(99)));
    let cases: Vec<(&str, Call)> = vec![
        ("E5", unknown_name.clone()),
        ("E5d", unknown_number),
        ("E6", unknown_name),
        ("E6b", typed(Type::REVIVE)),
        ("E6c", with_fid(typed(Type::ACCEPT))),
        ("E6f", ack(b"hello")),
        ("E6g", ack(&[0u8; 16])),
        (
            "E11",
            Call {
                framework_id: Some(v1::FrameworkID {
                    value: "other".into(),
                }),
                ..call::subscribe(info(None))
            },
        ),
        (
            "E11b",
            Call {
                framework_id: None,
                ..call::subscribe(info(Some("c12a49c7-c956-4864-8638-152d631db23d-0000")))
            },
        ),
    ];
    let validation_lines = SUMMARY
        .lines()
        .filter(|l| l.contains("Failed to validate scheduler::Call"))
        .count();
    assert_eq!(
        cases.len(),
        validation_lines,
        "every captured validation case is covered"
    );
    for (case, call) in cases {
        assert_eq!(body_of(&call), captured_body(case), "case {case}");
    }
}

#[test]
fn display_is_the_suffix_after_the_prefix() {
    let error = validate(&typed(Type::REVIVE)).unwrap_err();
    assert_eq!(error, ValidationError::MissingFrameworkId);
    assert_eq!(error.to_string(), "Expecting 'framework_id' to be present");
    assert_eq!(
        error.body(),
        "Failed to validate scheduler::Call: Expecting 'framework_id' to be present"
    );
}

#[test]
fn each_call_type_names_its_missing_sub_message() {
    let expected = [
        (Type::ACCEPT, "accept"),
        (Type::DECLINE, "decline"),
        (Type::ACCEPT_INVERSE_OFFERS, "accept_inverse_offers"),
        (Type::DECLINE_INVERSE_OFFERS, "decline_inverse_offers"),
        (Type::KILL, "kill"),
        (Type::SHUTDOWN, "shutdown"),
        (Type::ACKNOWLEDGE, "acknowledge"),
        (
            Type::ACKNOWLEDGE_OPERATION_STATUS,
            "acknowledge_operation_status",
        ),
        (Type::RECONCILE, "reconcile"),
        (Type::RECONCILE_OPERATIONS, "reconcile_operations"),
        (Type::MESSAGE, "message"),
        (Type::REQUEST, "request"),
        (Type::UPDATE_FRAMEWORK, "update_framework"),
    ];
    for (kind, field) in expected {
        let error = validate(&with_fid(typed(kind))).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("Expecting '{field}' to be present")
        );
    }
    assert_eq!(
        validate(&typed(Type::SUBSCRIBE)).unwrap_err().to_string(),
        "Expecting 'subscribe' to be present"
    );
    // TEARDOWN, REVIVE and SUPPRESS need only the framework id.
    for kind in [Type::TEARDOWN, Type::REVIVE, Type::SUPPRESS] {
        assert_eq!(validate(&with_fid(typed(kind))), Ok(()), "{kind:?}");
    }
}

#[test]
fn operation_ack_needs_agent_id_after_a_valid_uuid() {
    let uuid = uuid_v4();
    let op = v1::OperationID { value: "op".into() };
    let without_agent = with_fid(call::acknowledge_operation_status(
        None,
        None,
        op.clone(),
        uuid.to_vec(),
    ));
    assert_eq!(
        validate(&without_agent).unwrap_err().to_string(),
        "Expecting 'agent_id' to be present"
    );
    // The uuid is checked first.
    let both_bad = with_fid(call::acknowledge_operation_status(
        None,
        None,
        op,
        vec![1; 15],
    ));
    assert_eq!(validate(&both_bad), Err(ValidationError::InvalidUuid));
}

#[test]
fn update_framework_ids_must_match() {
    let mut c = call::update_framework(info(Some("a")));
    c.framework_id = Some(v1::FrameworkID { value: "b".into() });
    assert_eq!(
        validate(&c).unwrap_err().to_string(),
        "'framework_id' differs from 'update_framework.framework_info.id'"
    );
}

#[test]
fn subscribe_principal_must_match_the_authenticated_one() {
    let mut framework = info(None);
    framework.principal = Some("alice".into());
    let c = call::subscribe(framework);
    assert_eq!(validate_as(&c, Some("alice")), Ok(()));
    assert_eq!(validate(&c), Ok(()));
    assert_eq!(
        validate_as(&c, Some("bob")).unwrap_err().to_string(),
        "Authenticated principal 'bob' does not match principal 'alice' set in `FrameworkInfo`"
    );
}

fn uuid_v4() -> [u8; 16] {
    let mut uuid = [0x5a; 16];
    uuid[6] = 0x4c;
    uuid
}

#[test]
fn uuid_rules_follow_stout() {
    let v4 = uuid_v4();
    assert!(is_valid_uuid(&v4));
    assert!(!is_valid_uuid(&v4[..15]), "15 bytes");
    let mut long = v4.to_vec();
    long.push(0);
    assert!(!is_valid_uuid(&long), "17 bytes");
    assert!(!is_valid_uuid(&[]));
    for (nibble, valid) in [
        (0, false),
        (1, true),
        (3, true),
        (5, true),
        (6, false),
        (15, false),
    ] {
        let mut uuid = v4;
        uuid[6] = (nibble << 4) | 0x0c;
        assert_eq!(is_valid_uuid(&uuid), valid, "version nibble {nibble}");
    }
    assert_eq!(validate(&ack(&v4)), Ok(()));
    assert_eq!(validate(&ack(&v4[..15])), Err(ValidationError::InvalidUuid));
}

fn multi_role(roles: &[&str]) -> v1::FrameworkInfo {
    v1::FrameworkInfo {
        roles: roles.iter().map(|r| r.to_string()).collect(),
        capabilities: vec![Capability {
            r#type: Some(capability::Type::MULTI_ROLE),
        }],
        ..info(None)
    }
}

#[test]
fn framework_roles_follow_the_multi_role_capability() {
    assert_eq!(validate_framework_info(&info(None)), Ok(()));
    assert_eq!(validate_framework_info(&multi_role(&["a", "b/c"])), Ok(()));

    let mut roles_without_capability = info(None);
    roles_without_capability.roles = vec!["a".into()];
    assert_eq!(
        validate_framework_info(&roles_without_capability).unwrap_err(),
        "'FrameworkInfo.roles' must not be set when the framework is not MULTI_ROLE capable"
    );

    let mut role_with_capability = multi_role(&["a"]);
    role_with_capability.role = Some("a".into());
    assert_eq!(
        validate_framework_info(&role_with_capability).unwrap_err(),
        "'FrameworkInfo.role' must not be set when the framework is MULTI_ROLE capable"
    );

    assert_eq!(
        validate_framework_info(&multi_role(&["b", "a", "b", "a", "c"])).unwrap_err(),
        "'FrameworkInfo.roles' contains duplicate items: { a, b }"
    );
    assert_eq!(
        validate_framework_info(&multi_role(&["ok", "-bad"])).unwrap_err(),
        "'FrameworkInfo.roles' contains invalid role: Role component '-bad' is invalid \
         because it starts with a dash"
    );

    let mut bad_single = info(None);
    bad_single.role = Some("a//b".into());
    assert_eq!(
        validate_framework_info(&bad_single).unwrap_err(),
        "'FrameworkInfo.role' is not a valid role: Role 'a//b' cannot contain two adjacent \
         slashes"
    );
}

#[test]
fn role_syntax() {
    for good in ["*", "web", "a/b/c", "team-1", "a.b", "x*"] {
        assert_eq!(validate_role(good), Ok(()), "{good}");
    }
    let bad = [
        ("/a", "Role '/a' cannot start with a slash"),
        ("a/", "Role 'a/' cannot end with a slash"),
        ("a//b", "Role 'a//b' cannot contain two adjacent slashes"),
        ("", "Role names cannot be the empty string"),
        ("a/./b", "Role 'a/./b' cannot include '.' as a component"),
        ("..", "Role '..' cannot include '..' as a component"),
        ("a/*", "Role 'a/*' cannot include '*' as a component"),
        (
            "a/-b",
            "Role component '-b' is invalid because it starts with a dash",
        ),
        (
            "a b",
            "Role component 'a b' is invalid because it contains backspace or whitespace",
        ),
        (
            "a\u{7f}",
            "Role component 'a\u{7f}' is invalid because it contains backspace or whitespace",
        ),
    ];
    for (role, message) in bad {
        assert_eq!(validate_role(role), Err(message.to_string()), "{role:?}");
    }
}

#[test]
fn framework_id_syntax() {
    let check = |id: &str| validate_framework_info(&info(Some(id)));
    assert_eq!(check(""), Ok(()), "an empty id counts as no id");
    assert_eq!(check("abc-0001"), Ok(()));
    assert_eq!(check("."), Err("'.' is disallowed".to_string()));
    assert_eq!(check(".."), Err("'..' is disallowed".to_string()));
    assert_eq!(
        check("a/b"),
        Err("'a/b' contains invalid characters".to_string())
    );
    assert_eq!(
        check("a\\b"),
        Err("'a\\b' contains invalid characters".to_string())
    );
    assert_eq!(
        check("a\nb"),
        Err("'a\nb' contains invalid characters".to_string())
    );
    assert_eq!(
        check(&"x".repeat(256)),
        Err("ID must not be greater than 255 characters".to_string())
    );
    assert_eq!(check(&"x".repeat(255)), Ok(()));
}

#[test]
fn failover_timeout_must_fit_int64_nanoseconds() {
    let with_timeout = |seconds: f64| {
        validate_framework_info(&v1::FrameworkInfo {
            failover_timeout: Some(seconds),
            ..info(None)
        })
    };
    assert_eq!(with_timeout(120.0), Ok(()));
    assert_eq!(with_timeout(-5.0), Ok(()), "negative values are accepted");
    assert_eq!(with_timeout(9.2e9), Ok(()));
    assert_eq!(
        with_timeout(1e17),
        Err("The framework failover_timeout (1e+17) is invalid".to_string())
    );
    assert_eq!(
        with_timeout(f64::INFINITY),
        Err("The framework failover_timeout (inf) is invalid".to_string())
    );
}

#[test]
fn offer_filter_quantities_must_be_non_negative() {
    use v1::offer_filters::{MinAllocatableResources, ResourceQuantities};
    let with_quantities = |quantities: Vec<(&str, f64)>| {
        let quantities = ResourceQuantities {
            quantities: quantities
                .into_iter()
                .map(|(name, value)| (name.to_string(), v1::value::Scalar { value }))
                .collect(),
        };
        let filters = v1::OfferFilters {
            min_allocatable_resources: Some(MinAllocatableResources {
                quantities: vec![quantities],
            }),
        };
        validate_framework_info(&v1::FrameworkInfo {
            offer_filters: BTreeMap::from([("*".to_string(), filters)]),
            ..info(None)
        })
    };
    assert_eq!(with_quantities(vec![("cpus", 1.0), ("mem", 0.0)]), Ok(()));
    assert_eq!(
        with_quantities(vec![("cpus", -1.0)]),
        Err("Invalid resource quantity for 'cpus': Negative values not supported".to_string())
    );
    assert_eq!(
        with_quantities(vec![("mem", f64::NAN)]),
        Err("Invalid resource quantity for 'mem': NaN not supported".to_string())
    );
    assert_eq!(
        with_quantities(vec![]),
        Err("Resource quantities must contain at least one quantity".to_string())
    );
}

#[test]
fn suppressed_roles_must_be_framework_roles() {
    let framework = multi_role(&["a", "b"]);
    assert_eq!(validate_suppressed_roles(&framework, &["a".into()]), Ok(()));
    assert_eq!(
        validate_suppressed_roles(&framework, &["z".into(), "a".into(), "c".into()]),
        Err("Suppressed roles { c, z } are not contained in the set of roles".to_string())
    );
    // Without MULTI_ROLE the framework's only role is `role`, `*` by default.
    assert_eq!(
        validate_suppressed_roles(&info(None), &["*".into()]),
        Ok(())
    );
    let subscribe = v1::scheduler::call::Subscribe {
        framework_info: info(None),
        suppressed_roles: vec!["web".into()],
        offer_constraints: None,
    };
    assert_eq!(
        validate_subscribe(&subscribe),
        Err("Suppressed roles { web } are not contained in the set of roles".to_string())
    );
}

fn executor_update(status: v1::TaskStatus) -> v1::executor::Call {
    v1::executor::Call {
        executor_id: v1::ExecutorID { value: "e1".into() },
        framework_id: v1::FrameworkID { value: "f1".into() },
        r#type: Some(v1::executor::call::Type::UPDATE),
        update: Some(v1::executor::call::Update { status }),
        ..v1::executor::Call::default()
    }
}

fn good_status() -> v1::TaskStatus {
    v1::TaskStatus {
        task_id: v1::TaskID { value: "t".into() },
        state: v1::TaskState::TASK_RUNNING,
        source: Some(v1::task_status::Source::SOURCE_EXECUTOR),
        uuid: Some(uuid_v4().to_vec()),
        executor_id: Some(v1::ExecutorID { value: "e1".into() }),
        ..v1::TaskStatus::default()
    }
}

#[test]
fn executor_calls_follow_the_agents_rules() {
    assert_eq!(
        validate_executor_call(&executor_update(good_status())),
        Ok(())
    );
    let message = |status: v1::TaskStatus| {
        validate_executor_call(&executor_update(status))
            .unwrap_err()
            .body()
    };
    assert_eq!(
        message(v1::TaskStatus {
            uuid: None,
            ..good_status()
        }),
        "Failed to validate Executor::Call: Expecting 'uuid' to be present"
    );
    assert_eq!(
        message(v1::TaskStatus {
            uuid: Some(vec![0; 16]),
            ..good_status()
        }),
        "Failed to validate Executor::Call: Not a valid UUID"
    );
    assert_eq!(
        message(v1::TaskStatus {
            executor_id: Some(v1::ExecutorID { value: "e2".into() }),
            ..good_status()
        }),
        "Failed to validate Executor::Call: ExecutorID in Call: e1 does not match ExecutorID \
         in TaskStatus: e2"
    );
    assert_eq!(
        message(v1::TaskStatus {
            source: Some(v1::task_status::Source::SOURCE_AGENT),
            ..good_status()
        }),
        "Failed to validate Executor::Call: Received Call from executor e1 of framework f1 \
         with invalid source, expecting 'SOURCE_EXECUTOR'"
    );
    assert_eq!(
        message(v1::TaskStatus {
            state: v1::TaskState::TASK_STAGING,
            ..good_status()
        }),
        "Failed to validate Executor::Call: Received TASK_STAGING from executor e1 of \
         framework f1 which is not allowed"
    );

    let mut no_type = executor_update(good_status());
    no_type.r#type = None;
    assert_eq!(
        validate_executor_call(&no_type).unwrap_err().to_string(),
        "Expecting 'type' to be present"
    );
    let mut message_call = executor_update(good_status());
    message_call.r#type = Some(v1::executor::call::Type::MESSAGE);
    assert_eq!(
        validate_executor_call(&message_call)
            .unwrap_err()
            .to_string(),
        "Expecting 'message' to be present"
    );
    message_call.r#type = Some(v1::executor::call::Type::HEARTBEAT);
    assert_eq!(validate_executor_call(&message_call), Ok(()));
}
