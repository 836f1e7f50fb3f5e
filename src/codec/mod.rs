//! Encoding and decoding of every schema type, in the two media types the
//! Mesos v1 APIs speak. Both codecs work on the one typed model in [`crate::v1`].

pub mod json;
pub mod protobuf;

use std::fmt;

/// The media type of request bodies and stream records. The default,
/// protobuf (smaller and faster to decode), is what the scheduler builder,
/// the C ABI and the examples use unless told otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// `application/json`, with the Mesos (stout) mapping rather than proto3 JSON.
    Json,
    /// `application/x-protobuf`: binary proto2.
    #[default]
    Protobuf,
}

impl Encoding {
    /// The exact `Content-Type` / `Accept` value the master compares against.
    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Json => "application/json",
            Encoding::Protobuf => "application/x-protobuf",
        }
    }

    /// The encoding named by an exact media type (the master compares byte for byte).
    pub fn from_content_type(value: &str) -> Option<Self> {
        match value {
            "application/json" => Some(Encoding::Json),
            "application/x-protobuf" => Some(Encoding::Protobuf),
            _ => None,
        }
    }

    /// Encodes `message` in this encoding.
    pub fn encode<M: Message>(self, message: &M) -> Vec<u8> {
        match self {
            Encoding::Json => json::encode(message),
            Encoding::Protobuf => protobuf::encode(message),
        }
    }

    /// Decodes a whole buffer as one `M`.
    pub fn decode<M: Message>(self, bytes: &[u8]) -> Result<M, DecodeError> {
        match self {
            Encoding::Json => json::decode(bytes),
            Encoding::Protobuf => protobuf::decode(bytes),
        }
    }
}

/// A schema type both codecs handle. Implemented for every message in [`crate::v1`].
pub trait Message:
    protobuf::ProtobufMessage
    + json::JsonMessage
    + Default
    + Clone
    + PartialEq
    + fmt::Debug
    + Send
    + Sync
    + 'static
{
}

impl<T> Message for T where
    T: protobuf::ProtobufMessage
        + json::JsonMessage
        + Default
        + Clone
        + PartialEq
        + fmt::Debug
        + Send
        + Sync
        + 'static
{
}

/// What kind of problem a [`DecodeError`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// JSON that is not well-formed (the master's `Failed to parse body into JSON`).
    Syntax,
    /// Well-formed input that does not fit the schema: a JSON value of the wrong
    /// type, bad base64, a protobuf wire type that does not match the field
    /// (the master's `Failed to convert JSON into Call protobuf`).
    Schema,
    /// One or more `required` fields are absent.
    MissingRequired,
    /// Binary protobuf that is truncated or malformed (bad varint, a length past
    /// the end of its enclosing message, an unknown wire type).
    Malformed,
    /// Messages nested deeper than the decoder allows.
    TooDeep,
}

/// A decoding failure: its kind and a human-readable detail. Decoding never
/// panics and never allocates from an unchecked length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    kind: DecodeErrorKind,
    detail: String,
}

impl DecodeError {
    /// A new error.
    pub fn new(kind: DecodeErrorKind, detail: impl Into<String>) -> Self {
        DecodeError {
            kind,
            detail: detail.into(),
        }
    }

    /// A `MissingRequired` error in the master's wording:
    /// `Missing required fields: a.b, c`.
    pub fn missing_required(paths: &[String]) -> Self {
        DecodeError::new(
            DecodeErrorKind::MissingRequired,
            format!("Missing required fields: {}", paths.join(", ")),
        )
    }

    /// The kind of problem.
    pub fn kind(&self) -> DecodeErrorKind {
        self.kind
    }

    /// The detail text (for JSON, in the master's wording where it has one).
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.detail)
    }
}

impl std::error::Error for DecodeError {}
