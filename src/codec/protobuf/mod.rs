//! Binary proto2 on quick-protobuf's runtime.

use super::DecodeError;

/// Implemented by the generated code for every message.
pub trait ProtobufMessage: Sized {}

/// Encodes `message` as one protobuf message (no length prefix).
pub fn encode<M: ProtobufMessage>(_message: &M) -> Vec<u8> {
    Vec::new()
}

/// Decodes one protobuf message (no length prefix).
pub fn decode<M: ProtobufMessage>(_bytes: &[u8]) -> Result<M, DecodeError> {
    Err(DecodeError::new(
        super::DecodeErrorKind::Malformed,
        "not yet",
    ))
}
