/// A TWS message body with its id and its one field layout (see `FieldCoder`).
public protocol TWSMessage: Sendable, Equatable {
    /// The message id, the first field of every frame.
    static var id: Int { get }
    static var name: String { get }
    init()
    mutating func code(_ c: inout some FieldCoder) throws
}

extension TWSMessage {
    public static var name: String { String(describing: Self.self) }

    /// The payload (fields, each ending in NUL) at a server version, without the length prefix.
    public func payload(version: Int) -> [UInt8] {
        var writer = FieldWriter(version: version)
        var id = Self.id
        writer.int(&id)
        var copy = self
        do { try copy.code(&writer) } catch { preconditionFailure("a FieldWriter cannot fail: \(error)") }
        return writer.payload
    }

    /// The message from a frame's fields (the id first).
    public static func decode(_ fields: [String], version: Int) throws -> Self {
        var reader = FieldReader(fields, version: version, message: name)
        var message = Self()
        try message.code(&reader)
        return message
    }
}

/// The messages of one direction, by id: decoding a frame picks the type from its first field.
public struct TWSMessageTable: Sendable {
    public let types: [Int: any TWSMessage.Type]

    public init(_ types: [any TWSMessage.Type]) {
        self.types = Dictionary(types.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The message a frame carries.
    /// - Throws: `TWSProtocolError` for an empty frame, an unknown id, or fields that do not fit.
    public func decode(_ fields: [String], version: Int) throws -> any TWSMessage {
        guard let first = fields.first, let id = Int(first) else {
            throw TWSProtocolError("a frame without a message id: \(fields.prefix(3))")
        }
        guard let type = types[id] else { throw TWSProtocolError("unknown message id \(id)") }
        return try type.decode(fields, version: version)
    }
}
