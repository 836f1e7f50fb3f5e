//! JSON in the Mesos (stout) mapping: proto field names, enum names, padded
//! base64 bytes, 64-bit integers as numbers, declared defaults written.

use super::DecodeError;

/// Implemented by the generated code for every message.
pub trait JsonMessage: Sized {}

/// Encodes `message` as one JSON document.
pub fn encode<M: JsonMessage>(_message: &M) -> Vec<u8> {
    Vec::new()
}

/// Decodes one JSON document.
pub fn decode<M: JsonMessage>(_bytes: &[u8]) -> Result<M, DecodeError> {
    Err(DecodeError::new(super::DecodeErrorKind::Syntax, "not yet"))
}
