//! The subscription loop against a minimal protocol of its own (records
//! `ok` decode, anything else does not) and a one-response peer on a local
//! port.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::Duration;

use crossbeam_channel::Receiver;
use ureq::http::HeaderMap;
use ureq::Agent;

use super::run::{Subscription, MAX_UNDECODABLE_RUN};
use super::{Attempt, Disconnect, End, Next, Protocol, Seen, Start};
use crate::codec::{DecodeError, Encoding};
use crate::connection::{
    Control, Endpoint, HttpSettings, Masters, Outgoing, Posted, StaticMasters,
};
use crate::error::Error;

#[derive(Debug)]
enum Got {
    Connected,
    Event,
    Undecodable,
    Disconnected(String),
    Terminated,
}

struct Mock {
    control: Control,
    settings: HttpSettings,
    target: Endpoint,
}

impl Protocol for Mock {
    type Event = ();
    type Item = Got;
    type Termination = ();

    fn control(&self) -> &Control {
        &self.control
    }
    fn settings(&self) -> &HttpSettings {
        &self.settings
    }
    fn max_record_size(&self) -> usize {
        1024
    }
    fn initial_budget(&self) -> Duration {
        Duration::MAX
    }
    fn start(&mut self) -> Start<()> {
        Start::Attempt(Attempt {
            targets: vec![self.target.clone()],
            body: b"{}".to_vec(),
        })
    }
    fn post(
        &self,
        agent: &Agent,
        target: &Endpoint,
        body: &[u8],
        stop: &Receiver<()>,
    ) -> Result<Posted, Error> {
        let outgoing = Outgoing {
            stop: Some(stop),
            ..Outgoing::body(body)
        };
        self.settings.post(agent, target, &outgoing, |_, _| {})
    }
    fn opened(&mut self, _: &Endpoint, _: &HeaderMap) -> Result<(), Error> {
        Ok(())
    }
    fn decode(&self, encoding: Encoding, record: &[u8]) -> Result<(), DecodeError> {
        if record == b"ok" {
            Ok(())
        } else {
            encoding
                .decode::<crate::v1::scheduler::Event>(record)
                .map(|_| ())
        }
    }
    fn seen(&mut self, _: &(), _: &mut Vec<Got>) -> Seen<()> {
        Seen::Other
    }
    fn event_item(&self, _: ()) -> Got {
        Got::Event
    }
    fn undecodable_item(&self, _: DecodeError, _: Vec<u8>) -> Got {
        Got::Undecodable
    }
    fn connected_item(&self, _: String) -> Got {
        Got::Connected
    }
    fn terminated_item(&self, _: End<()>) -> Got {
        Got::Terminated
    }
    fn lost(&mut self, reason: Disconnect, _: bool) -> Next<Got, ()> {
        let reason = match reason {
            Disconnect::StreamEnded { .. } => "ended".to_string(),
            Disconnect::Protocol { detail, .. } => detail,
            other => format!("{other:?}"),
        };
        Next::End {
            items: vec![Got::Disconnected(reason)],
            termination: (),
        }
    }
    fn unsubscribed(&self) {}
}

/// Runs the loop against a peer that answers with `records` (JSON
/// stream), then ends the stream; returns what was delivered.
fn run_against(records: Vec<&'static [u8]>) -> Vec<Got> {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = value.trim().parse().unwrap();
            }
            if line.trim().is_empty() {
                break;
            }
        }
        let mut body = vec![0; length];
        std::io::Read::read_exact(&mut reader, &mut body).unwrap();
        let stream = reader.get_mut();
        let mut out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        for record in records {
            let framed = crate::recordio::encode_to_vec(record);
            out.extend_from_slice(format!("{:x}\r\n", framed.len()).as_bytes());
            out.extend_from_slice(&framed);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
        stream.write_all(&out).unwrap();
    });
    let settings = HttpSettings {
        encoding: Encoding::Json,
        connect_timeout: Duration::from_secs(10),
        call_timeout: Duration::from_secs(10),
        tls: ureq::tls::TlsConfig::default(),
        proxy: None,
        credentials: None,
        masters: Masters::from(StaticMasters::parse(&url).unwrap()),
        credentials_follow_redirects: false,
        max_redirects: 0,
    };
    let mock = Mock {
        control: Control::new(),
        settings,
        target: Endpoint::parse(&url).unwrap(),
    };
    let (tx, rx) = crossbeam_channel::unbounded();
    Subscription::new(mock, tx).run();
    rx.try_iter().collect()
}

fn count(items: &[Got], pick: fn(&Got) -> bool) -> usize {
    items.iter().filter(|i| pick(i)).count()
}

#[test]
fn a_decoded_event_breaks_a_run_of_undecodable_records() {
    let bad = MAX_UNDECODABLE_RUN as usize - 1;
    let mut records: Vec<&'static [u8]> = vec![b"garbage"; bad];
    records.push(b"ok");
    records.extend(vec![b"garbage" as &[u8]; bad]);
    records.push(b"ok");
    let items = run_against(records);
    assert_eq!(count(&items, |i| matches!(i, Got::Undecodable)), 2 * bad);
    assert_eq!(count(&items, |i| matches!(i, Got::Event)), 2);
    assert!(
        matches!(&items[items.len() - 2], Got::Disconnected(why) if why == "ended"),
        "{items:?}"
    );
    assert!(matches!(items.last(), Some(Got::Terminated)));
}

#[test]
fn a_full_run_of_undecodable_records_drops_the_stream() {
    let run = MAX_UNDECODABLE_RUN as usize;
    let mut records: Vec<&'static [u8]> = vec![b"ok"];
    records.extend(vec![b"garbage" as &[u8]; run + 5]);
    let items = run_against(records);
    assert_eq!(count(&items, |i| matches!(i, Got::Undecodable)), run);
    let Some(Got::Disconnected(why)) = items.iter().rev().nth(1) else {
        panic!("{items:?}")
    };
    assert!(why.contains(&format!("{run} records in a row")), "{why}");
    assert!(matches!(items[0], Got::Connected));
}
