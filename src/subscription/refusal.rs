//! The one refusal table: what the status of SUBSCRIBE's response means
//! for the subscription, on every stream. A request the peer will refuse
//! again is not retried; trouble that may pass is. A 404 never gets here:
//! `HttpSettings::post`, the one post path, reports it as
//! `Error::NotFound` with the URL, and the loop ends the subscription once
//! every peer tried answered so.

/// What a SUBSCRIBE response's status means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// 200: the event stream follows.
    Stream,
    /// The peer refused the request itself (bad request, credentials,
    /// forbidden, wrong method or media type): sending it again would be
    /// refused again, so the subscription ends.
    Refused,
    /// Anything else (503 while no leader is elected or the master
    /// recovers, 500, ...): try the next peer, then back off and retry.
    Transient,
}

/// Classifies a SUBSCRIBE response status.
pub(crate) fn classify(status: u16) -> Answer {
    match status {
        200 => Answer::Stream,
        400 | 401 | 403 | 405 | 406 | 415 => Answer::Refused,
        _ => Answer::Transient,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert_eq!(classify(200), Answer::Stream);
        for status in [400, 401, 403, 405, 406, 415] {
            assert_eq!(classify(status), Answer::Refused, "{status}");
        }
        for status in [202, 307, 500, 502, 503] {
            assert_eq!(classify(status), Answer::Transient, "{status}");
        }
    }
}
