import Messages

/// An approved close not yet ended: its legs (the position each reduces and by how much a unit)
/// and how much of it has filled. What is left of it will still come off those positions.
struct CloseInFlight: Sendable, Equatable {
    struct Leg: Sendable, Equatable {
        let account: String
        let instrument: String
        let perUnit: Int64
    }

    let legs: [Leg]
    let quantity: Int64
    var filled: Int64 = 0

    init(_ intent: Volta_V1_OrderIntent) {
        legs = intent.legs.map { Leg(account: intent.account, instrument: $0.instrument.displayName, perUnit: $0.signedRatio) }
        quantity = intent.quantity
    }

    /// The signed change still to come to `instrument` in `account` (any account when either
    /// side names none).
    func pendingChange(of instrument: String, account: String) -> Int64 {
        let remaining = max(0, quantity - filled)
        return legs.filter { $0.instrument == instrument && ($0.account == account || $0.account.isEmpty || account.isEmpty) }
            .reduce(0) { $0 + $1.perUnit * remaining }
    }
}
