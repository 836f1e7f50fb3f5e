//! Flattens one channel item into the plain values the C accessors hand
//! out: NUL-terminated strings and numbers computed once, so that accessors
//! only borrow and never fail; the encoded bytes on first request only, since
//! most programs never ask for them.

use std::ffi::CString;
use std::sync::OnceLock;

use super::error::c_string_lossy;
use mesos_http::codec::Encoding;
use mesos_http::event::Event;
use mesos_http::v1;
use mesos_http::v1::scheduler::event::Type;
use mesos_http::v1::scheduler::Call;
use mesos_http::{ConnectionState, Disconnect, Item, Termination};

/// What a `mesos_http_event` is. The values of the master's event types are
/// those of `mesos.v1.scheduler.Event.Type`; the library's own items come
/// after 100.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_event_kind {
    /// An event type this library does not know (a newer master), or a known
    /// type without its payload; the bytes are kept.
    Unknown = 0,
    /// The subscription was accepted: framework id, heartbeat interval.
    Subscribed = 1,
    /// Resource offers.
    Offers = 2,
    /// An offer was withdrawn.
    Rescind = 3,
    /// A task status update: acknowledge it (`mesos_http_scheduler_acknowledge`).
    Update = 4,
    /// Bytes from an executor.
    Message = 5,
    /// An agent was lost or an executor exited.
    Failure = 6,
    /// The master ended the subscription (message says why).
    Error = 7,
    /// Keep-alive.
    Heartbeat = 8,
    /// Resources the operator wants back.
    InverseOffers = 9,
    /// An inverse offer was withdrawn.
    RescindInverseOffer = 10,
    /// An operation status update.
    UpdateOperationStatus = 11,
    /// The connection changed state (`mesos_http_event_connection_state`).
    Connection = 100,
    /// A record that did not decode; the stream goes on. The bytes are the
    /// raw record, the message says what was wrong.
    Undecodable = 101,
    /// From `mesos_http_framework_next_event` only: a status update about a
    /// task the framework did not launch (kill it or adopt it). Its fields
    /// are an UPDATE's.
    UnknownTask = 102,
}

/// The state a `MESOS_HTTP_EVENT_KIND_CONNECTION` item reports.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mesos_http_connection_state {
    /// Not a connection item.
    None = 0,
    /// A master accepted SUBSCRIBE; SUBSCRIBED follows.
    Connected = 1,
    /// Subscribed: calls can be sent from now on.
    Subscribed = 2,
    /// The stream dropped or an attempt failed; calls fail until the next
    /// SUBSCRIBED. The library reconnects by itself.
    Disconnected = 3,
    /// The next attempt starts after a backoff delay.
    Reconnecting = 4,
    /// The subscription is over for good (torn down, ERROR event, refused):
    /// the last item before `MESOS_HTTP_RESULT_CLOSED`.
    Terminated = 5,
}

/// One offer's identity and resources (or only the id, for a rescind).
pub(super) struct OfferFields {
    pub(super) id: CString,
    pub(super) agent_id: Option<CString>,
    pub(super) hostname: Option<CString>,
    pub(super) resources: Vec<v1::Resource>,
}

/// Where an item's bytes come from.
pub(super) enum BytesSource {
    /// A connection item: no bytes.
    None,
    /// The record as received (undecodable, or an unknown event already in
    /// the configured encoding).
    Raw(Vec<u8>),
    /// A decoded event, encoded again on request.
    Encode(Box<Event>, Encoding),
}

/// Everything an accessor can return about one item.
pub(super) struct EventFields {
    pub(super) kind: mesos_http_event_kind,
    pub(super) connection_state: mesos_http_connection_state,
    source: BytesSource,
    encoded: OnceLock<Vec<u8>>,
    pub(super) offers: Vec<OfferFields>,
    pub(super) task_id: Option<CString>,
    pub(super) agent_id: Option<CString>,
    pub(super) framework_id: Option<CString>,
    pub(super) master: Option<CString>,
    pub(super) message: Option<CString>,
    pub(super) reason: Option<CString>,
    pub(super) task_state: Option<i32>,
    pub(super) uuid: Option<Vec<u8>>,
    pub(super) heartbeat_interval: Option<f64>,
    pub(super) acknowledgement: Option<Call>,
}

impl EventFields {
    pub(super) fn empty(kind: mesos_http_event_kind) -> Self {
        EventFields {
            kind,
            connection_state: mesos_http_connection_state::None,
            source: BytesSource::None,
            encoded: OnceLock::new(),
            offers: Vec::new(),
            task_id: None,
            agent_id: None,
            framework_id: None,
            master: None,
            message: None,
            reason: None,
            task_state: None,
            uuid: None,
            heartbeat_interval: None,
            acknowledgement: None,
        }
    }

    /// Flattens a channel item; `encoding` is the one event bytes are
    /// handed out in.
    pub(super) fn from_item(item: Item, encoding: Encoding) -> Self {
        match item {
            Item::Event(received) => Self::from_event(received.into_event(), encoding),
            Item::Connection(state) => Self::from_connection(state),
            Item::Undecodable { error, record } => {
                let mut fields = Self::empty(mesos_http_event_kind::Undecodable);
                fields.message = Some(c_string_lossy(&error.to_string()));
                fields.source = BytesSource::Raw(record);
                fields
            }
        }
    }

    pub(super) fn from_event(event: Event, encoding: Encoding) -> Self {
        let mut fields = Self::empty(kind_of(event.kind()));
        fields.acknowledgement = event.acknowledgement();
        match &event {
            Event::Subscribed(subscribed) => {
                fields.framework_id = Some(c_string_lossy(&subscribed.framework_id.value));
                fields.heartbeat_interval = subscribed.heartbeat_interval_seconds;
            }
            Event::Offers(offers) => {
                fields.offers = offers
                    .offers
                    .iter()
                    .map(|offer| OfferFields {
                        id: c_string_lossy(&offer.id.value),
                        agent_id: Some(c_string_lossy(&offer.agent_id.value)),
                        hostname: Some(c_string_lossy(&offer.hostname)),
                        resources: offer.resources.clone(),
                    })
                    .collect();
            }
            Event::InverseOffers(inverse) => {
                fields.offers = inverse
                    .inverse_offers
                    .iter()
                    .map(|offer| OfferFields {
                        id: c_string_lossy(&offer.id.value),
                        agent_id: offer.agent_id.as_ref().map(|a| c_string_lossy(&a.value)),
                        hostname: None,
                        resources: Vec::new(),
                    })
                    .collect();
            }
            Event::Rescind(rescind) => fields.offers = vec![id_only(&rescind.offer_id)],
            Event::RescindInverseOffer(rescind) => {
                fields.offers = vec![id_only(&rescind.inverse_offer_id)]
            }
            Event::Update(update) => {
                let status = &update.status;
                fields.task_id = Some(c_string_lossy(&status.task_id.value));
                fields.agent_id = status.agent_id.as_ref().map(|a| c_string_lossy(&a.value));
                fields.task_state = Some(status.state.0);
                fields.message = status.message.as_deref().map(c_string_lossy);
                fields.reason = status.reason.map(|r| match r.name() {
                    Some(name) => c_string_lossy(name),
                    None => c_string_lossy(&format!("reason {}", r.0)),
                });
                fields.uuid = status.uuid.clone();
            }
            Event::UpdateOperationStatus(update) => {
                let status = &update.status;
                fields.agent_id = status.agent_id.as_ref().map(|a| c_string_lossy(&a.value));
                fields.message = status.message.as_deref().map(c_string_lossy);
                fields.uuid = status.uuid.as_ref().map(|u| u.value.clone());
            }
            Event::Message(message) => {
                fields.agent_id = Some(c_string_lossy(&message.agent_id.value));
            }
            Event::Failure(failure) => {
                let agent = failure.agent_id.as_ref().map(|a| a.value.as_str());
                fields.agent_id = agent.map(c_string_lossy);
                let text = match (&failure.executor_id, failure.status) {
                    (Some(executor), status) => format!(
                        "executor {} on agent {} exited with status {}",
                        executor.value,
                        agent.unwrap_or("?"),
                        status.unwrap_or_default()
                    ),
                    (None, _) => format!("agent {} was lost", agent.unwrap_or("?")),
                };
                fields.message = Some(c_string_lossy(&text));
            }
            Event::Error(error) => fields.message = Some(c_string_lossy(&error.message)),
            Event::Heartbeat | Event::Unknown(_) => {}
            // An event kind added to the library later: kind and bytes only.
            _ => {}
        }
        fields.source = match event {
            Event::Unknown(unknown) if unknown.encoding() == Some(encoding) => {
                BytesSource::Raw(unknown.record().to_vec())
            }
            other => BytesSource::Encode(Box::new(other), encoding),
        };
        fields
    }

    /// The item's bytes (see `mesos_http_event_bytes`); `None` for a
    /// connection item. Encoded at the first call, then kept.
    pub(super) fn bytes(&self) -> Option<&[u8]> {
        match &self.source {
            BytesSource::None => None,
            BytesSource::Raw(record) => Some(record),
            BytesSource::Encode(event, encoding) => Some(
                self.encoded
                    .get_or_init(|| encoding.encode(&event.to_proto()))
                    .as_slice(),
            ),
        }
    }

    pub(super) fn from_connection(state: ConnectionState) -> Self {
        let mut fields = Self::empty(mesos_http_event_kind::Connection);
        let (state, message) = match state {
            ConnectionState::Connected { master } => {
                let text = format!("connected to {master}");
                fields.master = Some(c_string_lossy(&master));
                (mesos_http_connection_state::Connected, text)
            }
            ConnectionState::Subscribed {
                master,
                framework_id,
                heartbeat_interval,
                ..
            } => {
                let text = format!("subscribed to {master} as {}", framework_id.value);
                fields.master = Some(c_string_lossy(&master));
                fields.framework_id = Some(c_string_lossy(&framework_id.value));
                fields.heartbeat_interval = heartbeat_interval.map(|d| d.as_secs_f64());
                (mesos_http_connection_state::Subscribed, text)
            }
            ConnectionState::Disconnected(why) => (
                mesos_http_connection_state::Disconnected,
                describe_disconnect(&why),
            ),
            ConnectionState::Reconnecting { delay, attempt } => (
                mesos_http_connection_state::Reconnecting,
                format!(
                    "reconnecting in {} ms (attempt {attempt})",
                    delay.as_millis()
                ),
            ),
            ConnectionState::Terminated(why) => (
                mesos_http_connection_state::Terminated,
                describe_termination(&why),
            ),
            // A state added to the library later; reported as a disconnection.
            other => (
                mesos_http_connection_state::Disconnected,
                format!("{other:?}"),
            ),
        };
        fields.connection_state = state;
        fields.message = Some(c_string_lossy(&message));
        fields
    }
}

fn id_only(id: &v1::OfferID) -> OfferFields {
    OfferFields {
        id: c_string_lossy(&id.value),
        agent_id: None,
        hostname: None,
        resources: Vec::new(),
    }
}

fn kind_of(kind: Type) -> mesos_http_event_kind {
    match kind {
        Type::SUBSCRIBED => mesos_http_event_kind::Subscribed,
        Type::OFFERS => mesos_http_event_kind::Offers,
        Type::RESCIND => mesos_http_event_kind::Rescind,
        Type::UPDATE => mesos_http_event_kind::Update,
        Type::MESSAGE => mesos_http_event_kind::Message,
        Type::FAILURE => mesos_http_event_kind::Failure,
        Type::ERROR => mesos_http_event_kind::Error,
        Type::HEARTBEAT => mesos_http_event_kind::Heartbeat,
        Type::INVERSE_OFFERS => mesos_http_event_kind::InverseOffers,
        Type::RESCIND_INVERSE_OFFER => mesos_http_event_kind::RescindInverseOffer,
        Type::UPDATE_OPERATION_STATUS => mesos_http_event_kind::UpdateOperationStatus,
        _ => mesos_http_event_kind::Unknown,
    }
}

fn describe_disconnect(why: &Disconnect) -> String {
    why.to_string()
}

fn describe_termination(why: &Termination) -> String {
    why.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mesos_http::v1::scheduler::event as se;

    fn update(uuid: Option<Vec<u8>>) -> Event {
        Event::Update(se::Update {
            status: v1::TaskStatus {
                task_id: v1::TaskID { value: "t1".into() },
                state: v1::TaskState::TASK_FINISHED,
                agent_id: Some(v1::AgentID { value: "a1".into() }),
                message: Some("done".into()),
                uuid,
                ..Default::default()
            },
        })
    }

    #[test]
    fn an_update_exposes_its_status_fields_and_acknowledgement() {
        let fields = EventFields::from_event(update(Some(vec![7; 16])), Encoding::Protobuf);
        assert_eq!(fields.kind, mesos_http_event_kind::Update);
        assert_eq!(fields.task_id.as_deref(), Some(c"t1"));
        assert_eq!(fields.agent_id.as_deref(), Some(c"a1"));
        assert_eq!(fields.message.as_deref(), Some(c"done"));
        assert_eq!(fields.task_state, Some(2));
        assert_eq!(fields.uuid.as_deref(), Some(&[7u8; 16][..]));
        assert!(fields.acknowledgement.is_some());
        let bytes = fields.bytes().expect("events carry bytes");
        let back: v1::scheduler::Event = Encoding::Protobuf.decode(bytes).unwrap();
        assert_eq!(back, update(Some(vec![7; 16])).to_proto());
    }

    #[test]
    fn an_update_without_uuid_needs_no_acknowledgement() {
        let fields = EventFields::from_event(update(None), Encoding::Protobuf);
        assert!(fields.acknowledgement.is_none());
        assert!(fields.uuid.is_none());
    }

    #[test]
    fn a_termination_is_described() {
        let fields =
            EventFields::from_connection(ConnectionState::Terminated(Termination::TornDown));
        assert_eq!(fields.kind, mesos_http_event_kind::Connection);
        assert_eq!(
            fields.connection_state,
            mesos_http_connection_state::Terminated
        );
        assert_eq!(
            fields.message.as_deref(),
            Some(c"the framework was torn down")
        );
        assert!(fields.bytes().is_none());
    }
}
