//! The model's serde impls as a Rust user meets them: every message type of
//! the schema, filled from a JSON document that sets each of its fields,
//! goes through `serde_json::Value` and back unchanged, and
//! `serde_json::to_vec` writes the same bytes as the codec.

use mesos_http::codec::json;
use mesos_http::codec::protobuf::ProtobufMessage;
use mesos_http::v1;
use mesos_http_codegen::schema::{Field, FieldType, Label, Message, Schema};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::path::Path;

fn schema() -> Schema {
    mesos_http_codegen::load(Path::new("pb")).expect("schema")
}

/// A JSON value for one field of type `ty`, as the master would accept it;
/// messages are filled down to `depth` levels (required ones always).
fn value_of(schema: &Schema, f: &Field, ty: &FieldType, depth: u32) -> Option<Value> {
    Some(match ty {
        FieldType::Scalar(s) => match s.as_str() {
            "double" | "float" => json!(2.5),
            "int32" | "sint32" | "sfixed32" => json!(-7),
            "int64" | "sint64" | "sfixed64" => json!(-1234567890123i64),
            "uint32" | "fixed32" => json!(7),
            "uint64" | "fixed64" => json!(1234567890123u64),
            "bool" => json!(true),
            "string" => json!(format!("{}-value \"quoted\" ☃", f.name)),
            "bytes" => json!("AAEC/w=="),
            other => panic!("scalar {other}"),
        },
        FieldType::Enum(e) => json!(schema.enum_(e).expect("enum").values[0].name),
        FieldType::Message(m) => {
            let message = schema.message(m).expect("message");
            if depth == 0 && f.label != Label::Required {
                return None;
            }
            filled(schema, message, depth.saturating_sub(1))
        }
    })
}

/// A JSON object setting every field of `m` (one member per oneof).
fn filled(schema: &Schema, m: &Message, depth: u32) -> Value {
    let mut object = Map::new();
    let mut oneofs = BTreeSet::new();
    for f in &m.fields {
        if let Some(group) = &f.oneof {
            if !oneofs.insert(group.clone()) {
                continue;
            }
        }
        if let Some(entry) = f.map_entry.as_ref().and_then(|e| schema.message(e)) {
            let value_field = &entry.fields[1];
            if let Some(v) = value_of(schema, value_field, &value_field.ty, depth) {
                object.insert(f.name.clone(), json!({ "key-1": v }));
            }
            continue;
        }
        let Some(v) = value_of(schema, f, &f.ty, depth) else {
            continue;
        };
        let v = match f.label {
            Label::Repeated => Value::Array(vec![v.clone(), v]),
            _ => v,
        };
        object.insert(f.name.clone(), v);
    }
    Value::Object(object)
}

/// Every key of `input` is in `output` (which may add declared defaults).
fn keys_kept(input: &Value, output: &Value, path: &str) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let inner = b
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k} lost: {output}"));
                keys_kept(v, inner, &format!("{path}.{k}"));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                keys_kept(x, y, &format!("{path}[{i}]"));
            }
        }
        _ => {}
    }
}

fn round_trip<T>(schema: &Schema, seen: &mut BTreeSet<String>)
where
    T: json::JsonMessage + ProtobufMessage + PartialEq + Debug,
{
    let name = T::PROTO_NAME;
    seen.insert(name.to_string());
    let message = schema.message(name).expect("in the schema");
    for depth in [0, 3] {
        let input = filled(schema, message, depth);
        let typed: T = serde_json::from_value(input.clone())
            .unwrap_or_else(|e| panic!("{name} from {input}: {e}"));
        let value = serde_json::to_value(&typed).unwrap();
        keys_kept(&input, &value, name);
        let back: T = serde_json::from_value(value.clone())
            .unwrap_or_else(|e| panic!("{name} back from {value}: {e}"));
        assert_eq!(back, typed, "{name}");
        assert_eq!(serde_json::to_value(&back).unwrap(), value, "{name}");
        // The same bytes as the codec, and the codec reads them back.
        let bytes = serde_json::to_vec(&typed).unwrap();
        assert_eq!(
            String::from_utf8(json::encode(&typed)).unwrap(),
            String::from_utf8(bytes.clone()).unwrap(),
            "{name}"
        );
        assert_eq!(json::decode::<T>(&bytes).unwrap(), typed, "{name}");
        assert_eq!(
            serde_json::from_slice::<T>(&bytes).unwrap(),
            typed,
            "{name}"
        );
    }
}

macro_rules! every_message {
    ($($t:ty,)*) => {
        fn every_message(schema: &Schema, seen: &mut BTreeSet<String>) {
            $(round_trip::<v1::$t>(schema, seen);)*
        }
    };
}

every_message! {
        FrameworkID,
        OfferID,
        AgentID,
        TaskID,
        ExecutorID,
        ContainerID,
        ResourceProviderID,
        OperationID,
        TimeInfo,
        DurationInfo,
        Address,
        URL,
        Unavailability,
        FrameworkInfo,
        framework_info::Capability,
        CheckInfo,
        check_info::Command,
        check_info::Http,
        check_info::Tcp,
        HealthCheck,
        health_check::HTTPCheckInfo,
        health_check::TCPCheckInfo,
        KillPolicy,
        CommandInfo,
        command_info::URI,
        ExecutorInfo,
        DomainInfo,
        domain_info::FaultDomain,
        domain_info::fault_domain::RegionInfo,
        domain_info::fault_domain::ZoneInfo,
        MasterInfo,
        master_info::Capability,
        AgentInfo,
        Value,
        value::Scalar,
        value::Range,
        value::Ranges,
        value::Set,
        value::Text,
        Attribute,
        Resource,
        resource::AllocationInfo,
        resource::ReservationInfo,
        resource::DiskInfo,
        resource::disk_info::Persistence,
        resource::disk_info::Source,
        resource::disk_info::source::Path,
        resource::disk_info::source::Mount,
        resource::RevocableInfo,
        resource::SharedInfo,
        OfferFilters,
        offer_filters::ResourceQuantities,
        offer_filters::MinAllocatableResources,
        Request,
        Offer,
        offer::Operation,
        offer::operation::Launch,
        offer::operation::LaunchGroup,
        offer::operation::Reserve,
        offer::operation::Unreserve,
        offer::operation::Create,
        offer::operation::Destroy,
        offer::operation::GrowVolume,
        offer::operation::ShrinkVolume,
        offer::operation::CreateDisk,
        offer::operation::DestroyDisk,
        InverseOffer,
        TaskInfo,
        TaskGroupInfo,
        TaskResourceLimitation,
        UUID,
        OperationStatus,
        CheckStatusInfo,
        check_status_info::Command,
        check_status_info::Http,
        check_status_info::Tcp,
        TaskStatus,
        Filters,
        Environment,
        environment::Variable,
        Parameter,
        Parameters,
        Credential,
        Secret,
        secret::Reference,
        secret::Value,
        Image,
        image::Appc,
        image::Docker,
        MountPropagation,
        Volume,
        volume::Source,
        volume::source::DockerVolume,
        volume::source::HostPath,
        volume::source::SandboxPath,
        volume::source::CSIVolume,
        volume::source::csi_volume::VolumeCapability,
        volume::source::csi_volume::volume_capability::BlockVolume,
        volume::source::csi_volume::volume_capability::MountVolume,
        volume::source::csi_volume::volume_capability::AccessMode,
        volume::source::csi_volume::StaticProvisioning,
        NetworkInfo,
        network_info::IPAddress,
        network_info::PortMapping,
        CapabilityInfo,
        SeccompInfo,
        LinuxInfo,
        RLimitInfo,
        r_limit_info::RLimit,
        TTYInfo,
        tty_info::WindowSize,
        ContainerInfo,
        container_info::DockerInfo,
        container_info::docker_info::PortMapping,
        container_info::MesosInfo,
        ContainerStatus,
        CgroupInfo,
        cgroup_info::NetCls,
        Labels,
        Label,
        Port,
        Ports,
        DiscoveryInfo,
        scheduler::Event,
        scheduler::event::Subscribed,
        scheduler::event::Offers,
        scheduler::event::InverseOffers,
        scheduler::event::Rescind,
        scheduler::event::RescindInverseOffer,
        scheduler::event::Update,
        scheduler::event::UpdateOperationStatus,
        scheduler::event::Message,
        scheduler::event::Failure,
        scheduler::event::Error,
        scheduler::AttributeConstraint,
        scheduler::attribute_constraint::Selector,
        scheduler::attribute_constraint::Predicate,
        scheduler::attribute_constraint::predicate::Exists,
        scheduler::attribute_constraint::predicate::NotExists,
        scheduler::attribute_constraint::predicate::TextEquals,
        scheduler::attribute_constraint::predicate::TextNotEquals,
        scheduler::attribute_constraint::predicate::TextMatches,
        scheduler::attribute_constraint::predicate::TextNotMatches,
        scheduler::OfferConstraints,
        scheduler::offer_constraints::RoleConstraints,
        scheduler::offer_constraints::role_constraints::Group,
        scheduler::Call,
        scheduler::call::Subscribe,
        scheduler::call::Accept,
        scheduler::call::Decline,
        scheduler::call::AcceptInverseOffers,
        scheduler::call::DeclineInverseOffers,
        scheduler::call::Revive,
        scheduler::call::Kill,
        scheduler::call::Shutdown,
        scheduler::call::Acknowledge,
        scheduler::call::AcknowledgeOperationStatus,
        scheduler::call::Reconcile,
        scheduler::call::reconcile::Task,
        scheduler::call::ReconcileOperations,
        scheduler::call::reconcile_operations::Operation,
        scheduler::call::Message,
        scheduler::call::Request,
        scheduler::call::Suppress,
        scheduler::call::UpdateFramework,
        executor::Event,
        executor::event::Subscribed,
        executor::event::Launch,
        executor::event::LaunchGroup,
        executor::event::Kill,
        executor::event::Acknowledged,
        executor::event::Message,
        executor::event::Error,
        executor::Call,
        executor::call::Subscribe,
        executor::call::Update,
        executor::call::Message,
}

#[test]
fn every_message_type_round_trips_through_serde_json_value() {
    let schema = schema();
    let mut seen = BTreeSet::new();
    every_message(&schema, &mut seen);
    let all: BTreeSet<String> = schema
        .messages
        .iter()
        .filter(|m| !m.map_entry)
        .map(|m| m.full_name.clone())
        .collect();
    assert_eq!(seen, all, "the list above covers every message type");
}

#[test]
fn required_fields_and_enums_through_plain_serde() {
    // What a user reading a TaskInfo file meets.
    let e = serde_json::from_str::<v1::TaskInfo>(r#"{"name":"t","task_id":{}}"#).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Missing required fields: agent_id, task_id.value"),
        "{e}"
    );
    let state: v1::TaskState = serde_json::from_str(r#""TASK_RUNNING""#).unwrap();
    assert_eq!(state, v1::TaskState::TASK_RUNNING);
    assert_eq!(serde_json::to_string(&state).unwrap(), r#""TASK_RUNNING""#);
    // An open enum keeps a number the schema does not declare.
    assert_eq!(serde_json::to_string(&v1::TaskState(99)).unwrap(), "99");
    assert_eq!(
        serde_json::from_str::<v1::TaskState>("99").unwrap(),
        v1::TaskState(99)
    );
    assert!(serde_json::from_str::<v1::TaskState>(r#""TASK_BOGUS""#).is_err());
    // Doubles as the master prints them, through plain serde_json.
    let filters = v1::Filters {
        refuse_seconds: Some(1e16),
    };
    assert_eq!(
        serde_json::to_string(&filters).unwrap(),
        r#"{"refuse_seconds":10000000000000000.0}"#
    );
    let filters = v1::Filters {
        refuse_seconds: Some(f64::INFINITY),
    };
    assert_eq!(
        serde_json::to_string(&filters).unwrap(),
        r#"{"refuse_seconds":"Infinity"}"#
    );
}
