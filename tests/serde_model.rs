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
            $(round_trip::<$t>(schema, seen);)*
        }
    };
}

every_message! {
    v1::FrameworkID,
    v1::OfferID,
    v1::AgentID,
    v1::TaskID,
    v1::ExecutorID,
    v1::ContainerID,
    v1::ResourceProviderID,
    v1::OperationID,
    v1::TimeInfo,
    v1::DurationInfo,
    v1::Address,
    v1::URL,
    v1::Unavailability,
    v1::FrameworkInfo,
    v1::framework_info::Capability,
    v1::CheckInfo,
    v1::check_info::Command,
    v1::check_info::Http,
    v1::check_info::Tcp,
    v1::HealthCheck,
    v1::health_check::HTTPCheckInfo,
    v1::health_check::TCPCheckInfo,
    v1::KillPolicy,
    v1::CommandInfo,
    v1::command_info::URI,
    v1::ExecutorInfo,
    v1::DomainInfo,
    v1::domain_info::FaultDomain,
    v1::domain_info::fault_domain::RegionInfo,
    v1::domain_info::fault_domain::ZoneInfo,
    v1::MasterInfo,
    v1::master_info::Capability,
    v1::AgentInfo,
    v1::Value,
    v1::value::Scalar,
    v1::value::Range,
    v1::value::Ranges,
    v1::value::Set,
    v1::value::Text,
    v1::Attribute,
    v1::Resource,
    v1::resource::AllocationInfo,
    v1::resource::ReservationInfo,
    v1::resource::DiskInfo,
    v1::resource::disk_info::Persistence,
    v1::resource::disk_info::Source,
    v1::resource::disk_info::source::Path,
    v1::resource::disk_info::source::Mount,
    v1::resource::RevocableInfo,
    v1::resource::SharedInfo,
    v1::OfferFilters,
    v1::offer_filters::ResourceQuantities,
    v1::offer_filters::MinAllocatableResources,
    v1::Request,
    v1::Offer,
    v1::offer::Operation,
    v1::offer::operation::Launch,
    v1::offer::operation::LaunchGroup,
    v1::offer::operation::Reserve,
    v1::offer::operation::Unreserve,
    v1::offer::operation::Create,
    v1::offer::operation::Destroy,
    v1::offer::operation::GrowVolume,
    v1::offer::operation::ShrinkVolume,
    v1::offer::operation::CreateDisk,
    v1::offer::operation::DestroyDisk,
    v1::InverseOffer,
    v1::TaskInfo,
    v1::TaskGroupInfo,
    v1::TaskResourceLimitation,
    v1::UUID,
    v1::OperationStatus,
    v1::CheckStatusInfo,
    v1::check_status_info::Command,
    v1::check_status_info::Http,
    v1::check_status_info::Tcp,
    v1::TaskStatus,
    v1::Filters,
    v1::Environment,
    v1::environment::Variable,
    v1::Parameter,
    v1::Parameters,
    v1::Credential,
    v1::Secret,
    v1::secret::Reference,
    v1::secret::Value,
    v1::Image,
    v1::image::Appc,
    v1::image::Docker,
    v1::MountPropagation,
    v1::Volume,
    v1::volume::Source,
    v1::volume::source::DockerVolume,
    v1::volume::source::HostPath,
    v1::volume::source::SandboxPath,
    v1::volume::source::CSIVolume,
    v1::volume::source::csi_volume::VolumeCapability,
    v1::volume::source::csi_volume::volume_capability::BlockVolume,
    v1::volume::source::csi_volume::volume_capability::MountVolume,
    v1::volume::source::csi_volume::volume_capability::AccessMode,
    v1::volume::source::csi_volume::StaticProvisioning,
    v1::NetworkInfo,
    v1::network_info::IPAddress,
    v1::network_info::PortMapping,
    v1::CapabilityInfo,
    v1::SeccompInfo,
    v1::LinuxInfo,
    v1::RLimitInfo,
    v1::r_limit_info::RLimit,
    v1::TTYInfo,
    v1::tty_info::WindowSize,
    v1::ContainerInfo,
    v1::container_info::DockerInfo,
    v1::container_info::docker_info::PortMapping,
    v1::container_info::MesosInfo,
    v1::ContainerStatus,
    v1::CgroupInfo,
    v1::cgroup_info::NetCls,
    v1::Labels,
    v1::Label,
    v1::Port,
    v1::Ports,
    v1::DiscoveryInfo,
    v1::scheduler::Event,
    v1::scheduler::event::Subscribed,
    v1::scheduler::event::Offers,
    v1::scheduler::event::InverseOffers,
    v1::scheduler::event::Rescind,
    v1::scheduler::event::RescindInverseOffer,
    v1::scheduler::event::Update,
    v1::scheduler::event::UpdateOperationStatus,
    v1::scheduler::event::Message,
    v1::scheduler::event::Failure,
    v1::scheduler::event::Error,
    v1::scheduler::AttributeConstraint,
    v1::scheduler::attribute_constraint::Selector,
    v1::scheduler::attribute_constraint::Predicate,
    v1::scheduler::attribute_constraint::predicate::Exists,
    v1::scheduler::attribute_constraint::predicate::NotExists,
    v1::scheduler::attribute_constraint::predicate::TextEquals,
    v1::scheduler::attribute_constraint::predicate::TextNotEquals,
    v1::scheduler::attribute_constraint::predicate::TextMatches,
    v1::scheduler::attribute_constraint::predicate::TextNotMatches,
    v1::scheduler::OfferConstraints,
    v1::scheduler::offer_constraints::RoleConstraints,
    v1::scheduler::offer_constraints::role_constraints::Group,
    v1::scheduler::Call,
    v1::scheduler::call::Subscribe,
    v1::scheduler::call::Accept,
    v1::scheduler::call::Decline,
    v1::scheduler::call::AcceptInverseOffers,
    v1::scheduler::call::DeclineInverseOffers,
    v1::scheduler::call::Revive,
    v1::scheduler::call::Kill,
    v1::scheduler::call::Shutdown,
    v1::scheduler::call::Acknowledge,
    v1::scheduler::call::AcknowledgeOperationStatus,
    v1::scheduler::call::Reconcile,
    v1::scheduler::call::reconcile::Task,
    v1::scheduler::call::ReconcileOperations,
    v1::scheduler::call::reconcile_operations::Operation,
    v1::scheduler::call::Message,
    v1::scheduler::call::Request,
    v1::scheduler::call::Suppress,
    v1::scheduler::call::UpdateFramework,
    v1::executor::Event,
    v1::executor::event::Subscribed,
    v1::executor::event::Launch,
    v1::executor::event::LaunchGroup,
    v1::executor::event::Kill,
    v1::executor::event::Acknowledged,
    v1::executor::event::Message,
    v1::executor::event::Error,
    v1::executor::Call,
    v1::executor::call::Subscribe,
    v1::executor::call::Update,
    v1::executor::call::Message,
    v1::MachineID,
    v1::agent_info::Capability,
    v1::CSIPluginContainerInfo,
    v1::CSIPluginEndpoint,
    v1::CSIPluginInfo,
    v1::ResourceProviderInfo,
    v1::resource_provider_info::Storage,
    v1::TrafficControlStatistics,
    v1::IpStatistics,
    v1::IcmpStatistics,
    v1::TcpStatistics,
    v1::UdpStatistics,
    v1::SNMPStatistics,
    v1::DiskStatistics,
    v1::ResourceStatistics,
    v1::resource_statistics::RatePercentiles,
    v1::resource_statistics::RateStatistics,
    v1::PerfStatistics,
    v1::Task,
    v1::Operation,
    v1::cgroup_info::Blkio,
    v1::cgroup_info::blkio::Value,
    v1::cgroup_info::blkio::CFQ,
    v1::cgroup_info::blkio::cfq::Statistics,
    v1::cgroup_info::blkio::Throttling,
    v1::cgroup_info::blkio::throttling::Statistics,
    v1::cgroup_info::blkio::Statistics,
    v1::WeightInfo,
    v1::VersionInfo,
    v1::Flag,
    v1::Role,
    v1::Metric,
    v1::FileInfo,
    v1::Device,
    v1::device::Number,
    v1::DrainConfig,
    v1::DrainInfo,
    v1::protobuf::Duration,
    v1::allocator::InverseOfferStatus,
    v1::maintenance::Window,
    v1::maintenance::Schedule,
    v1::maintenance::ClusterStatus,
    v1::maintenance::cluster_status::DrainingMachine,
    v1::quota::QuotaInfo,
    v1::quota::QuotaRequest,
    v1::quota::QuotaConfig,
    v1::quota::QuotaStatus,
    v1::master::Call,
    v1::master::call::GetMetrics,
    v1::master::call::SetLoggingLevel,
    v1::master::call::ListFiles,
    v1::master::call::ReadFile,
    v1::master::call::UpdateWeights,
    v1::master::call::ReserveResources,
    v1::master::call::UnreserveResources,
    v1::master::call::CreateVolumes,
    v1::master::call::DestroyVolumes,
    v1::master::call::GrowVolume,
    v1::master::call::ShrinkVolume,
    v1::master::call::UpdateMaintenanceSchedule,
    v1::master::call::StartMaintenance,
    v1::master::call::StopMaintenance,
    v1::master::call::DrainAgent,
    v1::master::call::DeactivateAgent,
    v1::master::call::ReactivateAgent,
    v1::master::call::UpdateQuota,
    v1::master::call::SetQuota,
    v1::master::call::RemoveQuota,
    v1::master::call::Teardown,
    v1::master::call::MarkAgentGone,
    v1::master::Response,
    v1::master::response::GetHealth,
    v1::master::response::GetFlags,
    v1::master::response::GetVersion,
    v1::master::response::GetMetrics,
    v1::master::response::GetLoggingLevel,
    v1::master::response::ListFiles,
    v1::master::response::ReadFile,
    v1::master::response::GetState,
    v1::master::response::GetAgents,
    v1::master::response::get_agents::Agent,
    v1::master::response::get_agents::agent::ResourceProvider,
    v1::master::response::GetFrameworks,
    v1::master::response::get_frameworks::Framework,
    v1::master::response::GetExecutors,
    v1::master::response::get_executors::Executor,
    v1::master::response::GetOperations,
    v1::master::response::GetTasks,
    v1::master::response::GetRoles,
    v1::master::response::GetWeights,
    v1::master::response::GetMaster,
    v1::master::response::GetMaintenanceStatus,
    v1::master::response::GetMaintenanceSchedule,
    v1::master::response::GetQuota,
    v1::master::Event,
    v1::master::event::Subscribed,
    v1::master::event::TaskAdded,
    v1::master::event::TaskUpdated,
    v1::master::event::FrameworkAdded,
    v1::master::event::FrameworkUpdated,
    v1::master::event::FrameworkRemoved,
    v1::master::event::AgentAdded,
    v1::master::event::AgentRemoved,
    v1::agent::Call,
    v1::agent::call::GetMetrics,
    v1::agent::call::SetLoggingLevel,
    v1::agent::call::ListFiles,
    v1::agent::call::ReadFile,
    v1::agent::call::GetContainers,
    v1::agent::call::LaunchNestedContainer,
    v1::agent::call::WaitNestedContainer,
    v1::agent::call::KillNestedContainer,
    v1::agent::call::RemoveNestedContainer,
    v1::agent::call::LaunchNestedContainerSession,
    v1::agent::call::AttachContainerInput,
    v1::agent::call::AttachContainerOutput,
    v1::agent::call::LaunchContainer,
    v1::agent::call::WaitContainer,
    v1::agent::call::KillContainer,
    v1::agent::call::RemoveContainer,
    v1::agent::call::AddResourceProviderConfig,
    v1::agent::call::UpdateResourceProviderConfig,
    v1::agent::call::RemoveResourceProviderConfig,
    v1::agent::call::MarkResourceProviderGone,
    v1::agent::call::PruneImages,
    v1::agent::Response,
    v1::agent::response::GetHealth,
    v1::agent::response::GetFlags,
    v1::agent::response::GetVersion,
    v1::agent::response::GetMetrics,
    v1::agent::response::GetLoggingLevel,
    v1::agent::response::ListFiles,
    v1::agent::response::ReadFile,
    v1::agent::response::GetState,
    v1::agent::response::GetContainers,
    v1::agent::response::get_containers::Container,
    v1::agent::response::GetFrameworks,
    v1::agent::response::get_frameworks::Framework,
    v1::agent::response::GetExecutors,
    v1::agent::response::get_executors::Executor,
    v1::agent::response::GetOperations,
    v1::agent::response::GetTasks,
    v1::agent::response::GetAgent,
    v1::agent::response::GetResourceProviders,
    v1::agent::response::get_resource_providers::ResourceProvider,
    v1::agent::response::WaitNestedContainer,
    v1::agent::response::WaitContainer,
    v1::agent::ProcessIO,
    v1::agent::process_io::Data,
    v1::agent::process_io::Control,
    v1::agent::process_io::control::Heartbeat,
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
