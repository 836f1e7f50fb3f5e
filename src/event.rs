//! Scheduler events as a Rust enum, so a scheduler matches on what happened
//! instead of checking `type` and then unwrapping the matching optional field.
//!
//! A record whose type this schema does not know (a newer master), or a known
//! type whose payload is missing, becomes [`Event::Unknown`](crate::event::Event::Unknown), which keeps the
//! raw bytes: the stream goes on and nothing is lost.

use crate::call;
use crate::codec::{DecodeError, Encoding};
use crate::v1;
use crate::v1::scheduler::event::{self as se, Type};

/// One event from the SUBSCRIBE stream.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// The subscription is accepted: the framework id and heartbeat interval.
    Subscribed(se::Subscribed),
    /// New resource offers.
    Offers(se::Offers),
    /// Resources the operator wants back (maintenance).
    InverseOffers(se::InverseOffers),
    /// An offer is no longer valid.
    Rescind(se::Rescind),
    /// An inverse offer is withdrawn.
    RescindInverseOffer(se::RescindInverseOffer),
    /// A task status update; acknowledge it when it carries a uuid
    /// (see [`Event::acknowledgement`]).
    Update(se::Update),
    /// An operation status update; acknowledge it when it carries a uuid.
    UpdateOperationStatus(se::UpdateOperationStatus),
    /// Bytes from an executor.
    Message(se::Message),
    /// An agent was lost or an executor exited.
    Failure(se::Failure),
    /// A fatal error (subscription refused, failed over, ...): the stream closes.
    Error(se::Error),
    /// Keep-alive; the master sends one every `heartbeat_interval_seconds`.
    Heartbeat,
    /// An event this library cannot represent; kept whole.
    Unknown(UnknownEvent),
}

/// An event of a type this schema does not know, or of a known type whose
/// payload is missing. Keeps what is needed to log or forward it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownEvent {
    kind: Type,
    encoding: Option<Encoding>,
    record: Vec<u8>,
    proto: Box<v1::scheduler::Event>,
}

impl UnknownEvent {
    /// The `type` number as sent (`UNKNOWN` when the record had none).
    pub fn kind(&self) -> Type {
        self.kind
    }

    /// The encoding of [`UnknownEvent::record`]; `None` when the event was
    /// built from a decoded message rather than from stream bytes.
    pub fn encoding(&self) -> Option<Encoding> {
        self.encoding
    }

    /// The record exactly as received (empty when built from a message).
    pub fn record(&self) -> &[u8] {
        &self.record
    }

    /// Everything the decoder understood of the record.
    pub fn proto(&self) -> &v1::scheduler::Event {
        &self.proto
    }
}

impl Event {
    /// Decodes one RecordIO record of the SUBSCRIBE stream.
    ///
    /// A record that is not a valid `Event` message is an error; a valid one of
    /// an unknown type is [`Event::Unknown`] carrying `record`.
    pub fn decode(encoding: Encoding, record: &[u8]) -> Result<Event, DecodeError> {
        let proto: v1::scheduler::Event = encoding.decode(record)?;
        Ok(Self::classify(proto, Some((encoding, record))))
    }

    /// The typed view of a decoded event (an unknown type keeps no raw bytes).
    pub fn from_proto(proto: v1::scheduler::Event) -> Event {
        Self::classify(proto, None)
    }

    fn classify(mut proto: v1::scheduler::Event, raw: Option<(Encoding, &[u8])>) -> Event {
        let kind = proto.r#type();
        let typed = match kind {
            Type::SUBSCRIBED => proto.subscribed.take().map(Event::Subscribed),
            Type::OFFERS => proto.offers.take().map(Event::Offers),
            Type::INVERSE_OFFERS => proto.inverse_offers.take().map(Event::InverseOffers),
            Type::RESCIND => proto.rescind.take().map(Event::Rescind),
            Type::RESCIND_INVERSE_OFFER => proto
                .rescind_inverse_offer
                .take()
                .map(Event::RescindInverseOffer),
            Type::UPDATE => proto.update.take().map(Event::Update),
            Type::UPDATE_OPERATION_STATUS => proto
                .update_operation_status
                .take()
                .map(Event::UpdateOperationStatus),
            Type::MESSAGE => proto.message.take().map(Event::Message),
            Type::FAILURE => proto.failure.take().map(Event::Failure),
            Type::ERROR => proto.error.take().map(Event::Error),
            Type::HEARTBEAT => Some(Event::Heartbeat),
            _ => None,
        };
        // `take` only succeeds when the payload is there, and then the variant
        // owns it; otherwise `proto` is still whole.
        typed.unwrap_or_else(|| {
            Event::Unknown(UnknownEvent {
                kind,
                encoding: raw.map(|(encoding, _)| encoding),
                record: raw.map(|(_, bytes)| bytes.to_vec()).unwrap_or_default(),
                proto: Box::new(proto),
            })
        })
    }

    /// The schema message for this event (for the simulated master, or to
    /// re-encode). Unknown events give back what was decoded.
    pub fn to_proto(&self) -> v1::scheduler::Event {
        let mut proto = v1::scheduler::Event {
            r#type: Some(self.kind()),
            ..v1::scheduler::Event::default()
        };
        match self {
            Event::Subscribed(m) => proto.subscribed = Some(m.clone()),
            Event::Offers(m) => proto.offers = Some(m.clone()),
            Event::InverseOffers(m) => proto.inverse_offers = Some(m.clone()),
            Event::Rescind(m) => proto.rescind = Some(m.clone()),
            Event::RescindInverseOffer(m) => proto.rescind_inverse_offer = Some(m.clone()),
            Event::Update(m) => proto.update = Some(m.clone()),
            Event::UpdateOperationStatus(m) => proto.update_operation_status = Some(m.clone()),
            Event::Message(m) => proto.message = Some(m.clone()),
            Event::Failure(m) => proto.failure = Some(m.clone()),
            Event::Error(m) => proto.error = Some(m.clone()),
            Event::Heartbeat => {}
            Event::Unknown(unknown) => return (*unknown.proto).clone(),
        }
        proto
    }

    /// The event's `type`, as on the wire.
    pub fn kind(&self) -> Type {
        match self {
            Event::Subscribed(_) => Type::SUBSCRIBED,
            Event::Offers(_) => Type::OFFERS,
            Event::InverseOffers(_) => Type::INVERSE_OFFERS,
            Event::Rescind(_) => Type::RESCIND,
            Event::RescindInverseOffer(_) => Type::RESCIND_INVERSE_OFFER,
            Event::Update(_) => Type::UPDATE,
            Event::UpdateOperationStatus(_) => Type::UPDATE_OPERATION_STATUS,
            Event::Message(_) => Type::MESSAGE,
            Event::Failure(_) => Type::FAILURE,
            Event::Error(_) => Type::ERROR,
            Event::Heartbeat => Type::HEARTBEAT,
            Event::Unknown(unknown) => unknown.kind,
        }
    }

    /// The task status of an UPDATE event.
    pub fn task_status(&self) -> Option<&v1::TaskStatus> {
        match self {
            Event::Update(update) => Some(&update.status),
            _ => None,
        }
    }

    /// The operation status of an UPDATE_OPERATION_STATUS event.
    pub fn operation_status(&self) -> Option<&v1::OperationStatus> {
        match self {
            Event::UpdateOperationStatus(update) => Some(&update.status),
            _ => None,
        }
    }

    /// The offers of an OFFERS event.
    pub fn offers(&self) -> Option<&[v1::Offer]> {
        match self {
            Event::Offers(offers) => Some(&offers.offers),
            _ => None,
        }
    }

    /// The framework id of a SUBSCRIBED event.
    pub fn framework_id(&self) -> Option<&v1::FrameworkID> {
        match self {
            Event::Subscribed(subscribed) => Some(&subscribed.framework_id),
            _ => None,
        }
    }

    /// The message of an ERROR event.
    pub fn error_message(&self) -> Option<&str> {
        match self {
            Event::Error(error) => Some(&error.message),
            _ => None,
        }
    }

    /// The acknowledgement this event needs: ACKNOWLEDGE for an UPDATE with a
    /// uuid, ACKNOWLEDGE_OPERATION_STATUS for an operation update with one,
    /// `None` for everything else (framework_id still to be filled in).
    pub fn acknowledgement(&self) -> Option<v1::scheduler::Call> {
        match self {
            Event::Update(update) => call::acknowledge_update(&update.status),
            Event::UpdateOperationStatus(update) => {
                call::acknowledge_operation_update(&update.status)
            }
            _ => None,
        }
    }
}

impl From<v1::scheduler::Event> for Event {
    fn from(proto: v1::scheduler::Event) -> Event {
        Event::from_proto(proto)
    }
}

impl From<&Event> for v1::scheduler::Event {
    fn from(event: &Event) -> v1::scheduler::Event {
        event.to_proto()
    }
}
