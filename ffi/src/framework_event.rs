//! Flattens the framework layer's items into the same event fields the
//! scheduler's items use, so that C programs read both with one set of
//! accessors.

use super::error::c_string_lossy;
use super::event_fields::{mesos_http_connection_state, mesos_http_event_kind, EventFields};
use mesos_http::codec::Encoding;
use mesos_http::event::Event;
use mesos_http::framework::{FrameworkEnd, FrameworkItem, TaskChange};
use mesos_http::v1::scheduler::event as se;
use mesos_http::ConnectionState;

/// The fields of `item`, and what must live until the event is freed (a
/// pending acknowledgement, sent then).
pub(super) fn framework_fields(
    item: FrameworkItem,
    encoding: Encoding,
) -> (EventFields, Option<Box<dyn std::any::Any + Send>>) {
    match item {
        FrameworkItem::Subscribed {
            framework_id,
            master,
            resumed,
        } => {
            let mut fields = EventFields::empty(mesos_http_event_kind::Connection);
            fields.connection_state = mesos_http_connection_state::Subscribed;
            fields.message = Some(c_string_lossy(&format!(
                "subscribed to {master} as {}{}",
                framework_id.value,
                if resumed { " (resumed)" } else { "" }
            )));
            fields.master = Some(c_string_lossy(&master));
            fields.framework_id = Some(c_string_lossy(&framework_id.value));
            (fields, None)
        }
        FrameworkItem::Offers(offers) => {
            let event = Event::Offers(se::Offers { offers });
            (EventFields::from_event(event, encoding), None)
        }
        FrameworkItem::Rescinded(offer_id) => {
            let event = Event::Rescind(se::Rescind { offer_id });
            (EventFields::from_event(event, encoding), None)
        }
        FrameworkItem::Task(change) => task_fields(change, encoding, mesos_http_event_kind::Update),
        FrameworkItem::UnknownTask(change) => {
            task_fields(change, encoding, mesos_http_event_kind::UnknownTask)
        }
        FrameworkItem::Event(received) => {
            let mut fields = EventFields::from_event(received.event().clone(), encoding);
            // Acknowledged (if at all) when the event is freed.
            fields.acknowledgement = None;
            (fields, Some(Box::new(received)))
        }
        FrameworkItem::Connection(state) => (EventFields::from_connection(state), None),
        FrameworkItem::Terminated(FrameworkEnd::Subscription(why)) => (
            EventFields::from_connection(ConnectionState::Terminated(why)),
            None,
        ),
        FrameworkItem::Terminated(end) => {
            let mut fields = EventFields::empty(mesos_http_event_kind::Connection);
            fields.connection_state = mesos_http_connection_state::Terminated;
            fields.message = Some(c_string_lossy(&end.to_string()));
            (fields, None)
        }
        FrameworkItem::Other(item) => (EventFields::from_item(item, encoding), None),
        // An item added to the library later: reported as unknown.
        _ => (EventFields::empty(mesos_http_event_kind::Unknown), None),
    }
}

fn task_fields(
    change: TaskChange,
    encoding: Encoding,
    kind: mesos_http_event_kind,
) -> (EventFields, Option<Box<dyn std::any::Any + Send>>) {
    let event = Event::Update(se::Update {
        status: change.status.clone(),
    });
    let mut fields = EventFields::from_event(event, encoding);
    fields.kind = kind;
    // The framework acknowledges when the event is freed.
    fields.acknowledgement = None;
    (fields, Some(Box::new(change)))
}
