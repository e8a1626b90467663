/// Subscriptions by prefix, found for a topic in one walk of its bytes instead of one prefix
/// comparison per subscription: a publish costs the topic's length, not the number of
/// subscribers (risk and execution follow one exact topic per contract they hold).
/// Matches come back in subscription order (by id), as a linear scan would give them.
struct PrefixIndex<Value> {
    private struct Node {
        var children: [UInt8: Int] = [:]
        var entries: [(id: Int, value: Value)] = []
    }

    private var nodes = [Node()]

    mutating func insert(_ prefix: String, id: Int, _ value: Value) {
        var at = 0
        for byte in prefix.utf8 {
            if let next = nodes[at].children[byte] {
                at = next
            } else {
                nodes.append(Node())
                nodes[at].children[byte] = nodes.count - 1
                at = nodes.count - 1
            }
        }
        nodes[at].entries.append((id, value))
    }

    mutating func remove(_ prefix: String, id: Int) {
        var at = 0
        for byte in prefix.utf8 {
            guard let next = nodes[at].children[byte] else { return }
            at = next
        }
        nodes[at].entries.removeAll { $0.id == id }
    }

    /// Whether any prefix starts `topic`: the walk of ``matches(_:)`` without collecting.
    func matchesAny(_ topic: String) -> Bool {
        if !nodes[0].entries.isEmpty { return true }
        var at = 0
        for byte in topic.utf8 {
            guard let next = nodes[at].children[byte] else { return false }
            at = next
            if !nodes[at].entries.isEmpty { return true }
        }
        return false
    }

    /// Every value whose prefix starts `topic`, in id order.
    func matches(_ topic: String) -> [Value] {
        var found: [(id: Int, value: Value)] = nodes[0].entries
        var at = 0
        for byte in topic.utf8 {
            guard let next = nodes[at].children[byte] else { break }
            at = next
            found += nodes[at].entries
        }
        if found.count > 1 { found.sort { $0.id < $1.id } }
        return found.map(\.value)
    }
}
