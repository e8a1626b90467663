import SwiftProtobuf

/// A payload is decoded where it lies in its envelope's bytes: an envelope read by its header
/// (``EnvelopeHeader/payloadRange``) would otherwise copy the payload into an array of its own
/// first, once per message on every subscriber's path.
extension ArraySlice: @retroactive SwiftProtobufContiguousBytes where Element == UInt8 {}
