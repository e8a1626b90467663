import Foundation
import Synchronization

/// What the broker received and did, one JSON object a line: every new order (`"order"`) and every
/// execution (`"fill"`), with the client's `orderRef`. It is the broker's side of a reconciliation:
/// the chaos test checks each Volta order id reached twsim under one order only, and that
/// positions and the record agree with these fills.
public final class TWSimAudit: Sendable {
    private let handle: Mutex<FileHandle>

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        handle = Mutex(try FileHandle(forWritingTo: URL(fileURLWithPath: path)))
    }

    func write(_ fields: [String: Any]) {
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        handle.withLock { $0.write(line) }
    }
}
